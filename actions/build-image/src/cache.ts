import { mkdirSync } from 'node:fs';

/**
 * The `local` cache: a directory the builder reads and writes (buildah's
 * image store, or buildx's local cache), restored before the build and saved
 * after it with the Actions cache. @actions/cache is loaded only here, so the
 * other modes start without it.
 */
export interface LocalCacheKeys {
  /** Exact key of this build (saved afterwards). */
  key: string;
  /** Prefix matching earlier builds of the same image, newest first. */
  restorePrefix: string;
}

export function localCacheKeys(input: {
  builder: string;
  image: string;
  os: string | undefined;
  sha: string;
  runId: string | undefined;
}): LocalCacheKeys {
  const prefix = `glidepath-build-image-${input.os ?? 'Linux'}-${input.builder}-${input.image.replace(/[^\w.-]+/g, '_')}-`;
  // The run id keeps keys unique when the same commit is built again (caches are immutable per key).
  return { key: `${prefix}${input.sha.slice(0, 12)}-${input.runId ?? Date.now()}`, restorePrefix: prefix };
}

export type RestoreOutcome =
  | { kind: 'restored'; key: string }
  | { kind: 'miss' }
  | { kind: 'unavailable'; reason: string };

type CacheModule = typeof import('@actions/cache');

export class LocalCache {
  private module: CacheModule | undefined;
  constructor(
    readonly dir: string,
    readonly keys: LocalCacheKeys,
    private readonly load: () => Promise<CacheModule> = () => import('@actions/cache'),
  ) {}

  /** Restores the newest saved directory; outside GitHub (no cache service) the directory is used as it is. */
  async restore(): Promise<RestoreOutcome> {
    mkdirSync(this.dir, { recursive: true });
    const cache = await this.cacheModule();
    if (!cache.isFeatureAvailable())
      return {
        kind: 'unavailable',
        reason: 'the Actions cache service is not available; the directory is kept as is',
      };
    try {
      const key = await cache.restoreCache([this.dir], this.keys.key, [this.keys.restorePrefix]);
      return key ? { kind: 'restored', key } : { kind: 'miss' };
    } catch (error) {
      return { kind: 'unavailable', reason: `restoring failed: ${(error as Error).message}` };
    }
  }

  /** Saves the directory under this build's key. A failed save only costs the next build time. */
  async save(): Promise<string | undefined> {
    const cache = await this.cacheModule();
    if (!cache.isFeatureAvailable()) return undefined;
    try {
      await cache.saveCache([this.dir], this.keys.key);
      return this.keys.key;
    } catch (error) {
      return `not saved: ${(error as Error).message}`;
    }
  }

  private async cacheModule(): Promise<CacheModule> {
    this.module ??= await this.load();
    return this.module;
  }
}
