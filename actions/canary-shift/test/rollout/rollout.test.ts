import { EnvironmentClaim, type FileLedger, type Release, type Weights } from '@glidepath/core';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { decideStart, rollout, type ShiftPlan, shiftSteps } from '../../src/rollout/index.js';
import { beginByDeadRun, MemoryRouter, scriptedAnalyst, silentLog, tempLedger } from './doubles.js';

const plan: ShiftPlan = {
  strategy: 'canary',
  live: 'blue',
  target: 'green',
  steps: shiftSteps('canary', [10, 50, 100]),
  stepDurationMs: 30,
  maxDurationMs: 10_000,
  onFailure: 'rollback',
};
const release = (over: Partial<Release>): Release => ({
  id: '7',
  environment: 'production',
  version: 'app:v2',
  slot: 'green',
  status: 'in_progress',
  good: false,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...over,
});
const facts = { live: 'blue', target: 'green', version: 'app:v2' };

describe('decideStart', () => {
  it('starts fresh when everything is on the live slot', () => {
    expect(decideStart({ ...facts, weights: { blue: 100, green: 0 } }).kind).toBe('fresh');
  });

  it('resumes a split left by this very release', () => {
    const d = decideStart({ ...facts, weights: { blue: 50, green: 50 }, inProgress: release({}) });
    expect(d).toMatchObject({ kind: 'resume', weight: 50 });
    expect(d.message).toContain('resuming');
  });

  it('reverts a split that the ledger does not explain', () => {
    const other = decideStart({
      ...facts,
      weights: { blue: 75, green: 25 },
      inProgress: release({ version: 'app:v1' }),
    });
    expect(other.kind).toBe('revert');
    expect(other.message).toContain('app:v1');
    expect(decideStart({ ...facts, weights: { blue: 75, green: 25 } }).kind).toBe('revert');
    expect(decideStart({ ...facts, weights: { blue: 0, green: 0 } }).kind).toBe('revert');
  });

  it('refuses a target slot that already has all traffic, unless this release is current there', () => {
    expect(decideStart({ ...facts, weights: { blue: 0, green: 100 } }).kind).toBe('refuse');
    expect(
      decideStart({ ...facts, weights: { blue: 0, green: 100 }, current: release({ status: 'success' }) })
        .kind,
    ).toBe('already-promoted');
  });
});

describe('rollout', () => {
  it('records the release in the ledger and finishes it as a success on promotion', async () => {
    const ledger = tempLedger();
    const router = new MemoryRouter({ blue: 100, green: 0 });
    const seen: string[] = [];
    const outcome = await rollout(
      plan,
      { environment: 'production', version: 'app:v2' },
      {
        router,
        ledger,
        analyst: scriptedAnalyst(() => ({})),
        log: silentLog(),
        onRelease: (r) => void seen.push(`${r.status}:${JSON.stringify(router.weights)}`),
      },
    );
    expect(outcome.result).toBe('promoted');
    // The caller hears about the release before any weight moved.
    expect(seen).toEqual(['in_progress:{"blue":100,"green":0}']);
    expect(await ledger.history('production')).toMatchObject([
      { version: 'app:v2', slot: 'green', status: 'success' },
    ]);
  });

  it('finishes the release as a failure with the reason on rollback', async () => {
    const ledger = tempLedger();
    const outcome = await rollout(
      plan,
      { environment: 'production', version: 'app:v2' },
      {
        router: new MemoryRouter({ blue: 100, green: 0 }),
        ledger,
        analyst: scriptedAnalyst(() => ({ verdict: 'fail', reason: 'check "home": 500s', afterMs: 1 })),
        log: silentLog(),
      },
    );
    expect(outcome.result).toBe('rolled-back');
    const [record] = await ledger.history('production');
    expect(record).toMatchObject({ status: 'failure' });
    expect(record!.reason).toContain('check "home": 500s');
  });

  it('resumes an unfinished run of the same release from the weight found, in the same ledger entry', async () => {
    // A re-run: attempt 2 of the run whose attempt 1 died mid-shift.
    vi.stubEnv('GITHUB_RUN_ID', '9');
    vi.stubEnv('GITHUB_RUN_ATTEMPT', '2');
    onTestFinished(() => void vi.unstubAllEnvs());
    const ledger = tempLedger();
    const first = await ledger.begin({
      environment: 'production',
      version: 'app:v2',
      slot: 'green',
      owner: { kind: 'shift', run: '9', attempt: 1 },
    });
    const router = new MemoryRouter({ blue: 50, green: 50 });
    const analyst = scriptedAnalyst(() => ({}));
    const log = silentLog();
    const outcome = await rollout(
      plan,
      { environment: 'production', version: 'app:v2' },
      { router, ledger, analyst, log },
    );
    expect(outcome.decision.kind).toBe('resume');
    expect(analyst.requests.map((r) => r.step.weight)).toEqual([50, 100]);
    expect(router.sets.map((w) => w.green)).toEqual([50, 100]);
    const history = await ledger.history('production');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ id: first.id, status: 'success' });
    expect(log.lines[0]).toContain('resuming');
  });

  it('reverts an unexplained split before starting, and closes the stale ledger entry', async () => {
    const ledger = tempLedger();
    await beginByDeadRun(ledger, { environment: 'production', version: 'app:v1', slot: 'green' });
    const router = new MemoryRouter({ blue: 60, green: 40 });
    const log = silentLog();
    const outcome = await rollout(
      plan,
      { environment: 'production', version: 'app:v2' },
      { router, ledger, analyst: scriptedAnalyst(() => ({})), log },
    );
    expect(outcome.decision.kind).toBe('revert');
    expect(router.sets.map((w) => w.green)).toEqual([0, 10, 50, 100]);
    expect(log.lines[0]).toContain('reverting all traffic to blue');
    expect((await ledger.history('production')).map((r) => [r.version, r.status])).toEqual([
      ['app:v2', 'success'],
      ['app:v1', 'error'],
    ]);
  });

  it('refuses, touching nothing, when the target slot already serves everything', async () => {
    const ledger = tempLedger();
    const router = new MemoryRouter({ blue: 0, green: 100 });
    await expect(
      rollout(
        plan,
        { environment: 'production', version: 'app:v2' },
        {
          router,
          ledger,
          analyst: scriptedAnalyst(() => ({})),
          log: silentLog(),
        },
      ),
    ).rejects.toThrow(/green is the live slot/);
    expect(router.sets).toEqual([]);
    expect(await ledger.history('production')).toEqual([]);
  });
});

