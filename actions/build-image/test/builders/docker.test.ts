import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessError } from '@glidepath/core';
import { describe, expect, it } from 'vitest';
import { BuildError } from '../../src/build-errors.js';
import {
  type BuildxMetadata,
  buildxArgs,
  buildxCacheSteps,
  DockerBuilder,
  digestFromMetadata,
} from '../../src/builders/docker.js';
import type { Exec } from '../../src/builders/types.js';
import { RegistryAuthError } from '../../src/registry.js';
import { plan } from './plan.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const metadata = (name: string) =>
  JSON.parse(readFileSync(path.join(fixtures, name), 'utf8')) as BuildxMetadata;

describe('buildx command line', () => {
  it('tags, labels, names build arguments without values, caches locally and pushes', () => {
    const args = buildxArgs(plan(), '/tmp/work/meta.json');
    expect(args).toEqual([
      'buildx',
      'build',
      '--progress',
      'plain',
      '--file',
      '/work/app/Dockerfile',
      '--metadata-file',
      '/tmp/work/meta.json',
      '--tag',
      'ghcr.io/acme/service:sha-ffac537',
      '--tag',
      'ghcr.io/acme/service:main',
      '--label',
      'org.opencontainers.image.revision=ffac537e6cbbf934b08745a378932722df287a53',
      '--label',
      'team=pay ments',
      '--build-arg',
      'NPM_TOKEN',
      '--cache-from',
      'type=local,src=/cache/layers',
      '--cache-to',
      'type=local,dest=/cache/layers-next,mode=max',
      '--push',
      '/work/app',
    ]);
    expect(args.join(' ')).not.toContain('npm_s3cretvalue');
  });

  it('passes platforms, provenance, sbom and the gha and registry caches', () => {
    const gha = buildxArgs(
      plan({ platforms: ['linux/amd64', 'linux/arm64'], provenance: 'mode=max', sbom: true, cache: 'gha' }),
      'm.json',
    );
    expect(gha).toEqual(
      expect.arrayContaining([
        '--platform',
        'linux/amd64,linux/arm64',
        '--provenance=mode=max',
        '--sbom=true',
      ]),
    );
    expect(gha.join(' ')).toContain(
      '--cache-from type=gha,scope=ghcr.io/acme/service --cache-to type=gha,mode=max,scope=ghcr.io/acme/service',
    );
    const registry = buildxArgs(plan({ cache: 'registry' }), 'm.json').join(' ');
    expect(registry).toContain(
      '--cache-from type=registry,ref=ghcr.io/acme/service:buildcache --cache-to type=registry,ref=ghcr.io/acme/service:buildcache,mode=max',
    );
    expect(buildxArgs(plan({ cache: 'none' }), 'm.json')).toContain('--no-cache');
  });

  it('loads a single-platform build-only image and writes no registry cache without push', () => {
    const args = buildxArgs(plan({ push: false, cache: 'registry' }), 'm.json');
    expect(args).toContain('--load');
    expect(args).not.toContain('--push');
    expect(args.join(' ')).not.toContain('--cache-to');
    expect(
      buildxArgs(plan({ push: false, platforms: ['linux/amd64', 'linux/arm64'] }), 'm.json'),
    ).not.toContain('--load');
  });
});

