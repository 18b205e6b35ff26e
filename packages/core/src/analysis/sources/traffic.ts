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
import { formatP } from '../baseline.js';
import { formatStatusRanges, type StatusRange, statusMatches, type TrafficSettings } from '../config.js';
import type { EvidenceSource, IntervalRound, SourceFactory } from '../source.js';
import { binomialAtLeast, fisherExactGreater, mannWhitneyU, median, percentile } from '../stats.js';
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
  /** Whether that average is mostly this release's answers (see haproxyReader). */
  averageUsable?: boolean;
  /** HAProxy marks the server DOWN or in maintenance (its own health checks). */
  down?: boolean;
  /** Failed requests per path (nginx). */
  failingPaths: Map<string, number>;
}

const empty = (): SlotTraffic => ({ requests: 0, errors: 0, latencies: [], failingPaths: new Map() });

/** What reads the router's view of traffic: the deltas of one interval per slot. */
interface TrafficReader {
  readonly describe: string;
  begin(signal?: AbortSignal): Promise<void>;
  read(signal?: AbortSignal): Promise<{ traffic: Map<string, SlotTraffic>; notes: string[] }>;
  close(): Promise<void>;
}

function haproxyReader(settings: TrafficSettings & { router: { kind: 'haproxy' } }): TrafficReader {
  const { socket, backend, servers } = settings.router;
  const options = { socket, backend, slots: servers, timeoutMs: 5000 };
  const errorClasses = (['1xx', '2xx', '3xx', '4xx', '5xx'] as const).filter((c) =>
    statusMatches(settings.errorStatus, Number(c[0]) * 100),
  );
  let first: Map<string, ServerCounters> | undefined;
  let previous: Map<string, ServerCounters> | undefined;
  // HAProxy counts a server's req_tot and hrsp_* only when an answer arrived:
  // connection errors, response errors (a reset, a timeout) and retries sent
  // elsewhere are requests of the slot that failed them, and errors.
  const attempted = (c: ServerCounters) => c.requests + c.connectionErrors + c.responseErrors + c.retries;
  const errorsOf = (c: ServerCounters) =>
    errorClasses.reduce((sum, k) => sum + c.byClass[k], 0) +
    c.connectionErrors +
    c.responseErrors +
    c.retries;
  // A counter that went down means HAProxy restarted: the new value is all there is.
  const delta = (a: number, b: number | undefined) => (b === undefined || a < b ? a : a - b);
  return {
    describe: `HAProxy backend "${backend}" counters (show stat)`,
    async begin(signal) {
      first = await readHaproxyCounters(options, signal);
      previous = first;
    },
    async read(signal) {
      const now = await readHaproxyCounters(options, signal);
      const traffic = new Map<string, SlotTraffic>();
      for (const [slot, counters] of now) {
        const before = previous?.get(slot);
        const start = first?.get(slot);
        const requests = delta(attempted(counters), before && attempted(before));
        const sinceStart = delta(counters.requests, start?.requests);
        traffic.set(slot, {
          requests,
          errors: Math.min(requests, delta(errorsOf(counters), before && errorsOf(before))),
          latencies: [],
          averageMs: counters.averageResponseMs,
          // rtime averages the server's last 1,024 answers. Judge it only once this
          // step's answers are at least as many as the ones before it (a server new to
          // HAProxy: at once), or fill the whole window: before that, on a slot reused
          // from an earlier release, it is mostly the old release's answers.
          averageUsable: sinceStart >= 1024 || (start?.requests ?? 0) <= sinceStart,
          down: /^(DOWN|MAINT|NOLB)/.test(counters.status),
          failingPaths: new Map(),
        });
      }
      previous = now;
      return { traffic, notes: [] };
    },
    async close() {},
  };
}

