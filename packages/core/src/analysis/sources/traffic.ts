/**
 * Real traffic through the router as evidence: what users' requests to the
 * new slot got, interval by interval, judged against the live slot's in the
 * same interval (the two-proportion test on error rates, Mann–Whitney on
 * per-request latencies where the router logs them, the average response
 * time where it only keeps that). HAProxy gives per-server counters, nginx a
 * JSON access log; both are read as the step runs.
 *
 * An interval in which the new slot served fewer than `min-requests` carries
 * no real-traffic evidence: a quiet service is judged by its other sources
 * and never rolled back for being quiet. When the live slot takes no traffic
 * (the 100% step), the new slot's error rate is judged on its own against
 * the tolerance.
 */
import { formatDuration } from '../../inputs/duration.js';
import { readHaproxyCounters, type ServerCounters } from '../../traffic/haproxy-stats.js';
import {
  AccessLogError,
  NginxAccessLog,
  slotAddresses,
  type UpstreamAttempt,
} from '../../traffic/nginx-access-log.js';
import { RouterError } from '../../traffic/router.js';
import { compareToBaseline, formatP } from '../baseline.js';
import { formatStatusRanges, type StatusRange, statusMatches, type TrafficSettings } from '../config.js';
import type { Sample } from '../probe.js';
import type { EvidenceSource, IntervalRound, SourceFactory } from '../source.js';
import { oneProportionZ, percentile } from '../stats.js';
import {
  byPolicy,
  type CheckVerdict,
  checkIdentity,
  type IntervalJudgement,
  settledVerdict,
  type Tracker,
} from '../verdicts.js';
import { ms, percent } from './latency.js';

/** One slot's real traffic in one interval (or summed over the window). */
interface SlotTraffic {
  requests: number;
  errors: number;
  /** Per-request upstream latencies (nginx). */
  latencies: number[];
  /** HAProxy's average response time of the server's last 1,024 requests. */
  averageMs?: number;
  /** Failed requests per path (nginx). */
  failingPaths: Map<string, number>;
}

const empty = (): SlotTraffic => ({ requests: 0, errors: 0, latencies: [], failingPaths: new Map() });

/** What reads the router's view of traffic: the deltas of one interval per slot. */
interface TrafficReader {
  readonly describe: string;
  begin(signal?: AbortSignal): Promise<void>;
  read(signal?: AbortSignal): Promise<Map<string, SlotTraffic>>;
  close(): Promise<void>;
}

function haproxyReader(settings: TrafficSettings & { router: { kind: 'haproxy' } }): TrafficReader {
  const { socket, backend, servers } = settings.router;
  const options = { socket, backend, slots: servers, timeoutMs: 5000 };
  const errorClasses = (['1xx', '2xx', '3xx', '4xx', '5xx'] as const).filter((c) =>
    statusMatches(settings.errorStatus, Number(c[0]) * 100),
  );
  let previous: Map<string, ServerCounters> | undefined;
  const errorsOf = (c: ServerCounters) =>
    errorClasses.reduce((sum, k) => sum + c.byClass[k], 0) + c.connectionErrors + c.responseErrors;
  return {
    describe: `HAProxy backend "${backend}" counters (show stat)`,
    async begin(signal) {
      previous = await readHaproxyCounters(options, signal);
    },
    async read(signal) {
      const now = await readHaproxyCounters(options, signal);
      const out = new Map<string, SlotTraffic>();
      for (const [slot, counters] of now) {
        const before = previous?.get(slot);
        // A counter that went down means HAProxy restarted: the new value is all there is.
        const delta = (a: number, b: number | undefined) => (b === undefined || a < b ? a : a - b);
        const requests = delta(
          counters.requests + counters.connectionErrors,
          before && before.requests + before.connectionErrors,
        );
        out.set(slot, {
          requests,
          errors: Math.min(requests, delta(errorsOf(counters), before && errorsOf(before))),
          latencies: [],
          averageMs: counters.averageResponseMs,
          failingPaths: new Map(),
        });
      }
      previous = now;
      return out;
    },
    async close() {},
  };
}

