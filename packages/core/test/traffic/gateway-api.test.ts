import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeKubernetes, kubeconfigFor, writeKubeconfig } from '../../../../test/fakes/kubernetes/index.js';
import { readInputs } from '../../src/inputs/index.js';
import { containsSecret, redact, resetSecretsForTest } from '../../src/secrets.js';
import {
  createRouter,
  type Router,
  RouterError,
  routerFields,
  routerSettings,
} from '../../src/traffic/index.js';

let fake: FakeKubernetes;

beforeEach(async () => {
  resetSecretsForTest();
  fake = await FakeKubernetes.start({ routeAcceptDelayMs: 100 });
});
afterEach(async () => {
  await fake.close();
});

function route(
  rules: Array<Array<{ name: string; port?: number; weight?: number }>>,
  parentRefs = [{ name: 'gw' }],
) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'app', namespace: 'prod' },
    spec: {
      parentRefs,
      hostnames: ['app.example.com'],
      rules: rules.map((backendRefs, i) => ({
        matches: [{ path: { type: 'PathPrefix', value: i === 0 ? '/' : `/v${i}` } }],
        backendRefs: backendRefs.map((r) => ({ port: 8080, ...r })),
      })),
    },
  };
}

/** A router built the way an action builds it: inputs → settings → createRouter. */
async function router(extra: Record<string, string> = {}, acceptTimeoutMs = 10_000): Promise<Router> {
  const inputs: Record<string, string> = {
    router: 'gateway-api',
    slots: 'blue=app-blue\ngreen=app-green',
    kubeconfig: kubeconfigFor(fake),
    namespace: 'prod',
    route: 'app',
    ...extra,
  };
  const settings = routerSettings(await readInputs(routerFields, (name) => inputs[name] ?? ''));
  return createRouter(settings, { acceptTimeoutMs });
}

const stored = () => fake.get('HTTPRoute', 'prod', 'app')!;
const weightsOf = (rule = 0) =>
  (stored().spec.rules[rule].backendRefs as Array<{ name: string; weight?: number }>).map((r) => [
    r.name,
    r.weight,
  ]);

