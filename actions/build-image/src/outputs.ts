import type { BuildOutcome } from './builders/types.js';
import type { RestoreOutcome } from './cache.js';

/** Everything one run found out, for the outputs and the job summary alike. */
export interface BuildReport {
  image: string;
  registry: string;
  digest: string | undefined;
  imageId: string | undefined;
  refs: string[];
  labels: ReadonlyMap<string, string>;
  builder: string;
  platforms: string[];
  pushed: boolean;
  sizeBytes: number | undefined;
  durationMs: number;
  buildMs: number;
  cacheMode: string;
  cacheSteps: BuildOutcome['cacheSteps'];
  restore: RestoreOutcome | undefined;
  attestationUrl: string | undefined;
  builderMetadata: Record<string, unknown> | undefined;
}

/** The action's outputs, keyed by their `action.yml` names. */
export function actionOutputs(report: BuildReport): Record<string, string | object> {
  const imageRef = report.digest ? `${report.image}@${report.digest}` : '';
  return {
    digest: report.digest ?? '',
    'image-ref': imageRef,
    'image-id': report.imageId ?? '',
    tags: report.refs.join('\n'),
    metadata: {
      image: report.image,
      registry: report.registry,
      digest: report.digest ?? null,
      imageRef: imageRef || null,
      imageId: report.imageId ?? null,
      tags: report.refs,
      labels: Object.fromEntries(report.labels),
      platforms: report.platforms,
      builder: report.builder,
      pushed: report.pushed,
      sizeBytes: report.sizeBytes ?? null,
      durationMs: report.durationMs,
      buildMs: report.buildMs,
      cache: { mode: report.cacheMode, steps: report.cacheSteps ?? null, restore: report.restore ?? null },
      attestation: report.attestationUrl ?? null,
      builderMetadata: report.builderMetadata ?? null,
    },
  };
}
