/**
 * Active HTTP probes as evidence: each probe check sends
 * `requests-per-interval` requests spread evenly over every interval, and an
 * interval fails when more than `max-error-rate` of them failed. With a
 * baseline, each request has a twin sent to the baseline at the same moment,
 * so that the comparison source sees both sides under the same conditions.
 */

import { displayUrl } from '../../secrets.js';
import type { AnalysisConfig, ProbeCheck } from '../config.js';
import { baselineUrlFor, probe, type Sample, type Side } from '../probe.js';
import type { Evidence, EvidenceSource, IntervalRound, SourceFactory } from '../source.js';
import {
  type CheckVerdict,
  causes,
  checkIdentity,
  type IntervalJudgement,
  settledVerdict,
  summarise,
  type Tracker,
} from '../verdicts.js';
import { latencyTable } from './latency.js';

export class ProbeSource implements EvidenceSource {
  readonly kind = 'probe';
  readonly name: string;
  readonly dryRun: boolean;

  constructor(
    readonly check: ProbeCheck,
    private readonly config: AnalysisConfig,
    private readonly evidence: Evidence,
    /** The same request on the baseline's origin, when there is a baseline. */
    readonly twin: URL | undefined,
  ) {
    this.name = check.name;
    this.dryRun = check.dryRun ?? false;
  }

  async collect(round: IntervalRound): Promise<void> {
    const n = this.config.requestsPerInterval;
    const send = async (side: Side, url: URL) => {
      const result = await probe(this.check, url, this.config.http, round.signal);
      this.evidence.samples.push({ check: this.name, side, interval: round.index, ...result });
    };
    const requests: Array<Promise<void>> = [];
    for (let i = 0; i < n; i++) {
      const offset = Math.floor((i * round.intervalMs) / n);
      requests.push(
        (async () => {
          if (offset > 0) await round.sleep(offset, round.signal);
          // The target and its baseline twin are asked at the same moment, so that
          // both see the same conditions (load, network, the time of the minute).
          await Promise.all(
            this.twin
              ? [send('target', this.check.url), send('baseline', this.twin)]
              : [send('target', this.check.url)],
          );
        })(),
      );
    }
    await Promise.all(requests);
  }

  judge(index: number): IntervalJudgement {
    const own = this.targetSamples().filter((s) => s.interval === index);
    const failed = own.filter((s) => !s.ok);
    const outcome = own.length && failed.length / own.length > this.config.maxErrorRate ? 'fail' : 'pass';
    return {
      outcome,
      ...(failed.length ? { note: `${failed.length}/${own.length} failed: ${causes(failed)}` } : {}),
      // The evidence is every request of the intervals in the failing run.
      failure: (streak) => {
        const run = this.targetSamples().filter((s) => s.interval > index - streak);
        const bad = run.filter((s) => !s.ok);
        return `check "${this.name}": ${bad.length}/${run.length} requests failed in the last ${streak === 1 ? 'interval' : `${streak} intervals`}: ${causes(bad)}`;
      },
    };
  }

  conclude(tracker: Tracker): CheckVerdict {
    const target = summarise(this.targetSamples());
    const subject = `${this.check.method} ${displayUrl(this.check.url)}`;
    const what = `check "${this.name}"`;
    const threshold = tracker.threshold;
    const failedNote = target.failures
      ? `, ${target.failures} failed (never ${threshold} failed interval${threshold > 1 ? 's' : ''} in a row)`
      : '';
    const decided = settledVerdict(tracker, what) ?? {
      verdict: 'pass' as const,
      reason: `${what}: ${target.requests} requests in ${tracker.intervals} intervals${failedNote}, p95 ${target.p95Ms === null ? 'n/a' : `${target.p95Ms}ms`}`,
    };
    return {
      ...checkIdentity(this, tracker, subject),
      target,
      ...decided,
      table: latencyTable(subject, [{ label: 'target', summary: target }], decided.reason),
    };
  }

  targetSamples(): Sample[] {
    return this.evidence.samples.filter((s) => s.check === this.name && s.side === 'target');
  }

  samplesOf(side: Side): Sample[] {
    return this.evidence.samples.filter((s) => s.check === this.name && s.side === side);
  }
}

/** One source per probe check; each has a baseline twin when the analysis has a baseline. */
export const probeSources: SourceFactory = (config, evidence) =>
  config.probes.map(
    (check) =>
      new ProbeSource(
        check,
        config,
        evidence,
        config.baseline ? baselineUrlFor(check.url, config.baseline.url) : undefined,
      ),
  );
