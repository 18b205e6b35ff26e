import { rename } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGitHubFake } from '../../../test/fakes/github/index.js';
import { everythingVisible, runMain, runPost } from '../../../test/harness/runner.js';
import { failureSpan, startLoad } from '../../../test/support/load.mjs';
import { type HaproxyStage, haproxyStage, versionsServed } from './setup.js';

const stages: HaproxyStage[] = [];
afterEach(async () => {
  await Promise.all(stages.splice(0).map((s) => s.stop()));
});

async function stage(...args: Parameters<typeof haproxyStage>): Promise<HaproxyStage> {
  const s = await haproxyStage(...args);
  stages.push(s);
  return s;
}

const inputs = (s: HaproxyStage, extra: Record<string, string | number> = {}) => ({
  ...s.routerInputs,
  'target-slot': 'green',
  steps: '10,50,100',
  'step-duration': '3s',
  interval: '1s',
  'failure-threshold': 2,
  url: `http://${s.green.address}/`,
  version: 'app:v2',
  'ledger-file': s.ledgerFile,
  ...extra,
});

describe('canary-shift on HAProxy', () => {
  it('promotes a good release under steady load without a failed request', async () => {
    const s = await stage();
    const load = startLoad({ url: s.url, rate: 300, concurrency: 8, maxMs: 60_000 });
    const result = await runMain({ action: 'canary-shift', inputs: inputs(s), timeoutMs: 60_000 });
    const report = await load.stop();
    console.log(
      `[haproxy good] ${report.requests} requests at ${report.rate.toFixed(0)}/s, ${report.failures.length} failed, ${report.retriedResets} resent after a connection reset; by version ${JSON.stringify(report.byVersion)}`,
    );
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs).toMatchObject({ result: 'promoted', weight: '100' });
    expect(report.failures).toEqual([]);
    expect(report.retriedResets).toBe(0);
    expect(await s.weights()).toEqual({ blue: 0, green: 100 });
    // HAProxy applies a weight at once (runtime API, no reload): the first requests after the action returned all reach v2.
    expect(await versionsServed(s.url, 40)).toEqual({ v2: 40 });
  }, 90_000);

  it('sends all traffic back to the live slot during the first step when a release fails every request', async () => {
    const s = await stage({ errorRate: 1 });
    const load = startLoad({ url: s.url, rate: 300, concurrency: 8, maxMs: 60_000 });
    const result = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, { 'step-duration': '20s' }),
      timeoutMs: 60_000,
    });
    const returnedAt = Date.now();
    // Some load after the action returned, to see that none of it fails.
    await versionsServed(s.url, 40);
    const report = await load.stop();
    const failed = report.failures.filter((f) => f.status === 500);
    const span = failureSpan(failed);
    console.log(
      `[haproxy bad] ${report.requests} requests at ${report.rate.toFixed(0)}/s, ${failed.length} answered 500 over ${span} ms (${report.failures.length - failed.length} other failures); ${/Rolled back: .*/.exec(result.log)?.[0]}`,
    );
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toContain(`check "${s.green.address}/"`);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    expect(await versionsServed(s.url, 40)).toEqual({ v1: 40 });
    // Users saw 500s only while 10% went to green: the revert came while step 1 held
    // (step 2 never started), and no request sent after the action returned failed.
    // How soon after the first failing sample (2 intervals + 1 s) is bench/canary.mjs's.
    expect(result.log).toMatch(/Step 1\/3: blue 90% \/ green 10%/);
    expect(result.log).not.toMatch(/Step 2\/3/);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((f) => f.version === 'v2')).toBe(true);
    expect(report.failures.filter((f) => f.at >= returnedAt)).toEqual([]);
    expect(report.failures.length - failed.length).toBe(0);
  }, 90_000);

  it('returns traffic to the live slot when the admin socket vanishes mid-shift and comes back', async () => {
    const s = await stage();
    // Real-traffic evidence reads the same socket and would fail the step first (on-error: fail);
    // this test is about the router's own change failing, so only the probes judge here.
    const running = runMain({
      action: 'canary-shift',
      inputs: inputs(s, { 'traffic-metrics': 'off' }),
      timeoutMs: 60_000,
    });
    const deadline = Date.now() + 20_000;
    while ((await s.weights()).green !== 10 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    // Gone while step 1 holds (3 s), so the change to 50% fails; back 4.5 s later, while the revert retries.
    const moved = `${s.haproxy.socket}.moved`;
    await new Promise((r) => setTimeout(r, 500));
    await rename(s.haproxy.socket, moved);
    await new Promise((r) => setTimeout(r, 4500));
    await rename(moved, s.haproxy.socket);
    const result = await running;
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toMatch(
      /The router failed at step 2\/3 \(50%\): HAProxy admin socket .* is not reachable/,
    );
    expect(result.log).toMatch(/Returning traffic to blue failed \(attempt 1\)/);
    expect(result.log).toMatch(/Rolled back: blue 100% \/ green 0% verified/);
    expect(result.state.finished).toBe('true');
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    expect(await versionsServed(s.url, 40)).toEqual({ v1: 40 });
  }, 90_000);

  it('with on-failure: hold, keeps the weights of the failing step for a human and exits 1 with result=held', async () => {
    const s = await stage({ errorRate: 1 });
    const main = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, { 'on-failure': 'hold', 'step-duration': '20s' }),
      timeoutMs: 60_000,
    });
    expect(main.exitCode, main.log).toBe(1);
    expect(main.outputs).toMatchObject({ result: 'held', weight: '10' });
    expect(main.outputs.reason).toContain('answered 500');
    expect(await s.weights()).toEqual({ blue: 90, green: 10 });
    // Held on purpose: the post step leaves it alone.
    const post = await runPost(main, { action: 'canary-shift', inputs: inputs(s, { 'on-failure': 'hold' }) });
    expect(post.log).toContain('nothing to restore');
    expect(await s.weights()).toEqual({ blue: 90, green: 10 });
  }, 90_000);

  it.each([
    ['the backend missing', { 'haproxy-backend': '' }, 'haproxy-backend'],
    ['a target slot not in slots', { 'target-slot': 'blue2' }, 'target-slot'],
    ['steps not ending at 100', { steps: '10,50' }, 'steps'],
  ])(
    'refuses %s and leaves the HAProxy weights unchanged',
    async (_, bad, named) => {
      const s = await stage();
      const result = await runMain({ action: 'canary-shift', inputs: inputs(s, bad), timeoutMs: 30_000 });
      expect(result.exitCode, result.log).toBe(1);
      expect(result.annotations.some((a) => a.title === `Invalid input: ${named}`)).toBe(true);
      expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    },
    30_000,
  );

  it('notifies a Slack-compatible webhook on promotion, and only warns when the webhook fails', async () => {
    const received: Array<{ text: string }> = [];
    let status = 200;
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body) as { text: string });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const secretPath = 'services/T0001/B0001/hook-secret-4f2a9c';
    const webhookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/${secretPath}`;
    try {
      const s = await stage();
      const ok = await runMain({
        action: 'canary-shift',
        inputs: inputs(s, { steps: '100', 'step-duration': '1s', 'webhook-url': webhookUrl }),
        timeoutMs: 60_000,
      });
      expect(ok.exitCode, ok.log).toBe(0);
      expect(received).toHaveLength(1);
      expect(received[0]!.text).toContain('production: app:v2 promoted (green at 100%)');
      expect(everythingVisible(ok)).not.toContain('hook-secret-4f2a9c');

      status = 500;
      const warned = await runMain({
        action: 'canary-shift',
        inputs: inputs(s, {
          'target-slot': 'blue',
          version: 'app:v3',
          steps: '100',
          'step-duration': '1s',
          url: `http://${s.blue.address}/`,
          'webhook-url': webhookUrl,
        }),
        timeoutMs: 60_000,
      });
      expect(warned.exitCode, warned.log).toBe(0);
      expect(warned.outputs.result).toBe('promoted');
      expect(warned.annotations.some((a) => a.level === 'warning' && a.message.includes('HTTP 500'))).toBe(
        true,
      );
      expect(everythingVisible(warned)).not.toContain('hook-secret-4f2a9c');
    } finally {
      await new Promise<void>((r) => hook.close(() => r()));
    }
  }, 90_000);

  it('records releases as GitHub Deployments when a token is given (GitHub API fake)', async () => {
    const github = await startGitHubFake({ repos: ['glidepath-test/service'] });
    try {
      const s = await stage();
      const env = { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url };
      const promoted = await runMain({
        action: 'canary-shift',
        inputs: inputs(s, { steps: '50,100', 'step-duration': '2s' }),
        env,
        timeoutMs: 60_000,
      });
      expect(promoted.exitCode, promoted.log).toBe(0);
      expect(promoted.log).toContain('ledger: GitHub');
      const [deployment] = github.deployments('glidepath-test', 'service');
      expect(deployment).toMatchObject({ environment: 'production', ref: expect.any(String) });
      expect(github.statuses(deployment!.id).map((st) => st.state)).toContain('success');
      expect(everythingVisible(promoted)).not.toContain(github.token);
      github.assertNoViolations();
    } finally {
      await github.close();
    }
  }, 90_000);
});
