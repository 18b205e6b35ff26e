import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { OperationError } from '../errors.js';
import { sleep } from '../retry.js';

/**
 * A lock file beside the ledger file, so two writers (two jobs on one runner,
 * a local run beside the demo) never interleave their read-modify-write.
 *
 * The rules that make it safe for any number of writers:
 * - The lock appears whole or not at all: the holder record is written to a
 *   file of its own and hard-linked to the lock's name, which fails if the
 *   name exists (atomic on every local filesystem).
 * - Only removal needs care, since "remove it if it is still the one I judged
 *   stale" is not one system call. Every removal — a holder releasing its own
 *   lock, a writer breaking an abandoned one — takes a second, short-lived
 *   lock (`<lock>.removing`) first, re-reads the holder under it, and unlinks
 *   only if the token is the one it expects. A lock can only be created where
 *   none exists, so under that mutex nothing can replace the lock between the
 *   check and the unlink.
 * - A holder refreshes the lock's mtime while it works (a heartbeat), so "stale"
 *   means "no sign of life for `staleMs`" — or a holder on this host whose
 *   process is gone — never "held for long".
 * - Before it commits, the work can call `held()`, which fails if the lock is no
 *   longer this holder's (it was broken while the process was stopped).
 *
 * What remains: the removal mutex is held for a few system calls; one older
 * than 5 s is taken to be left by a writer killed inside that window and is
 * broken (renamed aside, and put back if it turns out to be a fresh one). A
 * writer stopped (SIGSTOP, a frozen VM) for more than 5 s inside that window
 * and then resumed, or three writers breaking one abandoned mutex at once
 * while a fourth takes a fresh one, could still race. Waits end at
 * `timeoutMs` whatever the state of the files.
 */

export interface LockOptions {
  /** How long to wait for another writer; default 10 s. */
  timeoutMs?: number;
  /** How long a lock may go without a heartbeat before it is taken to be abandoned; default 30 s. */
  staleMs?: number;
  /** How often a holder refreshes its lock; default a third of `staleMs`. */
  heartbeatMs?: number;
  signal?: AbortSignal;
}

interface Holder {
  pid: number;
  host: string;
  createdAt: string;
  token: string;
}

/** The age after which a removal mutex is taken to be left by a writer that died holding it. */
const REMOVAL_STALE_MS = 5_000;

export async function withFileLock<T>(
  lockPath: string,
  work: (held: () => Promise<void>) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 30_000;
  const token = await acquire(lockPath, { ...options, staleMs });
  const beat = setInterval(
    () => {
      void refresh(lockPath, token);
    },
    Math.max(1, options.heartbeatMs ?? Math.floor(staleMs / 3)),
  );
  beat.unref?.();
  const held = async () => {
    const current = await readHolder(lockPath);
    if (current === 'gone' || current.holder?.token !== token)
      throw new OperationError(
        `The ledger lock ${lockPath} was taken over while this run held it (it went ${Math.round(staleMs / 1000)} s without a sign of life, e.g. the process was stopped); nothing was written.`,
      );
  };
  try {
    return await work(held);
  } finally {
    clearInterval(beat);
    await removeIf(lockPath, token, options).catch(() => undefined);
  }
}

