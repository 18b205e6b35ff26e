import { errorMessage, OperationError } from '@glidepath/core';
import { HISTORY_TABLE } from './types.js';

/** The work session no longer holds the migration lock: another run may be migrating beside this one. */
export class LockLostError extends OperationError {
  override readonly name = 'LockLostError';
}

/** How often a session that waits on something else says it is alive. */
const PING_INTERVAL_MS = 1000;

/**
 * Runs `work` while `ping` runs every second on the session, so that an idle
 * timeout (PostgreSQL `idle_session_timeout`, MySQL `wait_timeout`, a pooler's
 * or load balancer's) does not close it, and with it the lock. `ping` resolves
 * to whether the lock is still held, and runs once more when `work` has ended.
 * The first failed or negative ping is kept and thrown once `work` has ended: `work` is not interrupted, because a
 * migration tool stopped halfway can leave a worse state than one that finishes.
 */
export async function keepingAlive<T>(
  ping: () => Promise<boolean>,
  work: () => Promise<T>,
  describe: string,
): Promise<T> {
  let lost: string | undefined;
  let pinging: Promise<void> | undefined;
  const check = () =>
    ping().then(
      (held) => {
        if (!held) lost ??= `${describe} no longer holds the migration lock`;
      },
      (error: unknown) => {
        lost ??= `${describe} was lost (${errorMessage(error)}), and the lock with it`;
      },
    );
  const timer = setInterval(() => {
    if (pinging || lost) return;
    pinging = check().finally(() => {
      pinging = undefined;
    });
  }, PING_INTERVAL_MS);
  let result: T;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
    await pinging;
  }
  // Once more at the end: a session lost after the last ping must not pass as held.
  if (!lost) await check();
  if (lost)
    throw new LockLostError(
      `${lost} while the work ran: another run may have started beside it. Check ${HISTORY_TABLE} and the other runs before running again.`,
    );
  return result;
}
