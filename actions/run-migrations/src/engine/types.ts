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
 * A database the built-in engine can migrate. The lock lives on its own
 * connection, separate from the one that does the work, so that nothing a
 * migration does (a failed transaction, a timeout) can drop the lock, and a
 * killed process drops it with its connection.
 */
export interface Database {
  readonly kind: 'postgres' | 'mysql';
  /** The server's own description (`SELECT version()`). */
  readonly serverVersion: string;
  /**
   * True when the lock connection and the work connection turned out to be one
   * server session (PGlite's socket server multiplexes every client onto its
   * single session), so the lock cannot keep other runs out.
   */
  readonly sharedSession: boolean;
  /** Opens the work connection and applies the timeouts. The lock connection opens on first tryLock. */
  tryLock(): Promise<boolean>;
  unlock(): Promise<void>;
  ensureHistoryTable(): Promise<void>;
  /** The history, or an empty list when the table does not exist yet (a dry run never creates it). */
  readHistory(): Promise<HistoryRow[]>;
  /** Applies one migration and records it; throws MigrationError (after recording the failure). */
  apply(file: MigrationFile, appliedBy: string): Promise<Applied>;
  /**
   * Asks the server to cancel the statement running on the work connection
   * (the job is being cancelled): the migration's transaction rolls back and
   * the run ends cleanly, instead of being killed halfway.
   */
  cancelRunning(): Promise<void>;
  close(): Promise<void>;
}
