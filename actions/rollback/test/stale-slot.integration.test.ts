/**
 * A deploy that fails after it replaced the idle slot must not leave the
 * ledger claiming the slot still runs what it ran before: `rollback to:
 * previous` would then flip every user onto the broken release. canary-shift
 * and rollback through their bundled dist/, a real nginx, real slot processes.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLedger } from '../../../packages/core/src/index.js';
import { runMain } from '../../../test/harness/runner.js';
import { running, stopPids } from '../../../test/support/processes.js';
import {
  type NginxStage,
  nginxStage,
  untilServedOnlyBy,
  versionsServed,
} from '../../canary-shift/test/setup.js';

const replaceSlot = path.join(path.dirname(fileURLToPath(import.meta.url)), 'replace-slot.mjs');

const stages: NginxStage[] = [];
const pidFiles: string[] = [];
afterEach(async () => {
  // The slot processes the deploy commands started (by pid, as recorded).
  stopPids(pidFiles.splice(0).map((file) => Number(readFileSync(file, 'utf8'))));
  await Promise.all(stages.splice(0).map((s) => s.stop()));
});

/**
 * blue runs v1 and takes all traffic; green runs v2, the previous good
 * release, as the ledger records. `replaceGreen(exit)` is a deploy command (and
 * `replaceArgs(exit)` its arguments after node) that replaces green's process
 * with one running $IMAGE, then exits with `exit`.
 */
async function blueLiveGreenPrevious() {
  const s = await nginxStage();
  stages.push(s);
  const ledger = new FileLedger(s.ledgerFile);
  for (const [version, slot] of [
    ['v2', 'green'],
    ['v1', 'blue'],
  ] as const)
    await ledger.finish(await ledger.begin({ environment: 'production', version, slot }), {
      status: 'success',
    });
  const pidFile = `${s.ledgerFile}.green.pid`;
  writeFileSync(pidFile, String(s.green.process.pid));
  pidFiles.push(pidFile);
  const port = s.green.address.split(':')[1]!;
  const replaceArgs = (exit: 0 | 1) => [replaceSlot, pidFile, port, String(exit)];
  const replaceGreen = (exit: 0 | 1) => [process.execPath, ...replaceArgs(exit)].join(' ');
  return { s, ledger, replaceArgs, replaceGreen };
}

