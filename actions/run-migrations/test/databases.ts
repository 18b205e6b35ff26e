/**
 * Per-test databases on the shared PostgreSQL and MariaDB servers that the
 * vitest global setup starts, and migration directories in temp folders.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { serviceUrl, uniqueName } from '../../../test/support/services.js';

export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface TestDatabase {
  name: string;
  url: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const admin = new URL(serviceUrl('GLIDEPATH_PG_URL'));
  const name = uniqueName('gp_migr');
  await withPg(admin.toString(), (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    name,
    url: url.toString(),
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    drop: async () => {
      await client.end();
      await withPg(admin.toString(), (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export async function createMariadbDatabase(): Promise<TestDatabase> {
  const admin = serviceUrl('GLIDEPATH_MARIADB_URL');
  const name = uniqueName('gp_migr');
  const adminConnection = await mysql.createConnection(admin);
  await adminConnection.query(`CREATE DATABASE ${name}`);
  await adminConnection.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const connection = await mysql.createConnection(url.toString());
  return {
    name,
    url: url.toString(),
    query: async <T>(sql: string, params?: unknown[]) => (await connection.query(sql, params))[0] as T[],
    drop: async () => {
      await connection.end();
      const c = await mysql.createConnection(admin);
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A workspace folder with `migrations/` holding the given files (name → SQL). */
export function workspaceWith(files: Record<string, string>): { workspace: string; dir: string } {
  const workspace = mkdtempSync(path.join(tmpdir(), 'glidepath-migrations-'));
  const dir = path.join(workspace, 'migrations');
  mkdirSync(dir, { recursive: true });
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return { workspace, dir };
}

/** A workspace folder whose `migrations/` is a copy of a fixture set (`postgres`, `mariadb`). */
export function workspaceWithFixture(fixture: string): { workspace: string; dir: string } {
  const workspace = mkdtempSync(path.join(tmpdir(), 'glidepath-migrations-'));
  const dir = path.join(workspace, 'migrations');
  cpSync(path.join(fixturesDir, fixture), dir, { recursive: true });
  return { workspace, dir };
}

/**
 * Polls `probe` every 100 ms until it returns a value other than undefined,
 * failing after `timeoutMs` with `what` in the message. The bound is a
 * liveness limit for a state the test waits for, never a measured duration.
 */
export async function until<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
