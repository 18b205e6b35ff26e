/**
 * The side-by-side comparison of each probe check with the baseline, as a
 * source of its own. Its requests are the probe check's target requests and
 * their twins (sent by the probe source at the same moments); this source only
 * judges them, over everything collected so far, with the tests of
 * `../baseline.ts`.
 */

import { displayUrl } from '../../secrets.js';
import { type Comparison, compareToBaseline } from '../baseline.js';
import type { BaselineSettings, ProbeCheck } from '../config.js';
import { baselineUrlFor, type Sample } from '../probe.js';
import type { Evidence, EvidenceSource, SourceFactory } from '../source.js';
import {
  type CheckVerdict,
  checkIdentity,
  type IntervalJudgement,
  settledVerdict,
  summarise,
  type Tracker,
} from '../verdicts.js';
import { latencyTable } from './latency.js';

export class BaselineSource implements EvidenceSource {
  readonly kind = 'baseline';
  readonly name: string;
  readonly dryRun: boolean;
  private readonly twin: URL;
  private comparison: Comparison | undefined;

  constructor(
    private readonly check: ProbeCheck,
    private readonly settings: BaselineSettings,
    private readonly evidence: Evidence,
  ) {
    this.name = `${check.name} vs baseline`;
    this.dryRun = check.dryRun ?? false;
    this.twin = baselineUrlFor(check.url, settings.url);
  }

  /** The probe source of the same check sends both sides' requests. */
  async collect(): Promise<void> {}

  judge(): IntervalJudgement {
    const comparison = compareToBaseline(this.side('target'), this.side('baseline'), this.settings);
    this.comparison = comparison;
    return {
      outcome: comparison.outcome,
      ...(comparison.outcome === 'fail' ? { note: comparison.detail ?? '' } : {}),
      failure: () => `check "${this.check.name}" vs baseline: ${comparison.detail}`,
    };
  }

  conclude(tracker: Tracker): CheckVerdict {
    const comparison = this.comparison;
    const what = `check "${this.check.name}" vs baseline`;
    const subject = `${displayUrl(this.check.url)} vs ${displayUrl(this.twin)}`;
    const target = summarise(this.side('target'));
    const baseline = summarise(this.side('baseline'));
    const decided =
      settledVerdict(tracker, what) ??
      (!comparison || comparison.outcome === 'pending'
        ? {
            verdict: 'inconclusive' as const,
            reason: `${what}: too few samples to compare (${comparison?.detail ?? 'no interval was completed'})`,
          }
        : { verdict: 'pass' as const, reason: `${what}: ${comparison.detail}` });
    return {
      ...checkIdentity(this, tracker, subject),
      target,
      baseline,
      ...(comparison ? { comparison } : {}),
      ...decided,
      table: latencyTable(
        subject,
        [
          { label: 'target', summary: target },
          { label: 'baseline', summary: baseline },
        ],
        decided.reason,
        comparison,
      ),
    };
  }

  private side(side: Sample['side']): Sample[] {
    return this.evidence.samples.filter((s) => s.check === this.check.name && s.side === side);
  }
}

export const baselineSources: SourceFactory = (config, evidence) => {
  const settings = config.baseline;
  return settings ? config.probes.map((check) => new BaselineSource(check, settings, evidence)) : [];
};
