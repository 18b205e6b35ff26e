import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OperationError, ProcessError } from '@glidepath/core';
import { buildahFailure, buildErrorFor } from '../build-errors.js';
import { type RegistryCallOptions, withRegistry } from '../registry.js';
import type { Builder, BuildOutcome, BuildPlan, Exec } from './types.js';

export interface BuildahStorage {
  /** Image store (`--root`): the `local` cache directory, or a throw-away one. */
  root: string;
  /** Run-time state (`--runroot`): locks and mounts of this run only. */
  runroot: string;
  /**
   * `vfs` works everywhere — rootless, inside containers, without fuse — at the
   * price of a full copy per layer; `STORAGE_DRIVER=overlay` is faster where the
   * kernel allows it.
   */
  driver: string;
  /** `chroot` needs no user namespaces; `BUILDAH_ISOLATION` may ask for another. */
  isolation: string;
}

export interface BuildahOptions {
  exec: Exec;
  storage: BuildahStorage;
  /** Credentials file of this run (`REGISTRY_AUTH_FILE`), removed by the post step. */
  authFile: string;
  annotationPath: string;
  registryCalls?: RegistryCallOptions;
}

/** Arguments that put every buildah command on this run's storage. */
export function buildahGlobalArgs(storage: BuildahStorage): string[] {
  return ['--root', storage.root, '--runroot', storage.runroot, '--storage-driver', storage.driver];
}

/** The `buildah build` command line (without the global storage arguments). */
export function buildahBuildArgs(plan: BuildPlan, storage: BuildahStorage, iidFile: string): string[] {
  const multi = plan.platforms.length > 1;
  // buildah 1.28's layer cache does not tell platforms apart for `FROM scratch`
  // stages: the second platform reuses the first one's layers and the list ends
  // up with one image. A multi-platform build therefore runs without it.
  const layers = multi ? '--layers=false' : '--layers';
  const args = ['build', '--isolation', storage.isolation, layers, '--file', plan.file];
  // One image ID per platform: buildah refuses an iidfile for several.
  if (!multi) args.push('--iidfile', iidFile);
  for (const [key, value] of plan.labels) args.push('--label', `${key}=${value}`);
  // A build argument named without a value is read from the environment, so
  // values never appear on a command line (or in the log's echo of it).
  for (const key of plan.buildArgs.keys()) args.push('--build-arg', key);
  if (plan.cache === 'registry' && !multi) {
    const repository = registryCacheRepository(plan.image);
    args.push('--cache-from', repository);
    if (plan.push) args.push('--cache-to', repository);
  }
  if (multi) args.push('--platform', plan.platforms.join(','), '--manifest', plan.refs[0]!);
  else {
    if (plan.platforms.length === 1) args.push('--platform', plan.platforms[0]!);
    args.push('--tag', plan.refs[0]!);
  }
  args.push(plan.context);
  return args;
}

/** buildah keeps cached layers as tags of a repository, which must not carry a tag itself. */
export function registryCacheRepository(image: string): string {
  return `${image}-buildcache`;
}

/** Counts steps buildah took from its layer cache (`--> Using cache <id>`) among the cacheable ones. */
export function buildahCacheSteps(stdout: string): { reused: number; total: number } {
  const steps = [...stdout.matchAll(/^(?:\[\d+\/\d+\] )?STEP \d+\/\d+: (\S+)/gm)];
  const total = steps.filter((m) => m[1]!.toUpperCase() !== 'FROM').length;
  const reused = (stdout.match(/^--> Using cache /gm) ?? []).length;
  return { reused, total };
}

export class BuildahBuilder implements Builder {
  readonly name = 'buildah' as const;
  constructor(private readonly options: BuildahOptions) {}

  private run(
    args: string[],
    extra: { env?: Record<string, string>; input?: string; silent?: boolean } = {},
  ) {
    return this.options.exec('buildah', [...buildahGlobalArgs(this.options.storage), ...args], {
      // Without a login of our own, buildah's usual credentials (e.g. from docker/login-action) apply.
      env: { ...(this.options.authFile ? { REGISTRY_AUTH_FILE: this.options.authFile } : {}), ...extra.env },
      input: extra.input,
      silent: extra.silent,
    });
  }

  async login(registry: string, username: string, password: string): Promise<void> {
    await withRegistry(
      registry,
      'Log in',
      // The password goes through standard input, never the command line.
      () =>
        this.run(
          [
            'login',
            '--authfile',
            this.options.authFile,
            '--username',
            username,
            '--password-stdin',
            registry,
          ],
          {
            input: `${password}\n`,
          },
        ),
      this.options.registryCalls,
    );
  }

