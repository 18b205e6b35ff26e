/**
 * canary-shift with `nginx-mode: dynamic`, through the bundled dist/, on a real
 * nginx running nginx/glidepath.lua: the weights change with no reload, so a
 * load generator that never resends a request (as a browser's POST is never
 * resent) sees no failure the router caused, for a good release and during
 * the revert of a bad one. Every change is verified by requests through nginx.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLedger, NGINX_LOG_FORMAT } from '../../../packages/core/src/index.js';
import { runMain, runPost } from '../../../test/harness/runner.js';
import {
  type Backend,
  type BackendSpec,
  startBackends,
  stopBackends,
} from '../../../test/support/backends.js';
import { type LoadReport, startLoad } from '../../../test/support/load.mjs';
import { type DynamicNginx, startNginxDynamic } from '../../../test/support/nginx-dynamic.mjs';
import { versionsServed } from './setup.js';

interface DynamicStage {
  blue: Backend;
  green: Backend;
  nginx: DynamicNginx;
  ledgerFile: string;
  routerInputs: Record<string, string>;
  weights(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

const stages: DynamicStage[] = [];
afterEach(async () => {
  await Promise.all(stages.splice(0).map((s) => s.stop()));
});

/** Blue is live (v1), green gets v2 behaving as `green` says. */
async function stage(green: Omit<BackendSpec, 'slot'> = {}, accessLog = false): Promise<DynamicStage> {
  const [blue, g] = await startBackends([
    { slot: 'blue', version: 'v1' },
    { slot: 'green', version: 'v2', ...green },
  ]);
  const nginx = await startNginxDynamic({
    blue: blue!.address,
    green: g!.address,
    ...(accessLog ? { accessLog: NGINX_LOG_FORMAT } : {}),
  });
  const s: DynamicStage = {
    blue: blue!,
    green: g!,
    nginx,
    ledgerFile: path.join(mkdtempSync(path.join(tmpdir(), 'glidepath-ledger-')), 'ledger.json'),
    routerInputs: {
      router: 'nginx',
      'nginx-mode': 'dynamic',
      'nginx-control-url': nginx.control,
      'nginx-upstream': 'app',
      slots: `blue=${blue!.address}\ngreen=${g!.address}`,
      ...(nginx.accessLog ? { 'nginx-access-log': nginx.accessLog } : {}),
    },
    weights: async () => {
      const response = await fetch(`${nginx.control}?route=app`);
      return ((await response.json()) as { weights: Record<string, number> }).weights;
    },
    stop: async () => {
      await nginx.stop();
      await stopBackends([blue!, g!]);
    },
  };
  stages.push(s);
  return s;
}

const shiftInputs = (s: DynamicStage, extra: Record<string, string | number> = {}) => ({
  ...s.routerInputs,
  'target-slot': 'green',
  steps: '10,50,100',
  'step-duration': '3s',
  interval: '1s',
  'failure-threshold': 2,
  url: `http://${s.green.address}/healthz`,
  version: 'app:v2',
  'ledger-file': s.ledgerFile,
  ...extra,
});

/** Failures the router caused: a reset, a timeout, or an answer from nginx itself (502/503/504). */
const routerFailures = (report: LoadReport) =>
  report.failures.filter((f) => f.error !== undefined || f.version === undefined || f.version === 'unknown');

