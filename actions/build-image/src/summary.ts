import { formatDuration, Summary } from '@glidepath/core';
import type { BuildReport } from './outputs.js';

/** `hit`, `partial` or `miss`, from the steps the builder took from its cache. */
export function cacheVerdict(steps: { reused: number; total: number } | undefined): string {
  if (!steps || steps.total === 0) return 'unknown';
  const verdict = steps.reused === 0 ? 'miss' : steps.reused === steps.total ? 'hit' : 'partial hit';
  return `${verdict} (${steps.reused} of ${steps.total} steps from cache)`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return 'not reported by the builder';
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function buildSummary(report: BuildReport): Summary {
  const restore = report.restore
    ? report.restore.kind === 'restored'
      ? `, restored from ${report.restore.key}`
      : report.restore.kind === 'miss'
        ? ', nothing saved yet'
        : `, ${report.restore.reason}`
    : '';
  const summary = new Summary()
    .heading(`Image ${report.pushed ? 'built and pushed' : 'built (not pushed)'}: ${report.image}`)
    .table(
      ['Field', 'Value'],
      [
        ['Image', `\`${report.image}\``],
        ['Digest', report.digest ? `\`${report.digest}\`` : 'none: not pushed'],
        ['Image ID', report.imageId ? `\`${report.imageId}\`` : ''],
        ['Tags', report.refs.map((r) => `\`${r.slice(report.image.length + 1)}\``).join(' ')],
        ['Builder', report.builder],
        ['Platforms', report.platforms.join(', ') || 'the runner’s'],
        ['Size', formatBytes(report.sizeBytes)],
        [
          'Duration',
          `${formatDuration(report.durationMs)} (build and push ${formatDuration(report.buildMs)})`,
        ],
        ['Cache', `${report.cacheMode}: ${cacheVerdict(report.cacheSteps)}${restore}`],
        ...(report.attestationUrl ? [['Attestation', report.attestationUrl]] : []),
      ],
    );
  const labels = [...report.labels].map(([k, v]) => [`\`${k}\``, v]);
  if (labels.length)
    summary.details(
      `Labels (${labels.length})`,
      new Summary().table(['label', 'value'], labels).toMarkdown(),
    );
  return summary;
}