async function acquire(lockPath: string, options: LockOptions & { staleMs: number }): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = Date.now();
  const holder: Holder = {
    pid: process.pid,
    host: hostname(),
    createdAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; ; attempt++) {
    if (await createWhole(lockPath, JSON.stringify(holder))) return holder.token;
    const current = await readHolder(lockPath);
    const waited = Date.now() - started;
    // Removed only if, under the removal mutex, it is still the lock judged stale.
    if (
      current !== 'gone' &&
      isStale(current, options.staleMs) &&
      waited < timeoutMs &&
      (await removeIf(
        lockPath,
        current.holder?.token,
        { ...options, timeoutMs: timeoutMs - waited },
        {
          staleMs: options.staleMs,
          raw: current.raw,
        },
      ))
    )
      continue;
    if (waited >= timeoutMs) {
      const who =
        current === 'gone'
          ? 'a lock file that exists but cannot be read (a dangling symbolic link?)'
          : current.holder
            ? `process ${current.holder.pid} on ${current.holder.host} (since ${current.holder.createdAt})`
            : 'a writer whose lock is not a Glidepath lock record';
      throw new OperationError(
        `The ledger is locked by ${who}; gave up after ${Math.round(waited / 1000)} s. ` +
          `If no Glidepath run is using it, delete ${lockPath}${isStaleOrGone(current, options.staleMs) ? ` (and ${lockPath}.removing, if it is there)` : ''}.`,
      );
    }
    // Short, growing, jittered waits: the work under the lock takes milliseconds.
    const bound = Math.min(200, 5 * 2 ** attempt);
    await sleep(Math.min(bound / 2 + (Math.random() * bound) / 2, timeoutMs - waited), options.signal);
  }
}

/** Creates `file` with `content`, whole, only if it does not exist; false when it does. */
async function createWhole(file: string, content: string): Promise<boolean> {
  const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, content, { flag: 'wx', mode: 0o644 });
    await link(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Removes the lock if its holder's token is `token` — or, with `stale`, if it
 * is also still stale — under the removal mutex. Returns whether it removed it.
 * `stale.raw` stands in for the token of a lock whose record is not a Glidepath one.
 */
async function removeIf(
  lockPath: string,
  token: string | undefined,
  options: LockOptions,
  stale?: { staleMs: number; raw: string },
): Promise<boolean> {
  const mutex = `${lockPath}.removing`;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (let attempt = 0; !(await createWhole(mutex, String(process.pid))); attempt++) {
    await breakAbandonedMutex(mutex);
    if (Date.now() > deadline) return false;
    await sleep(Math.min(50, 2 ** attempt), options.signal);
  }
  try {
    const current = await readHolder(lockPath);
    if (current === 'gone') return false;
    const same = token !== undefined ? current.holder?.token === token : current.raw === stale?.raw;
    if (!same || (stale !== undefined && !isStale(current, stale.staleMs))) return false;
    await unlink(lockPath);
    return true;
  } finally {
    await unlink(mutex).catch(() => undefined);
  }
}

/**
 * Removes a removal mutex older than REMOVAL_STALE_MS (left by a writer killed
 * inside its few system calls). By name alone that could remove a fresh mutex
 * another writer took after this one looked, so the old one is renamed aside
 * and only deleted if it is the file that was judged (same inode); a fresh one
 * is linked back.
 */
async function breakAbandonedMutex(mutex: string): Promise<void> {
  const judged = await stat(mutex).catch(() => undefined);
  if (!judged || Date.now() - judged.mtimeMs <= REMOVAL_STALE_MS) return;
  const aside = `${mutex}.${process.pid}-${randomBytes(4).toString('hex')}.old`;
  try {
    await rename(mutex, aside);
  } catch {
    return;
  }
  const taken = await stat(aside).catch(() => undefined);
  if (taken && taken.ino !== judged.ino) await link(aside, mutex).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** The heartbeat: a fresh mtime, only on a lock that is still this holder's. */
async function refresh(lockPath: string, token: string): Promise<void> {
  const current = await readHolder(lockPath).catch(() => 'gone' as const);
  if (current === 'gone' || current.holder?.token !== token) return;
  const now = new Date();
  await utimes(lockPath, now, now).catch(() => undefined);
}

type HolderRead = 'gone' | { raw: string; holder?: Holder; ageMs: number };

async function readHolder(lockPath: string): Promise<HolderRead> {
  try {
    const [raw, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const ageMs = Date.now() - info.mtimeMs;
    try {
      const holder = JSON.parse(raw) as Holder;
      return typeof holder?.token === 'string' ? { raw, holder, ageMs } : { raw, ageMs };
    } catch {
      // Not a lock this code wrote (it writes whole records): judged by age only.
      return { raw, ageMs };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function isStaleOrGone(read: HolderRead, staleMs: number): boolean {
  return read === 'gone' || isStale(read, staleMs);
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
