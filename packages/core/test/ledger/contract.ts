import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ledger } from '../../src/ledger/index.js';

/**
 * The behaviour every ledger store must have, run against each store. A
 * store's `open` gives a fresh, empty ledger; `check` runs after each test
 * (the GitHub store asserts that the fake saw no invalid request).
 */
export function ledgerContract(
  name: string,
  hooks: {
    open: () => Promise<Ledger>;
    check?: () => void | Promise<void>;
    /** Told of an entry the test removed, which the store may be asked about and answer "not found". */
    gone?: (id: string) => void;
  },
): void {
  describe(`${name}: the ledger contract`, () => {
    let ledger: Ledger;
    const commit = (n: number) => String(n).repeat(40).slice(0, 40);

    beforeEach(async () => {
      vi.stubEnv('GITHUB_SERVER_URL', 'https://github.com');
      vi.stubEnv('GITHUB_REPOSITORY', 'acme/shop');
      vi.stubEnv('GITHUB_RUN_ID', '4242');
      // What Actions sets; the GitHub store names it as the ref of a release without a commit.
      vi.stubEnv('GITHUB_SHA', 'f'.repeat(40));
      ledger = await hooks.open();
    });

    afterEach(async () => {
      vi.unstubAllEnvs();
      await hooks.check?.();
    });

    /** A release that went live: begin, then success. */
    async function live(version: string, slot: string, environment = 'production') {
      const begun = await ledger.begin({ environment, version, slot, commit: commit(version.length) });
      return ledger.finish(begun, { status: 'success' });
    }

    it('records a release in progress, then its outcome, with the run’s log URL', async () => {
      const begun = await ledger.begin({
        environment: 'production',
        version: 'registry.example/shop@sha256:1111',
        slot: 'green',
        commit: commit(1),
        environmentUrl: 'https://shop.example',
      });
      expect(begun).toMatchObject({
        environment: 'production',
        version: 'registry.example/shop@sha256:1111',
        slot: 'green',
        commit: commit(1),
        status: 'in_progress',
        good: false,
        logUrl: 'https://github.com/acme/shop/actions/runs/4242',
        environmentUrl: 'https://shop.example',
      });
      expect(await ledger.current('production')).toBeUndefined();

      const finished = await ledger.finish(begun, { status: 'success', reason: 'all 4 steps passed' });
      expect(finished).toMatchObject({
        id: begun.id,
        status: 'success',
        good: true,
        reason: 'all 4 steps passed',
      });
      // The environment URL given at the start stays with the release.
      expect(finished.environmentUrl).toBe('https://shop.example');
      const [read] = await ledger.history('production');
      expect(read).toMatchObject({
        id: begun.id,
        status: 'success',
        good: true,
        reason: 'all 4 steps passed',
      });
      expect((await ledger.current('production'))?.id).toBe(begun.id);
    });

    it('answers what is live, what was good before it and what runs in each slot', async () => {
      const v1 = await live('v1', 'blue');
      const v2 = await live('v2', 'green');

      const history = await ledger.history('production');
      expect(history.map((r) => [r.version, r.status, r.good])).toEqual([
        ['v2', 'success', true],
        // Superseded, as GitHub's auto_inactive does, but still a good release.
        ['v1', 'inactive', true],
      ]);
      expect((await ledger.current('production'))?.id).toBe(v2.id);
      expect((await ledger.previousGood('production'))?.id).toBe(v1.id);

      // A release that fails stays recorded in its slot but changes neither answer.
      const v3 = await ledger.begin({ environment: 'production', version: 'v3', slot: 'blue' });
      await ledger.finish(v3, { status: 'failure', reason: 'error rate 12% > 1% at step 5%' });
      expect((await ledger.current('production'))?.version).toBe('v2');
      expect((await ledger.previousGood('production'))?.version).toBe('v1');
      const slots = await ledger.slots('production');
      expect(Object.keys(slots).sort()).toEqual(['blue', 'green']);
      expect(slots.blue).toMatchObject({ version: 'v3', status: 'failure', good: false });
      expect(slots.green).toMatchObject({ version: 'v2', status: 'success' });
      expect(await ledger.find('production', 'v3')).toMatchObject({
        status: 'failure',
        reason: 'error rate 12% > 1% at step 5%',
      });
      expect(await ledger.find('production', 'v9')).toBeUndefined();
    });

    it('keeps environments apart', async () => {
      await live('v1', 'blue', 'production');
      await live('s1', 'blue', 'staging');
      await live('s2', 'green', 'staging');
      expect((await ledger.current('production'))?.version).toBe('v1');
      expect((await ledger.current('staging'))?.version).toBe('s2');
      expect(await ledger.previousGood('production')).toBeUndefined();
      expect((await ledger.history('staging')).map((r) => r.version)).toEqual(['s2', 's1']);
      expect(await ledger.history('qa')).toEqual([]);
      expect(await ledger.slots('qa')).toEqual({});
    });

    it('limits the history, newest first', async () => {
      for (const version of ['v1', 'v2', 'v3', 'v4']) await live(version, 'blue');
      expect((await ledger.history('production', 2)).map((r) => r.version)).toEqual(['v4', 'v3']);
    });

    it('records a rollback: the abandoned release fails, the restored one is live again', async () => {
      const v1 = await live('v1', 'blue');
      const v2 = await live('v2', 'green');
      const restored = await ledger.rollback({
        environment: 'production',
        from: v2,
        to: { version: v1.version, slot: v1.slot, ...(v1.commit ? { commit: v1.commit } : {}) },
        reason: 'p99 latency 2.1 s > 500 ms',
      });
      expect(restored).toMatchObject({
        version: 'v1',
        slot: 'blue',
        status: 'success',
        good: true,
        rollbackFrom: 'v2',
        reason: 'Rollback from v2: p99 latency 2.1 s > 500 ms',
      });
      expect(restored.id).not.toBe(v1.id);
      expect((await ledger.current('production'))?.id).toBe(restored.id);
      expect(await ledger.find('production', 'v2')).toMatchObject({
        id: v2.id,
        status: 'failure',
        good: false,
        reason: 'Rolled back: p99 latency 2.1 s > 500 ms',
      });
      // v2 is bad and v1 is what runs: there is nothing left to go back to.
      expect(await ledger.previousGood('production')).toBeUndefined();
      const slots = await ledger.slots('production');
      expect(slots.blue?.id).toBe(restored.id);
      expect(slots.green?.id).toBe(v2.id);
    });

    it('keeps a cancelled release out of the good ones', async () => {
      await live('v1', 'blue');
      const v2 = await ledger.begin({ environment: 'production', version: 'v2', slot: 'green' });
      const cancelled = await ledger.finish(v2, { status: 'inactive', reason: 'job cancelled at step 25%' });
      expect(cancelled).toMatchObject({
        status: 'inactive',
        good: false,
        reason: 'job cancelled at step 25%',
      });
      expect((await ledger.current('production'))?.version).toBe('v1');
      expect(await ledger.previousGood('production')).toBeUndefined();
    });

    it('keeps who holds an entry, reads it back, and a heartbeat never revives an ended one', async () => {
      const owner = { kind: 'rollback' as const, run: '4242', attempt: 2 };
      const begun = await ledger.begin({
        environment: 'production',
        version: 'v1',
        slot: 'blue',
        commit: commit(1),
        owner,
        flip: true,
      });
      expect(begun).toMatchObject({ owner, flip: true, status: 'in_progress' });
      const beat = await ledger.heartbeat(begun);
      expect(beat).toMatchObject({ id: begun.id, status: 'in_progress', owner, flip: true });
      expect(await ledger.reload(begun)).toMatchObject({ id: begun.id, status: 'in_progress', owner });

      await ledger.finish(begun, { status: 'error', reason: 'Taken over by a rollback' });
      // The holder's heartbeat and its success both arrive after the entry was ended: neither counts.
      expect(await ledger.heartbeat(begun)).toMatchObject({ status: 'error' });
      expect(await ledger.finish(begun, { status: 'success' })).toMatchObject({
        status: 'error',
        good: false,
      });
      expect(await ledger.reload(begun)).toMatchObject({
        status: 'error',
        reason: 'Taken over by a rollback',
      });
      expect(await ledger.current('production')).toBeUndefined();
    });

    it('removes an entry that changed nothing, and tells a gone entry apart', async () => {
      const v1 = await live('v1', 'blue');
      const refused = await ledger.begin({
        environment: 'production',
        version: 'v2',
        slot: 'blue',
        commit: commit(2),
      });
      await ledger.discard(refused);
      hooks.gone?.(refused.id);
      expect(await ledger.reload(refused)).toBeUndefined();
      expect(await ledger.heartbeat(refused)).toBeUndefined();
      expect((await ledger.history('production')).map((r) => r.id)).toEqual([v1.id]);
      // blue still runs v1: the removed entry says nothing about it.
      expect((await ledger.slots('production')).blue?.id).toBe(v1.id);
    });

    it('passes over a flip that did not succeed when asked what runs in a slot', async () => {
      const v1 = await live('v1', 'blue');
      const flip = await ledger.begin({
        environment: 'production',
        version: 'v0',
        slot: 'blue',
        commit: commit(3),
        flip: true,
      });
      await ledger.finish(flip, { status: 'error', reason: 'the router refused' });
      expect((await ledger.slots('production')).blue?.id).toBe(v1.id);
      expect(await ledger.find('production', 'v0')).toBeUndefined();
      const done = await ledger.finish(
        await ledger.begin({
          environment: 'production',
          version: 'v1',
          slot: 'blue',
          commit: commit(1),
          flip: true,
        }),
        { status: 'success' },
      );
      expect((await ledger.slots('production')).blue?.id).toBe(done.id);
    });
  });
}
