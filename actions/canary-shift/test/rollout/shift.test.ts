import { describe, expect, it } from 'vitest';
import { type ShiftPlan, shift, shiftSteps, stepsFrom } from '../../src/rollout/index.js';
import { MemoryRouter, scriptedAnalyst, silentLog } from './doubles.js';

const plan = (over: Partial<ShiftPlan> = {}): ShiftPlan => ({
  strategy: 'canary',
  live: 'blue',
  target: 'green',
  steps: shiftSteps('canary', [10, 50, 100]),
  stepDurationMs: 60,
  maxDurationMs: 10_000,
  onFailure: 'rollback',
  ...over,
});
const onLive = () => new MemoryRouter({ blue: 100, green: 0 });

describe('shift plan', () => {
  it('walks the canary weights, and blue-green as analyse-at-0 then one switch', () => {
    expect(shiftSteps('canary', [5, 25, 100]).map((s) => s.weight)).toEqual([5, 25, 100]);
    expect(shiftSteps('blue-green', [5, 25, 100]).map((s) => s.weight)).toEqual([0, 100]);
  });

  it('resumes by holding the weight found, then the planned weights above it', () => {
    const steps = shiftSteps('canary', [10, 50, 100]);
    expect(stepsFrom(steps, 50).map((s) => [s.weight, s.resumed ?? false])).toEqual([
      [50, true],
      [100, false],
    ]);
    expect(stepsFrom(steps, 30).map((s) => s.weight)).toEqual([30, 50, 100]);
    expect(stepsFrom(steps, 0).map((s) => s.weight)).toEqual([10, 50, 100]);
  });
});

