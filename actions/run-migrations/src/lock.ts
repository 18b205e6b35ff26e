import { createHash } from 'node:crypto';
import { formatDuration, OperationError, sleep } from '@glidepath/core';

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
  /** Called once, when the first attempt finds the lock taken. */
  onBusy?: () => void;
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
  let interval = Math.min(100, maxInterval);
  for (let attempt = 1; ; attempt++) {
    if (await tryLock()) return attempt === 1 ? 0 : now() - started;
    if (attempt === 1) options.onBusy?.();
    const waited = now() - started;
    if (waited >= options.waitMs)
      throw new OperationError(
        `Another run holds the migration lock; gave up after waiting ${formatDuration(waited)} (lock-wait: ${formatDuration(options.waitMs)}). Nothing was applied by this run.`,
      );
    await sleep(Math.min(interval, Math.max(1, options.waitMs - waited)), options.signal);
    // Start quick so a lock released soon is taken soon, then back off to a steady poll.
    interval = Math.min(interval * 2, maxInterval);
  }
}