describe('canary-shift on nginx, nginx-mode dynamic (no reloads)', () => {
  it('promotes a good release under load with no failed request, client retries off, and no reload', async () => {
    const s = await stage();
    const workers = await s.nginx.workers();
    const load = startLoad({ url: s.nginx.url, rate: 300, concurrency: 8, maxMs: 60_000, retries: 'off' });
    const result = await runMain({ action: 'canary-shift', inputs: shiftInputs(s), timeoutMs: 60_000 });
    const report = await load.stop();
    console.log(
      `[nginx dynamic good] ${report.requests} requests, ${report.failures.length} failed (client retries off); by version ${JSON.stringify(report.byVersion)}`,
    );
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs).toMatchObject({ result: 'promoted', weight: '100' });
    expect(report.failures).toEqual([]);
    expect(report.byVersion.v2).toBeGreaterThan(0);
    // No reload happened: the workers that started with nginx served the whole release.
    expect(await s.nginx.workers()).toEqual(workers);
    expect(result.log).toMatch(
      /Step 1\/3: verified nginx route "app" via http:\/\/127\.0\.0\.1:\d+\/glidepath has blue 90% \/ green 10%/,
    );
    expect(await s.weights()).toEqual({ blue: 0, green: 100 });
    // In force at once: the first requests after the action returned all reach v2.
    expect(await versionsServed(s.nginx.url, 40)).toEqual({ v2: 40 });
    const [release] = await new FileLedger(s.ledgerFile).history('production');
    expect(release).toMatchObject({ version: 'app:v2', slot: 'green', status: 'success' });
  }, 90_000);

  it('reverts a release that fails only on /checkout, seen in real traffic, with no failure the router caused', async () => {
    const s = await stage({ errorRate: 1, failPaths: ['/checkout'] }, true);
    const workers = await s.nginx.workers();
    const load = startLoad({
      url: s.nginx.url,
      rate: 200,
      concurrency: 4,
      maxMs: 60_000,
      retries: 'off',
      paths: ['/', '/', '/', '/', '/checkout'],
    });
    const result = await runMain({
      action: 'canary-shift',
      inputs: shiftInputs(s, { 'step-duration': '20s' }),
      timeoutMs: 60_000,
    });
    const returnedAt = Date.now();
    const report = await load.stop();
    console.log(
      `[nginx dynamic bad] ${report.requests} requests, ${report.failures.length} failed (${routerFailures(report).length} by the router), client retries off`,
    );
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toMatch(/real traffic on green: \d+ of \d+ requests failed/);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    expect(await s.nginx.workers()).toEqual(workers);
    // Users saw the release's own 500s on /checkout, and nothing else: no
    // reset, no timeout, no 502 from nginx, and none after the revert.
    expect(report.failures.length).toBeGreaterThan(0);
    expect(routerFailures(report)).toEqual([]);
    expect(
      report.failures.every((f) => f.status === 500 && f.version === 'v2' && f.path === '/checkout'),
    ).toBe(true);
    expect(report.failures.filter((f) => f.at > returnedAt)).toEqual([]);
    expect(await versionsServed(s.nginx.url, 40)).toEqual({ v1: 40 });
  }, 90_000);

  it('a crash mid-shift: the post step restores the live slot through the control endpoint', async () => {
    const s = await stage();
    // A long hold: the kill lands during step 2 however slow the machine is.
    const main = await runMain({
      action: 'canary-shift',
      inputs: shiftInputs(s, { steps: '50,100', 'step-duration': '60s' }),
      cancel: { whenLog: /Step 1\/2: verified/, signal: 'SIGKILL' },
      timeoutMs: 60_000,
    });
    expect(main.signal).toBe('SIGKILL');
    expect(await s.weights()).toEqual({ blue: 50, green: 50 });
    const post = await runPost(main, { action: 'canary-shift', inputs: shiftInputs(s) });
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toMatch(/Post: restored and verified blue 100% \/ green 0%/);
    expect(await versionsServed(s.nginx.url, 40)).toEqual({ v1: 40 });
  }, 90_000);

  it('refuses a control endpoint off this host before touching anything', async () => {
    const s = await stage();
    const result = await runMain({
      action: 'canary-shift',
      inputs: shiftInputs(s, { 'nginx-control-url': 'http://192.0.2.10:9901/glidepath' }),
      timeoutMs: 30_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/nginx-control-url.*192\.0\.2\.10.*never a remote or named host/s);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
  }, 60_000);
});
