/**
 * The rollback action through the runner contract on its bundled dist/, with
 * a real nginx in front of two real sample-service slots, and the ledger both
 * as a file and as GitHub Deployments (the OpenAPI-validated fake).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileLedger, GitHubLedger, type Ledger, NginxRouter } from '../../../packages/core/src/index.js';
import { startGitHubFake } from '../../../test/fakes/github/index.js';
import { everythingVisible, runMain, type StepResult } from '../../../test/harness/runner.js';
import { type Backend, sendRequests, startBackends, stopBackends } from '../../../test/support/backends.js';
import { type NginxServer, nginxWorkers, startNginx, waitForReload } from '../../../test/support/nginx.js';
import { hangingScript, pidsIn, running, stopPids } from '../../../test/support/processes.js';
import { freePort } from '../../../test/support/services.js';

let backends: Backend[];
let blue: Backend;
let green: Backend;

beforeAll(async () => {
  backends = await startBackends([
    { slot: 'blue', version: 'v1' },
    { slot: 'green', version: 'v2' },
  ]);
  [blue, green] = backends as [Backend, Backend];
});
afterAll(() => stopBackends(backends));

let nginx: NginxServer;
let workspace: string;
let ledgerFile: string;

beforeEach(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'glidepath-rollback-'));
  ledgerFile = path.join(workspace, 'ledger.json');
  nginx = await startNginx({
    upstreamContent: `upstream app {\n    server ${blue.address} down;\n    server ${green.address} weight=100 max_fails=3;\n}\n`,
  });
});
afterEach(async () => {
  await nginx.stop();
  await rm(workspace, { recursive: true, force: true });
});

function routerInputs() {
  return {
    router: 'nginx',
    slots: `blue=${blue.address}\ngreen=${green.address}`,
    'nginx-upstream-file': nginx.upstreamFile,
    'nginx-upstream': nginx.upstream,
    'nginx-test-command': nginx.testCommand.join(' '),
    'nginx-reload-command': nginx.reloadCommand.join(' '),
  };
}

/** Records releases as canary-shift would: each promoted one ends `success`. */
async function release(
  ledger: Ledger,
  version: string,
  slot: string,
  status: 'success' | 'failure' = 'success',
) {
  // Deployments need a ref that exists: canary-shift records the commit it released.
  const commit = `${version.replace(/\D/g, '').padStart(2, '0')}`.repeat(20);
  const begun = await ledger.begin({ environment: 'production', version, slot, commit });
  return ledger.finish(begun, { status, ...(status === 'failure' ? { reason: 'canary failed' } : {}) });
}

async function slotsAnswering(count = 200) {
  const load = await sendRequests(nginx.url, { count, concurrency: 8 });
  expect(load.failed).toBe(0);
  return load.bySlot;
}

/**
 * Runs the action; when it flipped traffic, waits for nginx's new workers
 * (`nginx -s reload` returns once the master is signalled) so the requests
 * that follow see the new weights.
 */
