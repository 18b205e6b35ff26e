/**
 * Writers of one environment taking turns (`EnvironmentClaim`) under forced
 * interleavings, on both stores: each writer records its entry (`begin`) and
 * reads the others (`history`), and the test decides, call by call, whose
 * call goes next — every order of two and three writers' calls. Whatever the
 * order: at most one shift holds the environment, no shift holds it once a
 * rollback taken after it has run, rollbacks never overlap, and every entry
 * ends readable — in progress only for the one holder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubFake, startGitHubFake } from '../../../../test/fakes/github/index.js';
import {
  ClaimRefusedError,
  EnvironmentClaim,
  FileLedger,
  GitHubLedger,
  githubClient,
  type Ledger,
  type Release,
} from '../../src/index.js';

type Kind = 'shift' | 'rollback';

/** Every order of `counts[i]` events of writer i (multiset permutations). */
function orders(counts: number[]): number[][] {
  const total = counts.reduce((a, b) => a + b, 0);
  const result: number[][] = [];
  const left = [...counts];
  const walk = (prefix: number[]) => {
    if (prefix.length === total) return void result.push([...prefix]);
    for (let i = 0; i < left.length; i++) {
      if (left[i] === 0) continue;
      left[i]!--;
      prefix.push(i);
      walk(prefix);
      prefix.pop();
      left[i]!++;
    }
  };
  walk([]);
  return result;
}

/**
 * A writer's view of the shared store whose first `begin` and first
 * `history` wait for the scheduler's go; every other call passes through.
 */
class Gate {
  #waiting: (() => void) | undefined;
  #arrived: (() => void) | undefined;
  #arrival: Promise<void>;
  gatedCalls = 0;

  constructor() {
    this.#arrival = new Promise((resolve) => {
      this.#arrived = resolve;
    });
  }

  /** Called by the writer: waits for its turn. */
  pass(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#arrived?.();
    });
  }

  /** Called by the scheduler: resolves once the writer waits at the gate (or never gates again). */
  arrival(): Promise<void> {
    return this.#arrival;
  }

  /** Lets the waiting writer through; the next arrival is a new promise. */
  open(): void {
    this.#arrival = new Promise((resolve) => {
      this.#arrived = resolve;
    });
    const go = this.#waiting!;
    this.#waiting = undefined;
    go();
  }

  /** The writer has made its last gated call: the scheduler stops waiting for it. */
  release(): void {
    this.#arrived?.();
  }
}

function gated(store: Ledger, gate: Gate, done: { calls: Promise<unknown>[] }): Ledger {
  let begun = false;
  let read = false;
  const through = async <T>(call: () => Promise<T>, first: boolean): Promise<T> => {
    if (!first) return call();
    await gate.pass();
    const result = call();
    done.calls.push(result.catch(() => undefined));
    try {
      return await result;
    } finally {
      if (++gate.gatedCalls === 2) gate.release();
    }
  };
  return {
    describe: () => store.describe(),
    begin: (r) => {
      const first = !begun;
      begun = true;
      return through(() => store.begin(r), first);
    },
    history: (environment, limit) => {
      const first = !read;
      read = true;
      return through(() => store.history(environment, limit), first);
    },
    finish: (r, o) => store.finish(r, o),
    heartbeat: (r) => store.heartbeat(r),
    reload: (r) => store.reload(r),
    discard: (r) => store.discard(r),
    current: (e) => store.current(e),
    previousGood: (e) => store.previousGood(e),
    slots: (e) => store.slots(e),
    find: (e, v) => store.find(e, v),
    rollback: (r) => store.rollback(r),
  };
}

interface Result {
  kind: Kind;
  entry?: Release;
  claim?: EnvironmentClaim;
  refused?: boolean;
}

