/**
 * The migration lock is bound to the session that does the work, on real
 * PostgreSQL and MariaDB servers: an idle timeout cannot take it from a run
 * whose migration is still working, and a run killed during a long statement
 * keeps every other run out until the server has ended that statement.
 *
 * A "barrier" lock held by the test stands in for a long statement: a
 * migration that waits on it runs exactly as long as the test wants, whatever
 * the machine's speed.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain, type StepOptions } from '../../../test/harness/runner.js';
import { uniqueName } from '../../../test/support/services.js';
import { advisoryLockKey, namedLock } from '../src/lock.js';
import {
  createMariadbDatabase,
  createPostgresDatabase,
  type TestDatabase,
  until,
  workspaceWith,
} from './databases.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  // Last registered first: a role outlives the database it owns.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function migrate(
  url: string,
  workspace: string,
  inputs: StepOptions['inputs'] = {},
  extra: Partial<StepOptions> = {},
) {
  return runMain({
    action: 'run-migrations',
    cwd: workspace,
    inputs: { 'database-url': url, ...inputs },
    ...extra,
  });
}

/** Longer than any statement of these tests may take; the barrier decides when they end. */
const patient = { 'lock-timeout': '5m', 'statement-timeout': '5m' };

describe('PostgreSQL: the migration lock lives on the working session', () => {
  const BARRIER = 424242;

  async function database(): Promise<TestDatabase> {
    const db = await createPostgresDatabase();
    cleanups.push(() => db.drop());
    return db;
  }

  /** A login role that owns the database and whose sessions the server closes after `timeout` idle. */
  async function idleRole(db: TestDatabase, timeout: string): Promise<string> {
    const role = uniqueName('gp_idle');
    const password = 'idle-pw';
    await db.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    cleanups.push(() => db.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined));
    await db.query(`ALTER ROLE ${role} SET idle_session_timeout = '${timeout}'`);
    await db.query(`ALTER DATABASE ${db.name} OWNER TO ${role}`);
    const url = new URL(db.url);
    url.username = role;
    url.password = password;
    return url.toString();
  }

  /** The test's own session holds the barrier until `release`. */
  async function holdBarrier(db: TestDatabase) {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    cleanups.push(() => client.end().catch(() => undefined));
    await client.query('SELECT pg_advisory_lock($1)', [BARRIER]);
    return { release: () => client.query('SELECT pg_advisory_unlock($1)', [BARRIER]) };
  }

  /** The pid of the session waiting on the barrier, if one is. */
  async function waitingOnBarrier(db: TestDatabase): Promise<number | undefined> {
    const rows = await db.query<{ pid: number }>(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      [BARRIER],
    );
    return rows[0]?.pid;
  }

  /** The pid holding the default migration lock, as pg_locks shows it. */
  async function migrationLockHolder(db: TestDatabase): Promise<number | undefined> {
    const key = BigInt.asUintN(64, advisoryLockKey('glidepath'));
    const rows = await db.query<{ pid: number }>(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2 AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      [(key >> 32n).toString(), (key & 0xffffffffn).toString()],
    );
    return rows[0]?.pid;
  }

  async function alive(db: TestDatabase, pid: number): Promise<boolean> {
    return (await db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length > 0;
  }

  async function history(db: TestDatabase) {
    return (
      await db.query<{ version: string; success: boolean }>(
        'SELECT version, success FROM glidepath_schema_history ORDER BY version',
      )
    ).map((r) => [r.version, r.success]);
  }

  it("the role's idle_session_timeout cannot take the lock from a run whose migration is still working", async () => {
    const db = await database();
    const url = await idleRole(db, '4s');
    const barrier = await holdBarrier(db);
    const { workspace } = workspaceWith({
      '1_once.sql': `CREATE TABLE applied_once (n int);\nINSERT INTO applied_once VALUES (1);\nSELECT pg_advisory_lock(${BARRIER});\nSELECT pg_advisory_unlock(${BARRIER});`,
    });
    const first = migrate(url, workspace, patient);
    const worker = await until(() => waitingOnBarrier(db), "the first run's migration waits on the barrier");
    // Longer than idle_session_timeout: a lock on a session of its own, idle meanwhile, would be gone by now.
    await sleep(5000);
    expect(await migrationLockHolder(db)).toBe(worker);

    const second = await migrate(url, workspace, { ...patient, 'lock-wait': '1s' }, { timeoutMs: 60_000 });
    expect(second.exitCode, second.log).toBe(1);
    expect(second.log).toMatch(
      new RegExp(
        `Another run holds the migration lock \\(held by PostgreSQL session pid ${worker}, application_name glidepath-migrations run 1001, active for \\d+ s, running CREATE`,
      ),
    );
    expect(second.log).toContain('Nothing was applied by this run');

    await barrier.release();
    const done = await first;
    expect(done.exitCode, done.log).toBe(0);
    expect(await db.query('SELECT count(*)::int AS n FROM applied_once')).toEqual([{ n: 1 }]);
    expect(await history(db)).toEqual([['1', true]]);
    const third = await migrate(url, workspace, { 'lock-wait': '1s' });
    expect(third.exitCode, third.log).toBe(0);
    expect(third.outputs.applied).toBe('0');
  });

  it('a run killed during a long statement holds the lock until the server has cancelled that statement; the next run applies it alone', async () => {
    const db = await database();
    const barrier = await holdBarrier(db);
    const { workspace } = workspaceWith({
      '1_first.sql': 'CREATE TABLE first (id int);',
      '2_long.sql': `CREATE TABLE s (id int);\nSELECT pg_advisory_lock(${BARRIER});\nSELECT pg_advisory_unlock(${BARRIER});`,
    });
    let orphan = 0;
    const statementRunning = until(async () => {
      const pid = await waitingOnBarrier(db);
      if (pid !== undefined) orphan = pid;
      return pid;
    }, "the migration's statement waits on the barrier");
    const killed = await migrate(db.url, workspace, patient, {
      cancel: { when: statementRunning, signal: 'SIGKILL' },
    });
    expect(killed.signal).toBe('SIGKILL');

    // From the kill until the server has ended the orphaned statement, the lock is the orphan's.
    const outcome = await until(async () => {
      const holder = await migrationLockHolder(db);
      if (!(await alive(db, orphan))) return 'the orphaned session ended';
      if (holder !== orphan) {
        // An ending session drops its locks a moment before it leaves pg_stat_activity.
        await sleep(1000);
        if (!(await alive(db, orphan))) return 'the orphaned session ended';
        return `the lock is held by ${holder ?? 'nobody'} while pid ${orphan} still runs the statement`;
      }
      return undefined;
    }, 'the orphaned statement ends');
    expect(outcome).toBe('the orphaned session ended');
    expect(killed.log).toContain('client_connection_check_interval is 1000 ms on this session');
    // Cancelled by the server's client check, not finished: the barrier is still held, and the file rolled back.
    expect(await db.query("SELECT to_regclass('s') AS t")).toEqual([{ t: null }]);
    expect(await migrationLockHolder(db)).toBeUndefined();
    expect(await history(db)).toEqual([['1', true]]);

    await barrier.release();
    const next = await migrate(db.url, workspace, { 'lock-wait': '30s' });
    expect(next.exitCode, next.log).toBe(0);
    expect(next.outputs.applied).toBe('1');
    expect(await history(db)).toEqual([
      ['1', true],
      ['2', true],
    ]);
  });

  it('a file that releases the lock itself is rolled back and nothing after it runs', async () => {
    const db = await database();
    const { workspace } = workspaceWith({
      '1_releases.sql': 'CREATE TABLE released (id int);\nSELECT pg_advisory_unlock_all();',
      '2_after.sql': 'CREATE TABLE after_release (id int);',
    });
    const run = await migrate(db.url, workspace);
    expect(run.exitCode, run.log).toBe(1);
    expect(run.log).toMatch(/no longer holds the migration lock: a statement released it/);
    expect(await db.query("SELECT to_regclass('released') AS a, to_regclass('after_release') AS b")).toEqual([
      { a: null, b: null },
    ]);
    expect(await history(db)).toEqual([]);
  });

  it("engine: command keeps its lock session alive past the role's idle_session_timeout while the tool runs", async () => {
    const db = await database();
    const url = await idleRole(db, '4s');
    const { workspace } = workspaceWith({});
    const run = migrate(url, workspace, {
      engine: 'command',
      'command-shell': true,
      // Bounded: at most 60 s, however the test goes.
      command: 'touch started; for i in $(seq 600); do [ -e finish ] && exit 0; sleep 0.1; done; exit 3',
    });
    await until(async () => existsSync(path.join(workspace, 'started')) || undefined, 'the tool started');
    await sleep(5000);
    const holder = await migrationLockHolder(db);
    expect(holder).toBeDefined();
    expect(
      await db.query('SELECT usename, application_name FROM pg_stat_activity WHERE pid = $1', [holder]),
    ).toEqual([{ usename: new URL(url).username, application_name: 'glidepath-migrations run 1001' }]);
    writeFileSync(path.join(workspace, 'finish'), '');
    const result = await run;
    expect(result.exitCode, result.log).toBe(0);
    expect(result.log).not.toMatch(/lost|no longer holds/);
  });

  it('engine: command fails the step when the lock session is lost while the tool runs, saying another run may have started', async () => {
    const db = await database();
    const { workspace } = workspaceWith({});
    const run = migrate(db.url, workspace, {
      engine: 'command',
      'command-shell': true,
      command: 'touch started; for i in $(seq 600); do [ -e finish ] && exit 0; sleep 0.1; done; exit 3',
    });
    await until(async () => existsSync(path.join(workspace, 'started')) || undefined, 'the tool started');
    const holder = await until(() => migrationLockHolder(db), 'the lock is held');
    await db.query('SELECT pg_terminate_backend($1)', [holder]);
    writeFileSync(path.join(workspace, 'finish'), '');
    const result = await run;
    expect(result.exitCode, result.log).toBe(1);
    expect(result.log).toMatch(
      /This run's session \(pid \d+\) was lost \(.*\), and the lock with it while the work ran: another run may have started beside it/,
    );
  });
});

