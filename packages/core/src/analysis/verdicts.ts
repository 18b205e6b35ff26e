/**
 * How the engine turns runs of interval outcomes into verdicts: the tracker
 * of each check's intervals, the verdict on each check at the end of the
 * window (or at its failure), and the overall verdict with its reason.
 */

import type { Comparison } from './baseline.js';
import type { AnalysisConfig, ProbeCheck, QueryCheck } from './config.js';
import { displayUrl } from './config.js';
import type { Sample } from './probe.js';
import type { Measurement } from './prometheus.js';
import { percentile } from './stats.js';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** How one interval went for one check. `pending`: a baseline comparison still short of samples. */
export type IntervalOutcome = 'pass' | 'fail' | 'unknown' | 'pending';

export type CheckKind = 'probe' | 'query' | 'baseline';

export interface LatencySummary {
  requests: number;
  failures: number;
  /** Share of requests that failed, 0 to 1 (null without requests). */
  errorRate: number | null;
  /** Percentiles of the answered requests' latency, in milliseconds (null without answers). */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** The verdict on one check over the window, with the evidence for it. */
export interface CheckVerdict {
  name: string;
  kind: CheckKind;
  verdict: Verdict;
  /** One sentence naming the check and the evidence. */
  reason: string;
  /** What the check looks at: a URL, a PromQL query, or the pair of URLs compared. */
  subject: string;
  intervals: { pass: number; fail: number; unknown: number };
  /** Index of the interval in which the check failed. */
  failedInterval?: number;
  /** Probe checks: the target's requests; baseline comparisons: both sides. */
  target?: LatencySummary;
  baseline?: LatencySummary;
  /** Query checks: the bounds, and the values of the last evaluation that had data. */
  max?: number;
  min?: number;
  lastValues?: Array<{ labels: Record<string, string>; value: number }>;
  /** Baseline comparisons: the last comparison made. */
  comparison?: Comparison;
}

/** Keeps the run of interval outcomes of one check and decides when it has failed. */
export class Tracker {
  readonly outcomes: IntervalOutcome[] = [];
  failStreak = 0;
  unknownStreak = 0;
  longestUnknownStreak = 0;
  failedInterval: number | undefined;
  failReason: string | undefined;
  /** Why the check last had no evidence (for an inconclusive verdict). */
  lastUnknown: string | undefined;
  /** Intervals that had no evidence but counted as passing by policy. */
  passedByPolicy = 0;

  constructor(
    readonly name: string,
    readonly kind: CheckKind,
  ) {}

  get failed(): boolean {
    return this.failedInterval !== undefined;
  }

  record(outcome: IntervalOutcome): void {
    this.outcomes.push(outcome);
    if (outcome === 'fail') this.failStreak++;
    else if (outcome === 'pass') this.failStreak = 0;
    // An interval without evidence neither breaks nor extends a run of failures.
    if (outcome === 'unknown') {
      this.unknownStreak++;
      this.longestUnknownStreak = Math.max(this.longestUnknownStreak, this.unknownStreak);
    } else if (outcome !== 'pending') {
      this.unknownStreak = 0;
    }
  }

  count(outcome: IntervalOutcome): number {
    return this.outcomes.filter((o) => o === outcome).length;
  }
}

/** The causes of failed requests, most frequent first: `answered 500, expected 200-299 (6×)`. */
export function causes(failed: readonly Sample[]): string {
  const counts = new Map<string, number>();
  for (const sample of failed) {
    const key = sample.kind === 'latency' ? latencyCause(sample.failure ?? '') : (sample.failure ?? 'failed');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([cause, count]) => (count > 1 ? `${cause} (${count}×)` : cause))
    .join('; ');
}

/** `took 812ms, over max-latency 500ms` → `over max-latency 500ms`, so that slow requests group together. */
function latencyCause(failure: string): string {
  const at = failure.indexOf('over max-latency');
  return at >= 0 ? `slower than max-latency${failure.slice(at + 'over max-latency'.length)}` : failure;
}

export function probeVerdict(
  check: ProbeCheck,
  tracker: Tracker,
  samples: Sample[],
  threshold: number,
): CheckVerdict {
  const own = samples.filter((s) => s.check === check.name && s.side === 'target');
  const target = summarise(own);
  const base = {
    name: check.name,
    kind: 'probe' as const,
    subject: `${check.method} ${displayUrl(check.url)}`,
    intervals: counts(tracker),
    target,
  };
  if (tracker.failed)
    return { ...base, verdict: 'fail', reason: tracker.failReason!, failedInterval: tracker.failedInterval! };
  if (tracker.outcomes.length === 0)
    return { ...base, verdict: 'inconclusive', reason: `check "${check.name}": no interval was completed` };
  const failedNote = target.failures
    ? `, ${target.failures} failed (never ${threshold} failed interval${threshold > 1 ? 's' : ''} in a row)`
    : '';
  return {
    ...base,
    verdict: 'pass',
    reason: `check "${check.name}": ${target.requests} requests in ${tracker.outcomes.length} intervals${failedNote}, p95 ${formatMs(target.p95Ms)}`,
  };
}

export function queryVerdict(
  config: AnalysisConfig,
  query: QueryCheck,
  tracker: Tracker,
  values: Measurement['values'] | undefined,
): CheckVerdict {
  const base = {
    name: query.name,
    kind: 'query' as const,
    subject: query.query,
    intervals: counts(tracker),
    ...(query.max !== undefined ? { max: query.max } : {}),
    ...(query.min !== undefined ? { min: query.min } : {}),
    ...(values ? { lastValues: values } : {}),
  };
  if (tracker.failed)
    return { ...base, verdict: 'fail', reason: tracker.failReason!, failedInterval: tracker.failedInterval! };
  const evidence = tracker.count('pass') + tracker.count('fail');
  if (tracker.outcomes.length === 0)
    return { ...base, verdict: 'inconclusive', reason: `query "${query.name}": no interval was completed` };
  if (evidence === 0 || tracker.longestUnknownStreak >= config.failureThreshold) {
    const policy = tracker.lastUnknown?.includes('returned no data') ? 'on-no-data' : 'on-error';
    const span =
      evidence === 0 ? 'in any interval' : `for ${tracker.longestUnknownStreak} intervals in a row`;
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `query "${query.name}": no evidence ${span} (${policy}: inconclusive); last: ${tracker.lastUnknown}`,
    };
  }
  const byPolicy = tracker.passedByPolicy
    ? ` (${tracker.passedByPolicy} interval${tracker.passedByPolicy > 1 ? 's' : ''} without data or with errors counted as passing by policy)`
    : '';
  return {
    ...base,
    verdict: 'pass',
    reason: `query "${query.name}": within bounds in ${tracker.count('pass')} of ${tracker.outcomes.length} intervals${byPolicy}`,
  };
}

