/**
 * The human side of an analysis report: a job summary with the verdict and
 * its reason, a table per check, and latency / error-rate charts over the
 * window. canary-shift renders one per step with the same function.
 */

import { formatDuration } from '../inputs/duration.js';
import { Summary } from '../summary.js';
import type { AnalysisReport } from './engine.js';
import { ms, percent } from './sources/latency.js';
import { type CheckVerdict, type LatencySummary, summarise, type Verdict } from './verdicts.js';

const MARK: Record<Verdict, string> = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⚠️ inconclusive' };
/** Beyond this many intervals, charts group neighbouring intervals so they stay legible. */
const MAX_CHART_POINTS = 40;

export interface SummaryOptions {
  /** The heading, e.g. `verify-health` or `canary-shift: step 2 (25%)`. */
  title?: string;
  /** Heading level of the title; checks get the level below. */
  level?: 2 | 3;
}

/**
 * One sentence per dry-run check that would have failed, for a warning
 * annotation: the shadow check is visible without ever deciding.
 */
export function dryRunWarnings(report: AnalysisReport): string[] {
  return report.checks
    .filter((c) => c.dryRun && c.verdict === 'fail')
    .map((c) => `dry-run ${c.kind} "${c.name}" would have failed (not part of the verdict): ${c.reason}`);
}

/** A check's mark; a dry-run check says it was not judged (`❌ fail (dry-run, not judged)`). */
function markOf(check: CheckVerdict): string {
  return check.dryRun ? `${MARK[check.verdict]} (dry-run, not judged)` : MARK[check.verdict];
}

/** Appends the report to `summary` (a new one by default) and returns it. */
export function renderAnalysisSummary(
  report: AnalysisReport,
  options: SummaryOptions = {},
  summary: Summary = new Summary(),
): Summary {
  const level = options.level ?? 2;
  summary.heading(`${options.title ?? 'Analysis'}: ${MARK[report.verdict]}`, level);
  summary.alert(
    report.verdict === 'fail' ? 'CAUTION' : report.verdict === 'inconclusive' ? 'WARNING' : 'NOTE',
    report.reason,
  );
  summary.paragraph(
    `${report.intervals} of ${report.plannedIntervals} intervals of ${formatDuration(report.intervalMs)}` +
      ` (a check fails after ${report.failureThreshold} failed interval${report.failureThreshold > 1 ? 's' : ''} in a row)` +
      `${report.aborted ? ', stopped before the end of the window' : ''}. ` +
      (report.requests
        ? `Target: ${report.requests} requests, ${report.failures} failed (${percent(report.errorRate)}), ` +
          `p50 ${ms(report.p50Ms)}, p95 ${ms(report.p95Ms)}, p99 ${ms(report.p99Ms)}.`
        : ''),
  );
  const shadows = report.checks.filter((c) => c.dryRun && c.verdict === 'fail');
  if (shadows.length)
    summary.alert(
      'WARNING',
      `Dry-run, not part of the verdict — would have failed: ${shadows.map((c) => c.reason).join('; ')}`,
    );
  summary.table(
    ['check', 'kind', 'verdict', 'intervals ✓ / ✗ / ?', 'evidence'],
    report.checks.map((c) => [
      c.name,
      c.kind,
      markOf(c),
      `${c.intervals.pass} / ${c.intervals.fail} / ${c.intervals.unknown}`,
      c.reason,
    ]),
  );
  const sub = (level + 1) as 3 | 4;
  for (const check of report.checks) {
    summary.heading(`Check "${check.name}" (${check.kind}): ${markOf(check)}`, sub);
    summary.table(['', ...check.table.columns], check.table.rows);
  }
  renderCharts(report, summary);
  summary.details(
    'Every interval',
    `\n${new Summary()
      .table(
        ['#', 'started', 'requests', 'failed', 'p50', 'p95', 'notes'],
        report.timeline.map((s) => [
          s.index + 1,
          new Date(s.startedAt).toISOString().slice(11, 23),
          s.target.requests,
          s.target.failures,
          ms(s.target.p50Ms),
          ms(s.target.p95Ms),
          Object.entries(s.notes)
            .map(([check, note]) => `${check}: ${note}`)
            .join(' · '),
        ]),
      )
      .toMarkdown()}`,
  );
  return summary;
}

/** Latency percentiles and error rate over the window, neighbouring intervals grouped when there are many. */
function renderCharts(report: AnalysisReport, summary: Summary): void {
  if (report.requests === 0 || report.intervals < 2) return;
  const group = Math.ceil(report.intervals / MAX_CHART_POINTS);
  const buckets: Array<{ label: string; target: LatencySummary; baseline: LatencySummary }> = [];
  for (let first = 0; first < report.intervals; first += group) {
    const inBucket = report.samples.filter((s) => s.interval >= first && s.interval < first + group);
    // Labels must be distinct on a categorical axis: as many decimals as the bucket length needs.
    const bucketMs = group * report.intervalMs;
    const decimals = bucketMs >= 1000 ? 0 : bucketMs >= 100 ? 1 : bucketMs >= 10 ? 2 : 3;
    buckets.push({
      label: `${((first * report.intervalMs) / 1000).toFixed(decimals)}s`,
      target: summarise(inBucket.filter((s) => s.side === 'target')),
      baseline: summarise(inBucket.filter((s) => s.side === 'baseline')),
    });
  }
  const hasBaseline = report.samples.some((s) => s.side === 'baseline');
  const value = (v: number | null) => v ?? 0;
  summary.chart({
    title: `Latency (ms): target p50 (blue), target p95 (red)${hasBaseline ? ', baseline p95 (grey)' : ''}`,
    x: buckets.map((b) => b.label),
    yLabel: 'ms',
    series: [
      { name: 'target p50', colour: 'blue', values: buckets.map((b) => value(b.target.p50Ms)) },
      { name: 'target p95', colour: 'red', values: buckets.map((b) => value(b.target.p95Ms)) },
      ...(hasBaseline
        ? [
            {
              name: 'baseline p95',
              colour: 'grey' as const,
              values: buckets.map((b) => value(b.baseline.p95Ms)),
            },
          ]
        : []),
    ],
  });
  summary.chart({
    title: `Failed requests (%): target (red bars)${hasBaseline ? ', baseline (grey line)' : ''}`,
    x: buckets.map((b) => b.label),
    yLabel: '%',
    yMin: 0,
    yMax: 100,
    series: [
      {
        name: 'target',
        kind: 'bar',
        colour: 'red',
        values: buckets.map((b) => value(b.target.errorRate) * 100),
      },
      ...(hasBaseline
        ? [
            {
              name: 'baseline',
              kind: 'line' as const,
              colour: 'grey' as const,
              values: buckets.map((b) => value(b.baseline.errorRate) * 100),
            },
          ]
        : []),
    ],
  });
}