describe('MariaDB: the migration lock lives on the working connection', () => {
  async function database(): Promise<TestDatabase> {
    const db = await createMariadbDatabase();
    cleanups.push(() => db.drop());
    return db;
  }

  async function connectionTo(db: TestDatabase) {
    const connection = await mysql.createConnection(db.url);
    cleanups.push(() => connection.end().catch(() => undefined));
    return connection;
  }

  /**
   * The test's own transaction holds a row lock on `barrier` until `release`.
   * A row lock, because MariaDB ends a GET_LOCK or SLEEP wait within seconds
   * once the client is gone; it does not for an InnoDB row lock wait (nor for
   * a long ALTER or UPDATE), which is what leaves an orphan behind.
   */
  async function holdBarrier(db: TestDatabase) {
    await db.query('CREATE TABLE barrier (n int NOT NULL) ENGINE=InnoDB');
    await db.query('INSERT INTO barrier VALUES (0)');
    const connection = await connectionTo(db);
    await connection.query('BEGIN');
    await connection.query('SELECT n FROM barrier FOR UPDATE');
    return { id: connection.threadId, release: () => connection.query('COMMIT') };
  }

  async function waitingOnBarrier(db: TestDatabase): Promise<number | undefined> {
    const rows = await db.query<{ id: number }>(
      "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE barrier%' AND ID <> CONNECTION_ID()",
    );
    return rows[0] ? Number(rows[0].id) : undefined;
  }

  async function migrationLockHolder(db: TestDatabase): Promise<number | undefined> {
    const rows = await db.query<{ id: number | null }>('SELECT IS_USED_LOCK(?) AS id', [
      namedLock(db.name, 'glidepath'),
    ]);
    return rows[0]?.id === null || rows[0]?.id === undefined ? undefined : Number(rows[0].id);
  }

  async function alive(db: TestDatabase, id: number): Promise<boolean> {
    return (await db.query('SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ?', [id])).length > 0;
  }

  async function history(db: TestDatabase) {
    return (
      await db.query<{ version: string; success: number }>(
        'SELECT version, success FROM glidepath_schema_history ORDER BY version',
      )
    ).map((r) => [r.version, Boolean(r.success)]);
  }

  it('an idle-connection killer (wait_timeout, a proxy) cannot take the lock from a run whose migration is still working', async () => {
    const db = await database();
    const barrier = await holdBarrier(db);
    // What wait_timeout = 4 does, limited to this test's database: end every connection idle for 4 s or more.
    const killer = await connectionTo(db);
    const ownIds = [
      barrier.id,
      killer.threadId,
      Number((await db.query<{ id: number }>('SELECT CONNECTION_ID() AS id'))[0]!.id),
    ];
    let killing = true;
    const killed: number[] = [];
    const killLoop = (async () => {
      for (let round = 0; killing && round < 1200; round++) {
        const [rows] = (await killer.query(
          "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND COMMAND = 'Sleep' AND TIME >= 4 AND ID NOT IN (?)",
          [db.name, ownIds],
        )) as unknown as [{ id: number }[]];
        for (const row of rows) {
          await killer.query(`KILL ${Number(row.id)}`).catch(() => undefined);
          killed.push(Number(row.id));
        }
        await sleep(200);
      }
    })();
    cleanups.push(async () => {
      killing = false;
      await killLoop;
    });

    const { workspace } = workspaceWith({
      '1_once.sql': `CREATE TABLE applied_once (n int);\nINSERT INTO applied_once VALUES (1);\nUPDATE barrier SET n = n + 1;`,
    });
    const first = migrate(db.url, workspace, patient);
    const worker = await until(() => waitingOnBarrier(db), "the first run's statement waits on the barrier");
    await sleep(5000);
    expect(await migrationLockHolder(db)).toBe(worker);

    const second = await migrate(db.url, workspace, { ...patient, 'lock-wait': '1s' }, { timeoutMs: 60_000 });
    expect(second.exitCode, second.log).toBe(1);
    expect(second.log).toMatch(
      new RegExp(
        `Another run holds the migration lock \\(held by MySQL/MariaDB connection id ${worker}, user \\w+, query for \\d+ s, running UPDATE`,
      ),
    );
    await barrier.release();
    const done = await first;
    expect(done.exitCode, done.log).toBe(0);
    expect(killed).not.toContain(worker);
    expect(await db.query('SELECT count(*) AS n FROM applied_once')).toEqual([{ n: 1 }]);
    expect(await history(db)).toEqual([['1', true]]);
  });

  it('a run killed during a long statement keeps the lock while the orphaned statement runs; the next run refuses, naming it, then goes alone', async () => {
    const db = await database();
    const barrier = await holdBarrier(db);
    const { workspace } = workspaceWith({
      '1_first.sql': 'CREATE TABLE first (id int);',
      '2_long.sql': `CREATE TABLE IF NOT EXISTS s (id int);\nUPDATE barrier SET n = n + 1;`,
    });
    let orphan = 0;
    const statementRunning = until(async () => {
      const id = await waitingOnBarrier(db);
      if (id !== undefined) orphan = id;
      return id;
    }, "the migration's statement waits on the barrier");
    const killed = await migrate(db.url, workspace, patient, {
      cancel: { when: statementRunning, signal: 'SIGKILL' },
    });
    expect(killed.signal).toBe('SIGKILL');
    // MariaDB does not notice the vanished client while the statement waits: the orphan runs on,
    // and holds the lock all along (ten looks, a tenth of a second apart).
    for (let look = 0; look < 10; look++) {
      expect(await alive(db, orphan)).toBe(true);
      expect(await migrationLockHolder(db)).toBe(orphan);
      await sleep(100);
    }
    const refused = await migrate(
      db.url,
      workspace,
      { ...patient, 'lock-wait': '1s' },
      { timeoutMs: 60_000 },
    );
    expect(refused.exitCode, refused.log).toBe(1);
    expect(refused.log).toContain(`held by MySQL/MariaDB connection id ${orphan}`);
    expect(await history(db)).toEqual([['1', true]]);

    // Once the orphan's statement is over, the server ends its session and the lock with it.
    await barrier.release();
    await until(async () => ((await alive(db, orphan)) ? undefined : true), 'the orphaned session ends');
    const next = await migrate(db.url, workspace, { ...patient, 'lock-wait': '30s' });
    expect(next.exitCode, next.log).toBe(0);
    expect(await history(db)).toEqual([
      ['1', true],
      ['2', true],
    ]);
  });
});
