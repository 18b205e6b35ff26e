import mysql from 'mysql2/promise';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain, type StepOptions } from '../../../test/harness/runner.js';
import {
  createMariadbDatabase,
  type TestDatabase,
  workspaceWith,
  workspaceWithFixture,
} from './databases.js';

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});
async function database(): Promise<TestDatabase> {
  const db = await createMariadbDatabase();
  databases.push(db);
  return db;
}
function migrate(db: TestDatabase, workspace: string, inputs: StepOptions['inputs'] = {}) {
  return runMain({ action: 'run-migrations', cwd: workspace, inputs: { 'database-url': db.url, ...inputs } });
}
const history = (db: TestDatabase) =>
  db.query<{ version: string; success: number }>(
    'SELECT version, success FROM glidepath_schema_history ORDER BY applied_at, version',
  );

describe('run-migrations on MariaDB', () => {
  it('applies the realistic fixture set to an empty database, then nothing on a second run', async () => {
    const db = await database();
    const { workspace } = workspaceWithFixture('mariadb');
    const first = await migrate(db, workspace);
    expect(first.exitCode, first.log).toBe(0);
    expect(first.outputs.applied).toBe('21');
    expect(first.outputs['current-version']).toBe('20240601120000');
    expect(first.log).toContain('The linter reads PostgreSQL SQL; it does not run on MySQL/MariaDB.');
    expect(await history(db)).toHaveLength(21);
    // Quotes, escapes and semicolons inside strings survived the statement splitter.
    expect(
      (await db.query<{ name: string }>('SELECT name FROM products ORDER BY id')).map((r) => r.name),
    ).toEqual(['Glide wax; 250 g', 'Climbing skins', "Trail map 'North ridge'", 'Poles "carbon"']);
    expect(await db.query('SELECT price_with_tax(1000, 20) AS p')).toEqual([{ p: 1200 }]);

    const second = await migrate(db, workspace);
    expect(second.exitCode, second.log).toBe(0);
    expect(second.outputs.applied).toBe('0');
    expect(await history(db)).toHaveLength(21);
  });

  it('two runs started at the same moment apply every migration exactly once (GET_LOCK)', async () => {
    const db = await database();
    const { workspace } = workspaceWith({
      '1_create_applications.sql': 'CREATE TABLE applications (version INT PRIMARY KEY);',
      '2_slow.sql': 'DO SLEEP(2);\nINSERT INTO applications VALUES (2);',
      '3_third.sql': 'INSERT INTO applications VALUES (3);',
    });
    const [a, b] = await Promise.all([migrate(db, workspace), migrate(db, workspace)]);
    expect(a.exitCode, a.log).toBe(0);
    expect(b.exitCode, b.log).toBe(0);
    expect([a.outputs.applied, b.outputs.applied].sort()).toEqual(['0', '3']);
    expect(await db.query('SELECT version FROM applications ORDER BY version')).toEqual([
      { version: 2 },
      { version: 3 },
    ]);
  });

  it('a failure names the statement, its line, and what of the file stays applied; the next run refuses until repaired', async () => {
    const db = await database();
    const { workspace } = workspaceWith({
      '1_ok.sql': 'CREATE TABLE a (id INT);',
      '2_partly.sql':
        'CREATE TABLE b (id INT);\n\nINSERT INTO b VALUES (1);\nINSERT INTO b\n  VALUES (2) garbage;\nCREATE TABLE c (id INT);\n',
    });
    const run = await migrate(db, workspace);
    expect(run.exitCode).toBe(1);
    const error = run.annotations.find((a) => a.level === 'error' && a.file);
    expect(error).toMatchObject({ file: 'migrations/2_partly.sql', line: 5 });
    expect(error!.message).toMatch(
      /statement 3 of 4 \(line 5\) failed: .*syntax.*Statements 1–2 of 4 \(up to line 3\) had been applied and stay applied/s,
    );
    expect(run.outputs.applied).toBe('1');
    expect((await history(db)).map((r) => [r.version, Boolean(r.success)])).toEqual([
      ['1', true],
      ['2', false],
    ]);
    const again = await migrate(db, workspace);
    expect(again.exitCode).toBe(1);
    expect(again.log).toMatch(/Migration 2 \(partly\) failed in an earlier run and may be partly applied/);
  });

  it('DDL waiting on a metadata lock fails after lock-timeout, saying so', async () => {
    const db = await database();
    await db.query('CREATE TABLE accounts (id INT) ENGINE=InnoDB');
    const url = new URL(db.url);
    const reader = await mysql.createConnection(url.toString());
    try {
      await reader.query('START TRANSACTION');
      await reader.query('SELECT * FROM accounts');
      const { workspace } = workspaceWith({
        '1_add_column.sql': 'ALTER TABLE accounts ADD COLUMN email VARCHAR(255);',
      });
      const run = await migrate(db, workspace, { 'lock-timeout': '1s' });
      expect(run.exitCode).toBe(1);
      expect(run.log).toMatch(
        /Lock wait timeout exceeded.*waited longer than lock-timeout \(1s\) for a lock held by another session/,
      );
    } finally {
      await reader.end();
    }
  });
});