async function play(store: Ledger, kinds: Kind[], order: number[]) {
  const gates = kinds.map(() => new Gate());
  const done = { calls: [] as Promise<unknown>[] };
  let activeRollbacks = 0;
  const overlaps: string[] = [];
  const writers = kinds.map(async (kind, i): Promise<Result> => {
    const ledger = gated(store, gates[i]!, done);
    const entry = await ledger.begin({
      environment: 'production',
      version: `v${i}`,
      slot: i % 2 ? 'green' : 'blue',
      commit: 'a'.repeat(40),
      owner: { kind, run: String(100 + i), attempt: 1 },
      ...(kind === 'rollback' ? { flip: true } : {}),
    });
    let claim: EnvironmentClaim;
    try {
      claim = await EnvironmentClaim.take(ledger, entry, {
        heartbeatMs: 3_600_000,
        pollMs: 0,
        sleep: () => new Promise((resolve) => setImmediate(resolve)),
      });
    } catch (error) {
      if (!(error instanceof ClaimRefusedError)) throw error;
      gates[i]!.release();
      return { kind, entry, refused: true };
    } finally {
      gates[i]!.release();
    }
    await claim.stop();
    if (kind === 'rollback') {
      // The rollback's work: no other rollback may be at it meanwhile.
      if (activeRollbacks > 0)
        overlaps.push(`rollback ${i} took the environment while another rollback held it`);
      activeRollbacks++;
      await new Promise((resolve) => setImmediate(resolve));
      activeRollbacks--;
      await store.finish(claim.release, { status: 'success', reason: 'rolled back' });
    }
    return { kind, entry, claim };
  });
  for (const writer of order) {
    await gates[writer]!.arrival();
    gates[writer]!.open();
  }
  const results = await Promise.all(writers);
  await Promise.all(done.calls);
  return { results, overlaps };
}

async function check(store: Ledger, kinds: Kind[], order: number[]): Promise<void> {
  const { results, overlaps } = await play(store, kinds, order);
  const where = `writers ${kinds.join(',')} in order ${order.join('')}`;
  expect(overlaps, where).toEqual([]);
  const holding: Result[] = [];
  for (const result of results)
    if (result.kind === 'shift' && result.claim && (await result.claim.check()) === 'held')
      holding.push(result);
  expect(holding.length, `${where}: shifts holding`).toBeLessThanOrEqual(1);
  const rollbacks = results.filter((r) => r.kind === 'rollback' && r.claim);
  for (const shift of holding)
    for (const rollback of rollbacks)
      expect(
        Number(shift.entry!.id) > Number(rollback.entry!.id),
        `${where}: shift ${shift.entry!.id} still holds after rollback ${rollback.entry!.id} took over`,
      ).toBe(true);
  // Every rollback gets its turn: none is refused while others run.
  for (const rollback of results.filter((r) => r.kind === 'rollback'))
    expect(rollback.refused, `${where}: a rollback was refused`).toBeUndefined();
  // Every entry is readable and ended, but for the one holder.
  const history = await store.history('production', 50);
  const inProgress = history.filter((r) => r.status === 'in_progress').map((r) => r.id);
  expect(inProgress, where).toEqual(holding.map((h) => h.entry!.id));
  // A shift that went on while nothing stopped it: the others are refused or taken over.
  if (!rollbacks.length)
    expect(
      results.filter((r) => r.kind === 'shift' && r.claim).length,
      `${where}: shifts that took the environment`,
    ).toBe(1);
}

const mixes: Kind[][] = [
  ['shift', 'shift'],
  ['shift', 'rollback'],
  ['rollback', 'shift'],
  ['rollback', 'rollback'],
  ['shift', 'shift', 'shift'],
  ['shift', 'shift', 'rollback'],
  ['shift', 'rollback', 'shift'],
  ['rollback', 'shift', 'rollback'],
  ['rollback', 'rollback', 'rollback'],
];

describe('EnvironmentClaim under forced interleavings', () => {
  let dir: string;
  let fake: GitHubFake;
  let repository = 0;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'glidepath-claim-'));
    fake = await startGitHubFake({ repos: Array.from({ length: 800 }, (_, i) => `acme/claim${i}`) });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await fake?.close();
  });

  for (const kinds of mixes) {
    const all = orders(kinds.map(() => 2));
    it(`file ledger: ${kinds.join(', ')} — all ${all.length} orders of their begin and read`, async () => {
      for (const [n, order] of all.entries())
        await check(new FileLedger(path.join(dir, `${kinds.join('-')}-${n}.json`)), kinds, order);
    });
    it(`GitHub Deployments: ${kinds.join(', ')} — all ${all.length} orders of their begin and read`, async () => {
      for (const order of all) {
        const store = new GitHubLedger({
          token: fake.token,
          repository: `acme/claim${repository++}`,
          baseUrl: fake.url,
          client: githubClient(fake.token, { baseUrl: fake.url, throttle: false }),
        });
        await check(store, kinds, order);
        // A writer that listed an entry its refused writer then removed is
        // told 404 by GitHub, and takes it as gone; nothing else may be refused.
        const unexpected = fake
          .takeViolations()
          .filter((v) => !(v.status === 404 && v.problems.every((p) => /no deployment \d+/.test(p))));
        expect(unexpected, `writers ${kinds.join(',')} in order ${order.join('')}`).toEqual([]);
      }
      fake.assertNoViolations();
    });
  }
});
