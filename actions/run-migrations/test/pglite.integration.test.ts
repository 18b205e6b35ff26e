/**
 * DEMO PATH — not a substitute for the real-server tests beside it.
 *
 * Glidepath's demo runs without a database server: PGlite (PostgreSQL compiled
 * to WebAssembly) behind its socket server speaks the PostgreSQL wire
 * protocol, so the bundled action runs its normal code path against it. PGlite
 * is one session shared by every client connection, so the migration lock
 * cannot exclude a concurrent run there; the action detects that and warns.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../../test/harness/runner.js';
import { freePort } from '../../../test/support/services.js';
import { workspaceWith } from './databases.js';

let db: PGlite;
let server: PGLiteSocketServer;
let url: string;

beforeAll(async () => {
  db = await PGlite.create();
  const port = await freePort();
  server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 1 });
  await server.start();
  url = `postgres://postgres:demo-password@127.0.0.1:${port}/postgres?sslmode=disable`;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await db?.close();
});

describe('demo path: run-migrations against an in-process PGlite socket server', () => {
  it('applies migrations through the bundled action, then nothing on a second run', async () => {
    const { workspace } = workspaceWith({
      '0001_create_accounts.sql':
        'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);',
      '0002_seed.sql': "INSERT INTO accounts (email) VALUES ('demo@example.com');",
      '0003_index.sql':
        '-- glidepath:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_idx ON accounts (email);',
    });
    const first = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: { 'database-url': url, lint: 'error' },
    });
    expect(first.exitCode, first.log).toBe(0);
    expect(first.outputs.applied).toBe('3');
    expect(first.outputs['current-version']).toBe('3');
    // The single-session limitation is said out loud, not hidden.
    expect(first.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(
          /one session \(PGlite does\): the migration lock cannot keep a concurrent run out/,
        ),
      }),
    );
    expect((await db.query('SELECT email FROM accounts')).rows).toEqual([{ email: 'demo@example.com' }]);
    expect(
      (await db.query('SELECT version FROM glidepath_schema_history WHERE success ORDER BY version')).rows,
    ).toHaveLength(3);

    const second = await runMain({
      action: 'run-migrations',
      cwd: workspace,
      inputs: { 'database-url': url },
    });
    expect(second.exitCode, second.log).toBe(0);
    expect(second.outputs.applied).toBe('0');
  });
});
