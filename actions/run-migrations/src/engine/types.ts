import type { MigrationFile } from '../files.js';
import type { HistoryRow } from '../plan.js';

export const HISTORY_TABLE = 'glidepath_schema_history';

/** What every migration runs under, whatever the server. */
export interface Limits {
  /** How long one statement may wait for a lock before it gives up (0: no limit). */
  lockTimeoutMs: number;
  /** How long one statement may run (0: no limit). */
  statementTimeoutMs: number;
}

export interface Applied {
  file: MigrationFile;
  executionMs: number;
  /** Statements in the file (a transactional PostgreSQL file still goes to the server as one script). */
  statements: number;
}

/**
 * A database the built-in engine can migrate. The lock is a session-level
 * lock taken on the connection that does the work, so it lives exactly as long
 * as the work can: a session the server closes (an idle timeout, a pooler, a
 * killed runner) takes the lock with it only once its statement has ended, and
 * a statement still running for a killed run keeps the next run out until it
 * is over. Before each file and before each history row, the session checks
 * that it still holds the lock.
 */
export interface Database {
  readonly kind: 'postgres' | 'mysql';
  /** The server's own description (`SELECT version()`). */
  readonly serverVersion: string;
  /**
   * True when the server runs every client connection in one session
   * (PGlite's socket server does), so the lock cannot keep other runs out.
   */
  readonly sharedSession: boolean;
  /** What the log should say about this session's safeguards, once, after connecting. */
  readonly notes: readonly string[];
  /** One non-blocking attempt to take the lock on the work session. */
  tryLock(): Promise<boolean>;
  /** Who holds the lock, for a run that finds it taken (session id, program, state, statement), if visible. */
  lockHolder(): Promise<string | undefined>;
  /** Throws LockLostError unless the work session still holds the lock. */
  verifyLock(): Promise<void>;
  /**
   * Runs `work`, which does not use the database, while keeping the session
   * from looking idle (a ping every second, against idle timeouts) and checking
   * that it still holds the lock. Throws LockLostError after `work` when the
   * session or its lock was lost meanwhile.
   */
  whileIdle<T>(work: () => Promise<T>): Promise<T>;
  unlock(): Promise<void>;
  ensureHistoryTable(): Promise<void>;
  /** The history, or an empty list when the table does not exist yet (a dry run never creates it). */
  readHistory(): Promise<HistoryRow[]>;
  /** Applies one migration and records it; throws MigrationError (after recording the failure). */
  apply(file: MigrationFile, appliedBy: string): Promise<Applied>;
  /**
   * Asks the server, from a second connection, to cancel the statement
   * running on the work session (the job is being cancelled): the migration's
   * transaction rolls back and the run ends cleanly, instead of being killed halfway.
   */
  cancelRunning(): Promise<void>;
  close(): Promise<void>;
}
