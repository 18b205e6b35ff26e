import { formatDuration, OperationError } from '@glidepath/core';
import type { MigrationFile } from '../files.js';
import { lineAt } from '../sql/split.js';

/** A migration that failed on the server, pointing at its file and line. */
export class MigrationError extends OperationError {
  override readonly name = 'MigrationError';
  constructor(
    readonly file: MigrationFile,
    message: string,
    readonly line: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(message, {
      cause: options.cause,
      target: { file: file.file, startLine: line ?? 1, title: `Migration ${file.version} failed` },
    });
  }
}

interface ServerError {
  message?: string;
  code?: string;
  position?: string;
  /** mysql2 */
  sqlMessage?: string;
  errno?: number;
}

/**
 * The line of the file where PostgreSQL says the error is: its `position` is a
 * 1-based character offset into the text that was sent, which started at
 * `offset` in the file.
 */
export function postgresErrorLine(file: MigrationFile, error: unknown, offset: number): number | undefined {
  const position = Number((error as ServerError).position);
  if (!Number.isFinite(position) || position < 1) return undefined;
  return lineAt(file.sql, offset + position - 1);
}

/** Explains the server's words in terms of the action's inputs, where one applies. */
export function explainServerError(
  error: unknown,
  limits: { lockTimeoutMs: number; statementTimeoutMs: number },
): string {
  const e = error as ServerError;
  const text = e.sqlMessage ?? e.message ?? String(error);
  // PostgreSQL: 55P03 lock_not_available; MySQL/MariaDB: 1205 ER_LOCK_WAIT_TIMEOUT.
  if (e.code === '55P03' || e.errno === 1205)
    return `${text} — the statement waited longer than lock-timeout (${formatDuration(limits.lockTimeoutMs)}) for a lock held by another session, and gave up instead of making every query queue behind it. Retry when that session is done, or raise lock-timeout.`;
  // PostgreSQL: 57014 query_canceled by statement_timeout; MariaDB 1969 ER_STATEMENT_TIMEOUT; MySQL 3024.
  if ((e.code === '57014' && /statement timeout/i.test(text)) || e.errno === 1969 || e.errno === 3024)
    return `${text} — the statement ran longer than statement-timeout (${formatDuration(limits.statementTimeoutMs)}).`;
  return e.code && !text.includes(e.code) ? `${text} (${e.code})` : text;
}
