import type { Connection, ConnectionOptions, RowDataPacket } from 'mysql2/promise';
import type { DatabaseTarget } from '../connection.js';
import { tlsOptions } from '../connection.js';
import type { MigrationFile } from '../files.js';
import type { HistoryRow } from '../plan.js';
import { keywordLine, type Statement, splitStatements } from '../sql/split.js';
import { explainServerError, MigrationError } from './errors.js';
import { applyEachStatement, keepingAlive, LockLostError, statementKind } from './session.js';
import { type Applied, type Database, HISTORY_TABLE, type Limits } from './types.js';

export interface MysqlOptions {
  target: DatabaseTarget;
  ca: string | undefined;
  limits: Limits;
  lockName: string;
  connectTimeoutMs?: number;
}

/**
 * MySQL and MariaDB through `mysql2`. DDL commits implicitly there, so a file
 * cannot be rolled back as a whole: statements run one by one, and a failure
 * names the statement, its line, and what of the file was already applied.
 *
 * Limits per session: `lock_wait_timeout` (metadata locks, which DDL takes)
 * and `innodb_lock_wait_timeout` (row locks) from lock-timeout, in whole
 * seconds (at least 1); statement-timeout as `max_statement_time` on MariaDB
 * (every statement) or `max_execution_time` on MySQL (read-only SELECTs only:
 * MySQL has no limit for DDL or writes).
 */
export async function connectMysql(options: MysqlOptions): Promise<Database> {
  const module = await import('mysql2/promise');
  // mysql2 is CommonJS: its functions are on the default export when bundled as ESM.
  const createConnection = (module.default ?? module).createConnection;
  const tls = tlsOptions(options.target.sslMode, options.ca);
  const config: ConnectionOptions = {
    host: options.target.host,
    port: options.target.port,
    user: options.target.user,
    password: options.target.password,
    database: options.target.database,
    connectTimeout: options.connectTimeoutMs ?? 30_000,
    multipleStatements: false,
    ...(tls ? { ssl: tls } : {}),
  };
  const work = await createConnection(config);
  work.on('error', () => {});
  const [rows] = await work.query<RowDataPacket[]>('SELECT VERSION() AS version');
  const serverVersion = String(rows[0]!.version);
  const db = new MysqlDatabase(createConnection, config, work, serverVersion, options);
  await db.applyLimits();
  return db;
}

class MysqlDatabase implements Database {
  readonly kind = 'mysql' as const;
  readonly sharedSession = false;
  readonly notes = [
    'MySQL/MariaDB do not notice a vanished client during a statement: a run killed mid-statement keeps the lock (and its statement runs on) until that statement ends.',
  ];
  /** Opened on the first cancel: a statement is killed from another connection. */
  private cancelConnection: Promise<Connection> | undefined;
  private readonly mariadb: boolean;

  constructor(
    private readonly createConnection: (config: ConnectionOptions) => Promise<Connection>,
    private readonly config: ConnectionOptions,
    private readonly work: Connection,
    readonly serverVersion: string,
    private readonly options: MysqlOptions,
  ) {
    this.mariadb = /mariadb/i.test(serverVersion);
  }

  async applyLimits(): Promise<void> {
    const { lockTimeoutMs, statementTimeoutMs } = this.options.limits;
    // 0 means "no limit" in this action; MySQL's largest value (a year) stands in for it.
    const lockSeconds = lockTimeoutMs > 0 ? Math.max(1, Math.ceil(lockTimeoutMs / 1000)) : 31_536_000;
    await this.work.query(`SET SESSION lock_wait_timeout = ${lockSeconds}`);
    await this.work.query(`SET SESSION innodb_lock_wait_timeout = ${Math.min(lockSeconds, 1_073_741_824)}`);
    if (this.mariadb) await this.work.query(`SET SESSION max_statement_time = ${statementTimeoutMs / 1000}`);
    else await this.work.query(`SET SESSION max_execution_time = ${Math.round(statementTimeoutMs)}`);
  }