describe('shift', () => {
  it('promotes after every step passes, setting and holding each weight in order', async () => {
    const router = onLive();
    const analyst = scriptedAnalyst(() => ({}));
    const log = silentLog();
    const outcome = await shift(plan(), { router, analyst, log });
    expect(outcome.result).toBe('promoted');
    // One log section per step, closed before the final word.
    expect(log.lines.filter((l) => l.startsWith('<'))).toEqual([
      '<Step 1/3: 10% to green>',
      '<Step 2/3: 50% to green>',
      '<Step 3/3: 100% to green>',
      '<end>',
    ]);
    expect(outcome.weight).toBe(100);
    expect(router.sets.map((w) => w.green)).toEqual([10, 50, 100]);
    expect(router.weights).toEqual({ blue: 0, green: 100 });
    expect(analyst.requests.map((r) => r.step.weight)).toEqual([10, 50, 100]);
    expect(outcome.steps.map((s) => s.verdict)).toEqual(['pass', 'pass', 'pass']);
  });

  it('returns all traffic to the live slot the moment a step fails, not at the end of the step', async () => {
    const router = onLive();
    const analyst = scriptedAnalyst(({ step }) =>
      step.weight === 50
        ? {
            afterMs: 20,
            verdict: 'fail',
            reason: 'check "home" failed: 5 of 5 samples answered 500',
            firstFailureAt: Date.now(),
          }
        : {},
    );
    const stepDurationMs = 1500;
    const outcome = await shift(plan({ stepDurationMs }), { router, analyst, log: silentLog() });
    expect(outcome.result).toBe('rolled-back');
    expect(outcome.cause).toBe('verdict');
    expect(outcome.weight).toBe(0);
    expect(outcome.reason).toContain('check "home" failed');
    expect(router.weights).toEqual({ blue: 100, green: 0 });
    expect(router.sets.map((w) => w.green)).toEqual([10, 50, 0]);
    // Step 1 holds its 1.5 s; step 2 fails after ~20 ms and the revert follows at once,
    // so step 2 ends before its own 1.5 s hold would have (a 75× margin; speed is bench/'s).
    const failed = outcome.steps[1]!;
    // structural: bounded by the designed hold (stepDurationMs), not by machine speed
    expect(failed.endedAt - failed.startedAt).toBeLessThan(stepDurationMs);
    expect(outcome.detection?.revertedAt).toBeGreaterThanOrEqual(outcome.detection!.verdictAt);
  }, 20_000);

  it('keeps the weights of the failing step when on-failure is hold', async () => {
    const router = onLive();
    const analyst = scriptedAnalyst(({ step }) =>
      step.weight === 50 ? { verdict: 'fail', reason: 'p95 too high', afterMs: 5 } : {},
    );
    const outcome = await shift(plan({ onFailure: 'hold' }), { router, analyst, log: silentLog() });
    expect(outcome.result).toBe('held');
    expect(outcome.weight).toBe(50);
    expect(router.weights).toEqual({ blue: 50, green: 50 });
  });

  it('treats an inconclusive step as not a pass', async () => {
    const router = onLive();
    const analyst = scriptedAnalyst(() => ({ verdict: 'inconclusive', reason: 'no data from Prometheus' }));
    const outcome = await shift(plan(), { router, analyst, log: silentLog() });
    expect(outcome.result).toBe('rolled-back');
    expect(outcome.cause).toBe('inconclusive');
    expect(outcome.reason).toContain('no data from Prometheus');
    expect(router.weights).toEqual({ blue: 100, green: 0 });
  });

  it('stops the analysis and reverts when the job is cancelled mid-step', async () => {
    const router = onLive();
    const analyst = scriptedAnalyst(() => ({}));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('SIGTERM')), 100);
    const outcome = await shift(
      plan({ stepDurationMs: 10_000 }),
      { router, analyst, log: silentLog() },
      { signal: controller.signal },
    );
    expect(outcome.result).toBe('rolled-back');
    // Cancelled, not stopped by max-duration (which would end this 10 s step at its end):
    // the revert came mid-step 1, and no later step started.
    expect(outcome.cause).toBe('cancelled');
    expect(outcome.reason).toContain('SIGTERM');
    expect(analyst.requests.map((r) => r.step.weight)).toEqual([10]);
    expect(router.sets.map((w) => w.green)).toEqual([10, 0]);
    expect(router.weights).toEqual({ blue: 100, green: 0 });
  }, 20_000);

  it('reverts when the shift runs past max-duration', async () => {
    const router = onLive();
    const log = silentLog();
    const outcome = await shift(plan({ stepDurationMs: 200, maxDurationMs: 300 }), {
      router,
      analyst: scriptedAnalyst(() => ({})),
      log,
    });
    expect(outcome.result).toBe('rolled-back');
    expect(outcome.cause).toBe('deadline');
    expect(outcome.reason).toContain('max-duration');
    expect(router.weights).toEqual({ blue: 100, green: 0 });
    expect(log.lines.some((l) => l.startsWith('WARNING') && l.includes('longer than max-duration'))).toBe(
      true,
    );
  });

  it('returns traffic to the live slot when the router fails mid-shift, retrying the revert', async () => {
    const router = onLive();
    // The set to 50% and the first revert attempt fail; the second revert attempt goes through.
    router.failOnSet = { call: 2, sticky: true, times: 2 };
    const outcome = await shift(plan(), {
      router,
      analyst: scriptedAnalyst(() => ({})),
      log: silentLog(),
      revertBaseDelayMs: 10,
    });
    expect(outcome.result).toBe('rolled-back');
    expect(outcome.cause).toBe('router');
    expect(outcome.settled).toBe(true);
    expect(outcome.reason).toContain('set #2 refused');
    expect(router.weights).toEqual({ blue: 100, green: 0 });
  });

  it('says where traffic was last verified when the router never comes back', async () => {
    const router = onLive();
    router.failOnSet = { call: 2, sticky: true };
    const outcome = await shift(plan(), {
      router,
      analyst: scriptedAnalyst(() => ({})),
      log: silentLog(),
      revertAttempts: 2,
      revertBaseDelayMs: 5,
    });
    expect(outcome.settled).toBe(false);
    expect(outcome.reason).toContain('could NOT be returned to blue');
    expect(outcome.reason).toContain('Last verified weights: blue 90% / green 10%');
    expect(router.weights).toEqual({ blue: 90, green: 10 });
  });

  it('writes nothing when the first change fails and traffic is still on the live slot', async () => {
    const router = onLive();
    router.failOnSet = { call: 1, sticky: true };
    const outcome = await shift(plan(), { router, analyst: scriptedAnalyst(() => ({})), log: silentLog() });
    expect(outcome.result).toBe('rolled-back');
    expect(outcome.settled).toBe(true);
    expect(router.sets).toEqual([]);
    expect(router.weights).toEqual({ blue: 100, green: 0 });
  });

  it('blue-green analyses the idle target at weight 0 and only then switches all traffic', async () => {
    const router = onLive();
    const weightsDuringAnalysis: number[] = [];
    const analyst = scriptedAnalyst(() => {
      weightsDuringAnalysis.push(router.weights.green ?? -1);
      return {};
    });
    const outcome = await shift(plan({ strategy: 'blue-green', steps: shiftSteps('blue-green', []) }), {
      router,
      analyst,
      log: silentLog(),
    });
    expect(outcome.result).toBe('promoted');
    expect(weightsDuringAnalysis).toEqual([0, 100]);
    expect(router.sets.map((w) => w.green)).toEqual([0, 100]);
  });
});