async function rollback(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<StepResult> {
  const workers = await nginxWorkers(nginx);
  const upstream = readFileSync(nginx.upstreamFile, 'utf8');
  const result = await runMain({
    action: 'rollback',
    inputs: { ...routerInputs(), 'ledger-file': ledgerFile, ...inputs },
    env,
    cwd: workspace,
  });
  if (readFileSync(nginx.upstreamFile, 'utf8') !== upstream) await waitForReload(nginx, workers);
  return result;
}

describe('rollback', () => {
  it('flips traffic back to the previous release still running in the other slot, and records why', async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v1', 'blue');
    await release(ledger, 'v2', 'green');
    expect(await slotsAnswering()).toEqual({ green: 200 });

    const result = await rollback({ reason: 'checkout errors after the release' });

    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs['rolled-back-to']).toBe('v1');
    expect(result.outputs.slot).toBe('blue');
    expect(Number(result.outputs['duration-ms'])).toBeGreaterThan(0);
    expect(await slotsAnswering()).toEqual({ blue: 200 });
    expect(readFileSync(nginx.upstreamFile, 'utf8')).toMatch(
      /server 127\.0\.0\.1:\d+ weight=100;[\s\S]*max_fails=3 down;/,
    );

    const history = await ledger.history('production');
    expect(history.map((r) => [r.version, r.status])).toEqual([
      ['v1', 'success'],
      ['v2', 'failure'],
      ['v1', 'inactive'],
    ]);
    expect(history[1]?.reason).toContain('checkout errors after the release');
    expect((await ledger.current('production'))?.version).toBe('v1');
    expect(result.summary).toContain('Rolled back production to v1');
    expect(result.summary).toContain('checkout errors after the release');
  });

  it('with no earlier good release: a clear error and traffic untouched', async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v2', 'green');
    const upstreamBefore = readFileSync(nginx.upstreamFile, 'utf8');

    const result = await rollback({ reason: 'testing' });

    expect(result.exitCode).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /no earlier successful release of production.*Traffic was not changed/,
    );
    expect(readFileSync(nginx.upstreamFile, 'utf8')).toBe(upstreamBefore);
    expect(await slotsAnswering(50)).toEqual({ green: 50 });
  });

  it('redeploys a release that no longer runs in the other slot before flipping', async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v1', 'blue');
    await release(ledger, 'v2', 'green');
    await release(ledger, 'v3', 'blue', 'failure');
    // v1's slot now holds the failed v3: without a way to redeploy, refuse.
    const refused = await rollback({ reason: 'v2 regressed' });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations[0]?.message).toMatch(
      /v1 no longer runs in either slot.*neither redeploy-command nor slot-deployments was given/,
    );
    expect(await slotsAnswering(50)).toEqual({ green: 50 });

    const record = path.join(workspace, 'redeploy.txt');
    const script = path.join(workspace, 'redeploy.mjs');
    writeFileSync(
      script,
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(record)}, [process.env.IMAGE, process.env.SLOT, process.env.ENVIRONMENT].join(' '));\n`,
    );
    const result = await rollback({
      reason: 'v2 regressed',
      'redeploy-command': `${process.execPath} ${script}`,
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(readFileSync(record, 'utf8')).toBe('v1 blue production');
    expect(result.outputs['rolled-back-to']).toBe('v1');
    expect(await slotsAnswering()).toEqual({ blue: 200 });
    expect(result.summary).toContain('Redeployed');
  });

  it('probes the slot first: a failing probe stops it with traffic untouched, unless forced', async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v1', 'blue');
    await release(ledger, 'v2', 'green');
    const closed = await freePort();
    const url = `blue=http://127.0.0.1:${closed}/healthz\ngreen=http://${green.address}/healthz`;

    const refused = await rollback({ reason: 'testing', url });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations[0]?.message).toMatch(
      new RegExp(
        `probe of slot blue failed before the flip: GET http://127\\.0\\.0\\.1:${closed}/healthz: .*refused`,
      ),
    );
    expect(await slotsAnswering(50)).toEqual({ green: 50 });

    const forced = await rollback({ reason: 'testing', url, force: 'true' });
    expect(forced.exitCode, forced.log).toBe(0);
    expect(forced.log).toContain('flipping anyway because force is true');
    expect(await slotsAnswering(50)).toEqual({ blue: 50 });

    // v2 is now recorded as rolled back (failure): returning to it takes force too.
    const notForced = await rollback({ reason: 'and back', to: 'v2', url });
    expect(notForced.exitCode).toBe(1);
    expect(notForced.annotations[0]?.message).toMatch(/v2 was recorded as failure.*set force: true/);
    const healthy = await rollback({ reason: 'and back', to: 'v2', url, force: 'true' });
    expect(healthy.exitCode, healthy.log).toBe(0);
    expect(healthy.log).toContain('Slot green answered its probe');
  });

  it('expands a templated probe URL for the slot about to take traffic', async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v1', 'blue');
    await release(ledger, 'v2', 'green');
    // The sample service answers 404 on /blue: the refusal shows the URL as expanded for blue.
    const refused = await rollback({ reason: 'testing', url: 'http://{{address}}/{{slot}}' });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations[0]?.message).toContain(
      `probe of slot blue failed before the flip: GET http://${blue.address}/blue: answered 404`,
    );
    expect(await slotsAnswering(50)).toEqual({ green: 50 });

    const result = await rollback({
      reason: 'testing',
      url: 'http://{{address}}/healthz?version={{version}}',
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.log).toContain('Slot blue answered its probe');
    expect(await slotsAnswering(50)).toEqual({ blue: 50 });

    const unknown = await rollback({ reason: 'testing', url: 'http://{{host}}/healthz' });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.annotations[0]?.message).toMatch(/Input "url".*unknown: \{\{host\}\}/s);
  });

  it('to: current puts a split left by a dead run back on the current release, and records the abandoned one', async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v1', 'blue');
    // v2 was being shifted into green when its runner died: 50/50, still in progress.
    await ledger.begin({ environment: 'production', version: 'v2', slot: 'green', commit: '02'.repeat(20) });
    writeFileSync(
      nginx.upstreamFile,
      `upstream app {\n    server ${blue.address} weight=50;\n    server ${green.address} weight=50 max_fails=3;\n}\n`,
    );
    const workers = await nginxWorkers(nginx);
    const { execFileSync } = await import('node:child_process');
    execFileSync(nginx.reloadCommand[0]!, nginx.reloadCommand.slice(1));
    await waitForReload(nginx, workers);

    const result = await rollback({ to: 'current', reason: 'the release job of run 41 failed' });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs['rolled-back-to']).toBe('v1');
    expect(await slotsAnswering()).toEqual({ blue: 200 });
    const history = await ledger.history('production');
    // The shift's entry is ended before traffic moves, as `error`: its
    // deploy may have been cut off, so green is not trusted to run v2.
    expect(history.map((r) => [r.version, r.status])).toEqual([
      ['v1', 'success'],
      ['v2', 'error'],
      ['v1', 'inactive'],
    ]);
    expect(history[1]!.reason).toMatch(
      /^Taken over by a rollback \(ledger entry \d+\): the release job of run 41 failed/,
    );
    expect(result.log).toContain('Took over from release of v2 into green');

    // With all traffic already on it, to: current changes nothing.
    const upstream = readFileSync(nginx.upstreamFile, 'utf8');
    const again = await rollback({ to: 'current', reason: 'again' });
    expect(again.exitCode, again.log).toBe(0);
    expect(again.log).toContain('already takes all traffic');
    expect(readFileSync(nginx.upstreamFile, 'utf8')).toBe(upstream);
  });

  it('does not trust a file nginx has not loaded: a release already taking all traffic is set again after a failed reload', async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v1', 'blue');
    await release(ledger, 'v2', 'green');
    // An earlier shift's reload applied 50/50 and then exited 1: the router
    // put the file back to all-green, and nginx still runs 50/50.
    const wrapper = path.join(workspace, 'reload-then-fail.sh');
    writeFileSync(wrapper, '#!/bin/sh\n"$@" || exit 2\nexit 1\n', { mode: 0o755 });
    const router = new NginxRouter({
      upstreamFile: nginx.upstreamFile,
      upstream: nginx.upstream,
      slots: new Map([
        ['blue', blue.address],
        ['green', green.address],
      ]),
      testCommand: nginx.testCommand,
      reloadCommand: [wrapper, ...nginx.reloadCommand],
    });
    const workers = await nginxWorkers(nginx);
    await expect(router.set({ blue: 50, green: 50 })).rejects.toThrow('reload');
    await waitForReload(nginx, workers);
    expect((await slotsAnswering()).blue ?? 0).toBeGreaterThan(0);

    const beforeRollback = await nginxWorkers(nginx);
    const result = await rollback({ to: 'current', reason: 'a reload failed' });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.log).toContain('already takes all traffic');
    expect(result.log).toContain('cannot prove it serves that');
    await waitForReload(nginx, beforeRollback);
    expect(await slotsAnswering()).toEqual({ green: 200 });
  });

  it('never redeploys into a slot that still takes traffic', async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v1', 'blue');
    await release(ledger, 'v2', 'green');
    await release(ledger, 'v3', 'blue', 'failure');
    writeFileSync(
      nginx.upstreamFile,
      `upstream app {\n    server ${blue.address} weight=40;\n    server ${green.address} weight=60 max_fails=3;\n}\n`,
    );
    const upstream = readFileSync(nginx.upstreamFile, 'utf8');
    const marker = path.join(workspace, 'redeployed');
    const result = await rollback({ reason: 'testing', 'redeploy-command': `touch ${marker}` });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toMatch(
      /blue\) still takes 40% of traffic.*Traffic was not changed/,
    );
    expect(readFileSync(nginx.upstreamFile, 'utf8')).toBe(upstream);
    expect(() => readFileSync(marker)).toThrow();
  });

  it('rejects bad inputs by name before touching anything', async () => {
    const upstreamBefore = readFileSync(nginx.upstreamFile, 'utf8');
    const result = await runMain({
      action: 'rollback',
      inputs: {
        ...routerInputs(),
        'nginx-upstream-file': '',
        slots: `blue=${blue.address}`,
        reason: 'x',
        url: 'ftp://x',
      },
      cwd: workspace,
    });
    expect(result.exitCode).toBe(1);
    const titles = result.annotations.map((a) => a.title);
    expect(titles).toEqual(
      expect.arrayContaining(['Invalid input: slots', 'Invalid input: nginx-upstream-file']),
    );
    expect(readFileSync(nginx.upstreamFile, 'utf8')).toBe(upstreamBefore);
  });

  it('records the rollback as GitHub Deployments when a token is given', async () => {
    const fake = await startGitHubFake({ repos: ['glidepath-test/service'] });
    try {
      const env = { GITHUB_API_URL: fake.url, GITHUB_REPOSITORY: 'glidepath-test/service' };
      const saved = { ...process.env };
      Object.assign(process.env, env);
      const ledger = new GitHubLedger({ token: fake.token, repository: 'glidepath-test/service' });
      await release(ledger, 'v1', 'blue');
      await release(ledger, 'v2', 'green');
      process.env = saved;

      const result = await rollback({ reason: 'errors in checkout', token: fake.token }, env);
      expect(result.exitCode, result.log).toBe(0);
      expect(result.log).not.toContain(fake.token);
      expect(await slotsAnswering(50)).toEqual({ blue: 50 });

      const deployments = fake.deployments('glidepath-test', 'service');
      const latest = (id: number) => fake.statuses(id)[0]?.state;
      const byVersion = deployments.map((d) => [(d.payload as { version: string }).version, latest(d.id)]);
      expect(byVersion).toEqual([
        ['v1', 'success'],
        ['v2', 'failure'],
        ['v1', 'inactive'],
      ]);
      expect(fake.statuses(deployments[1]!.id)[0]?.description).toContain('errors in checkout');
      fake.assertNoViolations();
    } finally {
      await fake.close();
    }
  });
});

