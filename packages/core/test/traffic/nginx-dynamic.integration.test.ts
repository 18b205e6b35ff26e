import { execFile as execFileCb } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  sendRequests,
  startBackends,
  stopBackends,
} from '../../../../test/support/backends.js';
import {
  type DynamicNginx,
  GLIDEPATH_LUA_DIR,
  startNginxDynamic,
} from '../../../../test/support/nginx-dynamic.mjs';
import { freePort, requireProgram } from '../../../../test/support/services.js';
import {
  NginxDynamicRouter,
  parseControlEndpoint,
  RouterError,
  type Weights,
} from '../../src/traffic/index.js';

const execFile = promisify(execFileCb);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

let backends: Backend[];
let nginx: DynamicNginx | undefined;

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

const slots = () =>
  new Map([
    ['blue', backends[0]!.address],
    ['green', backends[1]!.address],
  ]);

async function start(control: 'tcp' | 'unix' = 'tcp') {
  const server = await startNginxDynamic({ blue: backends[0]!.address, green: backends[1]!.address });
  nginx = server;
  const router = new NginxDynamicRouter({
    control: parseControlEndpoint(control === 'tcp' ? server.control : server.controlUnix)!,
    route: 'app',
    slots: slots(),
  });
  return { server, router };
}

/** A raw exchange with the control endpoint, as any local process could make one. */
async function controlRequest(
  url: string,
  method: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method, body, headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('NginxDynamicRouter against real nginx with nginx/glidepath.lua', () => {
  it('starts on the initial slot, and each change is what requests through nginx get, with no reload', async () => {
    const { server, router } = await start();
    expect(await router.read()).toEqual({ blue: 100, green: 0 });
    const workers = await server.workers();
    expect(workers.length).toBe(2);

    await router.set({ blue: 0, green: 100 });
    await router.verify({ blue: 0, green: 100 });
    // The very next requests, on fresh connections, all go to green: the
    // change is in force in every worker the moment the PUT is answered.
    const allGreen = await sendRequests(server.url, { count: 100, concurrency: 4 });
    expect(allGreen).toMatchObject({ failed: 0, bySlot: { green: 100 } });

    await router.set({ blue: 90, green: 10 });
    const split = await sendRequests(server.url, { count: 1000, concurrency: 4 });
    expect(split.failed).toBe(0);
    // A per-request draw at 10%: below 3% or above 20% of 1000 has a chance
    // under 1e-9 (binomial tails); both slots certainly appear.
    expect(split.bySlot.green).toBeGreaterThan(30);
    expect(split.bySlot.green).toBeLessThan(200);
    expect(split.bySlot.blue! + split.bySlot.green!).toBe(1000);

    // Nothing was reloaded: the same two workers serve throughout.
    expect(await server.workers()).toEqual(workers);
    await expect(router.verify({ blue: 0, green: 100 })).rejects.toThrow(
      /serves blue 90% \/ green 10%, not blue 0% \/ green 100%/,
    );
  });

  it('keeps a keep-alive client connection open across weight changes', async () => {
    const { server, router } = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ slot: string; reused: boolean; socket: unknown }>((resolve, reject) => {
        const req = http.get(server.url, { agent }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () =>
            resolve({ slot: JSON.parse(body).slot, reused: req.reusedSocket, socket: req.socket }),
          );
        });
        req.on('error', reject);
      });
    try {
      const first = await get();
      expect(first.slot).toBe('blue');
      await router.set({ blue: 0, green: 100 });
      const second = await get();
      await router.set({ blue: 100, green: 0 });
      const third = await get();
      // One TCP connection carried all three requests, before and after both changes.
      expect([second.slot, third.slot]).toEqual(['green', 'blue']);
      expect(second.reused && third.reused).toBe(true);
      expect(second.socket).toBe(first.socket);
      expect(third.socket).toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });

  it('speaks over a unix socket as well', async () => {
    const { server, router } = await start('unix');
    await router.set({ blue: 50, green: 50 });
    await router.verify({ blue: 50, green: 50 });
    expect(router.describe()).toContain(server.controlUnix);
  });

  it('rejects malformed weights and leaves the weights in force unchanged', async () => {
    const { server, router } = await start();
    await router.set({ blue: 80, green: 20 });
    const put = (body: string) => controlRequest(`${server.control}?route=app`, 'PUT', body);
    const cases: Array<[string, RegExp]> = [
      ['blue=50,green=60', /add up to 100 \(these add up to 110\)/],
      ['blue=100', /"green" has none/],
      ['blue=50,red=50', /no slot "red"/],
      ['blue=50,blue=50', /given twice/],
      ['blue=-10,green=110', /slot=percent pairs/],
      ['blue=1000,green=0', /whole percent from 0 to 100/],
      ['blue=50;green=50', /slot=percent pairs/],
      ['', /the body is the weights/],
      [`blue=50,green=50${' '.repeat(2000)}`, /at most 1024 bytes/],
    ];
    for (const [body, message] of cases) {
      const answer = await put(body);
      expect(answer.status, body).toBe(400);
      expect(String(answer.json.error), body).toMatch(message);
    }
    expect((await controlRequest(`${server.control}?route=other`, 'GET')).status).toBe(404);
    expect((await controlRequest(`${server.control}?route=app`, 'DELETE')).status).toBe(405);
    expect(await router.read()).toEqual({ blue: 80, green: 20 });
    const served = await sendRequests(server.url, { count: 200, concurrency: 4 });
    expect(served.failed).toBe(0);
    expect(served.bySlot.blue).toBeGreaterThan(0);
    expect(served.bySlot.green).toBeGreaterThan(0);
  });

  it('refuses a client that is not on this host, even on a server block that lets it in', async () => {
    const { server, router } = await start();
    // realip makes nginx see the X-Forwarded-For address as the client's, as a
    // proxy in front would: the Lua itself refuses anything but loopback.
    const outside = { 'x-forwarded-for': '203.0.113.9' };
    const read = await controlRequest(`${server.controlBehindProxy}?route=app`, 'GET', undefined, outside);
    expect(read.status).toBe(403);
    expect(String(read.json.error)).toContain('203.0.113.9');
    const write = await controlRequest(
      `${server.controlBehindProxy}?route=app`,
      'PUT',
      'blue=0,green=100',
      outside,
    );
    expect(write.status).toBe(403);
    expect(await router.read()).toEqual({ blue: 100, green: 0 });
    // The same server block answers a loopback client.
    const local = await controlRequest(`${server.controlBehindProxy}?route=app`, 'GET', undefined, {
      'x-forwarded-for': '127.0.0.1',
    });
    expect(local.status).toBe(200);
  });

  it('refuses a stale change: a PUT naming an older generation is a conflict', async () => {
    const { server, router } = await start();
    const before = await controlRequest(`${server.control}?route=app`, 'GET');
    await router.set({ blue: 70, green: 30 });
    const stale = await controlRequest(
      `${server.control}?route=app&generation=${before.json.generation}`,
      'PUT',
      'blue=0,green=100',
    );
    expect(stale.status).toBe(409);
    expect(await router.read()).toEqual({ blue: 70, green: 30 });
  });

  it('keeps the weights across a graceful reload and across a restart (from the state file)', async () => {
    const { server, router } = await start();
    await router.set({ blue: 0, green: 100 });
    expect(await readFile(server.stateFile, 'utf8')).toBe('app blue=0,green=100 1\n');
    await server.reload();
    await router.verify({ blue: 0, green: 100 });
    await server.restart();
    await router.verify({ blue: 0, green: 100 });
    expect((await controlRequest(`${server.control}?route=app`, 'GET')).json.source).toBe('file');
    const served = await sendRequests(server.url, { count: 50, concurrency: 4 });
    expect(served).toMatchObject({ failed: 0, bySlot: { green: 50 } });
  });

  it('saves the state file 0644 whatever the umask, and refuses a change it cannot save', async () => {
    const { server, router } = await start();
    await router.set({ blue: 30, green: 70 });
    const mode = (await stat(server.stateFile)).mode & 0o777;
    expect(mode).toBe(0o644);
    // The workers can no longer write the directory: the change is refused, nothing changes.
    const dir = path.dirname(server.stateFile);
    await chmod(dir, 0o555);
    try {
      const error = await router.set({ blue: 100, green: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RouterError);
      expect((error as Error).message).toMatch(/HTTP 500.*the weights in force did not change/);
    } finally {
      await chmod(dir, 0o777);
    }
    expect(await router.read()).toEqual({ blue: 30, green: 70 });
    expect(await readFile(server.stateFile, 'utf8')).toBe('app blue=30,green=70 1\n');
  });

  it('warns when it starts without saved weights, and refuses a change made stale by another writer', async () => {
    const { server, router } = await start();
    await router.set({ blue: 0, green: 100 });
    await rm(server.stateFile);
    await server.restart();
    expect(await server.errorLog()).toMatch(/glidepath: no saved weights/);
    expect(await router.read()).toEqual({ blue: 100, green: 0 });
    // A writer that read generation 0 before someone else changed the route is refused.
    await router.set({ blue: 50, green: 50 });
    const stale = await controlRequest(`${server.control}?route=app&generation=0`, 'PUT', 'blue=0,green=100');
    expect(stale.status).toBe(409);
    expect(await router.read()).toEqual({ blue: 50, green: 50 });
  });

  it('names the problem when the slots disagree with nginx, or nothing listens', async () => {
    const { server } = await start();
    const mismatched = new NginxDynamicRouter({
      control: parseControlEndpoint(server.control)!,
      route: 'app',
      slots: new Map([
        ['blue', backends[0]!.address],
        ['red', backends[1]!.address],
      ]),
    });
    await expect(mismatched.set({ blue: 0, red: 100 } as Weights)).rejects.toThrow(
      /declares the slots blue, green for this route, not blue, red/,
    );
    const wrongRoute = new NginxDynamicRouter({
      control: parseControlEndpoint(server.control)!,
      route: 'shop',
      slots: slots(),
    });
    await expect(wrongRoute.read()).rejects.toThrow(/no route "shop".*one of: app/);
    const closed = new NginxDynamicRouter({
      control: parseControlEndpoint('http://127.0.0.1:9/glidepath')!,
      route: 'app',
      slots: slots(),
    });
    const error = await closed.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect(String((error as Error).message)).toMatch(/not reachable: .*ECONNREFUSED/);
    await expect(
      new NginxDynamicRouter({
        control: parseControlEndpoint(server.control)!,
        route: 'app',
        slots: slots(),
      }).set({ blue: 60, green: 30 }),
    ).rejects.toThrow(/cannot set blue 60% \/ green 30%/);
  });
});

