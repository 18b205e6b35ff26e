import type { Client, ClientConfig } from 'pg';
import type { DatabaseTarget } from '../connection.js';
import { tlsOptions } from '../connection.js';
import type { MigrationFile } from '../files.js';
import type { HistoryRow } from '../plan.js';
import { firstKeyword, keywordLine, splitStatements, stripLeadingComments } from '../sql/split.js';
import { explainServerError, MigrationError, postgresErrorLine } from './errors.js';
import { type Applied, type Database, HISTORY_TABLE, type Limits } from './types.js';

export interface PostgresOptions {
  target: DatabaseTarget;
  ca: string | undefined;
  limits: Limits;
  lockKey: bigint;
  /** Abort a connection attempt after this long. */
  connectTimeoutMs?: number;
}

/**
 * PostgreSQL through `pg`. Each migration runs in its own transaction, sent
 * as one script so that the server's error position maps onto the file, with
 * `SET LOCAL lock_timeout` and `statement_timeout` in force. A file marked
 * `-- glidepath:no-transaction` runs statement by statement in autocommit
 * mode, under the same limits set on the session.
 */
export async function connectPostgres(options: PostgresOptions): Promise<Database> {
  const pg = (await import('pg')).default;
  const config: ClientConfig = {
    host: options.target.host,
    port: options.target.port,
    user: options.target.user,
    password: options.target.password,
    database: options.target.database,
    ssl: tlsOptions(options.target.sslMode, options.ca),
    application_name: 'glidepath-migrations',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 30_000,
  };
  const work = new pg.Client(config);
  work.on('error', () => {
    // A dropped connection surfaces as the rejected query; this only keeps Node from crashing first.
  });
  await work.connect();
  const identity = await work.query<{ version: string; pid: number }>(
    'SELECT version() AS version, pg_backend_pid() AS pid',
  );
  const { version: serverVersion, pid: workPid } = identity.rows[0]!;
  await work.query(sessionLimits(options.limits));
  return new PostgresDatabase(pg, config, work, workPid, serverVersion, options, isPglite(serverVersion));
}

/**
 * PGlite (PostgreSQL in WebAssembly, the demo's database) is a single session:
 * its socket server runs every client connection in it, and by default
 * accepts only one connection. There the lock is taken on the work connection
 * itself — which is what two connections would amount to anyway.
 */
export function isPglite(serverVersion: string): boolean {
  return /\bPGlite\b|emscripten/i.test(serverVersion);
}

/** Statements that end or start a transaction (savepoints are fine inside ours). */
function controlsTransaction(text: string): boolean {
  const keyword = firstKeyword(text);
  if (keyword === 'ROLLBACK')
    return !/^\s*ROLLBACK\s+(WORK\s+|TRANSACTION\s+)?TO\b/i.test(stripLeadingComments(text));
  if (keyword === 'START') return /^\s*START\s+TRANSACTION\b/i.test(stripLeadingComments(text));
  return keyword === 'BEGIN' || keyword === 'COMMIT' || keyword === 'ABORT';
}

/** Milliseconds as PostgreSQL wants a setting; 0 disables the limit, as in PostgreSQL. */
function ms(value: number): string {
  return `'${Math.round(value)}ms'`;
}

function sessionLimits(limits: Limits): string {
  return `SET lock_timeout = ${ms(limits.lockTimeoutMs)}; SET statement_timeout = ${ms(limits.statementTimeoutMs)}`;
}

