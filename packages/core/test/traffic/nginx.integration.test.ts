import { execFile } from 'node:child_process';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  sendRequests,
  startBackends,
  stopBackends,
} from '../../../../test/support/backends.js';
import { type NginxServer, nginxWorkers, startNginx, waitForReload } from '../../../../test/support/nginx.js';
import { hangingScript, pidsIn, running, stopPids } from '../../../../test/support/processes.js';
import { NginxRouter, RouterError, type Weights } from '../../src/traffic/index.js';
import { restoreLive } from '../../src/traffic/restore.js';

let backends: Backend[];
let nginx: NginxServer | undefined;

beforeAll(async () => {
  backends = await startBackends([{ slot: 'blue' }, { slot: 'green' }]);
});
afterAll(async () => {
  await stopBackends(backends ?? []);
});
afterEach(async () => {
  await nginx?.stop();
  nginx = undefined;
});

const blue = () => backends[0]!;
const green = () => backends[1]!;

/** A file as a person writes one: comments, other directives, other server parameters, a sorry server. */
function handWritten(): string {
  return `# Upstream for the app; included from nginx.conf.
upstream app {
    zone app 64k;
    # The live slot.
    server ${blue().address} weight=3 max_fails=3 fail_timeout=10s;
    server ${green().address}   max_fails=2; # the idle slot
    server 127.0.0.1:9 backup;   # sorry page, never a slot
    keepalive 16;
}
`;
}

/** The router for a test nginx; `reloadCommand` swaps in a failing, wrapped or hanging reload. */
function routerFor(
  server: NginxServer,
  reloadCommand = server.reloadCommand,
  extra: { commandTimeoutMs?: number } = {},
): NginxRouter {
  return new NginxRouter({
    ...extra,
    upstreamFile: server.upstreamFile,
    upstream: server.upstream,
    slots: new Map([
      ['blue', blue().address],
      ['green', green().address],
    ]),
    testCommand: server.testCommand,
    reloadCommand,
  });
}

async function start(content = handWritten()): Promise<{ server: NginxServer; router: NginxRouter }> {
  const server = await startNginx({ upstreamContent: content });
  nginx = server;
  return { server, router: routerFor(server) };
}

/** Sets the weights and waits until nginx's new workers (which carry them) are the only ones. */
async function shift(server: NginxServer, router: NginxRouter, weights: Weights): Promise<void> {
  const before = await nginxWorkers(server);
  await router.set(weights);
  await waitForReload(server, before);
}

