import { execFile as execFileCb } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLedger, NginxRouter } from '../../../packages/core/src/index.js';
import { runMain, runPost } from '../../../test/harness/runner.js';
import { startLoad } from '../../../test/support/load.mjs';
import { nginxWorkers, waitForReload } from '../../../test/support/nginx.js';
import { type NginxStage, nginxStage, untilServedOnlyBy } from './setup.js';

const execFile = promisify(execFileCb);
const stages: NginxStage[] = [];
afterEach(async () => {
  await Promise.all(stages.splice(0).map((s) => s.stop()));
});

async function stage(): Promise<NginxStage> {
  const s = await nginxStage();
  stages.push(s);
  return s;
}

const inputs = (s: NginxStage, extra: Record<string, string | number> = {}) => ({
  ...s.routerInputs,
  'target-slot': 'green',
  steps: '10,50,100',
  'step-duration': '3s',
  interval: '1s',
  url: `http://${s.green.address}/`,
  version: 'app:v2',
  'ledger-file': s.ledgerFile,
  ...extra,
});

describe('canary-shift when the job does not end normally', () => {
  it('on cancellation (SIGTERM mid-step) returns traffic to the live slot; post then verifies and changes nothing', async () => {
    const s = await stage();
    const load = startLoad({ url: s.url, rate: 300, concurrency: 8, maxMs: 60_000 });
    const main = await runMain({
      action: 'canary-shift',
      inputs: inputs(s),
      cancel: { whenLog: /Step 2\/3: verified/, signal: 'SIGTERM' },
      timeoutMs: 60_000,
    });
    expect(main.cancelled).toBe(true);
    expect(main.exitCode, main.log).toBe(1);
    expect(main.outputs.result).toBe('rolled-back');
    expect(main.outputs.reason).toContain('cancelled');
    const post = await runPost(main, { action: 'canary-shift', inputs: inputs(s) });
    const settle = await untilServedOnlyBy(s.url, 'v1');
    const report = await load.stop();
    console.log(
      `[cancel] ${report.requests} requests, ${report.failures.length} failed, ${report.retriedResets} resent; traffic only on v1 ${settle} ms after post`,
    );
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toContain('nothing to restore');
    // No failure other than the resent resets of a graceful reload (their number is timing, bench/'s).
    expect(report.failures).toEqual([]);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    const [release] = await new FileLedger(s.ledgerFile).history('production');
    expect(release).toMatchObject({ version: 'app:v2', status: 'error' });
  }, 90_000);

  it('after a crash (SIGKILL mid-step) the post step restores the live slot, verified, and is idempotent', async () => {
    const s = await stage();
    const main = await runMain({
      action: 'canary-shift',
      inputs: inputs(s),
      cancel: { whenLog: /Step 2\/3: verified/, signal: 'SIGKILL' },
      timeoutMs: 60_000,
    });
    expect(main.signal).toBe('SIGKILL');
    expect(await s.weights()).toEqual({ blue: 50, green: 50 });
    const post = await runPost(main, { action: 'canary-shift', inputs: inputs(s) });
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toMatch(/Post: restored and verified blue 100% \/ green 0%/);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    await untilServedOnlyBy(s.url, 'v1');
    const [release] = await new FileLedger(s.ledgerFile).history('production');
    expect(release).toMatchObject({ version: 'app:v2', status: 'error' });
    expect(release!.reason).toContain('post step returned all traffic to blue');

    const before = await readFile(s.nginx.upstreamFile);
    const again = await runPost(main, { action: 'canary-shift', inputs: inputs(s) });
    expect(again.exitCode, again.log).toBe(0);
    expect(again.log).toMatch(/already had blue 100% \/ green 0% \(verified\); nothing changed/);
    expect(await readFile(s.nginx.upstreamFile)).toEqual(before);
  }, 90_000);

  it('a rerun after a crash resumes the same release from the weight it finds', async () => {
    const s = await stage();
    const crashed = await runMain({
      action: 'canary-shift',
      inputs: inputs(s),
      cancel: { whenLog: /Step 2\/3: verified/, signal: 'SIGKILL' },
      timeoutMs: 60_000,
    });
    expect(crashed.signal).toBe('SIGKILL');
    expect(await s.weights()).toEqual({ blue: 50, green: 50 });
    // A rerun is the same workflow run's next attempt: the killed one is over.
    const rerun = await runMain({
      action: 'canary-shift',
      inputs: inputs(s),
      env: { GITHUB_RUN_ATTEMPT: '2' },
      timeoutMs: 60_000,
    });
    expect(rerun.exitCode, rerun.log).toBe(0);
    expect(rerun.log).toMatch(
      /The router has blue 50% \/ green 50%, left by an unfinished run of this release .*: resuming/,
    );
    expect(rerun.log).toMatch(/Step 1\/2 \(resumed\): blue 50% \/ green 50%/);
    expect(rerun.summary).toContain('resuming');
    expect(rerun.outputs.result).toBe('promoted');
    const history = await new FileLedger(s.ledgerFile).history('production');
    expect(history.map((r) => [r.version, r.status])).toEqual([['app:v2', 'success']]);
  }, 90_000);

  it('a rollback started during a shift takes over: the shift moves no more traffic, and a shift started beside it refuses', async () => {
    const s = await stage();
    const ledger = new FileLedger(s.ledgerFile);
    const v1 = await ledger.begin({ environment: 'production', version: 'app:v1', slot: 'blue' });
    await ledger.finish(v1, { status: 'success' });
    const shifting = runMain({
      action: 'canary-shift',
      inputs: inputs(s, { 'step-duration': '20s' }),
      timeoutMs: 120_000,
    });
    for (const deadline = Date.now() + 60_000; (await s.weights()).green !== 10; ) {
      if (Date.now() > deadline) throw new Error('the shift never reached its first step');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Another release of the same environment while the first one shifts: refused, nothing touched.
    const beside = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, { version: 'app:v3', 'step-duration': '1s' }),
      timeoutMs: 60_000,
    });
    expect(beside.exitCode, beside.log).toBe(1);
    expect(beside.log).toMatch(/Another release of production is in progress: shift of app:v2 into green/);
    expect(await s.weights()).toEqual({ blue: 90, green: 10 });

    const rollback = await runMain({
      action: 'rollback',
      inputs: { ...s.routerInputs, 'ledger-file': s.ledgerFile, to: 'current', reason: 'checkout errors' },
      timeoutMs: 60_000,
    });
    expect(rollback.exitCode, rollback.log).toBe(0);
    expect(rollback.log).toContain('Took over from shift of app:v2 into green');
    expect(rollback.summary).toMatch(/\*\*Stopped:\*\* the shift of app:v2 into green \(ledger entry \d+\)/);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });

    // The shift finds out within its step (its heartbeat or its next check) and changes nothing.
    const shift = await shifting;
    expect(shift.exitCode, shift.log).toBe(1);
    expect(shift.outputs.result).toBe('rolled-back');
    expect(shift.log).toContain('A rollback took over');
    expect(shift.log).not.toMatch(/Step 2\/3: blue 50%/);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    const history = await new FileLedger(s.ledgerFile).history('production');
    expect(history.map((r) => [r.version, r.status])).toEqual([
      ['app:v1', 'success'],
      ['app:v2', 'error'],
      ['app:v1', 'inactive'],
    ]);
    expect(history[1]!.reason).toContain('Taken over by a rollback');
  }, 150_000);

  it('a rerun that finds a split it cannot explain reverts to the live slot first, then runs the plan', async () => {
    const s = await stage();
    const source = await readFile(s.nginx.upstreamFile, 'utf8');
    await writeFile(
      s.nginx.upstreamFile,
      source.replace(/weight=100;/, 'weight=70;').replace(/ down;/, ' weight=30;'),
    );
    await execFile(s.nginx.reloadCommand[0]!, s.nginx.reloadCommand.slice(1));
    expect(await s.weights()).toEqual({ blue: 70, green: 30 });
    const run = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, { steps: '50,100' }),
      timeoutMs: 60_000,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toMatch(
      /The router has blue 70% \/ green 30%, a split that the ledger has no unfinished release that explains it: reverting all traffic to blue/,
    );
    expect(run.log).toContain('All traffic is back on blue (verified).');
    expect(run.log.indexOf('All traffic is back on blue')).toBeLessThan(
      run.log.indexOf('Step 1/2: blue 50% / green 50%'),
    );
    expect(run.outputs.result).toBe('promoted');
  }, 90_000);

  it('a rerun with a deploy command never redeploys a slot that takes traffic: traffic returns to live first', async () => {
    const s = await stage();
    const record = `${s.ledgerFile}.deploys`;
    const script = `${s.ledgerFile}.deploy.mjs`;
    await writeFile(
      script,
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(record)}, process.env.IMAGE + ' ' + process.env.SLOT + '\\n');\n`,
    );
    const withDeploy = inputs(s, { 'deploy-command': `${process.execPath} ${script}` });
    const crashed = await runMain({
      action: 'canary-shift',
      inputs: withDeploy,
      cancel: { whenLog: /Step 2\/3: verified/, signal: 'SIGKILL' },
      timeoutMs: 60_000,
    });
    expect(crashed.signal).toBe('SIGKILL');
    expect(await s.weights()).toEqual({ blue: 50, green: 50 });

    const rerun = await runMain({
      action: 'canary-shift',
      inputs: withDeploy,
      env: { GITHUB_RUN_ATTEMPT: '2' },
      timeoutMs: 60_000,
    });
    expect(rerun.exitCode, rerun.log).toBe(0);
    expect(rerun.log).toContain(
      'green takes 50% of traffic (blue 50% / green 50%), left by a run that did not finish: returning all traffic to blue before deploying into green',
    );
    expect(rerun.outputs.result).toBe('promoted');
    expect(await readFile(record, 'utf8')).toBe('app:v2 green\napp:v2 green\n');
    expect(await s.weights()).toEqual({ blue: 0, green: 100 });
  }, 90_000);
  it('never replaces the slot that takes all traffic: a deploy into it is refused, nothing deployed or moved', async () => {
    const s = await stage();
    const source = await readFile(s.nginx.upstreamFile, 'utf8');
    // green serves everyone (blue idle), and the ledger has nothing in progress that explains it.
    await writeFile(
      s.nginx.upstreamFile,
      source.replace(/weight=100;/, 'down;').replace(/(server \S+) down;(?![\s\S]*down;)/, '$1 weight=100;'),
    );
    await execFile(s.nginx.reloadCommand[0]!, s.nginx.reloadCommand.slice(1));
    expect(await s.weights()).toEqual({ blue: 0, green: 100 });
    const record = `${s.ledgerFile}.deploys`;
    const script = `${s.ledgerFile}.deploy.mjs`;
    await writeFile(
      script,
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(record)}, process.env.IMAGE + ' ' + process.env.SLOT + '\\n');\n`,
    );
    const run = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, { 'deploy-command': `${process.execPath} ${script}` }),
      timeoutMs: 60_000,
    });
    expect(run.exitCode, run.log).toBe(1);
    expect(run.annotations[0]?.message).toMatch(
      /green takes all traffic \(blue 0% \/ green 100%\): it is the live slot, so app:v2 is not deployed into it/,
    );
    expect(await readFile(record, 'utf8').catch(() => 'never ran')).toBe('never ran');
    expect(await s.weights()).toEqual({ blue: 0, green: 100 });
    expect(await new FileLedger(s.ledgerFile).history('production')).toEqual([]);
  }, 90_000);

  it('never deploys into a slot whose idle weight nginx has not loaded (a reload that applied, then failed)', async () => {
    const s = await stage();
    // An earlier run's reload applied 50/50 and then exited 1: the file was put
    // back to all-blue, and nginx sends half the users to green.
    const wrapper = `${s.ledgerFile}.reload-then-fail.sh`;
    await writeFile(wrapper, '#!/bin/sh\n"$@" || exit 2\nexit 1\n', { mode: 0o755 });
    const earlier = new NginxRouter({
      upstreamFile: s.nginx.upstreamFile,
      upstream: s.nginx.upstream,
      slots: new Map([
        ['blue', s.blue.address],
        ['green', s.green.address],
      ]),
      testCommand: s.nginx.testCommand,
      reloadCommand: [wrapper, ...s.nginx.reloadCommand],
    });
    const workers = await nginxWorkers(s.nginx);
    await expect(earlier.set({ blue: 50, green: 50 })).rejects.toThrow('reload');
    await waitForReload(s.nginx, workers);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });

    const script = `${s.ledgerFile}.deploy.mjs`;
    await writeFile(script, 'console.log("deployed " + process.env.IMAGE + " into " + process.env.SLOT);\n');
    const run = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, { steps: '100', 'deploy-command': `${process.execPath} ${script}` }),
      timeoutMs: 60_000,
    });
    expect(run.exitCode, run.log).toBe(0);
    // nginx is made to load the all-blue file before anything replaces green.
    const settled = run.log.indexOf('cannot prove it serves that');
    expect(settled, run.log).toBeGreaterThan(-1);
    expect(settled).toBeLessThan(run.log.indexOf('deployed app:v2 into green'));
    expect(run.outputs.result).toBe('promoted');
  }, 90_000);
});
