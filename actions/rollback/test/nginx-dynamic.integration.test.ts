/**
 * The rollback action's flip with `nginx-mode: dynamic`, through its bundled
 * dist/ on a real nginx running nginx/glidepath.lua: no reload, and the
 * requests sent right after the action returns all reach the restored release.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileLedger } from '../../../packages/core/src/index.js';
import { runMain } from '../../../test/harness/runner.js';
import { type Backend, sendRequests, startBackends, stopBackends } from '../../../test/support/backends.js';
import { startLoad } from '../../../test/support/load.mjs';
import { type DynamicNginx, startNginxDynamic } from '../../../test/support/nginx-dynamic.mjs';

let backends: Backend[];
let nginx: DynamicNginx;
let workspace: string;

beforeAll(async () => {
  backends = await startBackends([
    { slot: 'blue', version: 'v1' },
    { slot: 'green', version: 'v2' },
  ]);
});
afterAll(() => stopBackends(backends));
beforeEach(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'glidepath-rollback-dynamic-'));
  nginx = await startNginxDynamic({ blue: backends[0]!.address, green: backends[1]!.address });
});
afterEach(async () => {
  await nginx.stop();
  await rm(workspace, { recursive: true, force: true });
});

async function put(weights: string): Promise<void> {
  const response = await fetch(`${nginx.control}?route=app`, { method: 'PUT', body: weights });
  expect(response.status).toBe(200);
}

describe('rollback on nginx, nginx-mode dynamic', () => {
  it('flips to the previous release with no reload and no failed request, client retries off', async () => {
    const ledgerFile = path.join(workspace, 'ledger.json');
    const ledger = new FileLedger(ledgerFile);
    for (const [version, slot] of [
      ['v1', 'blue'],
      ['v2', 'green'],
    ] as const) {
      const begun = await ledger.begin({ environment: 'production', version, slot, commit: 'a'.repeat(40) });
      await ledger.finish(begun, { status: 'success' });
    }
    await put('blue=0,green=100');
    const workers = await nginx.workers();
    const load = startLoad({ url: nginx.url, rate: 200, concurrency: 4, maxMs: 30_000, retries: 'off' });
    const result = await runMain({
      action: 'rollback',
      inputs: {
        router: 'nginx',
        'nginx-mode': 'dynamic',
        'nginx-control-url': nginx.controlUnix,
        'nginx-upstream': 'app',
        slots: `blue=${backends[0]!.address}\ngreen=${backends[1]!.address}`,
        'ledger-file': ledgerFile,
        reason: 'checkout errors',
      },
      cwd: workspace,
    });
    const report = await load.stop();
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs['rolled-back-to']).toBe('v1');
    expect(report.failures).toEqual([]);
    expect(await nginx.workers()).toEqual(workers);
    const after = await sendRequests(nginx.url, { count: 50, concurrency: 4 });
    expect(after).toMatchObject({ failed: 0, bySlot: { blue: 50 } });
  }, 60_000);
});
