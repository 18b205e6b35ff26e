import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubernetes, kubeconfigFor } from '../../../../test/fakes/kubernetes/index.js';
import { readInputs } from '../../src/inputs/index.js';
import {
  createRouter,
  type Router,
  RouterError,
  routerFields,
  routerSettings,
} from '../../src/traffic/index.js';

let fake: FakeKubernetes;

beforeEach(async () => {
  fake = await FakeKubernetes.start();
});
afterEach(async () => {
  await fake.close();
});

function ingress(
  name: string,
  service: string,
  annotations?: Record<string, string>,
  host = 'app.example.com',
) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'prod', ...(annotations ? { annotations } : {}) },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: service, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

const CANARY = 'nginx.ingress.kubernetes.io/canary';
const WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';

async function router(): Promise<Router> {
  const inputs: Record<string, string> = {
    router: 'ingress-nginx',
    slots: 'blue=app-blue\ngreen=app-green',
    kubeconfig: kubeconfigFor(fake),
    namespace: 'prod',
    route: 'app-canary',
  };
  return createRouter(routerSettings(await readInputs(routerFields, (name) => inputs[name] ?? '')));
}

const annotations = () => fake.get('Ingress', 'prod', 'app-canary')!.metadata.annotations;

describe('ingress-nginx router against the Kubernetes API fake', () => {
  it('reads the canary weight as the share of the slot the canary Ingress routes to', async () => {
    fake.put(ingress('app', 'app-blue'));
    fake.put(ingress('app-canary', 'app-green', { [CANARY]: 'true', [WEIGHT]: '20' }));
    expect(await (await router()).read()).toEqual({ blue: 80, green: 20 });
  });

  it('expresses any split through the canary weight, for either slot', async () => {
    fake.put(ingress('app', 'app-blue'));
    fake.put(
      ingress('app-canary', 'app-green', { [CANARY]: 'true', [WEIGHT]: '0', 'other/annotation': 'kept' }),
    );
    const r = await router();
    await r.set({ blue: 90, green: 10 });
    expect(annotations()).toEqual({ [CANARY]: 'true', [WEIGHT]: '10', 'other/annotation': 'kept' });
    await r.set({ blue: 0, green: 100 });
    expect(annotations()[WEIGHT]).toBe('100');
    await r.verify({ blue: 0, green: 100 });
    // The main Ingress is only read, never written.
    expect(fake.get('Ingress', 'prod', 'app')!.metadata.generation).toBe(1);
    expect(
      fake.requests.filter((q) => q.method === 'PUT').every((q) => q.path.endsWith('/ingresses/app-canary')),
    ).toBe(true);
    expect(fake.violations).toEqual([]);
  });

  it('treats a canary Ingress without the canary annotation as taking nothing, and turns it on', async () => {
    fake.put(ingress('app', 'app-blue'));
    fake.put(ingress('app-canary', 'app-green'));
    const r = await router();
    expect(await r.read()).toEqual({ blue: 100, green: 0 });
    await r.set({ blue: 95, green: 5 });
    expect(annotations()).toEqual({ [CANARY]: 'true', [WEIGHT]: '5' });
    expect(fake.violations).toEqual([]);
  });

  it('retries on conflict', async () => {
    fake.put(ingress('app', 'app-blue'));
    fake.put(ingress('app-canary', 'app-green', { [CANARY]: 'true', [WEIGHT]: '0' }));
    fake.conflictNext(3);
    await (await router()).set({ blue: 50, green: 50 });
    expect(annotations()[WEIGHT]).toBe('50');
    expect(fake.requests.filter((q) => q.method === 'PUT').map((q) => q.status)).toEqual([
      409, 409, 409, 200,
    ]);
  });

  it('refuses to shift when the main Ingress does not route to the other slot, or is missing', async () => {
    fake.put(ingress('app', 'app-green'));
    fake.put(ingress('app-canary', 'app-green', { [CANARY]: 'true', [WEIGHT]: '0' }));
    const r = await router();
    const error = await r.set({ blue: 50, green: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as Error).message).toContain('the main Ingress app must route to app-blue (slot "blue")');
    expect(annotations()[WEIGHT]).toBe('0');
    fake.put(ingress('app', 'app-blue', undefined, 'elsewhere.example.com'));
    await expect(r.read()).rejects.toThrow('no main (non-canary) Ingress for host app.example.com');
  });

  it('refuses a canary Ingress that routes to no slot', async () => {
    fake.put(ingress('app', 'app-blue'));
    fake.put(ingress('app-canary', 'legacy', { [CANARY]: 'true', [WEIGHT]: '0' }));
    await expect((await router()).read()).rejects.toThrow("must route to exactly one slot's Service");
  });
});
