/**
 * A real InfluxDB 1.x server for one test file: Debian's `influxdb` (influxd
 * 1.6), a temporary config, meta, data and WAL directory, and two free
 * loopback ports (the HTTP API and the RPC service for backup/restore; both
 * bind 127.0.0.1 only). Usage reporting is off (Debian's build names the key
 * `reporting-enabled`, upstream's `reporting-disabled`: both are written, each
 * build ignores the other), so are the `_internal` monitor store, the HTTP
 * request log and the query log; logging is at warn level.
 *
 * With `auth`, `[http] auth-enabled = true` and the launcher creates that
 * admin user first (`CREATE USER … WITH ALL PRIVILEGES`, which InfluxDB
 * accepts without credentials while no admin exists); the helpers then send
 * basic auth. Requests without credentials are answered 401; `GET /ping`
 * (the readiness check, 204) needs none.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectOk, pollUntil, spawnServer } from './server-process.js';
import { freePort, requireProgram } from './services.js';

/** The JSON of `/query`: one result per statement. */
export interface InfluxQueryResponse {
  results: Array<{
    statement_id: number;
    series?: Array<{
      name: string;
      tags?: Record<string, string>;
      columns: string[];
      values: unknown[][];
    }>;
    error?: string;
  }>;
  error?: string;
}

export interface InfluxDBServer {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The admin credentials, when started with `auth`. */
  auth?: { username: string; password: string };
  createDatabase(name: string): Promise<void>;
  /** Writes line protocol (one point a line); `precision` of the timestamps, nanoseconds by default. */
  write(db: string, lineProtocol: string, options?: { precision?: 'ns' | 'u' | 'ms' | 's' }): Promise<void>;
  /** Runs InfluxQL against `db` and returns the parsed JSON; throws when a statement failed. */
  query(db: string, influxql: string): Promise<InfluxQueryResponse>;
  stop(): Promise<void>;
  /** What influxd printed, to show when something went wrong. */
  log(): string;
}

export interface InfluxDBOptions {
  /** Enable authentication with this admin user. */
  auth?: { username: string; password: string };
  /** Readiness deadline, 30 s by default. */
  timeoutMs?: number;
}

/** An InfluxQL string literal. */
const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** An InfluxQL identifier. */
const identifier = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export async function startInfluxDB(options: InfluxDBOptions = {}): Promise<InfluxDBServer> {
  const binary = requireProgram('influxd', 'influxdb');
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-influxdb-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  for (const sub of ['meta', 'data', 'wal']) mkdirSync(path.join(dir, sub));
  const config = [
    'reporting-enabled = false',
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '',
    '[meta]',
    `  dir = ${JSON.stringify(path.join(dir, 'meta'))}`,
    '  logging-enabled = false',
    '',
    '[data]',
    `  dir = ${JSON.stringify(path.join(dir, 'data'))}`,
    `  wal-dir = ${JSON.stringify(path.join(dir, 'wal'))}`,
    '  query-log-enabled = false',
    '',
    '[monitor]',
    '  store-enabled = false',
    '',
    '[subscriber]',
    '  enabled = false',
    '',
    '[http]',
    `  bind-address = "127.0.0.1:${httpPort}"`,
    `  auth-enabled = ${options.auth ? 'true' : 'false'}`,
    '  log-enabled = false',
    '  pprof-enabled = false',
    '',
    '[continuous_queries]',
    '  log-enabled = false',
    '',
    '[logging]',
    '  level = "warn"',
    '  suppress-logo = true',
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'influxdb.conf'), config);
  const proc = spawnServer('InfluxDB', binary, ['-config', path.join(dir, 'influxdb.conf')], dir);
  const url = `http://127.0.0.1:${httpPort}`;
  const headers: Record<string, string> = options.auth
    ? {
        authorization: `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`,
      }
    : {};

  const statements = async (response: Response, what: string): Promise<InfluxQueryResponse> => {
    const body = JSON.parse(await expectOk('InfluxDB', what, response)) as InfluxQueryResponse;
    const failed = body.error ?? body.results?.find((r) => r.error)?.error;
    if (failed) throw new Error(`InfluxDB: ${what} failed: ${failed}`);
    return body;
  };
  /** A statement that changes something (POST /query). */
  const run = async (q: string, authorized = true, what = q) =>
    statements(
      await fetch(`${url}/query`, {
        method: 'POST',
        headers: authorized ? headers : {},
        body: new URLSearchParams({ q }),
      }),
      what,
    );

  const server: InfluxDBServer = {
    url,
    ...(options.auth ? { auth: options.auth } : {}),
    async createDatabase(name) {
      await run(`CREATE DATABASE ${identifier(name)}`);
    },
    async write(db, lineProtocol, writeOptions = {}) {
      const params = new URLSearchParams({ db, precision: writeOptions.precision ?? 'ns' });
      await expectOk(
        'InfluxDB',
        `write to ${db}`,
        await fetch(`${url}/write?${params}`, { method: 'POST', headers, body: lineProtocol }),
      );
    },
    async query(db, influxql) {
      const params = new URLSearchParams({ db, q: influxql });
      return statements(await fetch(`${url}/query?${params}`, { headers }), influxql);
    },
    stop: () => proc.stop(),
    log: () => proc.log(),
  };

  try {
    await pollUntil(
      'InfluxDB',
      proc,
      `GET ${url}/ping answering 204`,
      async () => ((await fetch(`${url}/ping`)).status === 204 ? true : undefined),
      options.timeoutMs,
    );
    if (options.auth)
      await run(
        `CREATE USER ${identifier(options.auth.username)} WITH PASSWORD ${literal(options.auth.password)} WITH ALL PRIVILEGES`,
        false,
        `CREATE USER ${identifier(options.auth.username)}`,
      );
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return server;
}