  async tryLock(): Promise<boolean> {
    const [rows] = await this.work.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS locked', [
      this.options.lockName,
    ]);
    return Number(rows[0]!.locked) === 1;
  }

  async lockHolder(): Promise<string | undefined> {
    const [rows] = await this.work.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS id', [
      this.options.lockName,
    ]);
    const id = rows[0]?.id;
    if (id === null || id === undefined) return undefined;
    // The process list shows other users' connections only with the PROCESS privilege.
    const [processes] = await this.work.query<RowDataPacket[]>(
      'SELECT USER AS user, COMMAND AS command, TIME AS seconds, LEFT(INFO, 200) AS info FROM information_schema.PROCESSLIST WHERE ID = ?',
      [id],
    );
    const p = processes[0];
    const parts = [`MySQL/MariaDB connection id ${id}`];
    if (p)
      parts.push(
        `user ${p.user}, ${String(p.command).toLowerCase()} for ${p.seconds} s${p.info ? `, running ${statementKind(String(p.info))}` : ''}`,
      );
    return parts.join(', ');
  }

  private async holdsLock(): Promise<boolean> {
    const [rows] = await this.work.query<RowDataPacket[]>(
      'SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS held',
      [this.options.lockName],
    );
    return Number(rows[0]!.held) === 1;
  }

  async verifyLock(): Promise<void> {
    if (!(await this.holdsLock()))
      throw new LockLostError(
        `This run's connection (id ${this.work.threadId}) no longer holds the migration lock ${this.options.lockName}: a statement released it (RELEASE_LOCK, RELEASE_ALL_LOCKS), or a proxy multiplexes connections. Connect directly. Nothing more is applied.`,
      );
  }

  whileIdle<T>(work: () => Promise<T>): Promise<T> {
    return keepingAlive(
      async () => {
        await this.work.query('SELECT 1');
      },
      () => this.holdsLock(),
      work,
      `This run's connection (id ${this.work.threadId})`,
    );
  }

  async unlock(): Promise<void> {
    await this.work.query('SELECT RELEASE_LOCK(?)', [this.options.lockName]);
  }

  async ensureHistoryTable(): Promise<void> {
    await this.work.query(`CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
      version VARCHAR(64) NOT NULL PRIMARY KEY,
      name VARCHAR(255) NOT NULL,
      checksum CHAR(64) NOT NULL,
      applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      execution_ms INT NOT NULL,
      applied_by VARCHAR(255) NOT NULL,
      success BOOLEAN NOT NULL
    )`);
  }

  async readHistory(): Promise<HistoryRow[]> {
    const [tables] = await this.work.query<RowDataPacket[]>(
      'SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
      [HISTORY_TABLE],
    );
    if (tables.length === 0) return [];
    const [rows] = await this.work.query<RowDataPacket[]>(
      `SELECT version, name, checksum, applied_at, execution_ms, applied_by, success FROM ${HISTORY_TABLE}`,
    );
    return rows.map((r) => ({
      version: String(r.version),
      name: String(r.name),
      checksum: String(r.checksum),
      appliedAt: r.applied_at as Date,
      executionMs: Number(r.execution_ms),
      appliedBy: String(r.applied_by),
      success: Boolean(r.success),
    }));
  }

  async apply(file: MigrationFile, appliedBy: string): Promise<Applied> {
    const statements = splitStatements(file.sql, 'mysql');
    return applyEachStatement(
      file,
      statements,
      {
        query: (text) => this.work.query(text),
        verifyLock: () => this.verifyLock(),
        record: (success, executionMs) => this.record(file, appliedBy, executionMs, success),
      },
      (index, statement, error) => {
        const applied =
          index === 0
            ? 'No statement of this file had been applied.'
            : `Statements 1–${index} of ${statements.length} (up to line ${keywordLine(statements[index - 1]!)}) had been applied and stay applied: MySQL/MariaDB commit DDL implicitly. Make the database match the file (or undo those statements), delete the failed row for version ${file.version} from ${HISTORY_TABLE}, and run again.`;
        const line = mysqlErrorLine(error, statement);
        return new MigrationError(
          file,
          `${file.file}: statement ${index + 1} of ${statements.length} (line ${line}) failed: ${explainServerError(error, this.options.limits)}. ${applied}`,
          line,
          { cause: error },
        );
      },
    );
  }

  private async record(
    file: MigrationFile,
    appliedBy: string,
    executionMs: number,
    success: boolean,
  ): Promise<void> {
    await this.work.query(
      `INSERT INTO ${HISTORY_TABLE} (version, name, checksum, applied_at, execution_ms, applied_by, success)
       VALUES (?, ?, ?, CURRENT_TIMESTAMP(3), ?, ?, ?)
       ON DUPLICATE KEY UPDATE name = VALUES(name), checksum = VALUES(checksum), applied_at = VALUES(applied_at),
         execution_ms = VALUES(execution_ms), applied_by = VALUES(applied_by), success = VALUES(success)`,
      [file.version, file.name, file.checksum, executionMs, appliedBy, success],
    );
  }

  async cancelRunning(): Promise<void> {
    // The runner escalates to SIGKILL seconds after a cancel: no time for a slow connect.
    this.cancelConnection ??= this.createConnection({ ...this.config, connectTimeout: 3000 }).then(
      (connection) => {
        connection.on('error', () => {});
        return connection;
      },
    );
    // A failed attempt is not kept: the next cancel tries to connect again.
    const connection = await this.cancelConnection.catch((error: unknown) => {
      this.cancelConnection = undefined;
      throw error;
    });
    await connection.query(`KILL QUERY ${Number(this.work.threadId)}`);
  }

  async close(): Promise<void> {
    // Closing the work connection releases GET_LOCK even if unlock was never reached.
    await Promise.allSettled([this.work.end(), this.cancelConnection?.then((c) => c.end())]);
  }
}

/** MySQL says "… near 'x' at line N", N counted within the statement that was sent. */
function mysqlErrorLine(error: unknown, statement: Statement): number {
  const match = /at line (\d+)\s*$/.exec(String((error as { sqlMessage?: string }).sqlMessage ?? ''));
  return match ? statement.line + Number(match[1]) - 1 : keywordLine(statement);
}
