/**
 * Real parts for canary-shift's acceptance tests: two sample-service slots
 * behind a real nginx or HAProxy on loopback, plus the inputs that point the
 * action at them.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type Backend,
  type BackendSpec,
  startBackends,
  stopBackends,
} from '../../../test/support/backends.js';
import { type HaproxyServer, startHaproxy } from '../../../test/support/haproxy.js';
import { type NginxServer, startNginx } from '../../../test/support/nginx.js';

export type Inputs = Record<string, string | number | boolean>;

export interface Stage {
  blue: Backend;
  green: Backend;
  /** The router's public URL (what users hit). */
  url: string;
  /** Inputs naming the router and the slots. */
  routerInputs: Inputs;
  /** A ledger file shared by every run of this stage (each harness step has its own workspace). */
  ledgerFile: string;
  /** Weights in force, read from the router itself. */
  weights(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export interface NginxStage extends Stage {
  nginx: NginxServer;
}

export interface HaproxyStage extends Stage {
  haproxy: HaproxyServer;
}

/** Blue is live (v1); green gets the new release, behaving as `green` says. */
export async function nginxStage(
  green: Omit<BackendSpec, 'slot'> = {},
  blue: Omit<BackendSpec, 'slot'> = {},
  options: { accessLog?: boolean; nextUpstream?: string; serverParams?: string } = {},
): Promise<NginxStage> {
  const { serverParams, ...nginxOptions } = options;
  const extra = serverParams ? ` ${serverParams}` : '';
  const [b, g] = await startBackends([
    { slot: 'blue', version: 'v1', ...blue },
    { slot: 'green', version: 'v2', ...green },
  ]);
  const nginx = await startNginx({
    upstreamContent: `upstream app {\n    server ${b!.address} weight=100${extra};\n    server ${g!.address} down${extra};\n}\n`,
    ...nginxOptions,
  });
  return {
    blue: b!,
    green: g!,
    nginx,
    url: nginx.url,
    ledgerFile: path.join(mkdtempSync(path.join(tmpdir(), 'glidepath-ledger-')), 'ledger.json'),
    routerInputs: {
      router: 'nginx',
      slots: `blue=${b!.address}\ngreen=${g!.address}`,
      'nginx-upstream-file': nginx.upstreamFile,
      'nginx-upstream': nginx.upstream,
      'nginx-test-command': nginx.testCommand.join(' '),
      'nginx-reload-command': nginx.reloadCommand.join(' '),
      ...(nginx.accessLog ? { 'nginx-access-log': nginx.accessLog } : {}),
    },
    weights: async () => nginxWeights(await readFile(nginx.upstreamFile, 'utf8'), b!.address, g!.address),
    stop: async () => {
      await nginx.stop();
      await stopBackends([b!, g!]);
    },
  };
}

export async function haproxyStage(
  green: Omit<BackendSpec, 'slot'> = {},
  blue: Omit<BackendSpec, 'slot'> = {},
): Promise<HaproxyStage> {
  const [b, g] = await startBackends([
    { slot: 'blue', version: 'v1', ...blue },
    { slot: 'green', version: 'v2', ...green },
  ]);
  const haproxy = await startHaproxy({
    servers: [
      { name: 'app_blue', address: b!.address, weight: 100 },
      { name: 'app_green', address: g!.address, weight: 0 },
    ],
  });
  const stage: HaproxyStage = {
    blue: b!,
    green: g!,
    haproxy,
    url: haproxy.url,
    ledgerFile: path.join(mkdtempSync(path.join(tmpdir(), 'glidepath-ledger-')), 'ledger.json'),
    routerInputs: {
      router: 'haproxy',
      slots: 'blue=app_blue\ngreen=app_green',
      'haproxy-socket': haproxy.socket,
      'haproxy-backend': haproxy.backend,
    },
    weights: () => haproxyWeights(haproxy),
    stop: async () => {
      await haproxy.stop();
      await stopBackends([b!, g!]);
    },
  };
  return stage;
}

/** The weights nginx will use, read from the upstream file (`down` = 0). */
function nginxWeights(source: string, blue: string, green: string): Record<string, number> {
  const weightOf = (address: string) => {
    const line = source.split('\n').find((l) => l.includes(`server ${address}`));
    if (!line) throw new Error(`no server ${address} in\n${source}`);
    if (/\bdown\b/.test(line)) return 0;
    return Number(/weight=(\d+)/.exec(line)?.[1] ?? 1);
  };
  return { blue: weightOf(blue), green: weightOf(green) };
}

/** The weights HAProxy applies now, over its admin TCP socket (independent of the socket file under test). */
async function haproxyWeights(haproxy: HaproxyServer): Promise<Record<string, number>> {
  const { createConnection } = await import('node:net');
  const [, host, port] = /^tcp:\/\/(.+):(\d+)$/.exec(haproxy.tcpSocket)!;
  const text = await new Promise<string>((resolve, reject) => {
    const socket = createConnection({ host: host!, port: Number(port) });
    let data = '';
    socket.on('connect', () => socket.end(`show servers state ${haproxy.backend}\n`));
    socket.on('data', (c) => (data += c));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
  const header = text
    .split('\n')
    .find((l) => l.startsWith('# be_id'))!
    .slice(2)
    .split(' ');
  const out: Record<string, number> = {};
  for (const line of text.split('\n').filter((l) => /^\d+ /.test(l))) {
    const cols = line.split(' ');
    const name = cols[header.indexOf('srv_name')]!;
    out[name === 'app_blue' ? 'blue' : 'green'] = Number(cols[header.indexOf('srv_uweight')]);
  }
  return out;
}

/** Sends `count` requests through the router and counts answers per version. */
export async function versionsServed(url: string, count = 40): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const response = await fetch(url, { headers: { connection: 'close' } });
    await response.arrayBuffer();
    const version = response.headers.get('x-version') ?? `HTTP ${response.status}`;
    out[version] = (out[version] ?? 0) + 1;
  }
  return out;
}

/** Reads the ledger file of a stage. */
export async function ledgerReleases(
  file: string,
): Promise<Array<{ version: string; slot: string; status: string; reason?: string }>> {
  const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
  const releases = (data as { releases?: unknown }).releases ?? data;
  return releases as Array<{ version: string; slot: string; status: string; reason?: string }>;
}

/**
 * Waits until `count` requests in a row through the router are all answered by
 * `version`, and returns how long that took (for logs only). nginx applies a
 * reload a moment after the router has written and tested the file (new
 * workers start, old ones finish), so "traffic is back" is judged by requests,
 * not by the file.
 *
 * This is the assertion that the state is reached: it throws if it is not
 * within `timeoutMs`, a generous bound (60 s) that a working router never comes
 * near on any machine. Do not compare the returned time with anything: how
 * fast traffic settles is measured by bench/canary.mjs, not asserted in tests.
 */
export async function untilServedOnlyBy(
  url: string,
  version: string,
  timeoutMs = 60_000,
  count = 30,
): Promise<number> {
  const started = Date.now();
  let last: Record<string, number> = {};
  while (Date.now() - started < timeoutMs) {
    last = await versionsServed(url, count);
    if (last[version] === count) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `traffic did not settle on ${version} within ${timeoutMs} ms: last batch ${JSON.stringify(last)}`,
  );
}

/** A fresh ledger file path, outside any step's workspace so that reruns share it. */
export function ledgerFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'glidepath-ledger-')), 'ledger.json');
}