  async build(plan: BuildPlan): Promise<BuildOutcome> {
    const multi = plan.platforms.length > 1;
    if (multi) {
      // A list of the same name left in a kept store would collect this build's images beside old ones.
      await this.run(['manifest', 'rm', plan.refs[0]!], { silent: true }).catch(() => undefined);
    }
    // Earlier builds of this image in a kept store, to remove once this one exists.
    const earlier = plan.cache === 'local' && !multi ? await this.imagesOf(plan.image) : [];
    const iidFile = path.join(plan.workDir, 'buildah.iid');
    let stdout: string;
    try {
      const result = await this.run(buildahBuildArgs(plan, this.options.storage, iidFile), {
        env: Object.fromEntries(plan.buildArgs),
      });
      stdout = result.stdout;
    } catch (error) {
      if (error instanceof ProcessError) {
        throw buildErrorFor(
          buildahFailure(error.result.stdout, error.result.stderr, plan.dockerfile),
          this.options.annotationPath,
        );
      }
      throw error;
    }
    const imageId = multi ? '' : readFileSync(iidFile, 'utf8').trim();
    if (multi) await this.checkPlatforms(plan);
    const sizeBytes = multi ? undefined : await this.imageSize(imageId);
    if (earlier.length) await this.removeImages(earlier.filter((id) => !imageId.startsWith(id)));
    const digest = plan.push ? await this.push(plan) : undefined;
    return {
      digest,
      // A multi-platform build has one image per platform; the index digest is the one to use.
      imageId: multi ? undefined : imageId.startsWith('sha256:') ? imageId : `sha256:${imageId}`,
      sizeBytes,
      cacheSteps: buildahCacheSteps(stdout),
      builderMetadata: undefined,
    };
  }

  /** Pushes the image to every tag; the registry must answer one digest for all of them. */
  private async push(plan: BuildPlan): Promise<string> {
    const digests = new Map<string, string>();
    for (const [index, ref] of plan.refs.entries()) {
      const digestFile = path.join(plan.workDir, `push-${index}.digest`);
      const args =
        plan.platforms.length > 1
          ? ['manifest', 'push', '--all', '--digestfile', digestFile, plan.refs[0]!, `docker://${ref}`]
          : // buildah 1.28 ignores `--retry` here and retries three times regardless; a
            // near-zero delay makes those attempts instant, so the backoff (and its log) is ours.
            [
              'push',
              '--retry',
              '0',
              '--retry-delay',
              '1ms',
              '--digestfile',
              digestFile,
              plan.refs[0]!,
              `docker://${ref}`,
            ];
      await withRegistry(plan.registry, 'Push', () => this.run(args), this.options.registryCalls);
      digests.set(ref, readFileSync(digestFile, 'utf8').trim());
    }
    const distinct = new Set(digests.values());
    if (distinct.size !== 1) {
      const listing = [...digests].map(([ref, d]) => `${ref} → ${d}`).join(', ');
      throw new OperationError(`The registry holds different digests for the tags of one build: ${listing}.`);
    }
    return [...distinct][0]!;
  }

  /**
   * A kept image store would otherwise grow by one final image per build (with
   * vfs, a full copy of its files) — also when a rebuild moves the tag and leaves
   * the old image nameless. Removing the earlier builds keeps the intermediate
   * layers the current build shares with them (buildah removes only parents no
   * other image needs), so the cache stays warm.
   */
  private async imagesOf(image: string): Promise<string[]> {
    try {
      const { stdout } = await this.run(['images', '--json'], { silent: true });
      const images = JSON.parse(stdout || '[]') as Array<{ id: string; names: string[] | null }> | null;
      return (images ?? [])
        .filter((candidate) => (candidate.names ?? []).some((n) => n.startsWith(`${image}:`)))
        .map((candidate) => candidate.id);
    } catch {
      return [];
    }
  }

  private async removeImages(ids: string[]): Promise<void> {
    for (const id of ids) {
      // Housekeeping only: a store that keeps an old image still builds correctly.
      await this.run(['rmi', '--force', id], { silent: true }).catch(() => undefined);
    }
  }

  private async checkPlatforms(plan: BuildPlan): Promise<void> {
    const { stdout } = await this.run(['manifest', 'inspect', plan.refs[0]!], { silent: true });
    const list = JSON.parse(stdout) as {
      manifests?: Array<{ platform?: { os?: string; architecture?: string; variant?: string } }>;
    };
    const built = new Set(
      (list.manifests ?? []).map((m) =>
        [m.platform?.os, m.platform?.architecture, m.platform?.variant].filter(Boolean).join('/'),
      ),
    );
    const missing = plan.platforms.filter((p) => !built.has(p));
    if (missing.length)
      throw new OperationError(
        `buildah built ${[...built].join(', ') || 'no platform'} but not ${missing.join(', ')}; ` +
          'the image list is incomplete, so nothing was pushed.',
      );
  }

  private async imageSize(imageId: string): Promise<number | undefined> {
    try {
      const { stdout } = await this.run(['inspect', '--type', 'image', imageId], { silent: true });
      const manifest = JSON.parse((JSON.parse(stdout) as { Manifest: string }).Manifest) as {
        layers?: Array<{ size?: number }>;
      };
      return (manifest.layers ?? []).reduce((sum, layer) => sum + (layer.size ?? 0), 0);
    } catch {
      return undefined;
    }
  }
}
