import type { Clock, Logger, TrafficClaim } from '@glidepath/core';
import {
  allTo,
  errorMessage,
  formatWeights,
  type Router,
  restoreLive,
  split,
  systemClock,
  type Weights,
} from '@glidepath/core';
import type { IntervalPoint, StepAnalyst, StepVerdict, StepVerdictKind } from './analyst.js';
import type { ShiftPlan, ShiftStep } from './plan.js';

/** What a shift writes to the log: the part of the Logger it uses; `section` opens a log group per step. */
export type RolloutLogger = Pick<Logger, 'info' | 'warning'> & Partial<Pick<Logger, 'section'>>;

export interface ShiftDependencies {
  router: Router;
  analyst: StepAnalyst;
  log: RolloutLogger;
  clock?: Clock;
  /** How hard to try returning traffic to the live slot when the router fails (default 5 attempts over ~8 s). */
  revertAttempts?: number;
  revertBaseDelayMs?: number;
  /**
   * The shift's hold on its environment (see `EnvironmentClaim`): checked
   * before and after every traffic change. Once another writer (a rollback)
   * has ended it, the shift changes no more traffic.
   */
  claim?: TrafficClaim;
}

export type ShiftResult = 'promoted' | 'rolled-back' | 'held';

/** Why a shift stopped before promotion. */
export type StopCause =
  | 'verdict'
  | 'inconclusive'
  | 'analysis-error'
  | 'router'
  | 'deadline'
  | 'cancelled'
  /** A rollback took the environment over: the shift leaves traffic to it. */
  | 'superseded'
  /** The ledger could not say whether the shift still holds its environment. */
  | 'ledger';

/** What happened in one step, for the timeline table. */
export interface StepRecord {
  step: ShiftStep;
  startedAt: number;
  endedAt: number;
  verdict: StepVerdictKind | 'stopped' | 'router-error';
  reason: string;
  samples: number;
  p95Ms?: number;
  errorRate?: number;
}

/** A point of the weight / error-rate curve. */
export interface CurvePoint {
  at: number;
  /** Percent on the target slot in force at that moment. */
  weight: number;
  /** 0..1, when measured. */
  errorRate?: number;
}

export interface ShiftOutcome {
  result: ShiftResult;
  /** Percent of traffic on the target slot when the shift ended. */
  weight: number;
  reason: string;
  cause?: StopCause;
  /** True when the final weights were read back from the router and match. */
  settled: boolean;
  steps: StepRecord[];
  curve: CurvePoint[];
  startedAt: number;
  /** For a revert: when the first failing sample was seen, when the verdict came, when traffic was back. */
  detection?: { firstFailureAt?: number; verdictAt: number; revertedAt?: number };
}

export interface ShiftOptions {
  /** The steps to walk; default: all of the plan's. A resumed shift passes the remaining ones. */
  steps?: ShiftStep[];
  /** Cancellation of the job: traffic returns to the live slot. */
  signal?: AbortSignal;
}

