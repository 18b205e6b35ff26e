import type { ProcessOptions, ProcessResult } from '@glidepath/core';
import type { CacheMode } from '../context.js';
import type { Dockerfile } from '../dockerfile.js';

/**
 * `runProcess` from @glidepath/core bound to the build's limit and the job's
 * cancellation (`builderExec`), or a test's stand-in with the same contract.
 */
export type Exec = (
  command: string,
  args: string[],
  options?: Partial<ProcessOptions>,
) => Promise<ProcessResult>;

/** Everything a builder needs for one build; computed before it runs. */
export interface BuildPlan {
  /** Image name without a tag. */
  image: string;
  registry: string;
  context: string;
  /** Absolute Dockerfile path. */
  file: string;
  dockerfile: Dockerfile;
  /** Full references `image:tag`, the first one the primary. */
  refs: string[];
  labels: ReadonlyMap<string, string>;
  /** Names only: the values travel in the builder's environment. */
  buildArgs: ReadonlyMap<string, string>;
  platforms: string[];
  push: boolean;
  cache: CacheMode;
  /** The `local` cache directory. */
  cacheDir: string;
  /** A directory for this run's scratch files (metadata, digests). */
  workDir: string;
  provenance: string | undefined;
  sbom: boolean;
}

export interface BuildOutcome {
  /** Manifest (or index) digest from the builder; undefined for a build-only run. */
  digest: string | undefined;
  /** Config digest of the local image. */
  imageId: string | undefined;
  /** Bytes of the image's layers, when the builder tells. */
  sizeBytes: number | undefined;
  /** Steps the builder took from its cache, out of all cacheable steps, when it tells. */
  cacheSteps: { reused: number; total: number } | undefined;
  /** The builder's own metadata, as it wrote it. */
  builderMetadata: Record<string, unknown> | undefined;
}

export interface Builder {
  readonly name: 'docker' | 'buildah';
  login(registry: string, username: string, password: string): Promise<void>;
  /** Builds, and pushes every ref unless `plan.push` is false. */
  build(plan: BuildPlan): Promise<BuildOutcome>;
}
