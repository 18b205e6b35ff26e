import { describe, expect, it } from 'vitest';
import { decideStart, type Release, rollout, type ShiftPlan, shiftSteps } from '../../src/index.js';
import { MemoryRouter, scriptedAnalyst, silentLog, tempLedger } from './doubles.js';

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
    const ledger = tempLedger();
    const first = await ledger.begin({ environment: 'production', version: 'app:v2', slot: 'green' });
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
    await ledger.begin({ environment: 'production', version: 'app:v1', slot: 'green' });
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
