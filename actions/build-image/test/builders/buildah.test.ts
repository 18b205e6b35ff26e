import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type BuildahStorage,
  buildahBuildArgs,
  buildahCacheSteps,
  buildahGlobalArgs,
} from '../../src/builders/buildah.js';
import { plan } from './plan.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const storage: BuildahStorage = {
  root: '/cache/layers',
  runroot: '/tmp/run',
  driver: 'vfs',
  isolation: 'chroot',
};

describe('buildah command line', () => {
  it('builds with layers on the chosen storage, build arguments named without values', () => {
    expect(buildahGlobalArgs(storage)).toEqual([
      '--root',
      '/cache/layers',
      '--runroot',
      '/tmp/run',
      '--storage-driver',
      'vfs',
    ]);
    const args = buildahBuildArgs(plan(), storage, '/tmp/work/iid');
    expect(args).toEqual([
      'build',
      '--isolation',
      'chroot',
      '--layers',
      '--file',
      '/work/app/Dockerfile',
      '--iidfile',
      '/tmp/work/iid',
      '--label',
      'org.opencontainers.image.revision=ffac537e6cbbf934b08745a378932722df287a53',
      '--label',
      'team=pay ments',
      '--build-arg',
      'NPM_TOKEN',
      '--tag',
      'ghcr.io/acme/service:sha-ffac537',
      '/work/app',
    ]);
    expect(args.join(' ')).not.toContain('npm_s3cretvalue');
  });

  it('uses a -buildcache repository for the registry cache, writing it only when pushing', () => {
    expect(buildahBuildArgs(plan({ cache: 'registry' }), storage, 'iid').join(' ')).toContain(
      '--cache-from ghcr.io/acme/service-buildcache --cache-to ghcr.io/acme/service-buildcache',
    );
    expect(buildahBuildArgs(plan({ cache: 'registry', push: false }), storage, 'iid')).not.toContain(
      '--cache-to',
    );
  });

  it('builds a manifest list without the layer cache for several platforms', () => {
    const args = buildahBuildArgs(plan({ platforms: ['linux/amd64', 'linux/arm64'] }), storage, 'iid');
    expect(args.join(' ')).toContain(
      '--platform linux/amd64,linux/arm64 --manifest ghcr.io/acme/service:sha-ffac537',
    );
    expect(args).toContain('--layers=false');
    expect(args).not.toContain('--iidfile');
    expect(buildahBuildArgs(plan({ platforms: ['linux/arm64'] }), storage, 'iid').join(' ')).toContain(
      '--platform linux/arm64 --tag',
    );
  });
});

describe('buildah cache steps (recorded buildah 1.28 output)', () => {
  it('counts none reused on a cold build and all on a warm one', () => {
    const cold = buildahCacheSteps(
      readFileSync(path.join(fixtures, 'buildah-build-cold.stdout.txt'), 'utf8'),
    );
    const warm = buildahCacheSteps(
      readFileSync(path.join(fixtures, 'buildah-build-warm.stdout.txt'), 'utf8'),
    );
    expect(cold).toEqual({ reused: 0, total: 7 });
    expect(warm).toEqual({ reused: 7, total: 7 });
  });
});
