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
import type { AnalysisConfig, EvidencePolicy, ProbeCheck } from './config.js';
import { baselineUrlFor, probe, type Sample, type Side } from './probe.js';
import { type Measurement, measure } from './prometheus.js';
import {
  baselineVerdict,
  type CheckVerdict,
  causes,
  type IntervalOutcome,
  type LatencySummary,
  overall,
  probeVerdict,
  queryVerdict,
  summarise,
  Tracker,
  type Verdict,
} from './verdicts.js';

export type { CheckKind, CheckVerdict, IntervalOutcome, LatencySummary, Verdict } from './verdicts.js';

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
