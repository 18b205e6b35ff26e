import type { BuildPlan } from '../../src/builders/types.js';
import { parseDockerfile } from '../../src/dockerfile.js';

/** A build plan as main computes one, for the builders' unit tests. */
export function plan(overrides: Partial<BuildPlan> = {}): BuildPlan {
  return {
    image: 'ghcr.io/acme/service',
    registry: 'ghcr.io',
    context: '/work/app',
    file: '/work/app/Dockerfile',
    dockerfile: parseDockerfile('FROM scratch\nCOPY a /a\n'),
    refs: ['ghcr.io/acme/service:sha-ffac537', 'ghcr.io/acme/service:main'],
    labels: new Map([
      ['org.opencontainers.image.revision', 'ffac537e6cbbf934b08745a378932722df287a53'],
      ['team', 'pay ments'],
    ]),
    buildArgs: new Map([['NPM_TOKEN', 'npm_s3cretvalue']]),
    platforms: [],
    push: true,
    cache: 'local',
    cacheDir: '/cache/layers',
    workDir: '/tmp/work',
    provenance: undefined,
    sbom: false,
    ...overrides,
  };
}
