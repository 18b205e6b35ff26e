/**
 * The analysis engine: interval after interval, it lets every evidence source
 * collect (probes send their requests, queries are evaluated), has each judge
 * its interval, and stops as soon as the verdict is certain. It knows nothing
 * of what a source looks at; `sources/` does.
 *
 * A check fails after `failureThreshold` consecutive failed intervals, and a
 * failed check fails the analysis at once, without waiting for the end of the
 * window (a dry-run check never stops it). Intervals without evidence (a query
 * with no data or a backend error, under the `inconclusive` policy) count
 * neither way; a check that was blind for `failureThreshold` intervals in a
 * row, or never saw any evidence, ends inconclusive, because a failure could
 * have hidden there.
 */
import { sleep as defaultSleep } from '../retry.js';
import type { AnalysisConfig } from './config.js';
import type { Sample } from './probe.js';
import { Evidence } from './source.js';
import { createSources } from './sources/index.js';
import type { Measurement } from './sources/query.js';
import {
  type CheckVerdict,
  type IntervalOutcome,
  type LatencySummary,
  overall,
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
  /** Checks that are dry-run: their outcomes are shown, never acted on. */
  dryRun: string[];
  /** The target's probe requests in this interval. */
  target: LatencySummary;
  /** The baseline's, when there is a baseline. */
  baseline?: LatencySummary;
  /** `running` for every interval but the last judged one, which carries the final verdict. */
  verdict: Verdict | 'running';
}

/** The whole analysis: its verdict, and the latency summary of every judged probe's target requests together. */
export interface AnalysisReport extends LatencySummary {
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
  const evidence = new Evidence();
  const sources = createSources(config, evidence);
  const trackers = sources.map(() => new Tracker(config.failureThreshold));
  const dryRun = sources.filter((s) => s.dryRun).map((s) => s.name);
  const timeline: IntervalSnapshot[] = [];
  let aborted = false;

  try {
    if (options.initialDelayMs) await sleep(options.initialDelayMs, signal);
    const windowStart = now();
    for (let index = 0; index < plannedIntervals; index++) {
      const plannedStart = windowStart + index * config.intervalMs;
      if (now() < plannedStart) await sleep(plannedStart - now(), signal);
      const intervalStart = now();
      const round = { index, startedAt: intervalStart, intervalMs: config.intervalMs, sleep, signal };
      await Promise.all(sources.map((source) => source.collect(round)));
      // An interval lasts its full length even when every request answered early.
      const rest = intervalStart + config.intervalMs - now();
      if (rest > 0) await sleep(rest, signal);
      // Requests finish in any order; the report lists them as they were sent.
      evidence.samples.sort((a, b) => a.at - b.at);

      const own = evidence.samples.filter((s) => s.interval === index && !dryRun.includes(s.check));
      const snapshot: IntervalSnapshot = {
        index,
        startedAt: intervalStart,
        endedAt: now(),
        outcomes: {},
        notes: {},
        dryRun,
        target: summarise(own.filter((s) => s.side === 'target')),
        ...(config.baseline ? { baseline: summarise(own.filter((s) => s.side === 'baseline')) } : {}),
        verdict: 'running',
      };
      sources.forEach((source, i) => {
        const judgement = source.judge(index);
        trackers[i]!.record(index, judgement);
        snapshot.outcomes[source.name] = judgement.outcome;
        if (judgement.note) snapshot.notes[source.name] = judgement.note;
      });
      timeline.push(snapshot);
      // The last snapshot is handed over once the verdict is known, below.
      if (sources.some((source, i) => !source.dryRun && trackers[i]!.failed)) break;
      if (index < plannedIntervals - 1) options.onInterval?.(snapshot);
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
    aborted = true;
  } finally {
    await Promise.all(sources.map((source) => source.close?.()));
  }

  const ended = now();
  const checks = sources.map((source, i) => source.conclude(trackers[i]!));
  const { samples, measurements } = evidence;
  const { verdict, reason } = overall(checks, timeline.length, samples, aborted);
  const last = timeline.at(-1);
  if (last) {
    last.verdict = verdict;
    if (!aborted) options.onInterval?.(last);
  }
  // The totals are the judged checks' requests; a dry-run probe's are in its own verdict.
  const target = summarise(samples.filter((s) => s.side === 'target' && !dryRun.includes(s.check)));
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
