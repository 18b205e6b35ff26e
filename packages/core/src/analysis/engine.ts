/**
 * The analysis engine: interval after interval, it probes each check a few
 * times (and its baseline twin beside it), evaluates each Prometheus query,
 * judges every check's interval, and stops as soon as the verdict is certain.
 *
 * A check fails after `failureThreshold` consecutive failed intervals, and a
 * failed check fails the analysis at once, without waiting for the end of the
 * window. Intervals without evidence (a query with no data or a backend
 * error, under the `inconclusive` policy) count neither way; a check that
 * was blind for `failureThreshold` intervals in a row, or never saw any
 * evidence, ends inconclusive, because a failure could have hidden there.
 */
import { sleep as defaultSleep } from '../retry.js';
import { type Comparison, compareToBaseline } from './baseline.js';
import {
  type AnalysisConfig,
  displayUrl,
  type EvidencePolicy,
  type ProbeCheck,
  type QueryCheck,
} from './config.js';
import { baselineUrlFor, probe, type Sample, type Side } from './probe.js';
import { type Measurement, measure } from './prometheus.js';
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

/** One interval, as it was judged (for logs while running, and for the report's charts). */
export interface IntervalSnapshot {
  index: number;
  /** Milliseconds since the epoch. */
  startedAt: number;
  endedAt: number;
  outcomes: Record<string, IntervalOutcome>;
  /** Why a check's interval failed or had no evidence, per check. */
  notes: Record<string, string>;
  /** The target's probe requests in this interval. */
  target: LatencySummary;
  /** The baseline's, when there is a baseline. */
  baseline?: LatencySummary;
  /** `running` for every interval but the last judged one, which carries the final verdict. */
  verdict: Verdict | 'running';
}

export interface AnalysisReport {
  verdict: Verdict;
  reason: string;
  /** The analysis was stopped by its signal before the window ended. */
  aborted: boolean;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  intervalMs: number;
  failureThreshold: number;
  /** Intervals completed and judged. */
  intervals: number;
  /** Intervals the window holds. */
  plannedIntervals: number;
  /** Every probe check's target requests together. */
  requests: number;
  failures: number;
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  checks: CheckVerdict[];
  timeline: IntervalSnapshot[];
  samples: Sample[];
  measurements: Measurement[];
}

export interface AnalyseOptions {
  /** Length of the window, after the initial delay. */
  durationMs: number;
  /** Wait this long before the first interval (a new version warming up). */
  initialDelayMs?: number;
  /** Stops the analysis promptly; the report then holds the verdict so far (`aborted: true`). */
  signal?: AbortSignal;
  /** Called after each judged interval. */
  onInterval?: (snapshot: IntervalSnapshot) => void;
  /** Injected for tests. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Keeps the run of interval outcomes of one check and decides when it has failed. */
class Tracker {
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

export async function analyse(config: AnalysisConfig, options: AnalyseOptions): Promise<AnalysisReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const { signal } = options;
  const started = now();
  const plannedIntervals = Math.max(1, Math.ceil(options.durationMs / config.intervalMs));

  const probeTrackers = new Map(config.probes.map((p) => [p.name, new Tracker(p.name, 'probe')]));
  const queryTrackers = new Map(config.queries.map((q) => [q.name, new Tracker(q.name, 'query')]));
  const baselineTrackers = new Map(
    config.baseline
      ? config.probes.map((p) => [p.name, new Tracker(`${p.name} vs baseline`, 'baseline')])
      : [],
  );
  const baselineUrls = new Map(
    config.baseline ? config.probes.map((p) => [p.name, baselineUrlFor(p.url, config.baseline!.url)]) : [],
  );
  const comparisons = new Map<string, Comparison>();
  const lastValues = new Map<string, Measurement['values']>();
  const samples: Sample[] = [];
  const measurements: Measurement[] = [];
  const timeline: IntervalSnapshot[] = [];
  let aborted = false;

