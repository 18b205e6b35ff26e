import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  sendRequests,
  startBackends,
  stopBackends,
} from '../../../../test/support/backends.js';
import { type HaproxyServer, startHaproxy } from '../../../../test/support/haproxy.js';
import { HaproxyRouter, RouterError, type Weights } from '../../src/traffic/index.js';

let backends: Backend[];
let haproxy: HaproxyServer | undefined;

beforeAll(async () => {
  backends = await startBackends([{ slot: 'blue' }, { slot: 'green' }]);
});
afterAll(async () => {
  await stopBackends(backends ?? []);
});
afterEach(async () => {
  await haproxy?.stop();
  haproxy = undefined;
});

const slots = new Map([
  ['blue', 'app-blue'],
  ['green', 'app-green'],
]);

async function start(weights: { blue: number; green: number } = { blue: 3, green: 1 }, balance?: string) {
  const server = await startHaproxy({
    balance,
    servers: [
      { name: 'app-blue', address: backends[0]!.address, weight: weights.blue },
      { name: 'app-green', address: backends[1]!.address, weight: weights.green },
    ],
  });
  haproxy = server;
  return { server, router: new HaproxyRouter({ socket: server.socket, backend: server.backend, slots }) };
}

describe('HAProxy router on a real HAProxy', () => {
  it('reads the weights in force from the runtime API, as percents', async () => {
    const { router } = await start();
    expect(await router.read()).toEqual({ blue: 75, green: 25 });
  });

  it('sets 10/90 without a reload and real traffic follows', async () => {
    const { server, router } = await start();
    const pid = server.process.pid;
    await router.set({ blue: 10, green: 90 });
    await router.verify({ blue: 10, green: 90 });
    const states = await router.serverStates();
    expect(states.get('app-blue')?.weight).toBe(10);
    expect(states.get('app-green')?.weight).toBe(90);
    const result = await sendRequests(server.url, { count: 500, concurrency: 4 });
    expect(result.failed, result.failures.join('\n')).toBe(0);
    console.log(`haproxy 10/90: blue ${result.bySlot.blue}, green ${result.bySlot.green} of ${result.total}`);
    const blueShare = (result.bySlot.blue ?? 0) / result.total;
    expect(blueShare).toBeGreaterThan(0.05);
    expect(blueShare).toBeLessThan(0.15);
    expect(server.process.pid).toBe(pid);
    expect(server.process.exitCode).toBeNull();
  });

  it('weight 0 takes a slot out of rotation', async () => {
    const { server, router } = await start();
    await router.set({ blue: 0, green: 100 });
    expect(await router.read()).toEqual({ blue: 0, green: 100 });
    const result = await sendRequests(server.url, { count: 200, concurrency: 4 });
    expect(result.failed).toBe(0);
    expect(result.bySlot).toEqual({ green: 200 });
  });

  it('works over a tcp:// admin socket', async () => {
    const { server } = await start();
    const router = new HaproxyRouter({ socket: server.tcpSocket, backend: server.backend, slots });
    await router.set({ blue: 40, green: 60 });
    expect(await router.read()).toEqual({ blue: 40, green: 60 });
    // The unix socket sees the same runtime state.
    expect(await new HaproxyRouter({ socket: server.socket, backend: server.backend, slots }).read()).toEqual(
      {
        blue: 40,
        green: 60,
      },
    );
  });

  it('counts a server in maintenance as taking no traffic, so verify reports it', async () => {
    const { router } = await start({ blue: 1, green: 1 });
    await router.command('disable server app/app-green');
    expect(await router.read()).toEqual({ blue: 100, green: 0 });
    await router.set({ blue: 50, green: 50 });
    await expect(router.verify({ blue: 50, green: 50 })).rejects.toThrow(
      'holds blue 100% / green 0%, not blue 50% / green 50%',
    );
  });

  it("fails with HAProxy's own words when the backend cannot change weights at run time, leaving them as they were", async () => {
    // A map-based hash ("balance source") fixes the weights when HAProxy starts.
    const { router } = await start({ blue: 1, green: 1 }, 'source');
    const error = await router.set({ blue: 10, green: 90 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as Error).message).toMatch(/refused blue 10% \/ green 90%: .*static/i);
    expect(await router.read()).toEqual({ blue: 50, green: 50 });
  });

  it('names an unknown backend or server', async () => {
    const { server } = await start();
    await expect(new HaproxyRouter({ socket: server.socket, backend: 'nope', slots }).read()).rejects.toThrow(
      /Can't find backend/,
    );
    const wrong = new HaproxyRouter({
      socket: server.socket,
      backend: server.backend,
      slots: new Map([
        ['blue', 'app-blue'],
        ['green', 'app-grene'],
      ]),
    });
    await expect(wrong.read()).rejects.toThrow('has no server "app-grene" (slot "green")');
    await expect(wrong.set({ blue: 50, green: 50 })).rejects.toThrow(RouterError);
  });

  it('fails with a RouterError naming the socket when it vanished mid-shift', async () => {
    const { server, router } = await start();
    await router.set({ blue: 10, green: 90 });
    await server.stop();
    haproxy = undefined;
    const error = await router.set({ blue: 25, green: 75 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as Error).message).toContain(`HAProxy admin socket ${server.socket} is not reachable`);
    const tcp = new HaproxyRouter({ socket: server.tcpSocket, backend: server.backend, slots });
    await expect(tcp.read()).rejects.toThrow(`HAProxy admin socket ${server.tcpSocket} is not reachable`);
  });

  it('drops no request while weights flip under load', async () => {
    const { server, router } = await start();
    const plan: Weights[] = [
      { blue: 10, green: 90 },
      { blue: 50, green: 50 },
      { blue: 0, green: 100 },
      { blue: 90, green: 10 },
      { blue: 100, green: 0 },
      { blue: 25, green: 75 },
    ];
    // A steady load that runs until the plan has been set twice over (150 ms apart) and
    // stops only then, so every change happens under it however fast the machine is.
    const stop = new AbortController();
    const load = sendRequests(server.url, {
      count: 1_000_000,
      concurrency: 8,
      timeoutMs: 120_000,
      keepAlive: true,
      paceMs: 15,
      signal: stop.signal,
    });
    let loadDone = false;
    void load.finally(() => {
      loadDone = true;
    });
    let flips = 0;
    for (const weights of [...plan, ...plan]) {
      await router.set(weights);
      flips++;
      await new Promise((r) => setTimeout(r, 150));
    }
    // Still running after the last change: none happened after the load had ended.
    expect(loadDone).toBe(false);
    stop.abort();
    const result = await load;
    console.log(
      `haproxy under load: ${result.total} requests, ${result.failed} failed, ${flips} weight changes, by slot ${JSON.stringify(result.bySlot)}`,
    );
    expect(flips).toBe(2 * plan.length);
    expect(result.total).toBeGreaterThan(0);
    expect(result.failed, result.failures.join('\n')).toBe(0);
  });
});
