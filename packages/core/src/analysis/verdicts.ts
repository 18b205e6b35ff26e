/**
 * How runs of interval outcomes become verdicts: the tracker of one source's
 * intervals (the only place that state changes), the parts of a verdict every
 * source shares, and the overall verdict with its reason. Sources decide what
 * an interval looked like; this module decides what that means.
 */

import type { Cell } from '../summary.js';
import type { Comparison } from './baseline.js';
import type { EvidencePolicy } from './config.js';
import type { Sample } from './probe.js';
import { percentile } from './stats.js';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** How one interval went for one check. `pending`: a comparison still short of samples. */
export type IntervalOutcome = 'pass' | 'fail' | 'unknown' | 'pending';

/** The kind of evidence a check is made of, as the report names it (`probe`, `query`, `baseline`…). */
export type CheckKind = string;

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
  /** What the check looks at: a URL, a query as sent, or the pair of URLs compared. */
  subject: string;
  /** A shadow check: reported, never part of the overall verdict. */
  dryRun?: boolean;
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
  /** `compare: live` queries: the live slot's values of that evaluation. */
  liveValues?: Array<{ labels: Record<string, string>; value: number }>;
  /** Baseline comparisons: the last comparison made. */
  comparison?: Comparison;
  /** The check's own table in the report, as its source describes it. */
  table: { columns: string[]; rows: Cell[][] };
}

/** What a source found in one interval. */
export interface IntervalJudgement {
  outcome: IntervalOutcome;
  /** Shown beside the interval: why it failed or had no evidence. */
  note?: string;
  /** Set when `on-no-data` / `on-error` decided the outcome, not evidence. */
  policy?: { input: 'on-no-data' | 'on-error'; applied: EvidencePolicy };
  /** The check's failure sentence, asked for once its run of failed intervals reaches the threshold. */
  failure?: (streak: number) => string;
}

/** Keeps the run of interval outcomes of one check and decides when it has failed. */
export class Tracker {
  readonly #outcomes: IntervalOutcome[] = [];
  #failStreak = 0;
  #unknownStreak = 0;
  #longestUnknownStreak = 0;
  #failedInterval: number | undefined;
  #failReason: string | undefined;
  #lastUnknown: { note: string; input: 'on-no-data' | 'on-error' } | undefined;
  #passedByPolicy = 0;

  constructor(readonly threshold: number) {}

  /** Records one interval; the check fails when `threshold` failed intervals come in a row. */
  record(index: number, judgement: IntervalJudgement): void {
    const { outcome } = judgement;
    this.#outcomes.push(outcome);
    if (outcome === 'fail') this.#failStreak++;
    else if (outcome === 'pass') this.#failStreak = 0;
    // An interval without evidence neither breaks nor extends a run of failures.
    if (outcome === 'unknown') {
      this.#unknownStreak++;
      this.#longestUnknownStreak = Math.max(this.#longestUnknownStreak, this.#unknownStreak);
    } else if (outcome !== 'pending') {
      this.#unknownStreak = 0;
    }
    if (judgement.policy) {
      if (judgement.policy.applied === 'pass') this.#passedByPolicy++;
      if (outcome === 'unknown')
        this.#lastUnknown = { note: judgement.note ?? '', input: judgement.policy.input };
    }
    if (this.#failedInterval === undefined && this.#failStreak >= this.threshold) {
      this.#failedInterval = index;
      this.#failReason = judgement.failure?.(this.threshold) ?? judgement.note ?? 'failed';
    }
  }

  get failed(): boolean {
    return this.#failedInterval !== undefined;
  }
  get failedInterval(): number | undefined {
    return this.#failedInterval;
  }
  get failReason(): string | undefined {
    return this.#failReason;
  }
  get intervals(): number {
    return this.#outcomes.length;
  }
  get longestUnknownStreak(): number {
    return this.#longestUnknownStreak;
  }
  get lastUnknown(): { note: string; input: 'on-no-data' | 'on-error' } | undefined {
    return this.#lastUnknown;
  }
  get passedByPolicy(): number {
    return this.#passedByPolicy;
  }

  count(outcome: IntervalOutcome): number {
    return this.#outcomes.filter((o) => o === outcome).length;
  }

  /** Interval counts as the report shows them. */
  tally(): CheckVerdict['intervals'] {
    return { pass: this.count('pass'), fail: this.count('fail'), unknown: this.count('unknown') };
  }
}

/**
 * An interval's evidence as a source found it — a pass, a fail, no data, or a
 * backend error — turned into an outcome by the `on-no-data` / `on-error`
 * policies. Every source whose backend can be blind or broken judges through
 * this, so the policies mean the same everywhere.
 */
