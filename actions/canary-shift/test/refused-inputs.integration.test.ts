/**
 * Inputs that used to be accepted and then did harm mid-shift (a header with
 * CR/LF, a command smuggled into an HAProxy name, an interval that overflows
 * a timer, a path out of the workspace, a webhook that is no URL, an nginx
 * address that breaks out of its directive) are refused by the bundled action
 * before it touches anything, and the error names the input.
 *
 * The routers here are stand-ins that record any use: an upstream file whose
 * bytes are compared, test/reload commands that append to a file, and a unix
 * socket that counts connections where HAProxy's admin socket would be. Each
 * would show a change the moment the action reached its router.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain, type StepResult } from '../../../test/harness/runner.js';
import { freePort } from '../../../test/support/services.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

interface FakeNginx {
  workspace: string;
  upstreamFile: string;
  /** Written to by the test and reload commands, were they ever run. */
  calls: string;
  inputs: Record<string, string>;
}

/** An upstream file and commands that record a call, for slots on closed loopback ports. */
async function fakeNginx(): Promise<FakeNginx> {
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-refused-'));
  const workspace = path.join(dir, 'workspace');
  const [blue, green] = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
  const upstreamFile = path.join(dir, 'upstream.conf');
  writeFileSync(
    upstreamFile,
    `upstream app {\n    server ${blue} weight=100;\n    server ${green} down;\n}\n`,
  );
  const calls = path.join(dir, 'calls');
  const record = path.join(dir, 'record.mjs');
  writeFileSync(
    record,
    `import { appendFileSync } from 'node:fs';\nappendFileSync(process.argv[2], process.argv[3] + '\\n');\n`,
  );
  return {
    workspace,
    upstreamFile,
    calls,
    inputs: {
      router: 'nginx',
      slots: `blue=${blue}\ngreen=${green}`,
      'nginx-upstream-file': upstreamFile,
      'nginx-upstream': 'app',
      'nginx-test-command': `${process.execPath} ${record} ${calls} test`,
      'nginx-reload-command': `${process.execPath} ${record} ${calls} reload`,
      'target-slot': 'green',
      steps: '50,100',
      'step-duration': '1s',
      interval: '500ms',
      url: `http://${green}/`,
      version: 'app:v2',
      'ledger-file': path.join(dir, 'ledger.json'),
    },
  };
}

