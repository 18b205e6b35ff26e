import type { SlotName } from '@glidepath/core';

export type Strategy = 'canary' | 'blue-green';

/** What to do with traffic when a step's verdict is not a pass. */
export type OnFailure = 'rollback' | 'hold';

/** One step of a shift: the share of traffic the target slot gets, held while the analysis runs. */
export interface ShiftStep {
  /** 1-based position in the plan, as shown in logs and the summary. */
  number: number;
  /** Percent of traffic on the target slot during this step. */
  weight: number;
  /** Set on the first step of a resumed shift: the weight found in force, held and judged again. */
  resumed?: boolean;
}

export interface ShiftPlan {
  strategy: Strategy;
  live: SlotName;
  target: SlotName;
  steps: ShiftStep[];
  /** How long each step holds while the analysis runs. */
  stepDurationMs: number;
  /** Deadline for the whole shift; when it passes, traffic returns to the live slot. */
  maxDurationMs: number;
  onFailure: OnFailure;
}

/**
 * The steps of a shift.
 *
 * A canary walks the given weights (strictly increasing, ending at 100) and
 * holds each one while the analysis runs, the last one included: a problem that
 * only shows under full traffic still sends traffic back while the old version
 * runs in the live slot.
 *
 * Blue-green ignores the intermediate weights: it first analyses the target slot
 * at weight 0 — so the analysis must probe the target slot directly (its own
 * address as `url`), since no user traffic reaches it yet — and switches all
 * traffic in one change only after that verdict passes. It then holds at 100
 * for one more step, so a failure under real traffic still flips back.
 */
export function shiftSteps(strategy: Strategy, weights: readonly number[]): ShiftStep[] {
  const values = strategy === 'blue-green' ? [0, 100] : [...weights];
  return values.map((weight, i) => ({ number: i + 1, weight }));
}

/**
 * The steps left when a shift resumes with `current` percent already on the
 * target slot: first a step holding the current weight (nothing moves until
 * the analysis has judged what users already see), then every planned weight
 * above it.
 */
export function stepsFrom(steps: readonly ShiftStep[], current: number): ShiftStep[] {
  const above = steps.filter((s) => s.weight > current);
  if (current <= 0) return above;
  const planned = steps.find((s) => s.weight === current);
  const hold: ShiftStep = { number: planned?.number ?? 0, weight: current, resumed: true };
  return [hold, ...above];
}