function nginxReader(
  settings: TrafficSettings & { router: { kind: 'nginx' } },
): TrafficReader & { matched: string[] } {
  let log: NginxAccessLog | undefined;
  const reader = {
    describe: `nginx access log ${settings.router.log}`,
    matched: [] as string[],
    async begin() {
      const { bySlot, matched } = await slotAddresses(settings.router.addresses);
      reader.matched = matched;
      log = new NginxAccessLog(settings.router.log, bySlot);
      await log.begin();
    },
    async read() {
      const reading = await log!.read();
      const out = new Map<string, SlotTraffic>();
      for (const slot of settings.router.addresses.keys()) out.set(slot, empty());
      for (const attempt of reading.attempts) add(out.get(attempt.slot)!, attempt, settings.errorStatus);
      return out;
    },
    async close() {
      await log?.close();
    },
  };
  return reader;
}

function add(traffic: SlotTraffic, attempt: UpstreamAttempt, errorStatus: StatusRange[]): void {
  traffic.requests++;
  if (attempt.ms !== undefined) traffic.latencies.push(attempt.ms);
  // A 502/504 that nginx records for an upstream it could not reach is a connection error: always an error.
  if (statusMatches(errorStatus, attempt.status) || attempt.status === 502 || attempt.status === 504) {
    traffic.errors++;
    traffic.failingPaths.set(attempt.path, (traffic.failingPaths.get(attempt.path) ?? 0) + 1);
  }
}

function merge(into: SlotTraffic, from: SlotTraffic): void {
  into.requests += from.requests;
  into.errors += from.errors;
  // Enough for percentiles of a long window without holding every request of a busy one.
  if (into.latencies.length < 200_000) into.latencies.push(...from.latencies);
  if (from.averageMs !== undefined) into.averageMs = from.averageMs;
  for (const [path, n] of from.failingPaths)
    into.failingPaths.set(path, (into.failingPaths.get(path) ?? 0) + n);
}

/** Samples in the shape the baseline comparison takes: one per request, failed or not, with its latency. */
function asSamples(traffic: SlotTraffic, side: Sample['side']): Sample[] {
  const samples: Sample[] = [];
  for (let i = 0; i < traffic.requests; i++) {
    const latency = traffic.latencies[i];
    samples.push({
      check: 'traffic',
      side,
      interval: 0,
      at: 0,
      ms: latency ?? 0,
      ...(latency !== undefined ? { status: 200 } : {}),
      ok: i >= traffic.errors,
    });
  }
  return samples;
}

function rate(traffic: SlotTraffic): number {
  return traffic.requests ? traffic.errors / traffic.requests : 0;
}

function topPath(traffic: SlotTraffic): string | undefined {
  const [path, count] = [...traffic.failingPaths].sort((a, b) => b[1] - a[1])[0] ?? [];
  return path === undefined ? undefined : `${path} (${count}×)`;
}

export class TrafficSource implements EvidenceSource {
  readonly kind = 'traffic';
  readonly name: string;
  readonly dryRun = false;
  private readonly reader: TrafficReader;
  private begun = false;
  private last: { index: number; traffic?: Map<string, SlotTraffic>; error?: string } | undefined;
  private readonly totals = new Map<string, SlotTraffic>();
  /** Quiet intervals add up until the new slot has served min-requests: a slow trickle is judged too. */
  private pending = { target: empty(), live: empty() };
  private quiet = 0;
  private errorStreak = 0;
  private longestErrorStreak = 0;
  private lastError: string | undefined;

  constructor(
    private readonly settings: TrafficSettings,
    private readonly config: {
      onNoData: 'fail' | 'inconclusive' | 'pass';
      onError: 'fail' | 'inconclusive' | 'pass';
    },
    /** The only source of the analysis: with no real-traffic evidence, on-no-data decides. */
    private readonly alone: boolean,
  ) {
    this.name = `real traffic on ${settings.slot}`;
    this.reader =
      settings.router.kind === 'haproxy' ? haproxyReader(settings as never) : nginxReader(settings as never);
    this.totals.set(settings.slot, empty());
    this.totals.set(settings.liveSlot, empty());
  }

  async collect(round: IntervalRound): Promise<void> {
    try {
      if (!this.begun) {
        this.begun = true;
        await this.reader.begin(round.signal);
      }
      // Read at the end of the interval, so the reading covers all of it.
      const rest = round.startedAt + round.intervalMs - Date.now() - 25;
      if (rest > 0) await round.sleep(rest, round.signal);
      const traffic = await this.reader.read(round.signal);
      for (const [slot, t] of traffic) if (this.totals.has(slot)) merge(this.totals.get(slot)!, t);
      this.last = { index: round.index, traffic };
    } catch (error) {
      if (round.signal?.aborted) throw error;
      if (!(error instanceof AccessLogError || error instanceof RouterError)) throw error;
      this.begun = false;
      this.last = { index: round.index, error: `${this.reader.describe}: ${error.message}` };
    }
  }