describe('the shipped example configuration', () => {
  it('runs as shipped once glidepath.lua, the addresses and the state file are where it says', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'glidepath-nginx-example-'));
    const nginxBinary = requireProgram('nginx', 'nginx');
    const [port, controlPort] = [await freePort(), await freePort()];
    const example = await readFile(path.join(repoRoot, 'examples/nginx-dynamic/nginx.conf'), 'utf8');
    // Only what a user changes for their host: where the module is, the addresses, ports, state file.
    const adapted = example
      .replace('"/etc/nginx/lua/?.lua;;"', `"${GLIDEPATH_LUA_DIR}/?.lua;;"`)
      .replace('server 10.0.0.11:8080;', `server ${backends[0]!.address};`)
      .replace('server 10.0.0.12:8080;', `server ${backends[1]!.address};`)
      .replace('listen 80;', `listen 127.0.0.1:${port};`)
      .replace('listen 127.0.0.1:9901;', `listen 127.0.0.1:${controlPort};`)
      .replace('/var/lib/glidepath/nginx-weights', `${dir}/state/nginx-weights`);
    for (const text of ['lua_package_path', 'server 10.0.0.11:8080;', 'listen 80;', '/var/lib/glidepath/'])
      expect(example).toContain(text);
    await mkdir(path.join(dir, 'state'), { mode: 0o777 });
    await chmod(path.join(dir, 'state'), 0o777);
    await chmod(dir, 0o755);
    const conf = path.join(dir, 'nginx.conf');
    // Debian's own prefix, where modules-enabled's relative module paths resolve.
    const globals = `pid ${dir}/nginx.pid; error_log ${dir}/error.log;`;
    const start = () => execFile(nginxBinary, ['-c', conf, '-g', globals]);
    try {
      await writeFile(conf, adapted);
      const { stderr } = await execFile(nginxBinary, ['-t', '-c', conf, '-g', globals]);
      expect(stderr).toContain('test is successful');
      await start();
      const router = new NginxDynamicRouter({
        control: parseControlEndpoint(`http://127.0.0.1:${controlPort}/glidepath`)!,
        route: 'app',
        slots: slots(),
      });
      await waitUntil(() => router.read());
      expect(await router.read()).toEqual({ blue: 100, green: 0 });
      await router.set({ blue: 0, green: 100 });
      const served = await sendRequests(`http://127.0.0.1:${port}/`, { count: 20, concurrency: 2 });
      expect(served).toMatchObject({ failed: 0, bySlot: { green: 20 } });
      await stopMaster(path.join(dir, 'nginx.pid'));

      // nginx -t does not run init_by_lua, so a broken setup() passes it; nginx refuses to start
      // with it, naming the problem (and a reload with it keeps the running configuration).
      await writeFile(conf, adapted.replace('initial = "blue"', 'initial = "red"'));
      const refused = await start().catch((e: { stderr: string }) => e);
      expect(refused).toHaveProperty('stderr');
      expect(await readFile(path.join(dir, 'error.log'), 'utf8')).toMatch(
        /route "app" needs initial = <one of its slots>/,
      );
    } finally {
      await stopMaster(path.join(dir, 'nginx.pid'));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function waitUntil(probe: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await probe();
      return;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function stopMaster(pidFile: string): Promise<void> {
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  if (!pid) return;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(pid, 'SIGKILL');
}

describe('parseControlEndpoint', () => {
  it('accepts loopback and unix sockets only', () => {
    expect(parseControlEndpoint('http://127.0.0.1:9901/glidepath')).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 9901,
      path: '/glidepath',
    });
    expect(parseControlEndpoint('http://127.8.9.10:80/x')).toMatchObject({ host: '127.8.9.10', port: 80 });
    expect(parseControlEndpoint('http://[::1]:9901/')).toMatchObject({ host: '::1', path: '/glidepath' });
    expect(parseControlEndpoint('unix:/run/nginx/glidepath.sock')).toEqual({
      kind: 'unix',
      socket: '/run/nginx/glidepath.sock',
      path: '/glidepath',
    });
    expect(parseControlEndpoint('unix:/run/g.sock:/ctl')).toMatchObject({
      socket: '/run/g.sock',
      path: '/ctl',
    });
    for (const refused of [
      'http://10.0.0.5:9901/glidepath',
      'http://localhost:9901/glidepath',
      'http://nginx.internal:9901/glidepath',
      'https://127.0.0.1:9901/glidepath',
      'http://user:pw@127.0.0.1:9901/glidepath',
      'http://127.0.0.1:9901/glidepath?route=x',
      'http://127.0.0.256:9901/',
      'http://0.0.0.0:9901/',
      'unix:relative.sock',
      '127.0.0.1:9901',
    ])
      expect(parseControlEndpoint(refused), refused).toBeUndefined();
  });
});