/** A unix socket where HAProxy's admin socket would be, counting every connection. */
async function recordingSocket(): Promise<{ path: string; connections: () => number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-haproxy-fake-'));
  const socketPath = path.join(dir, 'admin.sock');
  let connections = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  cleanups.push(async () => {
    for (const socket of open) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { path: socketPath, connections: () => connections };
}

function expectRefused(result: StepResult, input: string): string {
  expect(result.exitCode, result.log).toBe(1);
  const error = result.annotations.find((a) => a.level === 'error' && a.title === `Invalid input: ${input}`);
  expect(error?.message, result.log).toMatch(new RegExp(`^Input "${input}"`));
  expect(result.outputs).toEqual({});
  expect(result.state.shifting).toBeUndefined();
  return error!.message;
}

type Bad = Record<string, string> | ((nginx: FakeNginx) => Record<string, string>);

async function refusedOnNginx(bad: Bad, input: string) {
  const nginx = await fakeNginx();
  const before = readFileSync(nginx.upstreamFile);
  const result = await runMain({
    action: 'canary-shift',
    cwd: nginx.workspace,
    inputs: { ...nginx.inputs, ...(typeof bad === 'function' ? bad(nginx) : bad) },
    timeoutMs: 30_000,
  });
  const message = expectRefused(result, input);
  expect(readFileSync(nginx.upstreamFile)).toEqual(before);
  expect(existsSync(nginx.calls)).toBe(false);
  return { message, nginx, result };
}

/** A one-step HAProxy shift whose admin socket is `socketPath`; `extra` replaces any of it. */
async function haproxyInputs(socketPath: string, extra: Record<string, string>) {
  return {
    router: 'haproxy',
    slots: 'blue=b1\ngreen=g1',
    'haproxy-socket': socketPath,
    'haproxy-backend': 'app',
    'target-slot': 'green',
    steps: '100',
    'step-duration': '1s',
    url: `http://127.0.0.1:${await freePort()}/`,
    version: 'app:v2',
    ...extra,
  };
}

describe('canary-shift refuses unsafe inputs before touching the router', () => {
  it('a checks header value carrying CR/LF, naming checks and the header', async () => {
    const { message } = await refusedOnNginx(
      {
        checks: '- url: http://127.0.0.1:9/\n  headers:\n    X-Trace: "abc\\r\\nX-Injected: 1"\n',
      },
      'checks',
    );
    expect(message).toContain('headers › X-Trace');
    expect(message).toMatch(/CR, LF or other control characters/);
    // The block itself is never quoted back (it may hold credentials).
    expect(message).not.toContain('X-Injected');
  }, 30_000);

  it('an interval beyond 1h (600h once overflowed a timer and passed a window at once)', async () => {
    const { message } = await refusedOnNginx({ interval: '600h' }, 'interval');
    expect(message).toContain('"600h"');
    expect(message).toContain('to 1h');
  }, 30_000);

  it('a step-duration beyond 24h', async () => {
    const { message } = await refusedOnNginx({ 'step-duration': '25h' }, 'step-duration');
    expect(message).toContain('to 24h');
  }, 30_000);

  it('an nginx slot address that would break out of its server directive', async () => {
    const { message } = await refusedOnNginx(
      (nginx) => ({ slots: nginx.inputs.slots!.replace(/^blue=.*$/m, 'blue=unix:/x;}') }),
      'slots',
    );
    expect(message).toContain('"blue=unix:/x;}" is not');
  }, 30_000);

  it('a webhook-url that is not an http(s) URL, without quoting it', async () => {
    const { message } = await refusedOnNginx({ 'webhook-url': 'not a url' }, 'webhook-url');
    expect(message).toContain('http or https URL');
    expect(message).not.toContain('not a url');
  }, 30_000);

  it('a relative ledger-file that climbs out of the workspace, and creates nothing there', async () => {
    const outside = `glidepath-escape-${process.pid}-${Date.now()}`;
    const { message, nginx } = await refusedOnNginx(
      { 'ledger-file': `../../${outside}/ledger.json` },
      'ledger-file',
    );
    expect(message).toContain('inside the workspace');
    expect(existsSync(path.resolve(nginx.workspace, '../..', outside))).toBe(false);
  }, 30_000);

  it('accepts the same stand-ins with a good header, so the refusals above are the inputs', async () => {
    // The control: with valid inputs the action does reach the stand-in router
    // (it rewrites the file and runs the recorded commands), so an unchanged
    // file above means it was refused before the router, not that it never looks.
    const nginx = await fakeNginx();
    const result = await runMain({
      action: 'canary-shift',
      cwd: nginx.workspace,
      inputs: { ...nginx.inputs, checks: '- url: http://127.0.0.1:9/\n  headers:\n    X-Trace: abc\n' },
      timeoutMs: 30_000,
    });
    expect(
      result.annotations.filter((a) => a.title?.startsWith('Invalid input')),
      result.log,
    ).toEqual([]);
    expect(readFileSync(nginx.calls, 'utf8')).toContain('test');
  }, 30_000);

  it.each([
    [
      'a command after ";" in haproxy-backend',
      { 'haproxy-backend': 'app;disable server app/blue' },
      'haproxy-backend',
    ],
    [
      'a new line in haproxy-backend',
      { 'haproxy-backend': 'app\nshutdown sessions server app/blue' },
      'haproxy-backend',
    ],
    [
      'a command after ";" in a slot server name',
      { slots: 'blue=b1;shutdown frontend web\ngreen=g1' },
      'slots',
    ],
  ])(
    '%s, without a single connection to the admin socket',
    async (_, bad, input) => {
      const socket = await recordingSocket();
      const result = await runMain({
        action: 'canary-shift',
        inputs: await haproxyInputs(socket.path, bad),
        timeoutMs: 30_000,
      });
      expectRefused(result, input);
      expect(socket.connections()).toBe(0);
    },
    30_000,
  );

  it('reaches the admin socket with a valid backend name (the control for the cases above)', async () => {
    const socket = await recordingSocket();
    const result = await runMain({
      action: 'canary-shift',
      inputs: await haproxyInputs(socket.path, { 'haproxy-backend': 'app_v2-blue.green:1' }),
      timeoutMs: 30_000,
    });
    expect(result.exitCode, result.log).toBe(1);
    expect(
      result.annotations.filter((a) => a.title?.startsWith('Invalid input')),
      result.log,
    ).toEqual([]);
    expect(socket.connections()).toBeGreaterThan(0);
  }, 30_000);
});
