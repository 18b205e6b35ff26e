/**
 * The ledger's file lock under forced interleavings: every file-system call
 * the lock makes is held back by a seeded random delay, so two or three
 * writers racing to break an abandoned lock (and to take, refresh and release
 * it) interleave their calls in a different order in each round. Whatever the
 * order, at most one writer may be inside the lock at a time.
 */
import { execFile } from 'node:child_process';
import * as realFs from 'node:fs/promises';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../../../test/support/random.js';

/** The delay before each of the lock's file-system calls; replaced per round. */
const chaos = vi.hoisted(() => ({ delay: async () => {} }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const gated =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await chaos.delay();
      const result = await call(...args);
      await chaos.delay();
      return result;
    };
  return {
    ...fs,
    link: gated(fs.link),
    unlink: gated(fs.unlink),
    rename: gated(fs.rename),
    readFile: gated(fs.readFile),
    writeFile: gated(fs.writeFile),
    stat: gated(fs.stat),
    open: gated(fs.open),
    utimes: gated(fs.utimes),
  };
});

const { withFileLock } = await import('../../src/ledger/lock.js');

let dir: string;
let deadPid: number;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'glidepath-lock-'));
  // A pid that has exited: the holder of the abandoned lock every round starts with.
  deadPid = await new Promise<number>((resolve) => {
    const child = execFile(process.execPath, ['-e', '']);
    child.on('exit', () => resolve(child.pid ?? 0));
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function round(seed: number, writers: number) {
  const random = seededRandom(seed);
  chaos.delay = () => new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 4)));
  const lockPath = path.join(dir, `ledger-${seed}-${writers}.json.lock`);
  await realFs.writeFile(
    lockPath,
    JSON.stringify({
      pid: deadPid,
      host: hostname(),
      createdAt: new Date().toISOString(),
      token: 'abandoned',
    }),
  );
  let inside = 0;
  let most = 0;
  const results = await Promise.allSettled(
    Array.from({ length: writers }, () =>
      withFileLock(
        lockPath,
        async (held?: () => Promise<void>) => {
          inside++;
          most = Math.max(most, inside);
          await chaos.delay();
          await held?.();
          inside--;
        },
        { timeoutMs: 20_000 },
      ),
    ),
  );
  return { most, failed: results.filter((r) => r.status === 'rejected'), lockPath };
}

describe('the ledger file lock under forced interleavings', () => {
  for (const writers of [2, 3])
    it(`never lets two of ${writers} writers hold it at once, in 40 orders of their file-system calls`, async () => {
      for (let seed = 1; seed <= 40; seed++) {
        const { most, failed } = await round(seed * 7919 + writers, writers);
        expect(failed, `seed ${seed}`).toEqual([]);
        expect(most, `seed ${seed}: writers inside the lock at once`).toBe(1);
      }
      // Nothing is left behind: no lock, no removal mutex, no temporary file.
      expect((await readdir(dir)).filter((f) => f.includes(`-${writers}.json.lock`))).toEqual([]);
    }, 120_000);

  it('a holder stopped past the stale age finds, before it writes, that its lock was taken over', async () => {
    chaos.delay = async () => {};
    const lockPath = path.join(dir, 'stopped.json.lock');
    let taken!: () => void;
    const takenOver = new Promise<void>((resolve) => {
      taken = resolve;
    });
    // A stands for a stopped process: no heartbeat, and it resumes only once B holds the lock.
    const stopped = withFileLock(
      lockPath,
      async (held) => {
        await takenOver;
        await held();
      },
      { staleMs: 200, heartbeatMs: 3_600_000 },
    );
    await vi.waitFor(async () => expect(await readdir(dir)).toContain('stopped.json.lock'), {
      timeout: 20_000,
    });
    const next = withFileLock(
      lockPath,
      async (held) => {
        await held();
        taken();
      },
      { staleMs: 200, timeoutMs: 20_000 },
    );
    await expect(next).resolves.toBeUndefined();
    await expect(stopped).rejects.toThrow(/was taken over while this run held it.*nothing was written/);
  });

  it('a live holder that refreshes its lock is never broken, however long it holds it', async () => {
    chaos.delay = async () => {};
    const lockPath = path.join(dir, 'live.json.lock');
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = 0;
    const first = withFileLock(
      lockPath,
      async (held) => {
        holding++;
        await done;
        await held();
        holding--;
      },
      { staleMs: 3_000, heartbeatMs: 50 },
    );
    await vi.waitFor(() => expect(holding).toBe(1), { timeout: 20_000 });
    // The second writer waits more than two stale ages: the heartbeat keeps the lock fresh.
    const second = withFileLock(lockPath, async () => {}, { staleMs: 3_000, timeoutMs: 7_000 });
    await expect(second).rejects.toThrow(/The ledger is locked by process/);
    release();
    await expect(first).resolves.toBeUndefined();
  }, 30_000);

  it('breaks a removal mutex left by a killed writer, and ends every wait at timeoutMs whatever the files are', async () => {
    chaos.delay = async () => {};
    const abandoned = (lockPath: string) =>
      realFs.writeFile(
        lockPath,
        JSON.stringify({
          pid: deadPid,
          host: hostname(),
          createdAt: new Date().toISOString(),
          token: 'gone',
        }),
      );
    // An abandoned lock and the removal mutex of a writer killed while breaking it, ten seconds ago.
    const leftBehind = path.join(dir, 'left.json.lock');
    await abandoned(leftBehind);
    await realFs.writeFile(`${leftBehind}.removing`, '1');
    const old = new Date(Date.now() - 10_000);
    await realFs.utimes(`${leftBehind}.removing`, old, old);
    await expect(withFileLock(leftBehind, async () => 'ran', { timeoutMs: 20_000 })).resolves.toBe('ran');
    expect((await readdir(dir)).filter((f) => f.startsWith('left.json.lock'))).toEqual([]);

    // A lock that is a dangling symbolic link: it exists and cannot be read.
    const dangling = path.join(dir, 'dangling.json.lock');
    await realFs.symlink(path.join(dir, 'nowhere'), dangling);
    await expect(withFileLock(dangling, async () => {}, { timeoutMs: 300 })).rejects.toThrow(
      /exists but cannot be read.*gave up after/,
    );

    // A removal mutex that can never be taken (a directory in its place): the wait still ends.
    const blocked = path.join(dir, 'blocked.json.lock');
    await abandoned(blocked);
    await realFs.mkdir(`${blocked}.removing`);
    await expect(withFileLock(blocked, async () => {}, { timeoutMs: 300 })).rejects.toThrow(
      /locked by process .*gave up after 0 s.*and .*blocked\.json\.lock\.removing, if it is there/,
    );
  }, 60_000);
});
