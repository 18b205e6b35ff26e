import { createHash } from 'node:crypto';
import { formatDuration, OperationError, sleep } from '@glidepath/core';
import type { Database } from './engine/types.js';

/**
 * The PostgreSQL advisory-lock key for a lock name: the first 8 bytes of
 * sha256("glidepath:" + name), read as a signed big-endian 64-bit integer (the
 * type `pg_try_advisory_lock(bigint)` takes). Stable across runs, machines and
 * versions of this action, so every job migrating one database with one
 * `lock-name` contends for the same key. PostgreSQL scopes advisory locks to
 * the database, so the same name on two databases never collides.
 */
export function advisoryLockKey(name: string): bigint {
  return createHash('sha256').update(`glidepath:${name}`, 'utf8').digest().readBigInt64BE(0);
}

/**
 * The MySQL/MariaDB `GET_LOCK` name. Those locks are server-wide, not per
 * database, so the database is part of the name; names are limited to 64
 * characters, so a long one is shortened with a hash of the whole.
 */
export function namedLock(database: string, name: string): string {
  const full = `glidepath:${database}:${name}`;
  if (full.length <= 64) return full;
  return `glidepath:${createHash('sha256').update(full).digest('hex').slice(0, 54)}`;
}

export interface LockWait {
  /** How long to keep trying before failing. */
  waitMs: number;
  /** Longest pause between attempts (the first ones are shorter). */
  maxIntervalMs?: number;
  signal?: AbortSignal;
  /** Who holds the lock, as the server shows it; asked when the lock is found taken and when giving up. */
  holder?: () => Promise<string | undefined>;
  /** Called once, when the first attempt finds the lock taken, with the holder when known. */
  onBusy?: (holder: string | undefined) => void;
  now?: () => number;
}

/**
 * Takes the lock by polling a non-blocking attempt until `waitMs` has passed.
 * A blocking wait (`pg_advisory_lock`) is never used: it can deadlock with
 * `CREATE INDEX CONCURRENTLY` run by the lock holder, which waits for every
 * transaction that could see the table — the waiter's included. Returns how
 * long it waited.
 */
export async function acquireLock(tryLock: () => Promise<boolean>, options: LockWait): Promise<number> {
  const now = options.now ?? Date.now;
  const started = now();
  const maxInterval = options.maxIntervalMs ?? 1000;
  const holder = async () => (await options.holder?.().catch(() => undefined)) ?? undefined;
  let interval = Math.min(100, maxInterval);
  for (let attempt = 1; ; attempt++) {
    if (await tryLock()) return attempt === 1 ? 0 : now() - started;
    if (attempt === 1) options.onBusy?.(await holder());
    const waited = now() - started;
    if (waited >= options.waitMs)
      throw new OperationError(
        `Another run holds the migration lock${heldBy(await holder())}; gave up after waiting ${formatDuration(waited)} (lock-wait: ${formatDuration(options.waitMs)}). Nothing was applied by this run.`,
      );
    await sleep(Math.min(interval, Math.max(1, options.waitMs - waited)), options.signal);
    // Start quick so a lock released soon is taken soon, then back off to a steady poll.
    interval = Math.min(interval * 2, maxInterval);
  }
}

/** ` (held by …)` for a message, or nothing when the holder is not visible. */
export function heldBy(holder: string | undefined): string {
  return holder ? ` (held by ${holder})` : '';
}

/** Takes the database's migration lock, logging the wait and who held the lock; returns how long it waited. */
export async function takeMigrationLock(
  db: Pick<Database, 'tryLock' | 'lockHolder'>,
  options: { waitMs: number; signal?: AbortSignal | undefined; info: (line: string) => void },
): Promise<number> {
  const waited = await acquireLock(() => db.tryLock(), {
    waitMs: options.waitMs,
    ...(options.signal ? { signal: options.signal } : {}),
    holder: () => db.lockHolder(),
    onBusy: (holder) =>
      options.info(
        `Another run holds the migration lock${heldBy(holder)}; waiting up to ${formatDuration(options.waitMs)}.`,
      ),
  });
  options.info(`Lock taken${waited > 0 ? ` after waiting ${formatDuration(waited)}` : ''}.`);
  return waited;
}
