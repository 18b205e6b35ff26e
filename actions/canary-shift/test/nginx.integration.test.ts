import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLedger } from '../../../packages/core/src/index.js';
import { runMain, runPost } from '../../../test/harness/runner.js';
import { failureSpan, startLoad } from '../../../test/support/load.mjs';
import { type NginxStage, nginxStage, untilServedOnlyBy, versionsServed } from './setup.js';

const stages: NginxStage[] = [];
afterEach(async () => {
  await Promise.all(stages.splice(0).map((s) => s.stop()));
});

async function stage(...args: Parameters<typeof nginxStage>): Promise<NginxStage> {
  const s = await nginxStage(...args);
  stages.push(s);
  return s;
}

const shiftInputs = (s: NginxStage, extra: Record<string, string | number> = {}) => ({
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

describe('canary-shift on nginx', () => {
  it('promotes a good release under steady load without a failed request', async () => {
    const s = await stage();
    const load = startLoad({ url: s.url, rate: 300, concurrency: 8, maxMs: 60_000 });
    const result = await runMain({ action: 'canary-shift', inputs: shiftInputs(s), timeoutMs: 60_000 });
    const report = await load.stop();
    console.log(
      `[nginx good] ${report.requests} requests at ${report.rate.toFixed(0)}/s, ${report.failures.length} failed, ${report.retriedResets} resent after a connection reset; by version ${JSON.stringify(report.byVersion)}`,
    );
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs).toMatchObject({ result: 'promoted', weight: '100' });
    // A graceful reload closes idle keep-alive connections; a GET caught by that
    // close never reached a backend and is resent (counted in retriedResets, whose
    // number depends on timing and is measured by bench/canary.mjs). Anything else
    // (a 5xx, a timeout, a second reset) is a failure.
    expect(report.failures).toEqual([]);
    expect(report.byVersion.v2).toBeGreaterThan(0);
    expect(await s.weights()).toEqual({ blue: 0, green: 100 });
    await untilServedOnlyBy(s.url, 'v2');
    expect(result.summary).toContain('| 3 | 100% | pass |');
    const [release] = await new FileLedger(s.ledgerFile).history('production');
    expect(release).toMatchObject({ version: 'app:v2', slot: 'green', status: 'success' });
  }, 90_000);

  it('sends all traffic back to the live slot during the first step when a release fails every request', async () => {
    const s = await stage({ errorRate: 1 });
    const load = startLoad({ url: s.url, rate: 300, concurrency: 8, maxMs: 60_000 });
    const result = await runMain({
      action: 'canary-shift',
      inputs: shiftInputs(s, { 'step-duration': '20s' }),
      timeoutMs: 60_000,
    });
    // The load keeps running until traffic is seen back on v1 (nginx applies a reload a moment later).
    await untilServedOnlyBy(s.url, 'v1');
    const settledAt = Date.now();
    const report = await load.stop();
    const failed = report.failures.filter((f) => f.status === 500);
    const span = failureSpan(failed);
    console.log(
      `[nginx bad] ${report.requests} requests at ${report.rate.toFixed(0)}/s, ${failed.length} answered 500 over ${span} ms (${report.failures.length - failed.length} other failures), action took ${result.durationMs} ms`,
    );
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.weight).toBe('0');
    expect(result.outputs.reason).toContain(`check "${s.green.address}/"`);
    expect(result.outputs.reason).toMatch(/answered 500/);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    // Users saw 500s only while 10% went to green: the revert came while step 1 held
    // (step 2 never started), and no request sent once traffic was back on v1 failed.
    // How soon after the first failing sample (2 intervals + 1 s) is bench/canary.mjs's.
    expect(result.log).toMatch(/Step 1\/3: blue 90% \/ green 10%/);
    expect(result.log).not.toMatch(/Step 2\/3/);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((f) => f.version === 'v2')).toBe(true);
    expect(report.failures.filter((f) => f.at >= settledAt)).toEqual([]);
    expect(report.failures.length - failed.length).toBe(0);
    expect(result.summary.indexOf('answered 500')).toBeLessThan(result.summary.indexOf('| step |'));
    const [release] = await new FileLedger(s.ledgerFile).history('production');
    expect(release).toMatchObject({ status: 'failure' });
  }, 90_000);

  it('catches a slow release (3x the live latency, no errors) with the baseline comparison', async () => {
    const s = await stage({ latencyMs: 60 }, { latencyMs: 20 });
    const load = startLoad({ url: s.url, rate: 200, concurrency: 8, maxMs: 60_000 });
    const result = await runMain({
      action: 'canary-shift',
      inputs: shiftInputs(s, {
        steps: '20,100',
        'step-duration': '15s',
        'baseline-url': `http://${s.blue.address}/`,
      }),
      timeoutMs: 60_000,
    });
    const report = await load.stop();
    console.log(
      `[nginx slow] detected after ${result.durationMs} ms; ${report.failures.length} failed requests; reason: ${result.outputs.reason}`,
    );
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toContain('vs baseline');
    // No failure other than the resent resets of a graceful reload (see the first test).
    expect(report.failures).toEqual([]);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    await untilServedOnlyBy(s.url, 'v1');
  }, 90_000);

  it('blue-green analyses the idle slot directly, then switches all traffic at once', async () => {
    const s = await stage();
    const load = startLoad({ url: s.url, rate: 300, concurrency: 8, maxMs: 60_000 });
    const result = await runMain({
      action: 'canary-shift',
      inputs: shiftInputs(s, { strategy: 'blue-green', 'step-duration': '2s' }),
      timeoutMs: 60_000,
    });
    const report = await load.stop();
    console.log(
      `[nginx blue-green] ${report.requests} requests, ${report.failures.length} failed, ${report.retriedResets} resent after a connection reset`,
    );
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs).toMatchObject({ result: 'promoted', weight: '100' });
    expect(result.log).toMatch(/Step 1\/2: blue 100% \/ green 0%/);
    expect(result.log).toMatch(/Step 2\/2: blue 0% \/ green 100%/);
    // No failure other than the resent resets of a graceful reload (see the first test).
    expect(report.failures).toEqual([]);
    await untilServedOnlyBy(s.url, 'v2');
  }, 90_000);

  it('leaves the upstream file byte-identical and traffic on the live slot when nginx -t fails', async () => {
    const s = await stage();
    await writeFile(s.nginx.extraFile, 'this is not nginx configuration;\n');
    const before = await readFile(s.nginx.upstreamFile);
    const result = await runMain({ action: 'canary-shift', inputs: shiftInputs(s), timeoutMs: 60_000 });
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toMatch(/nginx config test .* failed/);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toMatch(/nginx config test/);
    expect(await readFile(s.nginx.upstreamFile)).toEqual(before);
    expect(await versionsServed(s.url)).toEqual({ v1: 40 });
  }, 60_000);

  it('stops with a clear error when nginx -t starts failing mid-shift, keeps the file whole, and post restores once nginx accepts changes again', async () => {
    const s = await stage();
    const running = runMain({ action: 'canary-shift', inputs: shiftInputs(s), timeoutMs: 60_000 });
    // While step 1 (10%) holds, someone breaks the rest of nginx's configuration.
    const deadline = Date.now() + 20_000;
    while ((await s.weights()).green !== 10 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    // The router writes the file, then tests and reloads; step 1 holds 3 s after that.
    await new Promise((r) => setTimeout(r, 1000));
    const atStep1 = await readFile(s.nginx.upstreamFile);
    await writeFile(s.nginx.extraFile, 'this is not nginx configuration;\n');
    const main = await running;
    expect(main.exitCode, main.log).toBe(1);
    // nginx cannot take any change now, the revert included: the action says so and where traffic is.
    expect(main.outputs.reason).toMatch(/nginx config test .* failed/);
    expect(main.outputs.reason).toContain('Traffic could NOT be returned to blue');
    expect(main.outputs.reason).toContain('Last verified weights: blue 90% / green 10%');
    // The file is exactly what nginx runs with: no half-written or unapplied version.
    expect(await readFile(s.nginx.upstreamFile)).toEqual(atStep1);
    expect(main.state.finished).toBeUndefined();

    // Once the configuration is fixed, the post step returns all traffic to the live slot.
    await writeFile(s.nginx.extraFile, '# fixed\n');
    const post = await runPost(main, { action: 'canary-shift', inputs: shiftInputs(s) });
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toMatch(/Post: restored and verified blue 100% \/ green 0%/);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    await untilServedOnlyBy(s.url, 'v1');
  }, 90_000);

  it('does not take a reload that applied but exited 1 as verified: the revert reloads, and nginx serves only the live slot', async () => {
    const s = await stage();
    // A reload wrapper that returns only once nginx has applied the reload (all
    // workers replaced), so what nginx serves afterwards does not depend on how
    // fast its master runs; the first call then fails (a notification hook
    // after the reload, say), later calls succeed. Each call is recorded.
    const wrapper = path.join(s.nginx.dir, 'reload-applied-then-fail-once.mjs');
    const calls = path.join(s.nginx.dir, 'reload-calls');
    await writeFile(
      wrapper,
      `import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
const [calls, pidFile, ...reload] = process.argv.slice(2);
const master = readFileSync(pidFile, 'utf8').trim();
const workers = () => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', master]).toString().split(/\\s+/).filter(Boolean);
  } catch {
    return [];
  }
};
const first = !existsSync(calls);
appendFileSync(calls, 'reload\\n');
const before = workers();
execFileSync(reload[0], reload.slice(1), { stdio: 'inherit' });
const until = Date.now() + 30_000;
for (;;) {
  const now = workers();
  if (now.length > 0 && now.every((pid) => !before.includes(pid))) break;
  if (Date.now() > until) { console.error('nginx did not replace its workers'); process.exit(3); }
  await new Promise((r) => setTimeout(r, 50));
}
if (first) { console.error('reload hook: notify failed'); process.exit(1); }
`,
    );
    const inputs = shiftInputs(s, {
      'nginx-reload-command': `${process.execPath} ${wrapper} ${calls} ${path.join(s.nginx.dir, 'nginx.pid')} ${s.nginx.reloadCommand.join(' ')}`,
    });
    const result = await runMain({ action: 'canary-shift', inputs, timeoutMs: 60_000 });
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toContain('reload hook: notify failed');
    // The file was put back to all-blue while nginx ran 10% green: the revert
    // refused to trust the file and reloaded.
    expect(result.log).toContain('cannot prove it serves that');
    expect(await readFile(calls, 'utf8')).toBe('reload\nreload\n');
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    // Both reloads were applied before the action ended: nginx serves the file.
    expect(await versionsServed(s.url)).toEqual({ v1: 40 });
  }, 90_000);

  describe('refuses bad inputs before touching the router', () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['steps not increasing', { steps: '50,25,100' }, 'steps'],
      ['a step above 100', { steps: '10,150' }, 'steps'],
      ['empty steps', { steps: '' }, 'steps'],
      ['an unknown router', { router: 'traefik' }, 'router'],
      ['the upstream file missing', { 'nginx-upstream-file': '' }, 'nginx-upstream-file'],
      ['a target slot not in slots', { 'target-slot': 'red' }, 'target-slot'],
    ];
    it.each(cases)(
      '%s',
      async (_, bad, named) => {
        const s = await stage();
        const before = await readFile(s.nginx.upstreamFile);
        const result = await runMain({
          action: 'canary-shift',
          inputs: shiftInputs(s, bad),
          timeoutMs: 30_000,
        });
        expect(result.exitCode, result.log).toBe(1);
        const error = result.annotations.find(
          (a) => a.level === 'error' && a.title === `Invalid input: ${named}`,
        );
        expect(error?.message, result.log).toMatch(new RegExp(`^Input "${named}"`));
        expect(result.outputs).toEqual({});
        expect(result.state.shifting).toBeUndefined();
        expect(await readFile(s.nginx.upstreamFile)).toEqual(before);
      },
      30_000,
    );
  });
});
