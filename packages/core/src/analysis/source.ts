/**
 * The one interface every kind of evidence implements. A source collects an
 * interval's evidence about the slot under analysis, judges that interval,
 * and at the end describes its verdict over the window. The engine runs the
 * intervals and keeps one Tracker per source; it never knows what a source
 * looks at. `sources/index.ts` lists the sources an analysis is built from.
 */
import type { AnalysisConfig } from './config.js';
import type { Sample } from './probe.js';
import type { Measurement } from './sources/query.js';
import type { CheckKind, CheckVerdict, IntervalJudgement, Tracker } from './verdicts.js';

/** One interval as a source sees it while collecting. */
export interface IntervalRound {
  index: number;
  /** Epoch milliseconds when the interval started. */
  startedAt: number;
  intervalMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal: AbortSignal | undefined;
}

export interface EvidenceSource {
  /** Unique within the analysis; the report and the logs name the check by it. */
  readonly name: string;
  readonly kind: CheckKind;
  /** A shadow check: evaluated and reported, never part of the verdict. */
  readonly dryRun: boolean;
  /** Gathers one interval's evidence; resolves by the end of the interval. */
  collect(round: IntervalRound): Promise<void>;
  /** Judges the interval just collected (called in registration order, after every source collected). */
  judge(index: number): IntervalJudgement;
  /** The verdict over the window, from the tracker the engine kept for this source. */
  conclude(tracker: Tracker): CheckVerdict;
  /** Releases what the source holds open (a log file), once the window is over. */
  close?(): Promise<void>;
}

/**
 * What the sources of one analysis share: every probe request and every query
 * evaluation, in one place, for the report's charts and for a source that
 * judges evidence another collected (the baseline comparison reads the
 * probes' samples).
 */
export class Evidence {
  readonly samples: Sample[] = [];
  readonly measurements: Measurement[] = [];
}

/** Builds the sources of one kind from the analysis configuration (none when the kind is not configured). */
export type SourceFactory = (config: AnalysisConfig, evidence: Evidence) => EvidenceSource[];
