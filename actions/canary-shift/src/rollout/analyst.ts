import type { ShiftStep } from './plan.js';

export type StepVerdictKind = 'pass' | 'fail' | 'inconclusive';

/** One interval of the analysis while a step holds: what the timeline and the chart are drawn from. */
export interface IntervalPoint {
  /** Epoch milliseconds when the interval ended. */
  at: number;
  /** Share of failed samples in this interval, 0..1, when the analysis measured it. */
  errorRate?: number;
}

/** How the analysis judged one step. */
export interface StepVerdict {
  verdict: StepVerdictKind;
  /** One sentence naming the failing check and its evidence, or why the step passed. */
  reason: string;
  samples: number;
  p95Ms?: number;
  /** 0..1 */
  errorRate?: number;
  /** Epoch milliseconds of the first failing sample, when there was one. */
  firstFailureAt?: number;
}

export interface StepAnalysisRequest {
  step: ShiftStep;
  durationMs: number;
  /** Aborted when the shift must stop at once (cancellation, deadline); the analysis then returns promptly. */
  signal: AbortSignal;
  onInterval(point: IntervalPoint): void;
}

/**
 * Judges the target slot while a step holds. It must return as soon as a fail
 * is certain — not at the end of the step — because the shift sends traffic
 * back the moment it returns a fail.
 */
export type StepAnalyst = (request: StepAnalysisRequest) => Promise<StepVerdict>;
