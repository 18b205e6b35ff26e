import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { OperationError } from '../errors.js';
import { sleep } from '../retry.js';

/**
 * A lock file beside the ledger file, so two writers (two jobs on one runner,
 * a local run beside the demo) never interleave their read-modify-write. It is
 * created with O_EXCL (`wx`), which the filesystem makes atomic, and holds
 * who took it. A lock whose holder died (same host, pid gone) or that is older
 * than `staleMs` is broken; waiting is bounded and ends with an error that
 * says who holds the lock.
 */

export interface LockOptions {
  /** How long to wait for another writer; default 10 s. */
  timeoutMs?: number;
  /** Age after which a lock is considered abandoned whoever holds it; default 60 s. */
  staleMs?: number;
  signal?: AbortSignal;
}

interface Holder {
  pid: number;
  host: string;
  createdAt: string;
  token: string;
}

export async function withFileLock<T>(
  lockPath: string,
  work: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const token = await acquire(lockPath, options);
  try {
    return await work();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, options: LockOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 60_000;
  const started = Date.now();
  const holder: Holder = {
    pid: process.pid,
    host: hostname(),
    createdAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify(holder));
      } finally {
        await handle.close();
      }
      return holder.token;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = await readHolder(lockPath);
    if (current === 'gone') continue;
    if (isStale(current, staleMs)) {
      await breakLock(lockPath, current.raw);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) {
      const who = current.holder
        ? `process ${current.holder.pid} on ${current.holder.host} (since ${current.holder.createdAt})`
        : 'a writer that has not finished writing the lock';
      throw new OperationError(
        `The ledger is locked by ${who}; gave up after ${Math.round(waited / 1000)} s. ` +
          `If no Glidepath run is using it, delete ${lockPath}.`,
      );
    }
    // Short, growing, jittered waits: the work under the lock takes milliseconds.
    const bound = Math.min(200, 5 * 2 ** attempt);
    await sleep(Math.min(bound / 2 + (Math.random() * bound) / 2, timeoutMs - waited), options.signal);
  }
}

async function release(lockPath: string, token: string): Promise<void> {
  // Remove the lock only if it is still ours: if it was broken as stale while
  // we worked, it may belong to another writer by now.
  const current = await readHolder(lockPath);
  if (current !== 'gone' && current.holder?.token === token) await unlink(lockPath).catch(() => undefined);
}

type HolderRead = 'gone' | { raw: string; holder?: Holder; ageMs: number };

async function readHolder(lockPath: string): Promise<HolderRead> {
  try {
    const [raw, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const ageMs = Date.now() - info.mtimeMs;
    try {
      return { raw, holder: JSON.parse(raw) as Holder, ageMs };
    } catch {
      // Created but not yet written by its holder.
      return { raw, ageMs };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function isStale(read: Exclude<HolderRead, 'gone'>, staleMs: number): boolean {
  if (read.ageMs > staleMs) return true;
  const holder = read.holder;
  return holder !== undefined && holder.host === hostname() && !processAlive(holder.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock without removing a fresh one that replaced it: the lock
 * is renamed away (atomic), and if what was renamed is not the stale lock that
 * was judged, it is linked back (link fails rather than overwrite).
 */
async function breakLock(lockPath: string, staleRaw: string): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const taken = await readFile(aside, 'utf8').catch(() => staleRaw);
  if (taken !== staleRaw) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}