function nginxReader(settings: TrafficSettings & { router: { kind: 'nginx' } }): TrafficReader {
  let log: NginxAccessLog | undefined;
  let matched: string[] = [];
  return {
    describe: `nginx access log ${settings.router.log}`,
    async begin() {
      await log?.close();
      const resolved = await slotAddresses(settings.router.addresses);
      matched = resolved.matched;
      log = new NginxAccessLog(settings.router.log, resolved.bySlot);
      await log.begin();
    },
    async read() {
      const reading = await log!.read();
      const traffic = new Map<string, SlotTraffic>();
      for (const slot of settings.router.addresses.keys()) traffic.set(slot, empty());
      for (const attempt of reading.attempts) add(traffic.get(attempt.slot)!, attempt, settings.errorStatus);
      const notes = [...reading.events];
      if (matched.length) {
        notes.push(`slots matched as ${matched.join(', ')}`);
        matched = [];
      }
      if (reading.malformed)
        notes.push(`${reading.malformed} line(s) not in Glidepath's log format were left out`);
      return { traffic, notes };
    },
    async close() {
      await log?.close();
      log = undefined;
    },
  };
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
  // Enough for percentiles and the test of a long window without holding every request of a busy one.
  for (const ms of from.latencies) {
    if (into.latencies.length >= 100_000) break;
    into.latencies.push(ms);
  }
  if (from.averageMs !== undefined) into.averageMs = from.averageMs;
  if (from.averageUsable !== undefined) into.averageUsable = from.averageUsable;
  if (from.down !== undefined) into.down = from.down;
  for (const [path, n] of from.failingPaths)
    into.failingPaths.set(path, (into.failingPaths.get(path) ?? 0) + n);
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
  private last:
    | { index: number; traffic?: Map<string, SlotTraffic>; notes?: string[]; error?: string }
    | undefined;
  /** Intervals in which real traffic was compared (not quiet, not a read error). */
  private compared = 0;
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
      const { traffic, notes } = await this.reader.read(round.signal);
      for (const [slot, t] of traffic) if (this.totals.has(slot)) merge(this.totals.get(slot)!, t);
      this.last = { index: round.index, traffic, notes };
    } catch (error) {
      if (round.signal?.aborted) throw error;
      // A host in `slots` that does not resolve is the router's view failing too, named and judged by policy.
      const code = (error as NodeJS.ErrnoException).code;
      if (
        !(
          error instanceof AccessLogError ||
          error instanceof RouterError ||
          code === 'ENOTFOUND' ||
          code === 'EAI_AGAIN'
        )
      )
        throw error;
      this.begun = false;
      this.last = { index: round.index, error: `${this.reader.describe}: ${(error as Error).message}` };
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
    const notes = last.notes?.length ? ` (${last.notes.join('; ')})` : '';
    if (target.down) {
      const sentence = `real traffic on ${slot}: HAProxy marks the server DOWN or in maintenance (its health checks fail) while it should take traffic`;
      return { outcome: 'fail', note: sentence, failure: () => sentence };
    }
    if (target.requests < minRequests) {
      this.quiet++;
      return {
        outcome: 'unknown',
        note: `${target.requests} real requests on ${slot} so far (fewer than min-requests ${minRequests})${notes}`,
      };
    }
    this.pending = { target: empty(), live: empty() };
    this.compared++;
    const finding = this.compare(target, live);
    return {
      outcome: finding.failed ? 'fail' : 'pass',
      note: `${finding.sentence}${notes}`,
      failure: (streak) => `${finding.sentence}${streak > 1 ? `, in ${streak} intervals in a row` : ''}`,
    };
  }

  /**
   * The interval's verdict on the new slot, in one sentence naming both slots'
   * figures. Exact tests (Fisher's, the binomial) because intervals are small:
   * the normal approximation would call noise at ten requests a difference.
   */
  private compare(target: SlotTraffic, live: SlotTraffic): { failed: boolean; sentence: string } {
    const s = this.settings;
    const { alpha, errorTolerance } = s.comparison;
    const problems: string[] = [];
    const facts: string[] = [];
    const head = `real traffic on ${s.slot}: ${target.errors} of ${target.requests} requests failed (${percent(rate(target))})`;
    const path = topPath(target);
    if (s.maxErrorRate !== undefined) {
      const p = binomialAtLeast(target.errors, target.requests, s.maxErrorRate);
      if (rate(target) > s.maxErrorRate && p < alpha)
        problems.push(`over traffic-max-error-rate ${percent(s.maxErrorRate)} (binomial p ${formatP(p)})`);
    }
    // The live slot in the same interval; when it took too little (the 100% step),
    // what it served earlier in this shift.
    const earlier = s.liveReference;
    const reference =
      live.requests >= s.minRequests
        ? { errors: live.errors, requests: live.requests, when: '' }
        : earlier && earlier.requests >= s.minRequests
          ? { ...earlier, when: ' earlier in the shift' }
          : undefined;
    if (reference) {
      const p = fisherExactGreater(target.errors, target.requests, reference.errors, reference.requests);
      const liveRate = reference.errors / reference.requests;
      const worse = rate(target) - liveRate > errorTolerance && p < alpha;
      (worse ? problems : facts).push(
        `vs ${percent(liveRate)} of ${reference.requests} on ${s.liveSlot} (live)${reference.when} (Fisher's exact p ${formatP(p)}${worse ? `, beyond baseline-error-tolerance ${percent(errorTolerance)}` : ''})`,
      );
    } else if (s.maxErrorRate === undefined) {
      // Nothing of the live slot to compare with at all: the rate on its own, against the tolerance.
      const p = binomialAtLeast(target.errors, target.requests, errorTolerance);
      const over = rate(target) > errorTolerance && p < alpha;
      (over ? problems : facts).push(
        over
          ? `over baseline-error-tolerance ${percent(errorTolerance)} with no live traffic to compare with (binomial p ${formatP(p)})`
          : `${s.liveSlot} (live) took ${live.requests} requests, too few to compare with`,
      );
    }
    if (live.requests >= s.minRequests) {
      const latency = this.latency(target, live);
      if (latency) (latency.slower ? problems : facts).push(latency.sentence);
    }
    const sentence =
      [head, ...problems, ...facts].join('; ') + (path && target.errors ? `; most failing path ${path}` : '');
    return { failed: problems.length > 0, sentence };
  }

  /** nginx: Mann–Whitney on per-request times; HAProxy: its rtime averages, a comparison signal only. */
  private latency(target: SlotTraffic, live: SlotTraffic): { slower: boolean; sentence: string } | undefined {
    const s = this.settings;
    const { alpha, latencyFloorMs, latencyTolerance } = s.comparison;
    if (target.latencies.length >= s.minRequests && live.latencies.length >= s.minRequests) {
      const p = mannWhitneyU(target.latencies, live.latencies, 'greater').pValue;
      const t = median(target.latencies);
      const l = median(live.latencies);
      const slower = t - l > Math.max(latencyFloorMs, latencyTolerance * l) && p < alpha;
      return {
        slower,
        sentence: `latency median ${formatDuration(t)} vs ${formatDuration(l)} on ${s.liveSlot} (Mann–Whitney p ${formatP(p)}${slower ? `, beyond baseline-latency-tolerance ${percent(latencyTolerance)}` : ''})`,
      };
    }
    if (target.averageMs === undefined || live.averageMs === undefined || !(live.averageMs > 0))
      return undefined;
    if (!target.averageUsable) return undefined;
    const difference = target.averageMs - live.averageMs;
    const slower = difference > Math.max(latencyFloorMs, latencyTolerance * live.averageMs);
    return {
      slower,
      sentence: `average response time ${formatDuration(target.averageMs)} vs ${formatDuration(live.averageMs)} on ${s.liveSlot} (HAProxy rtime, a comparison signal${slower ? `, beyond baseline-latency-tolerance ${percent(latencyTolerance)}` : ''})`,
    };
  }

  conclude(tracker: Tracker): CheckVerdict {
    const s = this.settings;
    const what = `real traffic on ${s.slot}`;
    const target = this.totals.get(s.slot)!;
    const live = this.totals.get(s.liveSlot)!;
    const judged = this.compared;
    // Record what the live slot served, for a later step in which it takes no traffic.
    if (live.requests >= s.minRequests) s.liveReference = { requests: live.requests, errors: live.errors };
    const blind =
      this.config.onError === 'inconclusive' &&
      (this.longestErrorStreak >= tracker.threshold || (judged === 0 && this.lastError !== undefined));
    const decided =
      settledVerdict(tracker, what) ??
      (blind
        ? {
            verdict: 'inconclusive' as const,
            reason: `${what}: the router's traffic could not be read for ${this.longestErrorStreak} interval(s) in a row (on-error: ${this.config.onError}); last: ${this.lastError}`,
          }
        : judged === 0 && this.lastError !== undefined
          ? {
              verdict: 'pass' as const,
              reason: `${what}: the router's traffic could not be read (on-error: pass); last: ${this.lastError}`,
            }
          : judged === 0
            ? this.alone
              ? {
                  // The policies are named as the verdicts they give: pass, fail or inconclusive.
                  verdict: this.config.onNoData,
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

export const trafficSources: SourceFactory = (config) =>
  config.traffic
    ? [new TrafficSource(config.traffic, config, config.probes.length === 0 && config.queries.length === 0)]
    : [];