export function byPolicy(
  found: 'pass' | 'fail' | 'no-data' | 'error',
  policies: { onNoData: EvidencePolicy; onError: EvidencePolicy },
  note: string | undefined,
  failure: ((streak: number) => string) | undefined,
): IntervalJudgement {
  if (found === 'pass' || found === 'fail')
    return { outcome: found, ...(note ? { note } : {}), ...(failure ? { failure } : {}) };
  const input = found === 'no-data' ? 'on-no-data' : 'on-error';
  const applied = found === 'no-data' ? policies.onNoData : policies.onError;
  return {
    outcome: applied === 'inconclusive' ? 'unknown' : applied,
    policy: { input, applied },
    ...(note ? { note } : {}),
    failure: (streak) =>
      `${note ?? 'no evidence'}, in ${streak} interval${streak > 1 ? 's' : ''} in a row (${input}: fail)`,
  };
}

/** What names a check in its verdict, the same way for every source. */
export function checkIdentity(
  source: { name: string; kind: CheckKind; dryRun: boolean },
  tracker: Tracker,
  subject: string,
): Pick<CheckVerdict, 'name' | 'kind' | 'subject' | 'dryRun' | 'intervals'> {
  return {
    name: source.name,
    kind: source.kind,
    subject,
    ...(source.dryRun ? { dryRun: true } : {}),
    intervals: tracker.tally(),
  };
}

/** The verdict parts every source shares: a failure as the tracker recorded it, or no interval at all. */
export function settledVerdict(
  tracker: Tracker,
  what: string,
): Pick<CheckVerdict, 'verdict' | 'reason' | 'failedInterval'> | undefined {
  if (tracker.failed)
    return { verdict: 'fail', reason: tracker.failReason!, failedInterval: tracker.failedInterval! };
  if (tracker.intervals === 0)
    return { verdict: 'inconclusive', reason: `${what}: no interval was completed` };
  return undefined;
}

/**
 * A check that never had evidence, or was blind for `threshold` intervals in
 * a row, is inconclusive: a failure could have hidden there.
 */
export function blindVerdict(
  tracker: Tracker,
  what: string,
): Pick<CheckVerdict, 'verdict' | 'reason'> | undefined {
  const evidence = tracker.count('pass') + tracker.count('fail');
  if (evidence > 0 && tracker.longestUnknownStreak < tracker.threshold) return undefined;
  const span = evidence === 0 ? 'in any interval' : `for ${tracker.longestUnknownStreak} intervals in a row`;
  const last = tracker.lastUnknown;
  return {
    verdict: 'inconclusive',
    reason: `${what}: no evidence ${span}${last ? ` (${last.input}: inconclusive); last: ${last.note}` : ''}`,
  };
}

/** `(2 intervals without data or with errors counted as passing by policy)`, or nothing. */
export function policyNote(tracker: Tracker): string {
  const n = tracker.passedByPolicy;
  return n
    ? ` (${n} interval${n > 1 ? 's' : ''} without data or with errors counted as passing by policy)`
    : '';
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

/**
 * The verdict on the whole analysis. Dry-run checks are left out: they are
 * reported (and named at the end of the reason when they would have failed),
 * but never decide.
 */
export function overall(
  checks: CheckVerdict[],
  intervals: number,
  samples: Sample[],
  aborted: boolean,
): { verdict: Verdict; reason: string } {
  const stopped = aborted ? `stopped after ${intervals} interval${intervals === 1 ? '' : 's'}; ` : '';
  const judged = checks.filter((c) => !c.dryRun);
  const shadows = checks.filter((c) => c.dryRun && c.verdict !== 'pass');
  const shadowNote = shadows.length
    ? `; dry-run, not judged: ${shadows.map((c) => `${c.kind} "${c.name}" would have ${c.verdict === 'fail' ? 'failed' : 'been inconclusive'}`).join(', ')}`
    : '';
  const failed = judged.filter((c) => c.verdict === 'fail');
  if (failed.length) {
    const first = Math.min(...failed.map((c) => c.failedInterval ?? Number.POSITIVE_INFINITY));
    const earliest = failed.filter((c) => c.failedInterval === first);
    return { verdict: 'fail', reason: stopped + earliest.map((c) => c.reason).join('; ') };
  }
  const unsure = judged.filter((c) => c.verdict === 'inconclusive');
  if (unsure.length)
    return { verdict: 'inconclusive', reason: stopped + unsure.map((c) => c.reason).join('; ') + shadowNote };
  const shadowNames = new Set(checks.filter((c) => c.dryRun).map((c) => c.name));
  const requests = samples.filter((s) => s.side === 'target' && !shadowNames.has(s.check));
  const failures = requests.filter((s) => !s.ok).length;
  const traffic = requests.length ? ` (${requests.length} requests, ${failures} failed)` : '';
  return {
    verdict: 'pass',
    reason: `${stopped}all ${judged.length} check${judged.length === 1 ? '' : 's'} passed over ${intervals} interval${intervals === 1 ? '' : 's'}${traffic}${shadowNote}`,
  };
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
