/**
 * The table a source of HTTP requests shows in the report: requests, failures
 * and latency percentiles per side, so a probe check and its comparison with
 * the baseline read the same way.
 */
import type { Cell } from '../../summary.js';
import type { Comparison } from '../baseline.js';
import { formatP } from '../baseline.js';
import type { LatencySummary } from '../verdicts.js';

export function latencyTable(
  subject: string,
  sides: Array<{ label: string; summary: LatencySummary }>,
  reason: string,
  comparison?: Comparison,
): { columns: string[]; rows: Cell[][] } {
  const pad = sides.slice(1).map(() => '');
  const row = (label: string, pick: (s: LatencySummary) => Cell): Cell[] => [
    label,
    ...sides.map((side) => pick(side.summary)),
  ];
  const rows: Cell[][] = [
    ['request', subject, ...pad],
    row('requests', (s) => s.requests),
    row('failed', (s) => `${s.failures} (${percent(s.errorRate)})`),
    row('p50', (s) => ms(s.p50Ms)),
    row('p95', (s) => ms(s.p95Ms)),
    row('p99', (s) => ms(s.p99Ms)),
  ];
  if (comparison?.latencyP !== undefined)
    rows.push(['latency test', `Mann–Whitney p ${formatP(comparison.latencyP)}`, ...pad]);
  if (comparison?.errorP !== undefined)
    rows.push(['error-rate test', `two-proportion p ${formatP(comparison.errorP)}`, ...pad]);
  rows.push(['verdict', reason, ...pad]);
  return { columns: sides.map((s) => s.label), rows };
}

export function ms(value: number | null): string {
  return value === null ? 'n/a' : `${Number(value.toFixed(1))} ms`;
}

export function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${Number((rate * 100).toFixed(1))}%`;
}
