import { describe, expect, it } from 'vitest';
import { buildSummary, cacheVerdict, formatBytes } from '../src/summary.js';

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
    const markdown = buildSummary({
      image: 'ghcr.io/acme/service',
      digest: 'sha256:abc',
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
    }).toMarkdown();
    expect(markdown).toContain('## Image built and pushed: ghcr.io/acme/service');
    expect(markdown).toContain('| Digest | `sha256:abc` |');
    expect(markdown).toContain('| Tags | `sha-ffac537` `main` |');
    expect(markdown).toContain('| Size | 2.0 MB |');
    expect(markdown).toContain('| Duration | 3s (build and push 2.5s) |');
    expect(markdown).toContain(
      '| Cache | local: partial hit (11 of 12 steps from cache), restored from k-1 |',
    );
    expect(markdown).toContain('| `org.opencontainers.image.revision` | ffac537 |');
  });
});
