import { describe, expect, it } from 'vitest';
import { actionOutputs, type BuildReport } from '../src/outputs.js';
import { buildSummary, cacheVerdict, formatBytes } from '../src/summary.js';

const DIGEST = 'sha256:d9eda6a9f5c4d755b894c131d7dd7c186097d8a56bca58c5e7da925ea59cac63';

const report: BuildReport = {
  image: 'ghcr.io/acme/service',
  registry: 'ghcr.io',
  digest: DIGEST,
  imageId: 'sha256:def',
  refs: ['ghcr.io/acme/service:sha-ffac537', 'ghcr.io/acme/service:main'],
  labels: new Map([['org.opencontainers.image.revision', 'ffac537']]),
  builder: 'buildah',
  platforms: [],
  pushed: true,
  sizeBytes: 2_000_000,
  durationMs: 3000,
  buildMs: 2500,
  cacheMode: 'local',
  cacheSteps: { reused: 11, total: 12 },
  restore: { kind: 'restored', key: 'k-1' },
  attestationUrl: undefined,
  builderMetadata: undefined,
};

describe('job summary', () => {
  it('says whether the cache hit', () => {
    expect(cacheVerdict({ reused: 0, total: 7 })).toBe('miss (0 of 7 steps from cache)');
    expect(cacheVerdict({ reused: 6, total: 7 })).toBe('partial hit (6 of 7 steps from cache)');
    expect(cacheVerdict({ reused: 7, total: 7 })).toBe('hit (7 of 7 steps from cache)');
    expect(cacheVerdict(undefined)).toBe('unknown');
  });

  it('formats sizes in SI units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_986_560)).toBe('2.0 MB');
    expect(formatBytes(undefined)).toBe('not reported by the builder');
  });

  it('shows image, digest, tags, labels, size, duration and cache', () => {
    const markdown = buildSummary(report).toMarkdown();
    expect(markdown).toContain('## Image built and pushed: ghcr.io/acme/service');
    expect(markdown).toContain(`| Digest | \`${DIGEST}\` |`);
    expect(markdown).toContain('| Tags | `sha-ffac537` `main` |');
    expect(markdown).toContain('| Size | 2.0 MB |');
    expect(markdown).toContain('| Duration | 3s (build and push 2.5s) |');
    expect(markdown).toContain(
      '| Cache | local: partial hit (11 of 12 steps from cache), restored from k-1 |',
    );
    expect(markdown).toContain('| `org.opencontainers.image.revision` | ffac537 |');
  });
});

describe('outputs', () => {
  it('gives the digest, the name@digest reference and the tags', () => {
    const outputs = actionOutputs(report);
    expect(outputs.digest).toBe(DIGEST);
    expect(outputs['image-ref']).toBe(`ghcr.io/acme/service@${DIGEST}`);
    expect(outputs.tags).toBe('ghcr.io/acme/service:sha-ffac537\nghcr.io/acme/service:main');
    expect(outputs.metadata).toMatchObject({ digest: DIGEST, builder: 'buildah', cache: { mode: 'local' } });
  });

  it('leaves digest and reference empty for a build-only run', () => {
    const outputs = actionOutputs({ ...report, digest: undefined, pushed: false });
    expect(outputs.digest).toBe('');
    expect(outputs['image-ref']).toBe('');
    expect(outputs['image-id']).toBe('sha256:def');
  });
});