export function baselineVerdict(
  check: ProbeCheck,
  twin: URL,
  tracker: Tracker,
  samples: Sample[],
  comparisons: Map<string, Comparison>,
): CheckVerdict {
  const own = samples.filter((s) => s.check === check.name);
  const comparison = comparisons.get(check.name);
  const base = {
    name: tracker.name,
    kind: 'baseline' as const,
    subject: `${displayUrl(check.url)} vs ${displayUrl(twin)}`,
    intervals: counts(tracker),
    target: summarise(own.filter((s) => s.side === 'target')),
    baseline: summarise(own.filter((s) => s.side === 'baseline')),
    ...(comparison ? { comparison } : {}),
  };
  if (tracker.failed)
    return { ...base, verdict: 'fail', reason: tracker.failReason!, failedInterval: tracker.failedInterval! };
  if (!comparison || comparison.outcome === 'pending')
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `check "${check.name}" vs baseline: too few samples to compare (${comparison?.detail ?? 'no interval was completed'})`,
    };
  return { ...base, verdict: 'pass', reason: `check "${check.name}" vs baseline: ${comparison.detail}` };
}

export function overall(
  checks: CheckVerdict[],
  intervals: number,
  samples: Sample[],
  aborted: boolean,
): { verdict: Verdict; reason: string } {
  const stopped = aborted ? `stopped after ${intervals} interval${intervals === 1 ? '' : 's'}; ` : '';
  const failed = checks.filter((c) => c.verdict === 'fail');
  if (failed.length) {
    const first = Math.min(...failed.map((c) => c.failedInterval ?? Number.POSITIVE_INFINITY));
    const earliest = failed.filter((c) => c.failedInterval === first);
    return { verdict: 'fail', reason: stopped + earliest.map((c) => c.reason).join('; ') };
  }
  const unsure = checks.filter((c) => c.verdict === 'inconclusive');
  if (unsure.length)
    return { verdict: 'inconclusive', reason: stopped + unsure.map((c) => c.reason).join('; ') };
  const requests = samples.filter((s) => s.side === 'target');
  const failures = requests.filter((s) => !s.ok).length;
  const traffic = requests.length ? ` (${requests.length} requests, ${failures} failed)` : '';
  return {
    verdict: 'pass',
    reason: `${stopped}all ${checks.length} check${checks.length === 1 ? '' : 's'} passed over ${intervals} interval${intervals === 1 ? '' : 's'}${traffic}`,
  };
}

function counts(tracker: Tracker): CheckVerdict['intervals'] {
  return { pass: tracker.count('pass'), fail: tracker.count('fail'), unknown: tracker.count('unknown') };
}

export function summarise(samples: readonly Sample[]): LatencySummary {
  const latencies = samples
    .filter((s) => s.status !== undefined)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  const failures = samples.filter((s) => !s.ok).length;
  const at = (p: number) => (latencies.length ? round(percentile(latencies, p)) : null);
  return {
    requests: samples.length,
    failures,
    errorRate: samples.length ? round(failures / samples.length, 4) : null,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
  };
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function formatMs(ms: number | null): string {
  return ms === null ? 'n/a' : `${ms}ms`;
}
