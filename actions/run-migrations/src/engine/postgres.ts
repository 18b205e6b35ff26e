import { OperationError } from '@glidepath/core';
import type { Client, ClientConfig } from 'pg';
import type { DatabaseTarget } from '../connection.js';
import { tlsOptions } from '../connection.js';
import type { MigrationFile } from '../files.js';
import type { HistoryRow } from '../plan.js';
import { firstKeyword, keywordLine, splitStatements, stripLeadingComments } from '../sql/split.js';
import { explainServerError, MigrationError, postgresErrorLine } from './errors.js';
import { applyEachStatement, keepingAlive, LockLostError, statementKind } from './session.js';
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
    application_name: applicationName(),
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
  const singleSession = isPglite(serverVersion);
  const notes: string[] = [];
  if (!singleSession) notes.push(await watchForDeadClient(work));
  return new PostgresDatabase(pg, config, work, workPid, serverVersion, options, singleSession, notes);
}

/**
 * PostgreSQL 14+ on Linux can check, while a statement runs, that the client
 * is still there (`client_connection_check_interval`), and cancel the
 * statement if it is not. A run killed during a long statement then leaves no
 * orphan holding the lock for the rest of that statement. Returns the line the
 * log shows about it.
 */
async function watchForDeadClient(work: Client): Promise<string> {
  const { rows } = await work.query<{ n: number }>("SELECT current_setting('server_version_num')::int AS n");
  if (rows[0]!.n < 140000)
    return 'PostgreSQL before 14 cannot notice a vanished client during a statement: a run killed mid-statement keeps the lock until its statement ends.';
  try {
    await work.query(`SET client_connection_check_interval = '${DEAD_CLIENT_CHECK_MS}ms'`);
    return `client_connection_check_interval is ${DEAD_CLIENT_CHECK_MS} ms on this session: if this run is killed, the server cancels its statement and releases the lock.`;
  } catch (error) {
    return `client_connection_check_interval could not be set (${postgresMessage(error)}): a run killed mid-statement keeps the lock until its statement ends.`;
  }
}

const DEAD_CLIENT_CHECK_MS = 1000;

function postgresMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `glidepath-migrations`, with the workflow run when there is one, so that an
 * operator looking at pg_stat_activity can find the run that holds the lock
 * (at most 63 bytes, PostgreSQL's limit).
 */
function applicationName(): string {
  const run = process.env.GITHUB_RUN_ID;
  return (run ? `glidepath-migrations run ${run}` : 'glidepath-migrations').slice(0, 63);
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
  readonly sharedSession: boolean;
  /** Whether tryLock has run once (its first attempt checks for a session shared through a pooler). */
  private attempted = false;
  /** Opened on the first cancel: a statement is cancelled from another session. */
  private cancelSession: Promise<Client> | undefined;

  constructor(
    private readonly pg: typeof import('pg').default,
    private readonly config: ClientConfig,
    private readonly work: Client,
    private readonly workPid: number,
    readonly serverVersion: string,
    private readonly options: PostgresOptions,
    singleSession: boolean,
    readonly notes: readonly string[],
  ) {
    this.sharedSession = singleSession;
  }

  /**
   * The lock's row in `pg_locks` (aliased `l`): a bigint key shows as classid
   * (its high 32 bits) and objid (its low 32 bits), with objsubid 1.
   */
  private get lockRow(): string {
    const key = BigInt.asUintN(64, this.options.lockKey);
    // Advisory locks belong to a database: the same key in another database is another lock.
    return `l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.classid = ${key >> 32n} AND l.objid = ${key & 0xffffffffn} AND l.objsubid = 1`;
  }

  private async holdsLock(): Promise<boolean> {
    const { rows } = await this.work.query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND ${this.lockRow}) AS held`,
    );
    return rows[0]!.held;
  }

  async tryLock(): Promise<boolean> {
    if (!this.sharedSession && !this.attempted) {
      // Advisory locks are re-entrant within a server session: one this session
      // holds already was taken by another client sharing it through a pooler.
      this.attempted = true;
      if (await this.holdsLock())
        throw this.pooled('already holds the migration lock before this run took it');
    }
    const result = await this.work.query<{ locked: boolean; pid: number }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS locked, pg_backend_pid() AS pid',
      [this.options.lockKey.toString()],
    );
    const { locked, pid } = result.rows[0]!;
    if (!this.sharedSession && pid !== this.workPid) {
      if (locked)
        await this.work
          .query('SELECT pg_advisory_unlock($1::bigint)', [this.options.lockKey.toString()])
          .catch(() => undefined);
      throw this.pooled(`answered from server session ${pid}, not ${this.workPid}`);
    }
    return locked;
  }

  private pooled(what: string): OperationError {
    return new OperationError(
      `This run's connection ${what}: the connection goes through a pooler that shares server sessions (PgBouncer in transaction or statement mode), where a session lock cannot keep two runs apart. Connect run-migrations directly to PostgreSQL, or through session pooling. Nothing was applied.`,
    );
  }

  async lockHolder(): Promise<string | undefined> {
    const { rows } = await this.work.query<{
      pid: number;
      application_name: string | null;
      state: string | null;
      seconds: number | null;
      query: string | null;
    }>(
      `SELECT l.pid, a.application_name, a.state,
         extract(epoch FROM now() - a.state_change)::int AS seconds, a.query
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE ${this.lockRow} LIMIT 1`,
    );
    const row = rows[0];
    if (!row) return undefined;
    const parts = [`PostgreSQL session pid ${row.pid}`];
    if (row.application_name) parts.push(`application_name ${row.application_name}`);
    if (row.state)
      parts.push(
        `${row.state}${row.seconds !== null ? ` for ${row.seconds} s` : ''}${row.state === 'active' && row.query ? `, running ${statementKind(row.query)}` : ''}`,
      );
    return parts.join(', ');
  }

  async verifyLock(): Promise<void> {
    if (this.sharedSession) return;
    if (!(await this.holdsLock()))
      throw new LockLostError(
        `This run's session (pid ${this.workPid}) no longer holds the migration lock: a statement released it (pg_advisory_unlock_all, DISCARD ALL), or a pooler in transaction mode moved the session. Connect directly or through session pooling. Nothing more is applied.`,
      );
  }

  whileIdle<T>(work: () => Promise<T>): Promise<T> {
    return keepingAlive(
      async () => {
        await this.work.query('SELECT 1');
      },
      async () => this.sharedSession || (await this.holdsLock()),
      work,
      `This run's session (pid ${this.workPid})`,
    );
  }

  async unlock(): Promise<void> {
    await this.work.query('SELECT pg_advisory_unlock($1::bigint)', [this.options.lockKey.toString()]);
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
    await this.rollbackUnless(() => this.verifyLock());
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
    // The file may have released the lock itself; then nothing of it is committed.
    await this.rollbackUnless(() => this.verifyLock());
    await this.work.query(`${this.recordSql(file, appliedBy, executionMs, true)}; COMMIT`);
    return { file, executionMs, statements: statements.length };
  }

  /** Runs `check` inside the open transaction, rolling it back when the check throws. */
  private async rollbackUnless(check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (error) {
      await this.work.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async applyOutsideTransaction(file: MigrationFile, appliedBy: string): Promise<Applied> {
    // A previous file may have changed session settings; restore ours before each such file.
    await this.work.query(sessionLimits(this.options.limits));
    const statements = splitStatements(file.sql, 'postgres');
    return applyEachStatement(
      file,
      statements,
      {
        query: (text) => this.work.query(text),
        verifyLock: () => this.verifyLock(),
        record: (success, executionMs) => this.record(file, appliedBy, executionMs, success),
      },
      (index, statement, error) => {
        const done =
          index === 0
            ? 'No statement of it had been applied.'
            : `Statements 1–${index} of ${statements.length} had been applied and stay applied (this file runs outside a transaction).`;
        return new MigrationError(
          file,
          `${file.file}: statement ${index + 1} of ${statements.length} (line ${keywordLine(statement)}) failed: ${explainServerError(error, this.options.limits)}. ${done}`,
          postgresErrorLine(file, error, statement.offset) ?? keywordLine(statement),
          { cause: error },
        );
      },
    );
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
    if (this.sharedSession) return;
    this.cancelSession ??= (async () => {
      const client = new this.pg.Client({
        ...this.config,
        application_name: 'glidepath-migrations-cancel',
        // The runner escalates to SIGKILL seconds after a cancel: no time for a slow connect.
        connectionTimeoutMillis: 3000,
      });
      client.on('error', () => {});
      await client.connect();
      return client;
    })();
    // A failed attempt is not kept: the next cancel tries to connect again.
    const client = await this.cancelSession.catch((error: unknown) => {
      this.cancelSession = undefined;
      throw error;
    });
    await client.query('SELECT pg_cancel_backend($1)', [this.workPid]);
  }

  async close(): Promise<void> {
    // Ending the work session releases the lock even if unlock was never reached.
    await Promise.allSettled([this.work.end(), this.cancelSession?.then((client) => client.end())]);
  }
}