class Stop extends Error {
  constructor(
    readonly stopCause: StopCause,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Walks a shift plan: for each step, set the weights, read them back, and hold
 * while the analysis runs. The analysis returns the moment a fail is certain,
 * and traffic returns to the live slot right then, not at the end of the step.
 *
 * Every exit path leaves traffic somewhere deliberate — all on the target
 * (promoted), all on the live slot (rolled back), or where it was when
 * `on-failure: hold` asks to keep it — and says so in `reason`. When even
 * the revert fails, `settled` is false and the reason names the last weights
 * that were verified, so the post step (or a human) knows where traffic stands.
 */
export async function shift(
  plan: ShiftPlan,
  deps: ShiftDependencies,
  options: ShiftOptions = {},
): Promise<ShiftOutcome> {
  const clock = deps.clock ?? systemClock;
  const { router, log } = deps;
  const startedAt = clock.now();
  const deadline = startedAt + plan.maxDurationMs;
  const steps = options.steps ?? plan.steps;
  const records: StepRecord[] = [];
  const curve: CurvePoint[] = [];
  const event = (message: string) => log.info(message);
  const live = allTo(plan.live, [plan.live, plan.target]);
  let current = -1;
  let lastVerified: Weights | undefined;

  const total = steps.length * plan.stepDurationMs;
  if (total > plan.maxDurationMs)
    log.warning(
      `The steps hold ${Math.round(total / 1000)} s in all, longer than max-duration (${Math.round(plan.maxDurationMs / 1000)} s): the shift will be reverted at the deadline.`,
    );

  const finish = (
    result: ShiftResult,
    weight: number,
    reason: string,
    extra: Partial<ShiftOutcome> = {},
  ): ShiftOutcome => ({
    result,
    weight,
    reason,
    settled: true,
    steps: records,
    curve,
    startedAt,
    ...extra,
  });

  for (const [index, step] of steps.entries()) {
    const label = `Step ${index + 1}/${steps.length}${step.resumed ? ' (resumed)' : ''}`;
    const stepStarted = clock.now();
    log.section?.(`${label}: ${step.weight}% to ${plan.target}`);
    let verdict: StepVerdict;
    try {
      if (options.signal?.aborted) throw new Stop('cancelled', cancelledReason(options.signal));
      if (clock.now() >= deadline) throw deadlineStop(plan);
      const weights = split(plan.target, plan.live, step.weight);
      await guard(label);
      event(`${label}: ${formatWeights(weights)}.`);
      try {
        await router.set(weights);
        await router.verify(weights);
      } catch (error) {
        throw new Stop(
          'router',
          `The router failed at ${label.toLowerCase()} (${step.weight}%): ${errorMessage(error)}`,
        );
      }
      // A rollback that took over while the change was on its way may have
      // moved traffic first; this change must not be what stays.
      if (deps.claim && (await deps.claim.check()) === 'lost') return superseded(true);
      lastVerified = weights;
      current = step.weight;
      curve.push({ at: clock.now(), weight: step.weight });
      event(
        `${label}: verified ${router.describe()} has ${formatWeights(weights)}; analysing for ${Math.round(plan.stepDurationMs / 1000)} s.`,
      );
      verdict = await hold(plan, deps, step, deadline, options.signal, (point) => {
        curve.push({ at: point.at, weight: step.weight, errorRate: point.errorRate });
      });
    } catch (error) {
      const stop =
        error instanceof Stop
          ? error
          : new Stop('analysis-error', `The analysis failed: ${errorMessage(error)}`);
      if (stop.stopCause === 'superseded') return superseded(false);
      records.push({
        step,
        startedAt: stepStarted,
        endedAt: clock.now(),
        verdict: stop.stopCause === 'router' ? 'router-error' : 'stopped',
        reason: stop.message,
        samples: 0,
      });
      return revert(stop.message, stop.stopCause, clock.now());
    }

    records.push({
      step,
      startedAt: stepStarted,
      endedAt: clock.now(),
      verdict: verdict.verdict,
      reason: verdict.reason,
      samples: verdict.samples,
      p95Ms: verdict.p95Ms,
      errorRate: verdict.errorRate,
    });
    if (verdict.verdict === 'pass') {
      event(`${label}: pass (${verdict.samples} samples). ${verdict.reason}`);
      // A rollback may have taken over during the hold: nothing is promoted over it.
      if (deps.claim && (await deps.claim.check()) === 'lost') return superseded(false);
      continue;
    }
    const cause: StopCause = verdict.verdict === 'fail' ? 'verdict' : 'inconclusive';
    const reason =
      verdict.verdict === 'fail'
        ? `${label} at ${step.weight}% failed: ${verdict.reason}`
        : `${label} at ${step.weight}% was inconclusive, which is not a pass: ${verdict.reason}`;
    const verdictAt = clock.now();
    if (plan.onFailure === 'hold') {
      log.section?.(undefined);
      log.warning(
        `${sentence(reason)} on-failure is hold: traffic stays at ${formatWeights(lastVerified ?? live)}.`,
      );
      return finish('held', current, reason, {
        cause,
        detection: { firstFailureAt: verdict.firstFailureAt, verdictAt },
      });
    }
    return revert(reason, cause, verdictAt, verdict.firstFailureAt);
  }

  log.section?.(undefined);
  event(`Promoted: all traffic is on ${plan.target}.`);
  return finish(
    'promoted',
    100,
    `All ${steps.length} steps passed; ${plan.target} receives 100% of traffic.`,
  );

  /** Before a step's change: stops the shift when its claim is lost or cannot be read. */
  async function guard(label: string): Promise<void> {
    const standing = await deps.claim?.check();
    if (standing === 'lost') throw new Stop('superseded', deps.claim!.lostReason ?? 'the claim was lost');
    if (standing === 'unknown')
      throw new Stop(
        'ledger',
        `The ledger could not say whether this shift still holds its environment before ${label.toLowerCase()}`,
      );
  }

  /**
   * Another writer (a rollback) ended this shift's entry: traffic is its to
   * move, and the shift changes nothing — unless its own last change may have
   * landed after the rollback's. Then it waits for the rollback to end and
   * settles on what the rollback settled: the rollback's slot when it
   * succeeded, the live slot when it failed (what a failed rollback also
   * restores), so the two never pull traffic apart.
   */
  async function superseded(afterChange: boolean): Promise<ShiftOutcome> {
    log.section?.(undefined);
    const why = deps.claim?.lostReason ?? 'another writer took the environment over';
    let reason = `A rollback took over: ${why}. This shift moves no more traffic.`;
    let settled = true;
    if (afterChange) {
      const rollback = await deps.claim!.takeover().catch(() => undefined);
      const slots = [plan.live, plan.target];
      const back =
        rollback?.status === 'success' && slots.includes(rollback.slot)
          ? rollback.slot
          : rollback
            ? plan.live
            : undefined;
      if (back === undefined) {
        settled = false;
        reason += ` Its last change may have landed after the rollback's, and the rollback had not finished: check the router.`;
      } else
        try {
          await restoreLive(router, back, slots.find((s) => s !== back)!, log, {
            attempts: deps.revertAttempts,
            baseDelayMs: deps.revertBaseDelayMs,
          });
          reason += ` Its last change may have landed after the rollback's ${rollback!.status === 'success' ? 'flip' : 'failure'}, so all traffic was put back on ${back} (verified).`;
        } catch (error) {
          settled = false;
          reason += ` Its last change may have landed after the rollback's, and putting all traffic back on ${back} failed: ${errorMessage(error)}.`;
        }
    }
    log.warning(reason);
    return finish('rolled-back', afterChange ? 0 : Math.max(current, 0), reason, {
      cause: 'superseded',
      settled,
    });
  }

  async function revert(
    reason: string,
    cause: StopCause,
    verdictAt: number,
    firstFailureAt?: number,
  ): Promise<ShiftOutcome> {
    // A rollback that took over owns the traffic now; an unreadable ledger
    // does not stop a revert, which only ever moves traffic to safety.
    if (deps.claim && (await deps.claim.check()) === 'lost') return superseded(false);
    log.section?.(undefined);
    log.warning(`${sentence(reason)} Returning all traffic to ${plan.live}.`);
    try {
      await restoreLive(router, plan.live, plan.target, log, {
        attempts: deps.revertAttempts,
        baseDelayMs: deps.revertBaseDelayMs,
      });
    } catch (error) {
      const where = lastVerified ? formatWeights(lastVerified) : 'unknown';
      const message = `${sentence(reason)} Traffic could NOT be returned to ${plan.live}: ${errorMessage(error)}. Last verified weights: ${where}.`;
      log.warning(message);
      return finish('rolled-back', Math.max(current, 0), message, {
        cause,
        settled: false,
        detection: { firstFailureAt, verdictAt },
      });
    }
    // A rollback that took over while the revert was on its way settles traffic.
    if (deps.claim && (await deps.claim.check()) === 'lost') return superseded(true);
    const revertedAt = clock.now();
    curve.push({ at: revertedAt, weight: 0 });
    const took = ((revertedAt - verdictAt) / 1000).toFixed(2);
    const sinceFirst =
      firstFailureAt !== undefined
        ? `, ${((revertedAt - firstFailureAt) / 1000).toFixed(2)} s after the first failing sample`
        : '';
    event(`Rolled back: ${formatWeights(live)} verified ${took} s after the verdict${sinceFirst}.`);
    return finish('rolled-back', 0, reason, { cause, detection: { firstFailureAt, verdictAt, revertedAt } });
  }
}

/**
 * Runs the analysis for one step, stopping it early on cancellation or at the
 * overall deadline. Those two stops win over whatever the analysis returns
 * once aborted, so a half-finished window is never read as a verdict.
 */
async function hold(
  plan: ShiftPlan,
  deps: ShiftDependencies,
  step: ShiftStep,
  deadline: number,
  cancel: AbortSignal | undefined,
  onInterval: (point: IntervalPoint) => void,
): Promise<StepVerdict> {
  const clock = deps.clock ?? systemClock;
  const controller = new AbortController();
  const remaining = deadline - clock.now();
  const onCancel = () => controller.abort(new Stop('cancelled', cancelledReason(cancel!)));
  const onLost = () =>
    controller.abort(new Stop('superseded', deps.claim?.lostReason ?? 'the claim was lost'));
  if (deps.claim?.signal.aborted) throw new Stop('superseded', deps.claim.lostReason ?? 'the claim was lost');
  deps.claim?.signal.addEventListener('abort', onLost, { once: true });
  // A cancellation that arrived while the router was changing has already
  // fired its event: act on it now instead of holding the whole step.
  if (cancel?.aborted) throw new Stop('cancelled', cancelledReason(cancel));
  cancel?.addEventListener('abort', onCancel, { once: true });
  // setTimeout fires at once for delays beyond 2^31-1 ms (~24.8 days); a longer deadline needs no timer.
  const timer =
    remaining < 2 ** 31 - 1
      ? setTimeout(() => controller.abort(deadlineStop(plan)), Math.max(0, remaining))
      : undefined;
  try {
    const durationMs = plan.stepDurationMs;
    let verdict: StepVerdict;
    try {
      verdict = await deps.analyst({ step, durationMs, signal: controller.signal, onInterval });
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    }
    if (controller.signal.aborted) throw controller.signal.reason;
    return verdict;
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
    deps.claim?.signal.removeEventListener('abort', onLost);
  }
}

/** Ends a message as a sentence, so that the next one can follow it. */
function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

function deadlineStop(plan: ShiftPlan): Stop {
  return new Stop(
    'deadline',
    `The shift ran past max-duration (${Math.round(plan.maxDurationMs / 1000)} s).`,
  );
}

function cancelledReason(signal: AbortSignal): string {
  return `The job was cancelled (${errorMessage(signal.reason ?? 'aborted')}).`;
}