describe('a failed deploy into the idle slot, then rollback to: previous', () => {
  it('never sends traffic to the half-deployed release: refused without a redeploy-command, redeployed with one', async () => {
    const { s, ledger, replaceGreen } = await blueLiveGreenPrevious();

    // v3 replaces green, then the deploy script fails its smoke test.
    const deploy = await runMain({
      action: 'canary-shift',
      inputs: {
        ...s.routerInputs,
        'target-slot': 'green',
        version: 'v3',
        steps: '100',
        'step-duration': '1s',
        interval: '1s',
        url: `http://${s.green.address}/`,
        'ledger-file': s.ledgerFile,
        'deploy-command': replaceGreen(1),
      },
      timeoutMs: 60_000,
    });
    expect(deploy.exitCode, deploy.log).toBe(1);
    expect(deploy.log).toContain('green now runs v3');
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    const rollbackInputs = {
      ...s.routerInputs,
      environment: 'production',
      to: 'previous',
      reason: 'v1 misbehaves',
      'ledger-file': s.ledgerFile,
    };
    const refused = await runMain({ action: 'rollback', inputs: rollbackInputs, timeoutMs: 60_000 });
    // Users are still served by v1, never by the half-deployed v3.
    expect(await versionsServed(s.url, 40)).toEqual({ v1: 40 });
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    expect(refused.exitCode, refused.log).toBe(1);
    expect(refused.log).toMatch(/v2 no longer runs in either slot \(green runs v3, whose deploy failed\)/);
    const slots = await ledger.slots('production');
    expect(slots.green).toMatchObject({ version: 'v3', status: 'error' });
    expect(slots.green?.reason).toContain('The deploy of v3 into green failed');

    // A redeploy of v2 that fails after it replaced green: the next rollback does not trust green either.
    const failedRedeploy = await runMain({
      action: 'rollback',
      inputs: {
        ...rollbackInputs,
        'redeploy-command': replaceGreen(1),
      },
      timeoutMs: 60_000,
    });
    expect(failedRedeploy.exitCode, failedRedeploy.log).toBe(1);
    expect((await ledger.slots('production')).green).toMatchObject({ version: 'v2', status: 'error' });
    const notTrusted = await runMain({ action: 'rollback', inputs: rollbackInputs, timeoutMs: 60_000 });
    expect(await versionsServed(s.url, 40)).toEqual({ v1: 40 });
    expect(notTrusted.exitCode, notTrusted.log).toBe(1);
    expect(notTrusted.log).toContain("The ledger's last entry for green is v2, but its deploy failed");

    // With a redeploy-command that works, v2 is started in green again before any user is sent there.
    const restored = await runMain({
      action: 'rollback',
      inputs: {
        ...rollbackInputs,
        'redeploy-command': replaceGreen(0),
      },
      timeoutMs: 60_000,
    });
    expect(restored.exitCode, restored.log).toBe(0);
    expect(restored.log).toContain('green now runs v2');
    await untilServedOnlyBy(s.url, 'v2');
    expect(await s.weights()).toEqual({ blue: 0, green: 100 });
    // One entry for the redeployed v2, begun before green was touched and finished as the restored release.
    expect((await ledger.history('production')).map((r) => [r.version, r.slot, r.status])).toEqual([
      ['v2', 'green', 'success'],
      ['v2', 'green', 'error'],
      ['v3', 'green', 'error'],
      ['v1', 'blue', 'failure'],
      ['v2', 'green', 'inactive'],
    ]);
    expect(running(Number(readFileSync(`${s.ledgerFile}.green.pid`, 'utf8')))).toBe(true);
  }, 120_000);

  it('with version-field, checks what the slot answers instead of trusting the ledger: a slot replaced outside Glidepath is redeployed or refused', async () => {
    const { s, replaceArgs, replaceGreen } = await blueLiveGreenPrevious();
    // Someone deploys v3 into green by hand: the ledger still says green runs v2.
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        replaceArgs(0),
        { env: { ...process.env, IMAGE: 'v3', SLOT: 'green' } },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    const rollbackInputs = {
      ...s.routerInputs,
      environment: 'production',
      to: 'previous',
      reason: 'v1 misbehaves',
      url: 'http://{{address}}/',
      'version-field': 'version',
      'ledger-file': s.ledgerFile,
    };
    const refused = await runMain({ action: 'rollback', inputs: rollbackInputs, timeoutMs: 60_000 });
    expect(await versionsServed(s.url, 40)).toEqual({ v1: 40 });
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    expect(refused.exitCode, refused.log).toBe(1);
    expect(refused.log).toContain('The ledger says v2 runs in green, but green answers v3');
    expect(refused.log).toContain(
      'green runs v3, not v2 as the ledger says, and neither redeploy-command nor slot-deployments was given',
    );

    // A redeploy that exits 0 but leaves green on v3 is caught after it, and force does not flip anyway.
    const noop = await runMain({
      action: 'rollback',
      inputs: { ...rollbackInputs, 'redeploy-command': `${process.execPath} -e ""`, force: true },
      timeoutMs: 60_000,
    });
    expect(await versionsServed(s.url, 40)).toEqual({ v1: 40 });
    expect(noop.exitCode, noop.log).toBe(1);
    expect(noop.log).toContain(
      'v2 was redeployed into green, but green answers v3. Traffic was not changed.',
    );

    const restored = await runMain({
      action: 'rollback',
      inputs: {
        ...rollbackInputs,
        'redeploy-command': replaceGreen(0),
      },
      timeoutMs: 60_000,
    });
    expect(restored.exitCode, restored.log).toBe(0);
    expect(restored.log).toContain('green now runs v2');
    await untilServedOnlyBy(s.url, 'v2');
    expect(await s.weights()).toEqual({ blue: 0, green: 100 });
  }, 120_000);

  it('refuses version-field without url, and a path that does not parse, before anything is touched', async () => {
    const s = await nginxStage();
    stages.push(s);
    const bad = await runMain({
      action: 'rollback',
      inputs: { ...s.routerInputs, reason: 'x', 'version-field': 'version', 'ledger-file': s.ledgerFile },
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.log).toContain('version-field');
    expect(bad.log).toContain('the url input as well');
    const unparsable = await runMain({
      action: 'rollback',
      inputs: {
        ...s.routerInputs,
        reason: 'x',
        url: 'http://{{address}}/',
        'version-field': '[',
        'ledger-file': s.ledgerFile,
      },
    });
    expect(unparsable.exitCode).toBe(1);
    expect(unparsable.log).toContain('a JSON path into the probe');
    // The router's own URL would answer for whichever slot it sends the request to.
    const routerUrl = await runMain({
      action: 'rollback',
      inputs: {
        ...s.routerInputs,
        reason: 'x',
        url: `${s.url}/`,
        'version-field': 'version',
        'ledger-file': s.ledgerFile,
      },
    });
    expect(routerUrl.exitCode).toBe(1);
    expect(routerUrl.log).toContain('a URL that reaches each slot itself');
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
  });
});
