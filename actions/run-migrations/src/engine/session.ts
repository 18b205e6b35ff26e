import { errorMessage, OperationError } from '@glidepath/core';
import type { MigrationFile } from '../files.js';
import type { Statement } from '../sql/split.js';
import { type Applied, HISTORY_TABLE } from './types.js';

/** The work session no longer holds the migration lock: another run may be migrating beside this one. */
export class LockLostError extends OperationError {
  override readonly name = 'LockLostError';
}

/** How often a session that waits on something else says it is alive. */
const PING_INTERVAL_MS = 1000;
/** A ping unanswered for this long means the connection is gone (dropped without a word). */
const PING_TIMEOUT_MS = 5000;

/**
 * Runs `work` while `ping` (a trivial query) runs every second on the session,
 * so that an idle timeout (PostgreSQL `idle_session_timeout`, MySQL
 * `wait_timeout`, a pooler's or load balancer's) does not close it, and with it
 * the lock. Once `work` has ended, `check` says whether the lock is still held.
 * A ping that fails or goes unanswered for 5 s marks the session lost; that,
 * or a negative check, is thrown once `work` has ended: `work` is not
 * interrupted, because a migration tool stopped halfway can leave a worse
 * state than one that finishes.
 */
export async function keepingAlive<T>(
  ping: () => Promise<void>,
  check: () => Promise<boolean>,
  work: () => Promise<T>,
  describe: string,
): Promise<T> {
  let lost: string | undefined;
  let pinging = false;
  const losing = (error: unknown) => {
    lost ??= `${describe} was lost (${errorMessage(error)}), and the lock with it`;
  };
  const timer = setInterval(() => {
    if (pinging || lost) return;
    pinging = true;
    answered(ping(), 'a ping')
      .catch(losing)
      .finally(() => {
        pinging = false;
      });
  }, PING_INTERVAL_MS);
  let result: T;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
  }
  // A ping still in flight is not waited for: one that hangs must not hold the step.
  if (!lost)
    await answered(check(), 'the lock check').then((held) => {
      if (!held) lost = `${describe} no longer holds the migration lock`;
    }, losing);
  if (lost)
    throw new LockLostError(
      `${lost} while the work ran: another run may have started beside it. Check ${HISTORY_TABLE} and the other runs before running again.`,
    );
  return result;
}

/**
 * The first keyword of a statement (`CREATE`, `UPDATE`…): enough to tell a
 * migration at work from an idle session, without quoting another session's
 * statement (its literals may be secrets) into this job's log.
 */
export function statementKind(text: string): string {
  return (
    /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'a statement'
  );
}

/** `promise`, or a rejection once it has gone PING_TIMEOUT_MS without settling. */
async function answered<T>(promise: Promise<T>, what: string): Promise<T> {
  let timeout: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timeout = setTimeout(
          () => reject(new Error(`no answer to ${what} within ${PING_TIMEOUT_MS / 1000} s`)),
          PING_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timeout);
  }
}

/** What `applyEachStatement` needs of an engine's session. */
export interface StatementRunner {
  query(text: string): Promise<unknown>;
  /** Throws when this run no longer holds the migration lock. */
  verifyLock(): Promise<void>;
  /** Writes the file's history row: success, or the failure that stops the run. */
  record(success: boolean, executionMs: number): Promise<void>;
}

/**
 * Runs a file statement by statement, outside any transaction (MySQL and MariaDB always;
 * PostgreSQL for a file marked to run outside one). A failed statement records the file as
 * failed and throws the engine's own MigrationError, which says what stays applied; the lock
 * is verified again before success is recorded.
 */
export async function applyEachStatement(
  file: MigrationFile,
  statements: Statement[],
  session: StatementRunner,
  failure: (index: number, statement: Statement, error: unknown) => Error,
): Promise<Applied> {
  await session.verifyLock();
  const started = performance.now();
  for (const [index, statement] of statements.entries()) {
    try {
      await session.query(statement.text);
    } catch (error) {
      await session.record(false, Math.round(performance.now() - started)).catch(() => undefined);
      throw failure(index, statement, error);
    }
  }
  const executionMs = Math.round(performance.now() - started);
  await session.verifyLock();
  await session.record(true, executionMs);
  return { file, executionMs, statements: statements.length };
}
