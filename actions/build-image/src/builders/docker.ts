import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { OperationError, ProcessError } from '@glidepath/core';
import { buildErrorFor, buildxFailure } from '../build-errors.js';
import { type RegistryCallOptions, withRegistry } from '../registry.js';
import type { Builder, BuildOutcome, BuildPlan, Exec } from './types.js';

export interface DockerOptions {
  exec: Exec;
  annotationPath: string;
  registryCalls?: RegistryCallOptions;
}

/** What `docker buildx build --metadata-file` writes (keys as in Docker's reference documentation). */
export interface BuildxMetadata {
  'containerimage.digest'?: string;
  'containerimage.config.digest'?: string;
  'containerimage.descriptor'?: { mediaType?: string; digest?: string; size?: number };
  'image.name'?: string;
  'buildx.build.ref'?: string;
  [key: string]: unknown;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The pushed digest from buildx's metadata file; never guessed when it is absent. */
export function digestFromMetadata(metadata: BuildxMetadata): string {
  const digest = metadata['containerimage.digest'];
  if (typeof digest !== 'string' || !DIGEST.test(digest))
    throw new OperationError(
      `buildx wrote no image digest to its metadata file (containerimage.digest is ${JSON.stringify(digest)}).`,
    );
  const descriptor = metadata['containerimage.descriptor']?.digest;
  if (descriptor && descriptor !== digest)
    throw new OperationError(
      `buildx's metadata disagrees with itself: ${digest} vs descriptor ${descriptor}.`,
    );
  return digest;
}

/** The `docker buildx build` command line. */
export function buildxArgs(plan: BuildPlan, metadataFile: string): string[] {
  const args = [
    'buildx',
    'build',
    '--progress',
    'plain',
    '--file',
    plan.file,
    '--metadata-file',
    metadataFile,
  ];
  for (const ref of plan.refs) args.push('--tag', ref);
  for (const [key, value] of plan.labels) args.push('--label', `${key}=${value}`);
  // Named without a value, a build argument is read from the environment: no secret on the command line.
  for (const key of plan.buildArgs.keys()) args.push('--build-arg', key);
  if (plan.platforms.length) args.push('--platform', plan.platforms.join(','));
  args.push(...buildxCacheArgs(plan));
  if (plan.provenance !== undefined) args.push(`--provenance=${plan.provenance}`);
  if (plan.sbom) args.push('--sbom=true');
  if (plan.push) args.push('--push');
  // A single-platform build-only run loads the image into the engine, as `docker build` would.
  else if (plan.platforms.length <= 1) args.push('--load');
  args.push(plan.context);
  return args;
}

export function buildxCacheArgs(plan: BuildPlan): string[] {
  switch (plan.cache) {
    case 'gha':
      return [
        '--cache-from',
        `type=gha,scope=${plan.image}`,
        '--cache-to',
        `type=gha,mode=max,scope=${plan.image}`,
      ];
    case 'registry': {
      const ref = `${plan.image}:buildcache`;
      const from = ['--cache-from', `type=registry,ref=${ref}`];
      return plan.push ? [...from, '--cache-to', `type=registry,ref=${ref},mode=max`] : from;
    }
    case 'local':
      // buildx adds to a local cache without ever pruning it; writing a fresh
      // directory and swapping it in keeps the cache the size of one build.
      return [
        '--cache-from',
        `type=local,src=${plan.cacheDir}`,
        '--cache-to',
        `type=local,dest=${plan.cacheDir}-next,mode=max`,
      ];
    case 'none':
      return ['--no-cache'];
  }
}

/** `#7 CACHED` lines among the numbered build steps of plain progress output. */
export function buildxCacheSteps(output: string): { reused: number; total: number } | undefined {
  const steps = new Set<string>();
  for (const m of output.matchAll(/^#(\d+) \[[^\]]*\d+\/\d+\]/gm)) steps.add(m[1]!);
  if (steps.size === 0) return undefined;
  const reused = new Set([...output.matchAll(/^#(\d+) CACHED$/gm)].map((m) => m[1]!));
  return { reused: [...reused].filter((id) => steps.has(id)).length, total: steps.size };
}

/**
 * BuildKit names the export phase when a push fails (`failed to push`,
 * `pushing layers`, `exporting to image`); a RUN step that lost the network
 * is the Dockerfile's failure, not the registry's, and is not retried.
 */
export function isPushFailure(error: unknown): boolean {
  const text =
    error instanceof ProcessError ? `${error.result.stdout}\n${error.result.stderr}` : String(error);
  return /failed to push|pushing layers|exporting to image|push access denied|failed to authorize|failed to fetch oauth token/i.test(
    text
      .split('\n')
      .filter((l) => /ERROR|error:/.test(l))
      .join('\n') || text,
  );
}

export class DockerBuilder implements Builder {
  readonly name = 'docker' as const;
  constructor(private readonly options: DockerOptions) {}

  async login(registry: string, username: string, password: string): Promise<void> {
    await withRegistry(
      registry,
      'Log in',
      () =>
        this.options.exec('docker', ['login', '--username', username, '--password-stdin', registry], {
          input: `${password}\n`,
        }),
      this.options.registryCalls,
    );
  }

  async build(plan: BuildPlan): Promise<BuildOutcome> {
    const metadataFile = path.join(plan.workDir, 'buildx-metadata.json');
    const invoke = () =>
      this.options.exec('docker', buildxArgs(plan, metadataFile), {
        env: Object.fromEntries(plan.buildArgs),
      });
    let output: string;
    try {
      // A push that fails on the network is retried as a whole: BuildKit's cache makes the rebuild cheap.
      const result = plan.push
        ? await withRegistry(plan.registry, 'Push', invoke, {
            ...this.options.registryCalls,
            fromRegistry: isPushFailure,
          })
        : await invoke();
      output = `${result.stdout}\n${result.stderr}`;
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause ?? error;
      if (cause instanceof ProcessError && !isPushFailure(cause)) {
        const failure = buildxFailure(`${cause.result.stdout}\n${cause.result.stderr}`);
        if (failure.line !== undefined) throw buildErrorFor(failure, this.options.annotationPath);
      }
      throw error;
    }
    if (plan.cache === 'local' && existsSync(`${plan.cacheDir}-next`)) {
      rmSync(plan.cacheDir, { recursive: true, force: true });
      renameSync(`${plan.cacheDir}-next`, plan.cacheDir);
    }
    const metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as BuildxMetadata;
    return {
      digest: plan.push ? digestFromMetadata(metadata) : undefined,
      imageId: metadata['containerimage.config.digest'],
      sizeBytes: undefined,
      cacheSteps: buildxCacheSteps(output),
      builderMetadata: metadata,
    };
  }
}
