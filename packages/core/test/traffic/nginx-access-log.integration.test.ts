/**
 * The access-log reader against a real nginx (Debian's package) writing
 * Glidepath's JSON log format, in front of two loopback backends: green
 * answers 502 on /checkout, blue answers everything. nginx retries a 502 on
 * the other server (`proxy_next_upstream http_502`), so the user sees 200
 * while green's failure is in `$upstream_status`.
 */
import { execFileSync } from 'node:child_process';
import { appendFile, mkdtemp, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NginxServer, startNginx } from '../../../../test/support/nginx.js';
import {
  AccessLogError,
  type LogReading,
  NginxAccessLog,
  slotAddresses,
} from '../../src/traffic/nginx-access-log.js';

let nginx: NginxServer;
let green: http.Server;
let blue: http.Server;
let addresses: Map<string, string>;

async function listen(answer: (path: string) => number): Promise<http.Server> {
  const server = http.createServer((req, res) => res.writeHead(answer(req.url ?? '/')).end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const addressOf = (server: http.Server) => `127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  green = await listen((p) => (p.startsWith('/checkout') ? 502 : 200));
  blue = await listen(() => 200);
  nginx = await startNginx({
    upstreamContent: `upstream app {\n    server ${addressOf(green)} max_fails=0;\n    server ${addressOf(blue)} max_fails=0;\n}\n`,
    accessLog: true,
    nextUpstream: 'error timeout http_502',
  });
  addresses = (
    await slotAddresses(
      new Map([
        ['green', addressOf(green)],
        ['blue', addressOf(blue)],
      ]),
    )
  ).bySlot;
});

afterAll(async () => {
  await nginx?.stop();
  for (const server of [green, blue]) {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  }
});

/**
 * Reads until the log holds `lines` lines (nginx writes a request's line just
 * after its answer, so a loaded machine may lag a little), within 10 s.
 */
async function readAtLeast(log: NginxAccessLog, lines: number): Promise<LogReading> {
  const all: LogReading = { attempts: [], lines: 0, malformed: 0, unmatched: 0, probes: 0, events: [] };
  const deadline = Date.now() + 10_000;
  while (all.lines < lines && Date.now() < deadline) {
    const reading = await log.read();
    all.attempts.push(...reading.attempts);
    all.events.push(...reading.events);
    for (const key of ['lines', 'malformed', 'unmatched', 'probes'] as const) all[key] += reading[key];
    if (all.lines < lines) await new Promise((r) => setTimeout(r, 50));
  }
  return all;
}

async function send(paths: string[], userAgent = 'shop-client/1.0'): Promise<number[]> {
  const statuses: number[] = [];
  for (const p of paths) {
    const response = await fetch(new URL(p, nginx.url), { headers: { 'user-agent': userAgent } });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}

describe('NginxAccessLog on a real nginx', () => {
  it('counts a 502 of one slot retried on the other against the slot that failed', async () => {
    const log = new NginxAccessLog(nginx.accessLog!, addresses);
    await log.begin();
    const statuses = await send(Array.from({ length: 10 }, (_, i) => `/checkout?n=${i}`));
    // The user never saw the 502.
    expect(statuses.every((s) => s === 200)).toBe(true);
    const reading = await readAtLeast(log, 10);
    await log.close();
    expect(reading.lines).toBe(10);
    const bySlot = (slot: string) => reading.attempts.filter((a) => a.slot === slot);
    // Round robin: about half the requests went to green first, failed there, then to blue.
    expect(bySlot('green').length).toBeGreaterThan(0);
    expect(bySlot('green').every((a) => a.status === 502 && a.path === '/checkout')).toBe(true);
    expect(bySlot('blue').every((a) => a.status === 200)).toBe(true);
    expect(bySlot('blue')).toHaveLength(10);
  });

  it("leaves Glidepath's own probes out, and reads only what was written after begin", async () => {
    await send(['/before']);
    const log = new NginxAccessLog(nginx.accessLog!, addresses);
    await log.begin();
    await send(['/a', '/b']);
    await send(['/healthz', '/healthz'], 'glidepath-analysis');
    const reading = await readAtLeast(log, 4);
    await log.close();
    expect(reading.lines).toBe(4);
    expect(reading.probes).toBe(2);
    expect(reading.attempts.map((a) => a.path).sort()).toEqual(['/a', '/b']);
  });

  it('follows a rotation, and keeps reading the renamed file until nginx reopens its logs', async () => {
    const log = new NginxAccessLog(nginx.accessLog!, addresses);
    await log.begin();
    await send(['/one']);
    await rename(nginx.accessLog!, `${nginx.accessLog}.1`);
    // logrotate's `create`: a new empty file at the path, while nginx still writes to the old one.
    await writeFile(nginx.accessLog!, '');
    await send(['/two']);
    const before = await readAtLeast(log, 2);
    expect(before.attempts.map((a) => a.path)).toEqual(['/one', '/two']);
    expect(before.events.join(' ')).toContain('was rotated');
    execFileSync(nginx.reopenCommand[0]!, nginx.reopenCommand.slice(1));
    await new Promise((r) => setTimeout(r, 300));
    await send(['/three']);
    const after = await readAtLeast(log, 1);
    await log.close();
    expect(after.attempts.map((a) => a.path)).toEqual(['/three']);
  });
});

describe('NginxAccessLog faults, on files', () => {
  // The shape of the lines the real nginx above writes.
  const line = (address: string, status: string) =>
    `${JSON.stringify({
      msec: '1700000000.123',
      status,
      request_uri: '/x',
      upstream_addr: address,
      upstream_status: status,
      upstream_response_time: '0.004',
      request_time: '0.004',
      user_agent: 'curl/8',
    })}\n`;

  it('waits for the rest of a line that is still being written', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'glidepath-log-')), 'access.log');
    await writeFile(file, '');
    const log = new NginxAccessLog(file, new Map([['127.0.0.1:1', 'green']]));
    await log.begin();
    const whole = line('127.0.0.1:1', '200');
    await appendFile(file, whole.slice(0, 20));
    expect((await log.read()).lines).toBe(0);
    await appendFile(file, whole.slice(20));
    expect((await log.read()).attempts).toHaveLength(1);
    await log.close();
  });

  it('reads a file truncated in place again from its start', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'glidepath-log-')), 'access.log');
    await writeFile(file, line('127.0.0.1:1', '200').repeat(3));
    const log = new NginxAccessLog(file, new Map([['127.0.0.1:1', 'green']]));
    await log.begin();
    await writeFile(file, line('127.0.0.1:1', '500'));
    const reading = await log.read();
    await log.close();
    expect(reading.attempts.map((a) => a.status)).toEqual([500]);
    expect(reading.events.join(' ')).toContain('truncated');
  });

  it('names a log whose requests never went to a slot: blind, not quiet', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'glidepath-log-')), 'access.log');
    await writeFile(file, '');
    const log = new NginxAccessLog(file, new Map([['127.0.0.1:1', 'green']]));
    await log.begin();
    await appendFile(file, line('10.9.9.9:80', '200'));
    await expect(log.read()).rejects.toThrow(
      /none of the 1 requests .* went to a slot's address \(the log names 10\.9\.9\.9:80/,
    );
    await log.close();
  });

  it('names a log in the wrong format, a missing log and a directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'glidepath-log-'));
    const file = path.join(dir, 'access.log');
    await writeFile(file, '');
    const log = new NginxAccessLog(file, new Map());
    await log.begin();
    await appendFile(file, '127.0.0.1 - - [02/Dec/2026:04:00:00 +0000] "GET / HTTP/1.1" 200 2\n');
    await expect(log.read()).rejects.toThrow(
      /is not in Glidepath's JSON log format.*first line: 127\.0\.0\.1 - -/,
    );
    await log.close();
    await expect(new NginxAccessLog(path.join(dir, 'missing.log'), new Map()).begin()).rejects.toThrow(
      new AccessLogError(`nginx access log ${path.join(dir, 'missing.log')} does not exist`),
    );
    await expect(new NginxAccessLog(dir, new Map()).begin()).rejects.toThrow(/is not a file/);
  });
});
