/**
 * The human side of an analysis report: a job summary with the verdict and
 * its reason, a table per check, and latency / error-rate charts over the
 * window. canary-shift renders one per step with the same function.
 */

import { formatDuration } from '../inputs/duration.js';
import type { Cell } from '../summary.js';
import { Summary } from '../summary.js';
import { formatP } from './baseline.js';
import type { AnalysisReport } from './engine.js';
import { formatLabels, formatValue } from './prometheus.js';
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

export function verdictMark(verdict: Verdict): string {
  return MARK[verdict];
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
  summary.table(
    ['check', 'kind', 'verdict', 'intervals ✓ / ✗ / ?', 'evidence'],
    report.checks.map((c) => [
      c.name,
      c.kind,
      MARK[c.verdict],
      `${c.intervals.pass} / ${c.intervals.fail} / ${c.intervals.unknown}`,
      c.reason,
    ]),
  );
  const sub = (level + 1) as 3 | 4;
  for (const check of report.checks) {
    summary.heading(
      `${check.kind === 'query' ? 'Query' : 'Check'} "${check.name}": ${MARK[check.verdict]}`,
      sub,
    );
    summary.table(['', ...columnsOf(check)], rowsOf(check));
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

function columnsOf(check: CheckVerdict): string[] {
  if (check.kind === 'query') return ['value'];
  return check.baseline ? ['target', 'baseline'] : ['target'];
}

function rowsOf(check: CheckVerdict): Cell[][] {
  if (check.kind === 'query') {
    const bounds = [
      check.min !== undefined ? `min ${check.min}` : '',
      check.max !== undefined ? `max ${check.max}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return [
      ['query', `\`${check.subject}\``],
      ['bounds', bounds],
      [
        'last values',
        check.lastValues?.length
          ? check.lastValues
              .slice(0, 5)
              .map((s) => `${formatValue(s.value)}${formatLabels(s.labels)}`)
              .join('<br>')
          : 'no data',
      ],
      ['verdict', check.reason],
    ];
  }
  const sides: LatencySummary[] = [check.target!, ...(check.baseline ? [check.baseline] : [])];
  const row = (label: string, pick: (s: LatencySummary) => Cell): Cell[] => [label, ...sides.map(pick)];
  const rows: Cell[][] = [
    ['request', check.subject, ...(check.baseline ? [''] : [])],
    row('requests', (s) => s.requests),
    row('failed', (s) => `${s.failures} (${percent(s.errorRate)})`),
    row('p50', (s) => ms(s.p50Ms)),
    row('p95', (s) => ms(s.p95Ms)),
    row('p99', (s) => ms(s.p99Ms)),
  ];
  if (check.comparison?.latencyP !== undefined)
    rows.push(['latency test', `Mann–Whitney p ${formatP(check.comparison.latencyP)}`, '']);
  if (check.comparison?.errorP !== undefined)
    rows.push(['error-rate test', `two-proportion p ${formatP(check.comparison.errorP)}`, '']);
  rows.push(['verdict', check.reason, ...(check.baseline ? [''] : [])]);
  return rows;
}

/** Latency percentiles and error rate over the window, neighbouring intervals grouped when there are many. */
function renderCharts(report: AnalysisReport, summary: Summary): void {
  if (report.requests === 0 || report.intervals < 2) return;
  const group = Math.ceil(report.intervals / MAX_CHART_POINTS);
  const buckets: Array<{ label: string; target: LatencySummary; baseline: LatencySummary }> = [];
  for (let first = 0; first < report.intervals; first += group) {
    const inBucket = report.samples.filter((s) => s.interval >= first && s.interval < first + group);
    const seconds = Math.round((first * report.intervalMs) / 1000);
    buckets.push({
      label: `${seconds}s`,
      target: summarise(inBucket.filter((s) => s.side === 'target')),
      baseline: summarise(inBucket.filter((s) => s.side === 'baseline')),
    });
  }
  const hasBaseline = report.samples.some((s) => s.side === 'baseline');
  const value = (v: number | null) => v ?? 0;
  summary.chart({
    title: `Latency (ms): target p50, target p95${hasBaseline ? ', baseline p95' : ''}`,
    x: buckets.map((b) => b.label),
    yLabel: 'ms',
    series: [
      { name: 'target p50', values: buckets.map((b) => value(b.target.p50Ms)) },
      { name: 'target p95', values: buckets.map((b) => value(b.target.p95Ms)) },
      ...(hasBaseline ? [{ name: 'baseline p95', values: buckets.map((b) => value(b.baseline.p95Ms)) }] : []),
    ],
  });
  summary.chart({
    title: `Failed requests (%): target${hasBaseline ? ' (bars), baseline (line)' : ''}`,
    x: buckets.map((b) => b.label),
    yLabel: '%',
    yMin: 0,
    yMax: 100,
    series: [
      { name: 'target', kind: 'bar', values: buckets.map((b) => value(b.target.errorRate) * 100) },
      ...(hasBaseline
        ? [
            {
              name: 'baseline',
              kind: 'line' as const,
              values: buckets.map((b) => value(b.baseline.errorRate) * 100),
            },
          ]
        : []),
    ],
  });
}

function ms(value: number | null): string {
  return value === null ? 'n/a' : `${Number(value.toFixed(1))} ms`;
}

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${Number((rate * 100).toFixed(1))}%`;
}
