import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalCache, localCacheKeys } from '../src/cache.js';

describe('local cache', () => {
  it('keys a build by builder, image and commit, restoring from earlier builds of the same image', () => {
    const keys = localCacheKeys({
      builder: 'buildah',
      image: 'ghcr.io/acme/service',
      os: 'Linux',
      sha: 'ffac537e6cbbf934b08745a378932722df287a53',
      runId: '1001',
    });
    expect(keys).toEqual({
      key: 'glidepath-build-image-Linux-buildah-ghcr.io_acme_service-ffac537e6cbb-1001',
      restorePrefix: 'glidepath-build-image-Linux-buildah-ghcr.io_acme_service-',
    });
  });

  it('keeps the directory as it is where the Actions cache service is not reachable', async () => {
    // The real @actions/cache, loaded lazily, with no cache service in this environment.
    const saved = {
      ACTIONS_CACHE_URL: process.env.ACTIONS_CACHE_URL,
      ACTIONS_RESULTS_URL: process.env.ACTIONS_RESULTS_URL,
    };
    delete process.env.ACTIONS_CACHE_URL;
    delete process.env.ACTIONS_RESULTS_URL;
    try {
      const dir = path.join(mkdtempSync(path.join(tmpdir(), 'glidepath-cache-')), 'layers');
      const cache = new LocalCache(dir, { key: 'k-1', restorePrefix: 'k-' });
      expect(await cache.restore()).toEqual({
        kind: 'unavailable',
        reason: 'the Actions cache service is not available; the directory is kept as is',
      });
      expect(existsSync(dir)).toBe(true);
      expect(await cache.save()).toBeUndefined();
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