class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  sharedSession = false;
  private lockClient: Client | undefined;

  constructor(
    private readonly pg: typeof import('pg').default,
    private readonly config: ClientConfig,
    private readonly work: Client,
    private readonly workPid: number,
    readonly serverVersion: string,
    private readonly options: PostgresOptions,
    private readonly singleSession: boolean,
  ) {
    this.sharedSession = singleSession;
  }

  async tryLock(): Promise<boolean> {
    if (!this.lockClient && this.singleSession) this.lockClient = this.work;
    if (!this.lockClient) {
      const client = new this.pg.Client(this.config);
      client.on('error', () => {});
      await client.connect();
      this.lockClient = client;
      const [a, b] = await Promise.all([
        client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
        this.work.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
      ]);
      this.sharedSession = a.rows[0]!.pid === b.rows[0]!.pid;
    }
    const result = await this.lockClient.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS locked',
      [this.options.lockKey.toString()],
    );
    return result.rows[0]!.locked;
  }

  async unlock(): Promise<void> {
    if (!this.lockClient) return;
    await this.lockClient.query('SELECT pg_advisory_unlock($1::bigint)', [this.options.lockKey.toString()]);
  }

  async ensureHistoryTable(): Promise<void> {
    await this.work.query(`CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum char(64) NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      execution_ms integer NOT NULL,
      applied_by text NOT NULL,
      success boolean NOT NULL
    )`);
  }

  async readHistory(): Promise<HistoryRow[]> {
    const exists = await this.work.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
      HISTORY_TABLE,
    ]);
    if (!exists.rows[0]?.t) return [];
    const result = await this.work.query(
      `SELECT version, name, checksum, applied_at, execution_ms, applied_by, success FROM ${HISTORY_TABLE}`,
    );
    return result.rows.map((r) => ({
      version: r.version,
      name: r.name,
      checksum: r.checksum,
      appliedAt: r.applied_at,
      executionMs: r.execution_ms,
      appliedBy: r.applied_by,
      success: r.success,
    }));
  }

  async apply(file: MigrationFile, appliedBy: string): Promise<Applied> {
    return file.directives.noTransaction
      ? this.applyOutsideTransaction(file, appliedBy)
      : this.applyInTransaction(file, appliedBy);
  }

  private async applyInTransaction(file: MigrationFile, appliedBy: string): Promise<Applied> {
    const statements = splitStatements(file.sql, 'postgres');
    // A COMMIT inside the file would end our transaction halfway and make the file half-applicable.
    const control = statements.find((s) => controlsTransaction(s.text));
    if (control)
      throw new MigrationError(
        file,
        `${file.file}: line ${keywordLine(control)} controls the transaction itself (${firstKeyword(control.text)}); the action already runs each file in one transaction. Remove it, or mark the file -- glidepath:no-transaction. Nothing of the file was applied.`,
        keywordLine(control),
      );
    const { lockTimeoutMs, statementTimeoutMs } = this.options.limits;
    await this.work.query(
      `BEGIN; SET LOCAL lock_timeout = ${ms(lockTimeoutMs)}; SET LOCAL statement_timeout = ${ms(statementTimeoutMs)}`,
    );
    const started = performance.now();
    try {
      await this.work.query(file.sql);
    } catch (error) {
      const executionMs = Math.round(performance.now() - started);
      await this.work.query('ROLLBACK').catch(() => undefined);
      await this.record(file, appliedBy, executionMs, false).catch(() => undefined);
      throw new MigrationError(
        file,
        `${file.file}: ${explainServerError(error, this.options.limits)}. The migration was rolled back; nothing of it was applied.`,
        postgresErrorLine(file, error, 0),
        { cause: error },
      );
    }
    const executionMs = Math.round(performance.now() - started);
    await this.work.query(`${this.recordSql(file, appliedBy, executionMs, true)}; COMMIT`);
    return { file, executionMs, statements: statements.length };
  }

  private async applyOutsideTransaction(file: MigrationFile, appliedBy: string): Promise<Applied> {
    // A previous file may have changed session settings; restore ours before each such file.
    await this.work.query(sessionLimits(this.options.limits));
    const statements = splitStatements(file.sql, 'postgres');
    const started = performance.now();
    for (const [index, statement] of statements.entries()) {
      try {
        await this.work.query(statement.text);
      } catch (error) {
        const executionMs = Math.round(performance.now() - started);
        await this.record(file, appliedBy, executionMs, false).catch(() => undefined);
        const done =
          index === 0
            ? 'No statement of it had been applied.'
            : `Statements 1–${index} of ${statements.length} had been applied and stay applied (this file runs outside a transaction).`;
        throw new MigrationError(
          file,
          `${file.file}: statement ${index + 1} of ${statements.length} (line ${keywordLine(statement)}) failed: ${explainServerError(error, this.options.limits)}. ${done}`,
          postgresErrorLine(file, error, statement.offset) ?? keywordLine(statement),
          { cause: error },
        );
      }
    }
    const executionMs = Math.round(performance.now() - started);
    await this.record(file, appliedBy, executionMs, true);
    return { file, executionMs, statements: statements.length };
  }

  private recordSql(file: MigrationFile, appliedBy: string, executionMs: number, success: boolean): string {
    const lit = (v: string) => this.work.escapeLiteral(v);
    return `INSERT INTO ${HISTORY_TABLE} (version, name, checksum, applied_at, execution_ms, applied_by, success)
      VALUES (${lit(file.version)}, ${lit(file.name)}, ${lit(file.checksum)}, now(), ${executionMs}, ${lit(appliedBy)}, ${success})
      ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum,
        applied_at = EXCLUDED.applied_at, execution_ms = EXCLUDED.execution_ms,
        applied_by = EXCLUDED.applied_by, success = EXCLUDED.success`;
  }

  private async record(
    file: MigrationFile,
    appliedBy: string,
    executionMs: number,
    success: boolean,
  ): Promise<void> {
    await this.work.query(this.recordSql(file, appliedBy, executionMs, success));
  }

  async cancelRunning(): Promise<void> {
    // On PGlite there is one session and no second connection to cancel from.
    if (!this.lockClient || this.lockClient === this.work) return;
    await this.lockClient.query('SELECT pg_cancel_backend($1)', [this.workPid]);
  }

  async close(): Promise<void> {
    // Ending the lock connection releases the lock even if unlock was never reached.
    await Promise.allSettled([
      this.work.end(),
      this.lockClient === this.work ? undefined : this.lockClient?.end(),
    ]);
  }
}