  judge(index: number): IntervalJudgement {
    const last = this.last;
    if (!last || last.index !== index) return { outcome: 'unknown', note: 'not read in this interval' };
    if (last.error !== undefined) {
      this.errorStreak++;
      this.longestErrorStreak = Math.max(this.longestErrorStreak, this.errorStreak);
      this.lastError = last.error;
      return byPolicy('error', this.config, `real traffic: ${last.error}`, undefined);
    }
    this.errorStreak = 0;
    const { slot, liveSlot, minRequests } = this.settings;
    merge(this.pending.target, last.traffic!.get(slot) ?? empty());
    merge(this.pending.live, last.traffic!.get(liveSlot) ?? empty());
    const { target, live } = this.pending;
    if (target.requests < minRequests) {
      this.quiet++;
      return {
        outcome: 'unknown',
        note: `${target.requests} real requests on ${slot} so far (fewer than min-requests ${minRequests})`,
      };
    }
    this.pending = { target: empty(), live: empty() };
    const finding = this.compare(target, live);
    return {
      outcome: finding.failed ? 'fail' : 'pass',
      note: finding.sentence,
      failure: (streak) => `${finding.sentence}${streak > 1 ? `, in ${streak} intervals in a row` : ''}`,
    };
  }

  /** The interval's verdict on the new slot, in one sentence naming both slots' figures. */
  private compare(target: SlotTraffic, live: SlotTraffic): { failed: boolean; sentence: string } {
    const s = this.settings;
    const problems: string[] = [];
    const facts: string[] = [];
    const head = `real traffic on ${s.slot}: ${target.errors} of ${target.requests} requests failed (${percent(rate(target))})`;
    const path = topPath(target);
    if (s.maxErrorRate !== undefined && rate(target) > s.maxErrorRate)
      problems.push(`over traffic-max-error-rate ${percent(s.maxErrorRate)}`);
    if (live.requests >= s.minRequests) {
      const comparison = compareToBaseline(asSamples(target, 'target'), asSamples(live, 'baseline'), {
        ...s.comparison,
        url: new URL('http://traffic'),
        minSamples: s.minRequests,
      });
      const versus = `vs ${percent(rate(live))} of ${live.requests} on ${s.liveSlot} (live)`;
      const errorWorse =
        rate(target) - rate(live) > s.comparison.errorTolerance &&
        (comparison.errorP ?? 1) < s.comparison.alpha;
      (errorWorse ? problems : facts).push(
        `${versus} (two-proportion p ${formatP(comparison.errorP ?? 1)}${errorWorse ? `, beyond baseline-error-tolerance ${percent(s.comparison.errorTolerance)}` : ''})`,
      );
      if (comparison.latencyP !== undefined) {
        const slower = latencyWorse(comparison, s);
        (slower ? problems : facts).push(
          `latency median ${formatDuration(comparison.target.medianMs)} vs ${formatDuration(comparison.baseline.medianMs)} on ${s.liveSlot} (Mann–Whitney p ${formatP(comparison.latencyP)})`,
        );
      } else if (target.averageMs !== undefined && live.averageMs !== undefined && live.averageMs > 0) {
        // HAProxy keeps only an average of each server's last 1,024 answers: a comparison signal, not a test.
        const difference = target.averageMs - live.averageMs;
        const slower =
          difference > Math.max(s.comparison.latencyFloorMs, s.comparison.latencyTolerance * live.averageMs);
        (slower ? problems : facts).push(
          `average response time ${formatDuration(target.averageMs)} vs ${formatDuration(live.averageMs)} on ${s.liveSlot} (HAProxy rtime${slower ? `, beyond baseline-latency-tolerance ${percent(s.comparison.latencyTolerance)}` : ''})`,
        );
      }
    } else {
      // No live traffic to compare with (the 100% step): the error rate on its own, against the tolerance.
      const bound = s.maxErrorRate ?? s.comparison.errorTolerance;
      const test = oneProportionZ(target.errors, target.requests, bound);
      const over = rate(target) > bound && test.pValue < s.comparison.alpha;
      if (over && s.maxErrorRate === undefined)
        problems.push(`over baseline-error-tolerance ${percent(bound)} (p ${formatP(test.pValue)})`);
      facts.push(`${s.liveSlot} (live) took ${live.requests} requests, too few to compare with`);
    }
    const sentence =
      [head, ...problems, ...facts].join('; ') + (path && target.errors ? `; most failing path ${path}` : '');
    return { failed: problems.length > 0, sentence };
  }

