import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { everythingVisible, runMain, type StepOptions } from '../../../test/harness/runner.js';
import { serviceUrl } from '../../../test/support/services.js';
import { advisoryLockKey } from '../src/lock.js';
import {
  createPostgresDatabase,
  type TestDatabase,
  workspaceWith,
  workspaceWithFixture,
} from './databases.js';

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});
async function database(): Promise<TestDatabase> {
  const db = await createPostgresDatabase();
  databases.push(db);
  return db;
}

function migrate(
  db: TestDatabase,
  workspace: string,
  inputs: StepOptions['inputs'] = {},
  extra: Partial<StepOptions> = {},
) {
  return runMain({
    action: 'run-migrations',
    cwd: workspace,
    inputs: { 'database-url': db.url, ...inputs },
    ...extra,
  });
}

async function history(db: TestDatabase) {
  return db.query<{ version: string; success: boolean; checksum: string }>(
    'SELECT version, success, checksum FROM glidepath_schema_history ORDER BY applied_at, version',
  );
}

describe('run-migrations on PostgreSQL 15', () => {
  it('applies the realistic fixture set to an empty database, then nothing on a second run', async () => {
    const db = await database();
    const { workspace } = workspaceWithFixture('postgres');
    const first = await migrate(db, workspace, { lint: 'error' });
    expect(first.exitCode, first.log).toBe(0);
    expect(first.outputs.applied).toBe('22');
    expect(first.outputs['current-version']).toBe('20240601120000');
    expect(JSON.parse(first.outputs.findings!)).toEqual([]);
    const rows = await history(db);
    expect(rows).toHaveLength(22);
    expect(rows.every((r) => r.success && /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    // The schema is really there: the backfill, functions, triggers and concurrent indexes did their work.
    expect(await db.query('SELECT name FROM products ORDER BY id')).toHaveLength(3);
    await db.query("INSERT INTO accounts (email) VALUES ('A@Example.com')");
    const [order] = await db.query<{ id: string }>(
      'INSERT INTO orders (account_id) SELECT id FROM accounts RETURNING id',
    );
    expect(await db.query('SELECT action FROM audit_log')).toEqual([{ action: 'INSERT' }]);
    expect(await db.query('SELECT order_total_cents($1) AS t', [order!.id])).toEqual([{ t: '0' }]);
    expect(
      await db.query(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_email_normalized_idx'::regclass",
      ),
    ).toEqual([{ indisvalid: true }]);
    expect(first.summary).toContain('Applied **22** migration(s)');
    expect(first.summary).toContain('| 7 | index_orders_account |');

    const second = await migrate(db, workspace, { lint: 'error' });
    expect(second.exitCode, second.log).toBe(0);
    expect(second.outputs.applied).toBe('0');
    expect(second.outputs['current-version']).toBe('20240601120000');
    expect(second.log).toContain('Nothing to apply');
    expect(await history(db)).toHaveLength(22);
  });

  it('two runs started at the same moment apply every migration exactly once', async () => {
    const db = await database();
    const { workspace } = workspaceWith({
      '1_create_applications.sql': 'CREATE TABLE applications (version int PRIMARY KEY);',
      '2_slow.sql': 'SELECT pg_sleep(2);\nINSERT INTO applications VALUES (2);',
      '3_third.sql': 'INSERT INTO applications VALUES (3);',
    });
    const [a, b] = await Promise.all([migrate(db, workspace), migrate(db, workspace)]);
    expect(a.exitCode, a.log).toBe(0);
    expect(b.exitCode, b.log).toBe(0);
    expect([a.outputs.applied, b.outputs.applied].sort()).toEqual(['0', '3']);
    const waiter = a.outputs.applied === '0' ? a : b;
    // The holder is named: the other run's working session, in the middle of its statement or between two.
    expect(waiter.log).toMatch(
      /Another run holds the migration lock \(held by PostgreSQL session pid \d+, application_name glidepath-migrations run 1001, (active|idle)[^)]*\); waiting up to 5m/,
    );
    const waited = /Lock taken after waiting ([\d.]+m?s)/.exec(waiter.log)?.[1];
    expect(waited).toBeDefined();
    console.log(`second run waited ${waited} for the lock`);
    expect(await db.query('SELECT version FROM applications ORDER BY version')).toEqual([
      { version: 2 },
      { version: 3 },
    ]);
    expect(await history(db)).toHaveLength(3);
  });

  it('a run that cannot get the lock within lock-wait fails cleanly, applying nothing', async () => {
    const db = await database();
    const { workspace } = workspaceWith({ '1_a.sql': 'CREATE TABLE a (id int);' });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [advisoryLockKey('glidepath').toString()]);
      const run = await migrate(db, workspace, { 'lock-wait': '1s' });
      expect(run.exitCode).toBe(1);
      expect(run.annotations.find((a) => a.level === 'error')?.message).toMatch(
        /Another run holds the migration lock \(held by PostgreSQL session pid \d+, idle for \d+ s\); gave up after waiting .*\(lock-wait: 1s\)\. Nothing was applied/,
      );
      expect(await db.query("SELECT to_regclass('a') AS t")).toEqual([{ t: null }]);
      // A dry run takes no lock, so it is not held up by the lock holder.
      const dry = await migrate(db, workspace, { 'dry-run': true, 'lock-wait': '1s' });
      expect(dry.exitCode, dry.log).toBe(0);
      expect(JSON.parse(dry.outputs.plan!).pending.map((p: { version: string }) => p.version)).toEqual(['1']);
    } finally {
      await holder.end();
    }
  });

  it('after kill -9 during a long migration, a new run takes the lock once the session ends, with no phantom success', async () => {
    const db = await database();
    await db.query('CREATE TABLE sleep_control (seconds float8 NOT NULL)');
    await db.query('INSERT INTO sleep_control VALUES (30)');
    const { workspace } = workspaceWith({
      '1_first.sql': 'CREATE TABLE first (id int);',
      '2_long.sql': 'SELECT pg_sleep(seconds) FROM sleep_control;\nCREATE TABLE after_sleep (id int);',
      '3_third.sql': 'CREATE TABLE third (id int);',
    });
    const killed = await migrate(
      db,
      workspace,
      {},
      { cancel: { whenLog: /::group::Migration 2 long/, signal: 'SIGKILL' } },
    );
    expect(killed.signal).toBe('SIGKILL');
    expect((await history(db)).map((r) => [r.version, r.success])).toEqual([['1', true]]);

    await db.query('UPDATE sleep_control SET seconds = 0');
    const started = Date.now();
    const rerun = await migrate(db, workspace, { 'lock-wait': '60s' });
    expect(rerun.exitCode, rerun.log).toBe(0);
    console.log(`after kill -9 the new run finished in ${Date.now() - started}ms`);
    expect(rerun.outputs.applied).toBe('2');
    expect((await history(db)).filter((r) => r.success).map((r) => r.version)).toEqual(['1', '2', '3']);
  });

  it('a cancelled job cancels the running migration on the server: rolled back, recorded as failed, lock released', async () => {
    const db = await database();
    const { workspace } = workspaceWith({
      '1_first.sql': 'CREATE TABLE first (id int);',
      // Five minutes: only a cancel on the server can end it while the job is being cancelled.
      '2_long.sql': 'CREATE TABLE during_sleep (id int);\nSELECT pg_sleep(300);',
    });
    const cancelled = await migrate(
      db,
      workspace,
      {},
      { cancel: { whenLog: /::group::Migration 2 long/, signal: 'SIGINT' } },
    );
    expect(cancelled.exitCode, `${cancelled.signal} ${cancelled.log}`).toBe(1);
    // It stopped on SIGINT within the runner's 7.5 s grace (no SIGTERM, no SIGKILL), so the
    // 300 s statement was cancelled, not waited for.
    expect(cancelled.signalsSent).toEqual(['SIGINT']);
    expect(cancelled.log).toContain('Cancelling the running migration on the server');
    expect(cancelled.log).toMatch(/canceling statement due to user request.*rolled back/);
    expect((await history(db)).map((r) => [r.version, r.success])).toEqual([
      ['1', true],
      ['2', false],
    ]);
    expect(await db.query("SELECT to_regclass('during_sleep') AS t")).toEqual([{ t: null }]);
    expect(
      await db.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      ),
    ).toEqual([{ n: 0 }]);
    // Nothing is still sleeping on the server once the step has ended.
    expect(
      await db.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(300)%' AND pid <> pg_backend_pid()",
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('a failing 7th of 10 files: 1–6 applied, 7 rolled back and recorded, the annotation names file and line; the fixed file completes', async () => {
    const db = await database();
    const files: Record<string, string> = {};
    for (let i = 1; i <= 10; i++)
      files[`${String(i).padStart(4, '0')}_t${i}.sql`] = `CREATE TABLE t${i} (id int);\n`;
    files['0007_t7.sql'] =
      "-- the seventh\nCREATE TABLE t7 (id int);\nINSERT INTO t7 VALUES ('not a number');\n";
    const { workspace, dir } = workspaceWith(files);
    const failed = await migrate(db, workspace);
    expect(failed.exitCode).toBe(1);
    expect(failed.outputs.applied).toBe('6');
    expect(failed.outputs['current-version']).toBe('6');
    const error = failed.annotations.find((a) => a.level === 'error' && a.file);
    expect(error).toMatchObject({ file: 'migrations/0007_t7.sql', line: 3 });
    expect(error!.message).toMatch(/invalid input syntax for type integer.*rolled back/);
    expect(failed.summary).toContain('The run stopped before every pending migration was applied (4 left)');
    expect((await history(db)).map((r) => [r.version, r.success])).toEqual([
      ['1', true],
      ['2', true],
      ['3', true],
      ['4', true],
      ['5', true],
      ['6', true],
      ['7', false],
    ]);
    expect(await db.query("SELECT to_regclass('t7') AS t")).toEqual([{ t: null }]);

    writeFileSync(
      path.join(dir, '0007_t7.sql'),
      '-- the seventh\nCREATE TABLE t7 (id int);\nINSERT INTO t7 VALUES (7);\n',
    );
    const fixed = await migrate(db, workspace);
    expect(fixed.exitCode, fixed.log).toBe(0);
    expect(fixed.outputs.applied).toBe('4');
    expect((await history(db)).every((r) => r.success)).toBe(true);
  });

  it('an edited, already-applied file fails the run with both checksums; missing files warn; out-of-order follows the policy', async () => {
    const db = await database();
    const { workspace, dir } = workspaceWith({
      '1_a.sql': 'CREATE TABLE a (id int);',
      '3_c.sql': 'CREATE TABLE c (id int);',
    });
    expect((await migrate(db, workspace)).exitCode).toBe(0);
    const [applied] = await history(db);

    writeFileSync(path.join(dir, '1_a.sql'), 'CREATE TABLE a (id bigint);');
    const edited = await migrate(db, workspace);
    expect(edited.exitCode).toBe(1);
    const message = edited.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(message).toContain(`migrations/1_a.sql (applied ${applied!.checksum}, on disk `);
    expect(message).toMatch(/on disk [0-9a-f]{64}/);
    const allowed = await migrate(db, workspace, { 'allow-checksum-change': true });
    expect(allowed.exitCode, allowed.log).toBe(0);
    expect(
      allowed.annotations.some(
        (a) => a.level === 'warning' && /changed since it was applied/.test(a.message),
      ),
    ).toBe(true);

    writeFileSync(path.join(dir, '1_a.sql'), 'CREATE TABLE a (id int);');
    writeFileSync(path.join(dir, '2_b.sql'), 'CREATE TABLE b (id int);');
    rmSync(path.join(dir, '3_c.sql'));
    const outOfOrder = await migrate(db, workspace);
    expect(outOfOrder.exitCode).toBe(1);
    expect(outOfOrder.log).toMatch(/older than the newest applied version 3: migrations\/2_b.sql/);
    const allowOutOfOrder = await migrate(db, workspace, { 'out-of-order': 'allow' });
    expect(allowOutOfOrder.exitCode, allowOutOfOrder.log).toBe(0);
    expect(allowOutOfOrder.outputs.applied).toBe('1');
    expect(
      allowOutOfOrder.annotations.some(
        (a) =>
          a.level === 'warning' &&
          /Version 3 \(c\) is in glidepath_schema_history but its file is no longer/.test(a.message),
      ),
    ).toBe(true);
  });

  it('DDL blocked by another session fails after lock-timeout, saying so, instead of queueing behind it', async () => {
    const db = await database();
    await db.query('CREATE TABLE accounts (id int)');
    const reader = new pg.Client({ connectionString: db.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT * FROM accounts');
      const { workspace } = workspaceWith({
        '1_add_column.sql': 'ALTER TABLE accounts ADD COLUMN email text;',
      });
      const run = await migrate(db, workspace, { 'lock-timeout': '1s' });
      expect(run.exitCode).toBe(1);
      expect(run.annotations.find((a) => a.level === 'error' && a.file)).toMatchObject({
        file: 'migrations/1_add_column.sql',
        line: 1,
      });
      expect(run.log).toMatch(
        /canceling statement due to lock timeout.*waited longer than lock-timeout \(1s\) for a lock held by another session/,
      );
      // It did not queue behind the reader: the run ended while the reader still holds its lock
      // (the reader's transaction stays open until the end of this test).
      expect(
        await reader
          .query("SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 'accounts'::regclass")
          .then((r) => r.rows),
      ).toEqual([{ mode: 'AccessShareLock' }]);
      expect(await history(db)).toEqual([expect.objectContaining({ version: '1', success: false })]);
    } finally {
      await reader.end();
    }
  });

  it('CREATE INDEX CONCURRENTLY runs with the no-transaction directive; without it the bundled linter stops the run', async () => {
    const db = await database();
    await db.query('CREATE TABLE orders (id int, placed_at timestamptz)');
    const without = workspaceWith({
      '1_index.sql': '\nCREATE INDEX CONCURRENTLY orders_placed_at_idx ON orders (placed_at);\n',
    });
    const stopped = await migrate(db, without.workspace, { lint: 'error' });
    expect(stopped.exitCode).toBe(1);
    expect(stopped.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        file: 'migrations/1_index.sql',
        line: 2,
        title: 'Migration lint: concurrently-in-transaction',
      }),
    );
    expect(JSON.parse(stopped.outputs.findings!).map((f: { rule: string }) => f.rule)).toEqual([
      'concurrently-in-transaction',
    ]);
    expect(stopped.outputs.applied).toBe('0');

    const plain = workspaceWith({
      '1_index.sql': 'CREATE INDEX orders_placed_at_idx ON orders (placed_at);',
    });
    const warned = await migrate(db, plain.workspace, { lint: 'warn', 'dry-run': true });
    expect(warned.exitCode, warned.log).toBe(0);
    expect(warned.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        file: 'migrations/1_index.sql',
        line: 1,
        title: 'Migration lint: index-not-concurrent',
      }),
    );

    const withDirective = workspaceWith({
      '1_index.sql':
        '-- glidepath:no-transaction\nCREATE INDEX CONCURRENTLY orders_placed_at_idx ON orders (placed_at);\n',
    });
    const applied = await migrate(db, withDirective.workspace, { lint: 'error' });
    expect(applied.exitCode, applied.log).toBe(0);
    expect(
      await db.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_placed_at_idx'::regclass"),
    ).toEqual([{ indisvalid: true }]);
  });

  it('a failing statement of a no-transaction file names the statement and what stays applied', async () => {
    const db = await database();
    const { workspace } = workspaceWith({
      '1_two.sql':
        "-- glidepath:no-transaction\nCREATE TABLE kept (id int);\n\nINSERT INTO kept\n  VALUES ('x');\nCREATE INDEX CONCURRENTLY kept_idx ON kept (id);\n",
    });
    const run = await migrate(db, workspace, { lint: 'off' });
    expect(run.exitCode).toBe(1);
    const error = run.annotations.find((a) => a.level === 'error' && a.file);
    expect(error).toMatchObject({ file: 'migrations/1_two.sql', line: 5 });
    expect(error!.message).toMatch(
      /statement 2 of 3 \(line 4\) failed: invalid input syntax for type integer.*Statements 1–1 of 3 had been applied/,
    );
    expect(await db.query("SELECT to_regclass('kept') IS NOT NULL AS kept")).toEqual([{ kept: true }]);
  });

  it('refuses a transactional file that commits by itself, before running any of it', async () => {
    const db = await database();
    const { workspace } = workspaceWith({
      '1_commits.sql': 'CREATE TABLE a (id int);\n-- done\nCOMMIT;\nCREATE TABLE b (id int);',
    });
    const run = await migrate(db, workspace, { lint: 'off' });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.find((a) => a.level === 'error' && a.file)).toMatchObject({
      file: 'migrations/1_commits.sql',
      line: 3,
    });
    expect(run.log).toMatch(/controls the transaction itself \(COMMIT\)/);
    expect(await db.query("SELECT to_regclass('a') AS t")).toEqual([{ t: null }]);
  });

  it('a malformed database-url fails naming the input, without echoing the password', async () => {
    const { workspace } = workspaceWith({ '1_a.sql': 'SELECT 1;' });
    const password = 'Sup3r-Secret-Pw';
    const run = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: { 'database-url': `postgres://glidepath:${password}@127.0.0.1:notaport/db` },
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /Input "database-url" got .*expected a URL such as postgres:/,
    );
    expect(everythingVisible(run)).not.toContain(password);
  });

  it('sslmode is honoured: require against this plain-text test server refuses to connect', async () => {
    const db = await database();
    const { workspace } = workspaceWith({ '1_a.sql': 'CREATE TABLE a (id int);' });
    const run = await migrate(db, workspace, { 'database-url': `${db.url}?sslmode=require` });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(
      /Cannot connect to .*sslmode=require: The server does not support SSL connections/,
    );
    const plain = await migrate(db, workspace, { 'database-url': `${db.url}?sslmode=disable` });
    expect(plain.exitCode, plain.log).toBe(0);
  });

  it('a wrong password fails without echoing it', async () => {
    const { workspace } = workspaceWith({ '1_a.sql': 'SELECT 1;' });
    const url = new URL(serviceUrl('GLIDEPATH_PG_URL'));
    url.password = 'Wrong-Passw0rd';
    const run = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: { 'database-url': url.toString() },
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/Cannot connect to postgres:\/\/glidepath:\*\*\*@127\.0\.0\.1/);
    expect(everythingVisible(run)).not.toContain('Wrong-Passw0rd');
  });
});