describe('gateway-api router against the Kubernetes API fake', () => {
  it('reads backendRef weights as percents (a ref without weight has weight 1)', async () => {
    fake.put(route([[{ name: 'app-blue', weight: 3 }, { name: 'app-green' }]]));
    expect(await (await router()).read()).toEqual({ blue: 75, green: 25 });
  });

  it('sets weights with a resourceVersion-guarded replace and waits for the Gateway to accept them', async () => {
    fake.put(
      route([
        [
          { name: 'app-blue', weight: 100 },
          { name: 'app-green', weight: 0 },
        ],
      ]),
    );
    // The route has been in place a while: the controller reports on it.
    await until(() => stored().status?.parents !== undefined);
    const r = await router();
    await r.set({ blue: 10, green: 90 });
    expect(weightsOf()).toEqual([
      ['app-blue', 10],
      ['app-green', 90],
    ]);
    // set returned only after the controller accepted the generation it wrote.
    const accepted = stored().status.parents[0].conditions.find(
      (c: { type: string }) => c.type === 'Accepted',
    );
    expect(accepted.observedGeneration).toBe(stored().metadata.generation);
    await r.verify({ blue: 10, green: 90 });
    const put = fake.requests.find((q) => q.method === 'PUT');
    expect((put!.body as { metadata: { resourceVersion?: string } }).metadata.resourceVersion).toMatch(
      /^\d+$/,
    );
    expect(fake.violations).toEqual([]);
  });

  it('retries on 409 Conflict with a fresh read, a bounded number of times', async () => {
    fake.put(
      route([
        [
          { name: 'app-blue', weight: 100 },
          { name: 'app-green', weight: 0 },
        ],
      ]),
    );
    await until(() => stored().status?.parents !== undefined);
    const r = await router();
    fake.conflictNext(2);
    await r.set({ blue: 50, green: 50 });
    expect(weightsOf()).toEqual([
      ['app-blue', 50],
      ['app-green', 50],
    ]);
    expect(fake.requests.filter((q) => q.method === 'PUT').map((q) => q.status)).toEqual([409, 409, 200]);
    fake.conflictNext(100);
    const error = await r.set({ blue: 0, green: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as Error).message).toContain('the object has been modified');
    expect(fake.requests.filter((q) => q.method === 'PUT').length).toBe(3 + 5);
    expect(weightsOf()[0]).toEqual(['app-blue', 50]);
    fake.conflictNext(0);
    expect(fake.violations).toEqual([]);
  });

  it('fails with a RouterError when the Gateway does not accept in time, or rejects', async () => {
    fake.put(
      route([
        [
          { name: 'app-blue', weight: 100 },
          { name: 'app-green', weight: 0 },
        ],
      ]),
    );
    await until(() => stored().status?.parents !== undefined);
    fake.stallRoutes();
    const slow = await router({}, 600);
    await expect(slow.set({ blue: 90, green: 10 })).rejects.toThrow(
      'Gateway "gw" did not accept generation 2 within 600ms',
    );
    fake.stallRoutes(false);
    fake.rejectRoutes({ reason: 'NotAllowedByListeners', message: 'no listener allows this route' });
    await expect((await router()).set({ blue: 80, green: 20 })).rejects.toThrow(
      'Gateway "gw" did not accept the change (NotAllowedByListeners: no listener allows this route)',
    );
    expect(fake.violations).toEqual([]);
  });

  it('does not wait on a route no controller reports on', async () => {
    fake.put(
      route(
        [
          [
            { name: 'app-blue', weight: 1 },
            { name: 'app-green', weight: 1 },
          ],
        ],
        [],
      ),
    );
    const r = await router();
    await r.set({ blue: 30, green: 70 });
    expect(stored().status).toBeUndefined();
    expect(await r.read()).toEqual({ blue: 30, green: 70 });
  });

  it('updates every rule that routes to a slot, adding the missing slot backendRef with the port in use', async () => {
    fake.put(
      route([
        [{ name: 'app-blue', weight: 1 }],
        [
          { name: 'app-blue', weight: 1 },
          { name: 'app-green', weight: 1 },
        ],
        [{ name: 'docs', weight: 1 }],
      ]),
    );
    const r = await router();
    await r.set({ blue: 75, green: 25 });
    expect(weightsOf(0)).toEqual([
      ['app-blue', 75],
      ['app-green', 25],
    ]);
    expect(stored().spec.rules[0].backendRefs[1].port).toBe(8080);
    expect(weightsOf(1)).toEqual([
      ['app-blue', 75],
      ['app-green', 25],
    ]);
    expect(weightsOf(2)).toEqual([['docs', 1]]);
    await r.verify({ blue: 75, green: 25 });
    expect(fake.violations).toEqual([]);
  });

  it('matches a slot given as service:port only to backendRefs on that port', async () => {
    fake.put(
      route([
        [
          { name: 'app-blue', port: 8080, weight: 1 },
          { name: 'app-blue', port: 9090, weight: 5 },
          { name: 'app-green', port: 8080, weight: 3 },
        ],
      ]),
    );
    const r = await router({ slots: 'blue=app-blue:8080\ngreen=app-green:8080' });
    expect(await r.read()).toEqual({ blue: 25, green: 75 });
  });

  it('names the route when it does not exist, and names the services when no rule routes to them', async () => {
    await expect((await router()).read()).rejects.toThrow('HTTPRoute prod/app does not exist');
    fake.put(route([[{ name: 'other', weight: 1 }]]));
    await expect((await router()).read()).rejects.toThrow(
      'has no rule with a backendRef to app-blue or app-green',
    );
  });

  it('loads the kubeconfig from a path input, or from KUBECONFIG when the input is empty', async () => {
    fake.put(
      route([
        [
          { name: 'app-blue', weight: 1 },
          { name: 'app-green', weight: 3 },
        ],
      ]),
    );
    const dir = await mkdtemp(path.join(tmpdir(), 'glidepath-kube-'));
    try {
      const file = await writeKubeconfig(fake, dir);
      expect(await (await router({ kubeconfig: file })).read()).toEqual({ blue: 25, green: 75 });
      vi.stubEnv('KUBECONFIG', file);
      expect(await (await router({ kubeconfig: '' })).read()).toEqual({ blue: 25, green: 75 });
    } finally {
      vi.unstubAllEnvs();
      await rm(dir, { recursive: true, force: true });
    }
    expect(fake.violations).toEqual([]);
  });

  it('registers an inline kubeconfig as a secret and never quotes it', async () => {
    fake.put(
      route([
        [
          { name: 'app-blue', weight: 1 },
          { name: 'app-green', weight: 1 },
        ],
      ]),
    );
    await router();
    expect(containsSecret(kubeconfigFor(fake))).toBe(true);
    expect(redact(`token ${fake.token}`)).toBe('token ***');
    // Only credentials and the whole document are masked, not every harmless line of it.
    expect(redact('kind: Config')).toBe('kind: Config');
    const broken = await router({ kubeconfig: 'apiVersion: v1\nclusters: [\n' }).catch((e: unknown) => e);
    expect((broken as Error).message).toBe(
      'Cannot load the kubeconfig given inline: it is not valid kubeconfig YAML',
    );
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