describe('buildx metadata file', () => {
  it('gives the pushed manifest digest', () => {
    expect(digestFromMetadata(metadata('buildx-metadata-push.json'))).toBe(
      'sha256:19ffeab6f8bc9293ac2c3fdf94ebe28396254c993aea0b5a542cfb02e0883fa3',
    );
  });

  it('gives the index digest of a multi-platform push', () => {
    const meta = metadata('buildx-metadata-multiplatform.json');
    expect(meta['containerimage.descriptor']?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(digestFromMetadata(meta)).toBe(meta['containerimage.descriptor']?.digest);
  });

  it('never guesses a digest that is missing or inconsistent', () => {
    expect(() => digestFromMetadata({ 'buildx.build.ref': 'x/y/z' })).toThrow(/no image digest/);
    expect(() => digestFromMetadata({ 'containerimage.digest': 'ghcr.io/acme/service:latest' })).toThrow(
      /no image digest/,
    );
    const meta = metadata('buildx-metadata-push.json');
    meta['containerimage.descriptor']!.digest = `sha256:${'0'.repeat(64)}`;
    expect(() => digestFromMetadata(meta)).toThrow(/disagrees/);
  });

  it('counts CACHED steps of plain progress output', () => {
    const output = readFileSync(path.join(fixtures, 'buildx-build-missing-file.stderr.txt'), 'utf8');
    expect(buildxCacheSteps(output)).toEqual({ reused: 2, total: 3 });
    expect(buildxCacheSteps('no steps here')).toBeUndefined();
  });
});

/** Stands in for the docker CLI: answers like buildx does, writing the metadata file it was asked for. */
function fakeDocker(behaviour: (args: string[]) => { metadata?: string; error?: ProcessError }) {
  const calls: Array<{ args: string[]; env?: Record<string, string | undefined>; input?: string }> = [];
  const exec: Exec = async (command, args, options) => {
    expect(command).toBe('docker');
    calls.push({ args, env: options?.env, input: options?.input });
    const outcome = behaviour(args);
    if (outcome.error) throw outcome.error;
    const metaIndex = args.indexOf('--metadata-file');
    if (metaIndex >= 0 && outcome.metadata)
      writeFileSync(args[metaIndex + 1]!, readFileSync(path.join(fixtures, outcome.metadata)));
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  return { exec, calls };
}

function processError(stderr: string): ProcessError {
  return new ProcessError('docker', 1, stderr.trim().split('\n').slice(-10).join('\n'), {
    exitCode: 1,
    stdout: '',
    stderr,
  });
}

describe('DockerBuilder', () => {
  const workDir = () => mkdtempSync(path.join(tmpdir(), 'glidepath-docker-'));

  it('reads the digest from the metadata file it asked for, build arguments in the environment', async () => {
    const dir = workDir();
    const cacheDir = path.join(dir, 'cache');
    mkdirSync(`${cacheDir}-next`, { recursive: true });
    writeFileSync(path.join(`${cacheDir}-next`, 'index.json'), '{}');
    const docker = fakeDocker(() => ({ metadata: 'buildx-metadata-push.json' }));
    const builder = new DockerBuilder({ exec: docker.exec, annotationPath: 'Dockerfile' });
    const outcome = await builder.build(plan({ workDir: dir, cacheDir }));
    expect(outcome.digest).toBe('sha256:19ffeab6f8bc9293ac2c3fdf94ebe28396254c993aea0b5a542cfb02e0883fa3');
    expect(outcome.imageId).toBe('sha256:2937f66a9722f7f4a2df583de2f8cb97fc9196059a410e7f00072fc918930e66');
    expect(docker.calls[0]!.env).toEqual({ NPM_TOKEN: 'npm_s3cretvalue' });
    // The fresh local cache replaced the old one.
    expect(readFileSync(path.join(cacheDir, 'index.json'), 'utf8')).toBe('{}');
  });

  it('logs in with the password on standard input', async () => {
    const docker = fakeDocker(() => ({}));
    await new DockerBuilder({ exec: docker.exec, annotationPath: 'Dockerfile' }).login(
      'ghcr.io',
      'octo',
      'pw-123',
    );
    expect(docker.calls[0]!.args).toEqual(['login', '--username', 'octo', '--password-stdin', 'ghcr.io']);
    expect(docker.calls[0]!.input).toBe('pw-123\n');
  });

  it('annotates a Dockerfile error at its line and does not retry it', async () => {
    const stderr = readFileSync(path.join(fixtures, 'buildx-build-missing-file.stderr.txt'), 'utf8');
    const docker = fakeDocker(() => ({ error: processError(stderr) }));
    const builder = new DockerBuilder({ exec: docker.exec, annotationPath: 'broken/Dockerfile' });
    const error = await builder.build(plan({ workDir: workDir() })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).target).toMatchObject({ file: 'broken/Dockerfile', startLine: 6 });
    expect(docker.calls).toHaveLength(1);
  });

  it('does not retry, nor blame the registry for, a RUN step that lost the network', async () => {
    const docker = fakeDocker(() => ({
      error: processError(
        '#7 [stage-1 2/3] RUN curl -fsS https://example.com/x\n#7 0.301 curl: (7) Failed to connect: Connection refused\n' +
          '#7 ERROR: process "/bin/sh -c curl -fsS https://example.com/x" did not complete successfully: exit code: 7\n' +
          'ERROR: failed to solve: process "/bin/sh -c curl -fsS https://example.com/x" did not complete successfully: exit code: 7\n',
      ),
    }));
    const builder = new DockerBuilder({ exec: docker.exec, annotationPath: 'Dockerfile' });
    const error = await builder.build(plan({ workDir: workDir() })).catch((e: unknown) => e);
    expect(docker.calls).toHaveLength(1);
    expect((error as Error).message).not.toContain('registry');
  });

  it('retries a push the registry answered with 503, then names it', async () => {
    const docker = fakeDocker(() => ({
      error: processError(
        '#12 exporting to image\n#12 pushing layers 0.4s done\n' +
          'ERROR: failed to solve: failed to push ghcr.io/acme/service:main: unexpected status from PUT request: 503 Service Unavailable\n',
      ),
    }));
    const builder = new DockerBuilder({
      exec: docker.exec,
      annotationPath: 'Dockerfile',
      registryCalls: { sleep: async () => undefined },
    });
    const error = await builder.build(plan({ workDir: workDir() })).catch((e: unknown) => e);
    expect(docker.calls).toHaveLength(4);
    expect((error as Error).message).toMatch(/^Could not push to registry ghcr.io after 4 attempts: .*503/);
  });

  it('names the registry when the push is refused', async () => {
    const docker = fakeDocker(() => ({
      error: processError(
        'ERROR: failed to solve: failed to push ghcr.io/acme/service:main: unexpected status from HEAD request: 401 Unauthorized\n',
      ),
    }));
    const builder = new DockerBuilder({ exec: docker.exec, annotationPath: 'Dockerfile' });
    const error = await builder.build(plan({ workDir: workDir() })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect((error as Error).message).toContain('Authentication failed for registry ghcr.io');
  });
});