describe('rollout beside a rollback of the same environment', () => {
  /** What the rollback action does first: its own entry, then the environment, ending the shift. */
  async function rollbackTakesOver(ledger: FileLedger, router: MemoryRouter) {
    const entry = await ledger.begin({
      environment: 'production',
      version: 'app:v1',
      slot: 'blue',
      flip: true,
      owner: { kind: 'rollback', run: '77', attempt: 1 },
    });
    const claim = await EnvironmentClaim.take(ledger, entry, { reason: 'checkout errors' });
    await claim.stop();
    await router.set({ blue: 100, green: 0 });
    await ledger.finish(claim.release, { status: 'success', reason: 'Rollback: checkout errors' });
    return claim;
  }

  it('a rollback during a step ends the shift: it changes no more traffic and records nothing over the rollback', async () => {
    const ledger = tempLedger();
    const router = new MemoryRouter({ blue: 100, green: 0 });
    let taken: EnvironmentClaim | undefined;
    const outcome = await rollout(
      plan,
      { environment: 'production', version: 'app:v2' },
      {
        router,
        ledger,
        // The rollback runs while step 1 holds; the step then passes.
        analyst: async () => {
          taken ??= await rollbackTakesOver(ledger, router);
          return { verdict: 'pass', reason: 'all checks passed', samples: 5 };
        },
        log: silentLog(),
      },
    );
    expect(taken?.preempted.map((r) => r.version)).toEqual(['app:v2']);
    expect(outcome).toMatchObject({ result: 'rolled-back', cause: 'superseded', settled: true });
    expect(outcome.reason).toMatch(
      /^A rollback took over: ledger entry \d+ was ended by another writer \(error: Taken over by a rollback/,
    );
    // The shift's 10%, then the rollback's flip; nothing from the shift after it.
    expect(router.sets).toEqual([
      { blue: 90, green: 10 },
      { blue: 100, green: 0 },
    ]);
    const v2 = (await ledger.history('production')).find((r) => r.version === 'app:v2');
    expect(v2).toMatchObject({ status: 'error' });
  });

  it("a shift whose change lands after the rollback's flip puts the rollback's slot back", async () => {
    const ledger = tempLedger();
    // The rollback ends the shift and flips while the shift's 50% is on its way to the router.
    class Racing extends MemoryRouter {
      override async set(weights: Weights): Promise<void> {
        if (weights.green === 50) await rollbackTakesOver(ledger, this);
        await super.set(weights);
      }
    }
    const router = new Racing({ blue: 100, green: 0 });
    const outcome = await rollout(
      plan,
      { environment: 'production', version: 'app:v2' },
      { router, ledger, analyst: scriptedAnalyst(() => ({ afterMs: 1 })), log: silentLog() },
    );
    expect(outcome).toMatchObject({ result: 'rolled-back', cause: 'superseded', weight: 0, settled: true });
    expect(outcome.reason).toContain('all traffic was put back on blue (verified)');
    expect(router.sets.map((w) => w.green)).toEqual([10, 0, 50, 0]);
    expect(router.weights).toEqual({ blue: 100, green: 0 });
  });

  it('a shift does not start while a rollback of the environment runs, and leaves no entry behind', async () => {
    const ledger = tempLedger();
    await ledger.begin({
      environment: 'production',
      version: 'app:v1',
      slot: 'blue',
      flip: true,
      owner: { kind: 'rollback', run: '77', attempt: 1 },
    });
    const router = new MemoryRouter({ blue: 100, green: 0 });
    await expect(
      rollout(
        plan,
        { environment: 'production', version: 'app:v2' },
        { router, ledger, analyst: scriptedAnalyst(() => ({})), log: silentLog() },
      ),
    ).rejects.toThrow(/A rollback of production is in progress: rollback of app:v1 into blue/);
    expect(router.sets).toEqual([]);
    expect((await ledger.history('production')).map((r) => r.version)).toEqual(['app:v1']);
  });
});

describe('rollout beside another run of the same release', () => {
  it("two new runs never both carry on another run's silent entry: it is closed, and each judges the other", async () => {
    const ledger = tempLedger();
    await beginByDeadRun(ledger, { environment: 'production', version: 'app:v2', slot: 'green' });
    const router = new MemoryRouter({ blue: 50, green: 50 });
    const results = await Promise.allSettled(
      [1, 2].map(() =>
        rollout(
          plan,
          { environment: 'production', version: 'app:v2' },
          { router, ledger, analyst: scriptedAnalyst(() => ({ afterMs: 1 })), log: silentLog() },
        ),
      ),
    );
    const promoted = results.filter((r) => r.status === 'fulfilled' && r.value.result === 'promoted');
    const refused = results.filter(
      (r) => r.status === 'rejected' && /Another release of production is in progress/.test(String(r.reason)),
    );
    expect([promoted.length, refused.length]).toEqual([1, 1]);
    for (const r of results) if (r.status === 'fulfilled') expect(r.value.decision.kind).toBe('revert');
  });
});