  try {
    if (options.initialDelayMs) await sleep(options.initialDelayMs, signal);
    const windowStart = now();
    for (let index = 0; index < plannedIntervals; index++) {
      const plannedStart = windowStart + index * config.intervalMs;
      if (now() < plannedStart) await sleep(plannedStart - now(), signal);
      const intervalStart = now();
      const intervalSamples: Sample[] = [];
      const intervalMeasurements: Measurement[] = [];
      await runInterval(config, index, baselineUrls, intervalSamples, intervalMeasurements, sleep, signal);
      // An interval lasts its full length even when every request answered early.
      const rest = intervalStart + config.intervalMs - now();
      if (rest > 0) await sleep(rest, signal);
      samples.push(...intervalSamples);
      measurements.push(...intervalMeasurements);

      const snapshot: IntervalSnapshot = {
        index,
        startedAt: intervalStart,
        endedAt: now(),
        outcomes: {},
        notes: {},
        target: summarise(intervalSamples.filter((s) => s.side === 'target')),
        ...(config.baseline
          ? { baseline: summarise(intervalSamples.filter((s) => s.side === 'baseline')) }
          : {}),
        verdict: 'running',
      };
      judgeProbes(config, index, samples, probeTrackers, snapshot);
      judgeQueries(config, intervalMeasurements, queryTrackers, lastValues, snapshot);
      if (config.baseline) judgeBaselines(config, index, samples, baselineTrackers, comparisons, snapshot);
      const failed = [
        ...probeTrackers.values(),
        ...queryTrackers.values(),
        ...baselineTrackers.values(),
      ].some((t) => t.failed);
      timeline.push(snapshot);
      // The last snapshot is handed over once the verdict is known, below.
      if (failed) break;
      if (index < plannedIntervals - 1) options.onInterval?.(snapshot);
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
    aborted = true;
  }

  const ended = now();
  const checks = [
    ...config.probes.map((p) =>
      probeVerdict(p, probeTrackers.get(p.name)!, samples, config.failureThreshold),
    ),
    ...config.queries.map((q) => queryVerdict(config, q, queryTrackers.get(q.name)!, lastValues.get(q.name))),
    ...(config.baseline
      ? config.probes.map((p) =>
          baselineVerdict(p, baselineUrls.get(p.name)!, baselineTrackers.get(p.name)!, samples, comparisons),
        )
      : []),
  ];
  const { verdict, reason } = overall(checks, timeline.length, samples, aborted);
  const last = timeline.at(-1);
  if (last) {
    last.verdict = verdict;
    if (!aborted) options.onInterval?.(last);
  }
  const target = summarise(samples.filter((s) => s.side === 'target'));
  return {
    verdict,
    reason,
    aborted,
    startedAt: new Date(started).toISOString(),
    endedAt: new Date(ended).toISOString(),
    durationMs: ended - started,
    intervalMs: config.intervalMs,
    failureThreshold: config.failureThreshold,
    intervals: timeline.length,
    plannedIntervals,
    requests: target.requests,
    failures: target.failures,
    errorRate: target.errorRate,
    p50Ms: target.p50Ms,
    p95Ms: target.p95Ms,
    p99Ms: target.p99Ms,
    checks,
    timeline,
    samples,
    measurements,
  };
}

/** Sends every request of one interval, spread evenly over it, and evaluates every query once. */
async function runInterval(
  config: AnalysisConfig,
  index: number,
  baselineUrls: Map<string, URL>,
  samples: Sample[],
  measurements: Measurement[],
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const tasks: Array<Promise<void>> = [];
  const n = config.requestsPerInterval;
  const send = async (check: ProbeCheck, side: Side, url: URL) => {
    const result = await probe(check, url, config.http, signal);
    samples.push({ check: check.name, side, interval: index, ...result });
  };
  for (let i = 0; i < n; i++) {
    const offset = Math.floor((i * config.intervalMs) / n);
    tasks.push(
      (async () => {
        if (offset > 0) await sleep(offset, signal);
        // The target and its baseline twin are asked at the same moment, so that
        // both see the same conditions (load, network, the time of the minute).
        await Promise.all(
          config.probes.flatMap((check) => {
            const twin = baselineUrls.get(check.name);
            return twin
              ? [send(check, 'target', check.url), send(check, 'baseline', twin)]
              : [send(check, 'target', check.url)];
          }),
        );
      })(),
    );
  }
  if (config.prometheus) {
    const source = config.prometheus;
    for (const query of config.queries)
      tasks.push(
        measure(query, source, config.http, index, signal).then((m) => {
          measurements.push(m);
        }),
      );
  }
  await Promise.all(tasks);
  // Requests finish in any order; the report lists them as they were sent.
  samples.sort((a, b) => a.at - b.at);
}

function judgeProbes(
  config: AnalysisConfig,
  index: number,
  samples: Sample[],
  trackers: Map<string, Tracker>,
  snapshot: IntervalSnapshot,
): void {
  for (const check of config.probes) {
    const tracker = trackers.get(check.name)!;
    const own = samples.filter((s) => s.interval === index && s.check === check.name && s.side === 'target');
    const failed = own.filter((s) => !s.ok);
    const outcome: IntervalOutcome =
      own.length && failed.length / own.length > config.maxErrorRate ? 'fail' : 'pass';
    tracker.record(outcome);
    snapshot.outcomes[check.name] = outcome;
    if (failed.length)
      snapshot.notes[check.name] = `${failed.length}/${own.length} failed: ${causes(failed)}`;
    if (!tracker.failed && tracker.failStreak >= config.failureThreshold) {
      tracker.failedInterval = index;
      // The evidence is every request of the intervals in the failing run.
      const streak = config.failureThreshold;
      const run = samples.filter(
        (s) => s.interval > index - streak && s.check === check.name && s.side === 'target',
      );
      const bad = run.filter((s) => !s.ok);
      tracker.failReason = `check "${check.name}": ${bad.length}/${run.length} requests failed in the last ${streak === 1 ? 'interval' : `${streak} intervals`}: ${causes(bad)}`;
    }
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

function judgeQueries(
  config: AnalysisConfig,
  measurements: Measurement[],
  trackers: Map<string, Tracker>,
  lastValues: Map<string, Measurement['values']>,
  snapshot: IntervalSnapshot,
): void {
  for (const query of config.queries) {
    const tracker = trackers.get(query.name)!;
    const m = measurements.find((x) => x.check === query.name);
    if (!m) continue;
    if (m.values.length && m.outcome !== 'no-data') lastValues.set(query.name, m.values);
    const policy: EvidencePolicy | undefined =
      m.outcome === 'no-data' ? config.onNoData : m.outcome === 'error' ? config.onError : undefined;
    const outcome: IntervalOutcome =
      policy === undefined ? (m.outcome as 'pass' | 'fail') : policy === 'inconclusive' ? 'unknown' : policy;
    tracker.record(outcome);
    if (policy === 'pass') tracker.passedByPolicy++;
    if (outcome === 'unknown') tracker.lastUnknown = m.failure;
    snapshot.outcomes[query.name] = outcome;
    if (m.failure) snapshot.notes[query.name] = m.failure;
    if (!tracker.failed && tracker.failStreak >= config.failureThreshold) {
      tracker.failedInterval = m.interval;
      const rule = policy ? ` (${m.outcome === 'error' ? 'on-error' : 'on-no-data'}: fail)` : '';
      tracker.failReason = `${m.failure}, in ${config.failureThreshold} interval${config.failureThreshold > 1 ? 's' : ''} in a row${rule}`;
    }
  }
}

function judgeBaselines(
  config: AnalysisConfig,
  index: number,
  samples: Sample[],
  trackers: Map<string, Tracker>,
  comparisons: Map<string, Comparison>,
  snapshot: IntervalSnapshot,
): void {
  for (const check of config.probes) {
    const tracker = trackers.get(check.name)!;
    const own = samples.filter((s) => s.check === check.name);
    const comparison = compareToBaseline(
      own.filter((s) => s.side === 'target'),
      own.filter((s) => s.side === 'baseline'),
      config.baseline!,
    );
    comparisons.set(check.name, comparison);
    tracker.record(comparison.outcome);
    snapshot.outcomes[tracker.name] = comparison.outcome;
    if (comparison.outcome === 'fail') snapshot.notes[tracker.name] = comparison.detail ?? '';
    if (!tracker.failed && tracker.failStreak >= config.failureThreshold) {
      tracker.failedInterval = index;
      tracker.failReason = `check "${check.name}" vs baseline: ${comparison.detail}`;
    }
  }
}

function probeVerdict(
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

function queryVerdict(
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

function baselineVerdict(
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

function overall(
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