describe('rollback: commands and credentials', () => {
  it('stops a hanging redeploy-command at redeploy-timeout with every process it started; traffic stays put', async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v1', 'blue');
    await release(ledger, 'v2', 'green');
    await release(ledger, 'v3', 'blue', 'failure');
    const pidFile = path.join(workspace, 'redeploy.pids');
    const script = path.join(workspace, 'redeploy.sh');
    writeFileSync(script, hangingScript(pidFile), { mode: 0o755 });
    const result = await rollback({
      reason: 'v2 regressed',
      'redeploy-command': script,
      'redeploy-timeout': '1s',
    });
    const pids = await pidsIn(pidFile);
    stopPids(pids);
    expect(result.exitCode, result.log).toBe(1);
    expect(result.annotations[0]?.message).toMatch(
      /redeploy-command \(.*redeploy\.sh\) did not finish within 1s \(redeploy-timeout\); it ran .* and was stopped with every process of its group/,
    );
    expect(pids).toHaveLength(2);
    expect(pids.filter(running)).toEqual([]);
    expect(await slotsAnswering(50)).toEqual({ green: 50 });
  });

  it('gives redeploy-command no input, runner token or GITHUB_TOKEN unless pass-github-token asks for it', async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v1', 'blue');
    await release(ledger, 'v2', 'green');
    await release(ledger, 'v3', 'blue', 'failure');
    const seen = path.join(workspace, 'redeploy.env');
    const script = path.join(workspace, 'redeploy.sh');
    writeFileSync(script, `#!/bin/sh\nenv > '${seen}'\n`, { mode: 0o755 });
    const env = {
      // The file ledger, although a token is in the environment.
      GITHUB_REPOSITORY: '',
      GITHUB_TOKEN: 'gp-planted-github-token-1',
      ACTIONS_RUNTIME_TOKEN: 'gp-planted-runtime-token-2',
      DEPLOY_SSH_KEY_PATH: '/keys/deploy',
    };
    const result = await rollback({ reason: 'v2 regressed', 'redeploy-command': script }, env);
    expect(result.exitCode, result.log).toBe(0);
    const child = readFileSync(seen, 'utf8');
    expect(child).not.toMatch(/^(INPUT_|ACTIONS_|GITHUB_TOKEN=)/m);
    expect(child).not.toContain('gp-planted');
    expect(child).toContain('DEPLOY_SSH_KEY_PATH=/keys/deploy');
    expect(child).toMatch(/^IMAGE=v1$/m);

    await release(ledger, 'v4', 'green', 'failure');
    const asked = await rollback(
      { reason: 'again', to: 'v2', force: 'true', 'redeploy-command': script, 'pass-github-token': 'true' },
      env,
    );
    expect(asked.exitCode, asked.log).toBe(0);
    const redeployed = readFileSync(seen, 'utf8');
    expect(redeployed).toMatch(/^IMAGE=v2$/m);
    expect(redeployed).toMatch(/^GITHUB_TOKEN=gp-planted-github-token-1$/m);
    expect(redeployed).not.toContain('gp-planted-runtime-token-2');
  });

  it("keeps the url input's credentials (user information, ?token=) out of everything it writes", async () => {
    const ledger = new FileLedger(ledgerFile);
    await release(ledger, 'v1', 'blue');
    await release(ledger, 'v2', 'green');
    const closed = await freePort();
    const password = 'gp-planted-pw-73a1';
    const token = 'gp-planted-tok-5e90';
    const url = `blue=http://deploybot:${password}@127.0.0.1:${closed}/healthz?token=${token}&slot=blue\ngreen=http://${green.address}/healthz`;
    const refused = await rollback({ reason: 'testing', url });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations[0]?.message).toMatch(
      /probe of slot blue failed before the flip: GET http:\/\/127\.0\.0\.1:\d+\/healthz\?token=\*\*\*&slot=blue/,
    );
    const visible = everythingVisible(refused);
    expect(visible).not.toContain(password);
    expect(visible).not.toContain(token);
    expect(refused.masks).toEqual(expect.arrayContaining([password, token]));

    // A bad value of the same input quotes it with the credentials hidden.
    const bad = await rollback({
      reason: 'testing',
      url: `ftp://deploybot:${password}@127.0.0.1/?token=${token}`,
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.annotations.map((a) => a.title)).toContain('Invalid input: url');
    expect(everythingVisible(bad)).not.toMatch(new RegExp(`${password}|${token}`));
    // A token given as the user name alone (https://TOKEN@host), as tokens are put in URLs.
    const userToken = 'gp-planted-usertoken-41c2';
    const badToken = await rollback({ reason: 'testing', url: `ftp://${userToken}@127.0.0.1/x` });
    expect(badToken.annotations.map((a) => a.title)).toContain('Invalid input: url');
    expect(everythingVisible(badToken)).not.toContain(userToken);
  });
});