describe('nginx router on a real nginx', () => {
  it('reads a hand-written upstream file: weight=, implicit weight 1, backup and other parameters', async () => {
    const { router } = await start();
    expect(await router.read()).toEqual({ blue: 75, green: 25 });
  });

  it('rewrites only the slot lines, keeping comments, other directives and other parameters', async () => {
    const { server, router } = await start();
    await shift(server, router, { blue: 10, green: 90 });
    const after = await readFile(server.upstreamFile, 'utf8');
    expect(after).toBe(
      handWritten()
        .replace(`${blue().address} weight=3 max_fails=3`, `${blue().address} weight=10 max_fails=3`)
        .replace(`${green().address}   max_fails=2;`, `${green().address} weight=90 max_fails=2;`),
    );
    await router.verify({ blue: 10, green: 90 });
  });

  it('splits real traffic 10/90 as set', async () => {
    const { server, router } = await start();
    await shift(server, router, { blue: 10, green: 90 });
    const result = await sendRequests(server.url, { count: 500, concurrency: 4 });
    expect(result.failed, result.failures.join('\n')).toBe(0);
    const blueShare = (result.bySlot.blue ?? 0) / result.total;
    console.log(`nginx 10/90: blue ${result.bySlot.blue}, green ${result.bySlot.green} of ${result.total}`);
    // Weighted round robin is near exact; the margin covers two workers each keeping its own rotation.
    expect(blueShare).toBeGreaterThan(0.05);
    expect(blueShare).toBeLessThan(0.15);
  });

  it('expresses weight 0 as down, and a down slot gets no traffic', async () => {
    const { server, router } = await start();
    await shift(server, router, { blue: 0, green: 100 });
    const text = await readFile(server.upstreamFile, 'utf8');
    expect(text).toContain(`server ${blue().address} max_fails=3 fail_timeout=10s down;`);
    expect(text).toContain(`server ${green().address} weight=100 max_fails=2;`);
    expect(await router.read()).toEqual({ blue: 0, green: 100 });
    const result = await sendRequests(server.url, { count: 200, concurrency: 4 });
    expect(result.failed).toBe(0);
    expect(result.bySlot).toEqual({ green: 200 });
    // And back: the down slot takes traffic again.
    await shift(server, router, { blue: 100, green: 0 });
    const back = await sendRequests(server.url, { count: 100, concurrency: 4 });
    expect(back.bySlot).toEqual({ blue: 100 });
  });

  it("when the config test fails, puts the previous file back byte for byte and fails with nginx's message", async () => {
    const { server, router } = await start();
    const before = await readFile(server.upstreamFile);
    // Someone broke another part of the configuration and did not reload.
    await writeFile(server.extraFile, 'this_is_not_a_directive on;\n');
    const error = await router.set({ blue: 10, green: 90 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as Error).message).toContain('config test');
    expect((error as Error).message).toContain('unknown directive "this_is_not_a_directive"');
    expect(Buffer.compare(await readFile(server.upstreamFile), before)).toBe(0);
    // nginx was never asked to reload, so it still serves the file: verified.
    await router.verify({ blue: 75, green: 25 });
    // Traffic is as it was: 75/25, both slots answering, nothing failing.
    const result = await sendRequests(server.url, { count: 200, concurrency: 4 });
    expect(result.failed).toBe(0);
    expect(result.bySlot.blue).toBeGreaterThan(120);
    expect(result.bySlot.green).toBeGreaterThan(20);
  });

  it('when the reload fails, puts the previous file back and fails', async () => {
    const { server } = await start();
    const before = await readFile(server.upstreamFile);
    // A reload that cannot find the master: the pid file is elsewhere.
    const router = routerFor(server, [...server.reloadCommand, '-g', `pid ${server.dir}/missing.pid;`]);
    const error = await router.set({ blue: 50, green: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as Error).message).toContain('reload');
    expect(Buffer.compare(await readFile(server.upstreamFile), before)).toBe(0);
    // The file is back, but whether nginx loaded the change is unknown: not verified.
    await expect(router.verify({ blue: 75, green: 25 })).rejects.toThrow('nginx has not loaded it');
  });

  it('stops a reload command that hangs at its timeout, with everything it started; nothing is verified until a reload succeeds', async () => {
    const { server } = await start();
    const before = await readFile(server.upstreamFile);
    const pidFile = path.join(server.dir, 'reload.pids');
    const hanging = path.join(server.dir, 'hanging-reload.sh');
    await writeFile(hanging, hangingScript(pidFile, { ignoreTerm: true }), { mode: 0o755 });
    const router = routerFor(server, [hanging], { commandTimeoutMs: 500 });
    const error = await router.set({ blue: 50, green: 50 }).catch((e: unknown) => e);
    const pids = await pidsIn(pidFile);
    stopPids(pids);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as Error).message).toMatch(
      /the nginx reload \(.*hanging-reload\.sh\) failed; .*nothing is verified until a reload succeeds:\nnginx-reload-command \(.*\) did not finish within 500ms \(nginx-command-timeout\)/s,
    );
    expect(pids).toHaveLength(2);
    expect(pids.filter(running)).toEqual([]);
    expect(Buffer.compare(await readFile(server.upstreamFile), before)).toBe(0);
    await expect(router.verify({ blue: 75, green: 25 })).rejects.toThrow('nginx has not loaded it');
    // A revert with a reload that works settles it.
    const good = routerFor(server);
    const workers = await nginxWorkers(server);
    const log = { info: () => {}, warning: () => {} };
    expect(await restoreLive(good, 'blue', 'green', log, { attempts: 1 })).toBe('restored');
    await waitForReload(server, workers);
    expect((await sendRequests(server.url, { count: 40, concurrency: 4 })).bySlot).toEqual({ blue: 40 });
  }, 30_000);

  it('never verifies after a reload that applied and then exited 1; the revert reloads until nginx serves the file', async () => {
    const { server } = await start(
      `upstream app {\n    server ${blue().address} weight=100;\n    server ${green().address} down;\n}\n`,
    );
    // A reload wrapper that does reload, then reports a failure (as a script
    // with a failing step after the reload would).
    const wrapper = path.join(server.dir, 'reload-then-fail.sh');
    await writeFile(wrapper, '#!/bin/sh\n"$@" || exit 2\necho "post-reload hook failed" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const failing = routerFor(server, [wrapper, ...server.reloadCommand]);
    const workers = await nginxWorkers(server);
    await expect(failing.set({ blue: 10, green: 90 })).rejects.toThrow('post-reload hook failed');
    await waitForReload(server, workers);
    // The file was put back to all-blue, yet nginx runs the 10/90 it loaded.
    expect(await failing.read()).toEqual({ blue: 100, green: 0 });
    const served = await sendRequests(server.url, { count: 100, concurrency: 4 });
    expect(served.bySlot.green ?? 0).toBeGreaterThan(0);
    await expect(failing.verify({ blue: 100, green: 0 })).rejects.toThrow('nginx has not loaded it');
    // A fresh router (the post step runs in another process) knows it too.
    const good = routerFor(server);
    await expect(good.verify({ blue: 100, green: 0 })).rejects.toThrow('nginx has not loaded it');

    // The revert does not trust the file: it reloads, and only then verifies.
    const warnings: string[] = [];
    const log = { info: () => {}, warning: (line: string) => warnings.push(line) };
    const beforeRevert = await nginxWorkers(server);
    expect(await restoreLive(good, 'blue', 'green', log, { attempts: 1 })).toBe('restored');
    expect(warnings.join('\n')).toContain('cannot prove it serves that');
    await waitForReload(server, beforeRevert);
    await good.verify({ blue: 100, green: 0 });
    const after = await sendRequests(server.url, { count: 100, concurrency: 4 });
    expect(after.bySlot).toEqual({ blue: 100 });
  });

  it('a run killed between writing the file and reloading leaves nothing verified; the next revert reloads', async () => {
    const { server, router } = await start(
      `upstream app {\n    server ${blue().address} weight=100;\n    server ${green().address} down;\n}\n`,
    );
    await shift(server, router, { blue: 10, green: 90 });
    // Another process (a canary-shift run) reverts to all-blue and is killed
    // by SIGKILL the moment it runs the reload: the file is written, nginx was
    // never told.
    const killParent = path.join(server.dir, 'kill-parent.sh');
    await writeFile(killParent, '#!/bin/sh\nkill -9 "$PPID"\nsleep 5\n', { mode: 0o755 });
    // The built core (npm test builds it first), as an action's process would run it.
    const core = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const options = {
      upstreamFile: server.upstreamFile,
      upstream: server.upstream,
      slots: [
        ['blue', blue().address],
        ['green', green().address],
      ],
      testCommand: server.testCommand,
      reloadCommand: [killParent],
    };
    const script = `const { NginxRouter } = await import(process.argv[1]);
const o = JSON.parse(process.argv[2]);
await new NginxRouter({ ...o, slots: new Map(o.slots) }).set({ blue: 100, green: 0 });`;
    const killed = await new Promise<NodeJS.Signals | null>((resolve) => {
      const child = execFile(process.execPath, [
        '--input-type=module',
        '-e',
        script,
        core,
        JSON.stringify(options),
      ]);
      child.on('exit', (_code, signal) => resolve(signal));
    });
    expect(killed).toBe('SIGKILL');
    expect(await router.read()).toEqual({ blue: 100, green: 0 });
    const served = await sendRequests(server.url, { count: 100, concurrency: 4 });
    expect(served.bySlot.green ?? 0).toBeGreaterThan(0);
    await expect(router.verify({ blue: 100, green: 0 })).rejects.toThrow('nginx has not loaded it');

    const log = { info: () => {}, warning: () => {} };
    const before = await nginxWorkers(server);
    expect(await restoreLive(router, 'blue', 'green', log, { attempts: 1 })).toBe('restored');
    await waitForReload(server, before);
    const after = await sendRequests(server.url, { count: 100, concurrency: 4 });
    expect(after.bySlot).toEqual({ blue: 100 });
  });

  it('keeps an earlier marker when a later change fails its config test', async () => {
    const { server } = await start(
      `upstream app {\n    server ${blue().address} weight=100;\n    server ${green().address} down;\n}\n`,
    );
    const failingReload = routerFor(server, ['false']);
    await expect(failingReload.set({ blue: 50, green: 50 })).rejects.toThrow(
      'nothing is verified until a reload succeeds',
    );
    // Then the rest of the configuration breaks: the next change fails its test.
    await writeFile(server.extraFile, 'this_is_not_a_directive on;\n');
    await expect(failingReload.set({ blue: 10, green: 90 })).rejects.toThrow('config test');
    // The reload that failed first may still have applied: still not verified.
    await expect(failingReload.verify({ blue: 100, green: 0 })).rejects.toThrow('nginx has not loaded it');
  });

  it("a revert whose reload fails keeps the revert on disk, so the next reload, anyone's, serves the live slot; a step forward is put back", async () => {
    const { server, router } = await start(
      `upstream app {\n    server ${blue().address} weight=100;\n    server ${green().address} down;\n}\n`,
    );
    await shift(server, router, { blue: 50, green: 50 });
    const failing = routerFor(server, ['false']);
    // A step forward to all-green that fails its reload is put back: the split stays on disk…
    await expect(failing.set({ blue: 0, green: 100 })).rejects.toThrow(
      'the previous upstream file was put back',
    );
    expect(await failing.read()).toEqual({ blue: 50, green: 50 });
    // …but a revert that fails its reload stays, for the next reload.
    await expect(failing.set({ blue: 100, green: 0 }, undefined, 'settle')).rejects.toThrow(
      'the upstream file keeps blue 100% / green 0% for the next reload',
    );
    expect(await failing.read()).toEqual({ blue: 100, green: 0 });
    await expect(failing.verify({ blue: 100, green: 0 })).rejects.toThrow('nginx has not loaded it');
    // nginx was never reloaded: it still splits.
    const before = await sendRequests(server.url, { count: 100, concurrency: 4 });
    expect(before.bySlot.green ?? 0).toBeGreaterThan(0);
    // Someone else reloads nginx (an operator, a certificate renewal): it loads the revert.
    const workers = await nginxWorkers(server);
    const [program, ...args] = server.reloadCommand;
    await new Promise<void>((resolve, reject) =>
      execFile(program!, args, (error) => (error ? reject(error) : resolve())),
    );
    await waitForReload(server, workers);
    const after = await sendRequests(server.url, { count: 100, concurrency: 4 });
    expect(after.bySlot).toEqual({ blue: 100 });
  });

  it('a revert through a reload that keeps failing is never reported as verified', async () => {
    const { server } = await start(
      `upstream app {\n    server ${blue().address} weight=100;\n    server ${green().address} down;\n}\n`,
    );
    const wrapper = path.join(server.dir, 'reload-then-fail.sh');
    await writeFile(wrapper, '#!/bin/sh\n"$@" || exit 2\nexit 1\n', { mode: 0o755 });
    const router = routerFor(server, [wrapper, ...server.reloadCommand]);
    await expect(router.set({ blue: 50, green: 50 })).rejects.toThrow(RouterError);
    const log = { info: () => {}, warning: () => {} };
    await expect(restoreLive(router, 'blue', 'green', log, { attempts: 2, baseDelayMs: 10 })).rejects.toThrow(
      'reload',
    );
    await expect(router.verify({ blue: 100, green: 0 })).rejects.toThrow('nginx has not loaded it');
  });

  it('names the slot whose server line is missing, and refuses a non-slot server taking traffic', async () => {
    const { router, server } = await start(
      `upstream app {\n  server ${blue().address};\n  server ${green().address};\n}\n`,
    );
    await writeFile(server.upstreamFile, `upstream app {\n  server ${blue().address};\n}\n`);
    await expect(router.read()).rejects.toThrow(`has no "server ${green().address}" line for slot "green"`);
    await writeFile(
      server.upstreamFile,
      `upstream app {\n  server ${blue().address};\n  server ${green().address};\n  server 127.0.0.1:9;\n}\n`,
    );
    await expect(router.read()).rejects.toThrow('"server 127.0.0.1:9" (line 4), which is not a slot');
  });

  it('creates the upstream file on the first shift when it does not exist yet', async () => {
    const { server, router } = await start();
    await unlink(server.upstreamFile);
    await expect(router.read()).rejects.toThrow('the file does not exist (the first shift creates it)');
    await shift(server, router, { blue: 100, green: 0 });
    expect(await readFile(server.upstreamFile, 'utf8')).toContain(
      `upstream app {\n    server ${blue().address} weight=100;\n    server ${green().address} down;\n}\n`,
    );
    const result = await sendRequests(server.url, { count: 50, concurrency: 4 });
    expect(result.bySlot).toEqual({ blue: 50 });
  });

  it('drops no request while weights flip under load (graceful reload)', async () => {
    const { server, router } = await start();
    const plan: Weights[] = [
      { blue: 10, green: 90 },
      { blue: 50, green: 50 },
      { blue: 0, green: 100 },
      { blue: 90, green: 10 },
      { blue: 100, green: 0 },
      { blue: 25, green: 75 },
    ];
    for (const keepAlive of [false, true]) {
      // A steady load that runs until every weight of the plan has been set (a reload each,
      // 300 ms apart) and stops only then, so all the reloads happen under it however
      // fast the machine is. With keep-alive, an old worker closing its idle connections
      // races a request sent on one; the client sends such a GET again, as browsers do (counted apart).
      const stop = new AbortController();
      const load = sendRequests(server.url, {
        count: 1_000_000,
        concurrency: 8,
        timeoutMs: 120_000,
        keepAlive,
        paceMs: 15,
        retryClosedConnection: keepAlive,
        signal: stop.signal,
      });
      let loadDone = false;
      void load.finally(() => {
        loadDone = true;
      });
      let flips = 0;
      for (const weights of plan) {
        await router.set(weights);
        flips++;
        await new Promise((r) => setTimeout(r, 300));
      }
      // Still running after the last reload: none happened after the load had ended.
      expect(loadDone).toBe(false);
      stop.abort();
      const result = await load;
      console.log(
        `nginx reload under load (${keepAlive ? 'keep-alive' : 'new connection per request'}): ${result.total} requests, ${result.failed} failed, ${result.retried} re-sent after an idle-connection close, ${flips} reloads, by slot ${JSON.stringify(result.bySlot)}`,
      );
      expect(flips).toBe(plan.length);
      expect(result.total).toBeGreaterThan(0);
      expect(result.failed, result.failures.join('\n')).toBe(0);
    }
  });
});
