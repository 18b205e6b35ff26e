/**
 * The commands canary-shift runs (deploy-command, nginx's test and reload),
 * through the runner contract on the bundled dist/, with a real nginx in
 * front of two real slots: each is bounded by its timeout and by the job's
 * cancellation, leaves no process behind, and sees none of the step's inputs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { everythingVisible, runMain, runPost } from '../../../test/harness/runner.js';
import { sendRequests } from '../../../test/support/backends.js';
import { hangingScript, pidsIn, running, stopPids } from '../../../test/support/processes.js';
import { freePort } from '../../../test/support/services.js';
import { type NginxStage, nginxStage, untilServedOnlyBy } from './setup.js';

const stages: NginxStage[] = [];
const leftovers: number[] = [];
afterEach(async () => {
  stopPids(leftovers.splice(0));
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
  steps: '50,100',
  'step-duration': '2s',
  interval: '1s',
  url: `http://${s.green.address}/`,
  version: 'app:v2',
  'ledger-file': s.ledgerFile,
  ...extra,
});

async function hangingDeploy(s: NginxStage, options: { ignoreTerm?: boolean } = {}) {
  const pidFile = `${s.ledgerFile}.deploy.pids`;
  const script = `${s.ledgerFile}.deploy.sh`;
  await writeFile(script, hangingScript(pidFile, options), { mode: 0o755 });
  return { pidFile, script };
}

describe('canary-shift: the commands it runs', () => {
  it('stops a deploy-command that hangs at deploy-timeout, with every process it started, before any traffic moves', async () => {
    const s = await stage();
    const { pidFile, script } = await hangingDeploy(s);
    const run = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, { 'deploy-command': script, 'deploy-timeout': '1s' }),
      timeoutMs: 60_000,
    });
    const pids = await pidsIn(pidFile);
    leftovers.push(...pids);
    expect(run.exitCode, run.log).toBe(1);
    expect(run.annotations[0]?.message).toMatch(
      /deploy-command \(.*deploy\.sh\) did not finish within 1s \(deploy-timeout\); it ran .* and was stopped with every process of its group\. Its last output:\nhanging/,
    );
    expect(pids).toHaveLength(2);
    expect(pids.filter(running)).toEqual([]);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    expect((await sendRequests(s.url, { count: 40, concurrency: 4 })).bySlot).toEqual({ blue: 40 });
  }, 90_000);

  it('a cancelled job stops the deploy-command and everything it started, even what ignores SIGTERM', async () => {
    const s = await stage();
    const { pidFile, script } = await hangingDeploy(s, { ignoreTerm: true });
    const main = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, { 'deploy-command': script }),
      cancel: { whenLog: /^hanging$/m, signal: 'SIGINT' },
      timeoutMs: 60_000,
    });
    const pids = await pidsIn(pidFile);
    leftovers.push(...pids);
    expect(main.cancelled).toBe(true);
    expect(main.exitCode, main.log).toBe(1);
    expect(main.log).toContain('was stopped because the job is being cancelled');
    expect(pids).toHaveLength(2);
    expect(pids.filter(running)).toEqual([]);
    const post = await runPost(main, {
      action: 'canary-shift',
      inputs: inputs(s, { 'deploy-command': script }),
    });
    expect(post.exitCode, post.log).toBe(0);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
  }, 90_000);

  it('a reload that hangs is stopped at nginx-command-timeout; when the revert hangs too, the post step restores the live slot', async () => {
    const s = await stage();
    // The first reload (step 1) works; every later one hangs until the test lets
    // them through, so both the step and main's revert (all its attempts) hang.
    const pidFile = `${s.ledgerFile}.reload.pids`;
    const firstDone = `${s.ledgerFile}.reload.first`;
    const letThrough = `${s.ledgerFile}.reload.ok`;
    const wrapper = `${s.ledgerFile}.reload.sh`;
    await writeFile(
      wrapper,
      [
        '#!/bin/sh',
        `if [ -f '${letThrough}' ] || [ ! -f '${firstDone}' ]; then touch '${firstDone}'; exec ${s.routerInputs['nginx-reload-command']}; fi`,
        'sleep 300 &',
        `echo $$ >> '${pidFile}'`,
        `echo $! >> '${pidFile}'`,
        'wait',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const run = inputs(s, { 'nginx-reload-command': wrapper, 'nginx-command-timeout': '1s' });
    const main = await runMain({ action: 'canary-shift', inputs: run, timeoutMs: 90_000 });
    const pids = await pidsIn(pidFile);
    leftovers.push(...pids);
    expect(main.exitCode, main.log).toBe(1);
    expect(main.log).toMatch(
      /nginx-reload-command \(.*reload\.sh\) did not finish within 1s \(nginx-command-timeout\)/,
    );
    // The step's reload and each of the revert's attempts hung, and each was stopped.
    expect(pids.length).toBeGreaterThanOrEqual(4);
    expect(pids.filter(running)).toEqual([]);

    await writeFile(letThrough, '');
    const post = await runPost(main, { action: 'canary-shift', inputs: run });
    expect(post.exitCode, post.log).toBe(0);
    await untilServedOnlyBy(s.url, 'v1');
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    expect((await sendRequests(s.url, { count: 40, concurrency: 4 })).bySlot).toEqual({ blue: 40 });
  }, 120_000);

  it('deploy-command sees the job environment without inputs, runner tokens or GITHUB_TOKEN, unless pass-github-token', async () => {
    const s = await stage();
    const seen = `${s.ledgerFile}.deploy.env`;
    const script = `${s.ledgerFile}.deploy-env.sh`;
    await writeFile(script, `#!/bin/sh\nenv > '${seen}'\n`, { mode: 0o755 });
    // A closed loopback port: the webhook's failure is only warned about, and nothing leaves the machine.
    const webhook = `http://127.0.0.1:${await freePort()}/hooks/gp-planted-webhook-3d1f`;
    const env = {
      GITHUB_REPOSITORY: '', // the file ledger, although a token is in the environment
      GITHUB_TOKEN: 'gp-planted-github-token-8b2e',
      ACTIONS_RUNTIME_TOKEN: 'gp-planted-runtime-token-c4a0',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'gp-planted-oidc-token-99e7',
      AWS_PROFILE: 'deployer',
    };
    const planted = {
      'deploy-command': script,
      steps: '100',
      'webhook-url': webhook,
      'prometheus-token': 'gp-planted-prom-17aa',
    };
    const run = await runMain({ action: 'canary-shift', inputs: inputs(s, planted), env, timeoutMs: 60_000 });
    expect(run.exitCode, run.log).toBe(0);
    const child = await readFile(seen, 'utf8');
    expect(child).not.toMatch(/^(INPUT_|ACTIONS_|GITHUB_TOKEN=)/m);
    expect(child).not.toContain('gp-planted');
    expect(child).toMatch(/^AWS_PROFILE=deployer$/m);
    expect(child).toMatch(/^SLOT=green$/m);
    expect(everythingVisible(run)).not.toContain('gp-planted');

    await untilServedOnlyBy(s.url, 'v2');
    const again = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, {
        ...planted,
        'target-slot': 'blue',
        version: 'app:v3',
        'pass-github-token': 'true',
      }),
      env,
      timeoutMs: 60_000,
    });
    expect(again.exitCode, again.log).toBe(0);
    const asked = await readFile(seen, 'utf8');
    expect(asked).toMatch(/^GITHUB_TOKEN=gp-planted-github-token-8b2e$/m);
    expect(asked).not.toMatch(/gp-planted-(runtime|oidc|webhook|prom)/);
  }, 90_000);
});
