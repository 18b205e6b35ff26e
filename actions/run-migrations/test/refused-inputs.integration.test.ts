/**
 * The bundled run-migrations against a real PostgreSQL: a `dir` that climbs
 * out of the workspace is refused as a bad input, and a migration that is a
 * symbolic link out of the workspace is refused naming the file — in both
 * cases before a single table (not even the history table) exists. A link
 * inside the workspace is followed and applied, never skipped.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain } from '../../../test/harness/runner.js';
import { createPostgresDatabase, type TestDatabase, workspaceWith } from './databases.js';

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});

async function database(): Promise<TestDatabase> {
  const db = await createPostgresDatabase();
  databases.push(db);
  return db;
}

const tables = (db: TestDatabase) =>
  db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );

/** A folder beside the workspace (outside it) holding one migration. */
function outsideWith(file: string, sql: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-outside-'));
  writeFileSync(path.join(dir, file), sql);
  return dir;
}

describe('run-migrations refuses what lies outside the workspace, before creating anything', () => {
  it('a relative dir that climbs out of the workspace: an input error naming dir', async () => {
    const db = await database();
    const { workspace } = workspaceWith({});
    const outside = outsideWith('0001_create_escaped.sql', 'CREATE TABLE escaped (id int);');
    const dir = path.relative(workspace, outside);
    expect(dir.startsWith('..')).toBe(true);
    const result = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: { 'database-url': db.url, dir },
    });
    expect(result.exitCode, result.log).toBe(1);
    const error = result.annotations.find((a) => a.level === 'error' && a.title === 'Invalid input: dir');
    expect(error?.message, result.log).toMatch(/^Input "dir" got ".*": expected a path inside the workspace/);
    expect(result.log).not.toContain('Connected to');
    expect(await tables(db)).toEqual([]);
  });

  it('the same folder given as an absolute path is the user’s choice, and is applied', async () => {
    const db = await database();
    const { workspace } = workspaceWith({});
    const outside = outsideWith('0001_create_chosen.sql', 'CREATE TABLE chosen (id int);');
    const result = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: { 'database-url': db.url, dir: outside },
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs.applied).toBe('1');
    expect((await tables(db)).map((t) => t.table_name)).toEqual(['chosen', 'glidepath_schema_history']);
  });

  it('a migration linked to a file outside the workspace: refused naming it, nothing created', async () => {
    const db = await database();
    const { workspace, dir } = workspaceWith({
      '0001_create_accounts.sql': 'CREATE TABLE accounts (id int);',
    });
    const outside = outsideWith('evil.sql', 'CREATE TABLE evil (id int);');
    symlinkSync(path.join(outside, 'evil.sql'), path.join(dir, '0002_linked.sql'));
    const result = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: { 'database-url': db.url },
    });
    expect(result.exitCode, result.log).toBe(1);
    const error = result.annotations.find((a) => a.level === 'error');
    expect(error?.message, result.log).toMatch(
      /The migration migrations\/0002_linked\.sql is a symbolic link to .*evil\.sql, outside the workspace/,
    );
    expect(error?.file).toBe('migrations/0002_linked.sql');
    // Refused while reading the files: the database was not even opened.
    expect(result.log).not.toContain('Connected to');
    expect(await tables(db)).toEqual([]);
  });

  it('a migration linked to a file inside the workspace is followed and applied, not skipped', async () => {
    const db = await database();
    const { workspace, dir } = workspaceWith({
      '0001_create_accounts.sql': 'CREATE TABLE accounts (id int);',
    });
    mkdirSync(path.join(workspace, 'shared'));
    writeFileSync(path.join(workspace, 'shared', 'audit.sql'), 'CREATE TABLE audit (id int);');
    symlinkSync('../shared/audit.sql', path.join(dir, '0002_create_audit.sql'));
    const result = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: { 'database-url': db.url },
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs.applied).toBe('2');
    expect((await tables(db)).map((t) => t.table_name)).toEqual([
      'accounts',
      'audit',
      'glidepath_schema_history',
    ]);
  });
});