  conclude(tracker: Tracker): CheckVerdict {
    const s = this.settings;
    const what = `real traffic on ${s.slot}`;
    const target = this.totals.get(s.slot)!;
    const live = this.totals.get(s.liveSlot)!;
    const judged = tracker.count('pass') + tracker.count('fail');
    const decided =
      settledVerdict(tracker, what) ??
      (this.longestErrorStreak >= tracker.threshold || (judged === 0 && this.lastError !== undefined)
        ? {
            verdict: 'inconclusive' as const,
            reason: `${what}: the router's traffic could not be read for ${this.longestErrorStreak} interval(s) in a row (on-error: ${this.config.onError}); last: ${this.lastError}`,
          }
        : judged === 0
          ? this.alone
            ? {
                verdict:
                  this.config.onNoData === 'pass'
                    ? ('pass' as const)
                    : this.config.onNoData === 'fail'
                      ? ('fail' as const)
                      : ('inconclusive' as const),
                reason: `${what}: fewer than min-requests ${s.minRequests} real requests in every interval, and no other check (on-no-data: ${this.config.onNoData})`,
                // A fail by policy is decided at the end of the window.
                ...(this.config.onNoData === 'fail'
                  ? { failedInterval: Math.max(0, tracker.intervals - 1) }
                  : {}),
              }
            : {
                verdict: 'pass' as const,
                reason: `${what}: fewer than min-requests ${s.minRequests} real requests in every interval (${target.requests} in all): no real-traffic evidence, judged by the other checks`,
              }
          : {
              verdict: 'pass' as const,
              reason: `${what}: ${target.errors} of ${target.requests} requests failed (${percent(rate(target))}) vs ${percent(rate(live))} of ${live.requests} on ${s.liveSlot}, over ${judged} judged interval${judged === 1 ? '' : 's'}${this.quiet ? ` (${this.quiet} too quiet to judge)` : ''}`,
            });
    const sorted = (t: SlotTraffic) => [...t.latencies].sort((a, b) => a - b);
    const p = (t: SlotTraffic, q: number) => (t.latencies.length ? ms(percentile(sorted(t), q)) : 'n/a');
    const rows = [
      ['source', this.reader.describe, ''],
      ['requests', target.requests, live.requests],
      [
        'failed',
        `${target.errors} (${percent(target.requests ? rate(target) : null)})`,
        `${live.errors} (${percent(live.requests ? rate(live) : null)})`,
      ],
      ...(s.router.kind === 'nginx'
        ? [
            ['p50', p(target, 50), p(live, 50)],
            ['p95', p(target, 95), p(live, 95)],
            ['most failing path', topPath(target) ?? '—', topPath(live) ?? '—'],
          ]
        : [['average response (rtime)', ms(target.averageMs ?? null), ms(live.averageMs ?? null)]]),
      ['errors are', `${formatStatusRanges(s.errorStatus)} and connection errors`, ''],
      ['verdict', decided.reason, ''],
    ];
    return {
      ...checkIdentity(this, tracker, `${this.reader.describe}: ${s.slot} vs ${s.liveSlot}`),
      ...decided,
      table: { columns: [`${s.slot} (new)`, `${s.liveSlot} (live)`], rows },
    };
  }

  /** Once the window is over: the log's descriptor is closed. */
  async close(): Promise<void> {
    await this.reader.close();
  }
}

function latencyWorse(comparison: ReturnType<typeof compareToBaseline>, s: TrafficSettings): boolean {
  const difference = comparison.target.medianMs - comparison.baseline.medianMs;
  const allowed = Math.max(
    s.comparison.latencyFloorMs,
    s.comparison.latencyTolerance * comparison.baseline.medianMs,
  );
  return difference > allowed && (comparison.latencyP ?? 1) < s.comparison.alpha;
}

export const trafficSources: SourceFactory = (config) =>
  config.traffic
    ? [new TrafficSource(config.traffic, config, config.probes.length === 0 && config.queries.length === 0)]
    : [];
