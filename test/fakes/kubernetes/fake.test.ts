import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, FakeKubernetes, kubeconfigFor } from './index.js';

let fake: FakeKubernetes;
let kc: k8s.KubeConfig;

beforeEach(async () => {
  fake = await FakeKubernetes.start({ routeAcceptDelayMs: 50, deploymentStepMs: 20 });
  kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfigFor(fake));
});
afterEach(async () => {
  await fake.close();
});

const route = (weights: [number, number]) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'app', namespace: 'prod' },
  spec: {
    parentRefs: [{ name: 'gw' }],
    rules: [
      {
        backendRefs: [
          { name: 'app-blue', port: 80, weight: weights[0] },
          { name: 'app-green', port: 80, weight: weights[1] },
        ],
      },
    ],
  },
});

const ids = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  namespace: 'prod',
  plural: 'httproutes',
  name: 'app',
};

describe('the Kubernetes API fake', () => {
  it('serves what the client reads and replaces, bumping resourceVersion and generation', async () => {
    fake.put(route([100, 0]));
    // The controller's status write bumps the resourceVersion too; let it land first.
    await until(() => fake.get('HTTPRoute', 'prod', 'app')?.status !== undefined);
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const read = (await api.getNamespacedCustomObject(ids)) as {
      metadata: { resourceVersion: string; generation: number };
      spec: { rules: Array<{ backendRefs: Array<{ weight: number }> }> };
    };
    expect(read.metadata.generation).toBe(1);
    read.spec.rules[0]!.backendRefs[0]!.weight = 90;
    const written = (await api.replaceNamespacedCustomObject({ ...ids, body: read })) as typeof read;
    expect(Number(written.metadata.resourceVersion)).toBeGreaterThan(Number(read.metadata.resourceVersion));
    expect(written.metadata.generation).toBe(2);
    expect(fake.violations).toEqual([]);
  });

  it('answers a stale resourceVersion with 409 Conflict and a Status body', async () => {
    fake.put(route([100, 0]));
    await until(() => fake.get('HTTPRoute', 'prod', 'app')?.status !== undefined);
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const first = (await api.getNamespacedCustomObject(ids)) as ReturnType<typeof route>;
    await api.replaceNamespacedCustomObject({ ...ids, body: first });
    const error = (await api
      .replaceNamespacedCustomObject({ ...ids, body: first })
      .catch((e: unknown) => e)) as k8s.ApiException<string>;
    expect(error.code).toBe(409);
    const body = JSON.parse(error.body) as { kind: string; reason: string; message: string };
    expect(body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    expect(body.message).toContain('the object has been modified');
  });

  it('rejects an invalid object with 422 and records the violation', async () => {
    fake.put(route([100, 0]));
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const bad = route([-5, 105]);
    const error = (await api
      .replaceNamespacedCustomObject({ ...ids, body: bad })
      .catch((e: unknown) => e)) as k8s.ApiException<string>;
    expect(error.code).toBe(422);
    expect(fake.violations.join('\n')).toContain('weight must be >= 0');
    expect(fake.get('HTTPRoute', 'prod', 'app')?.spec.rules[0].backendRefs[0].weight).toBe(100);
    expect(() =>
      fake.put({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'x' },
        spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Sometimes', backend: {} }] } }] },
      }),
    ).toThrow('pathType');
  });

  it('applies JSON patches (the client default) with a resourceVersion precondition, and merge patches', async () => {
    fake.put(deployment());
    // Let the Deployment controller's status writes (which bump resourceVersion) settle first.
    await until(() => fake.get('Deployment', 'prod', 'app-green')?.status?.availableReplicas === 1);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const current = await apps.readNamespacedDeployment({ name: 'app-green', namespace: 'prod' });
    const patched = await apps.patchNamespacedDeployment({
      name: 'app-green',
      namespace: 'prod',
      body: [
        { op: 'replace', path: '/metadata/resourceVersion', value: current.metadata?.resourceVersion },
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'app:2' },
      ],
    });
    expect(patched.spec?.template.spec?.containers[0]?.image).toBe('app:2');
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      contentType: 'application/json-patch+json',
      status: 200,
    });
    const stale = await apps
      .patchNamespacedDeployment({
        name: 'app-green',
        namespace: 'prod',
        body: [
          { op: 'replace', path: '/metadata/resourceVersion', value: current.metadata?.resourceVersion },
        ],
      })
      .catch((e: unknown) => e);
    expect((stale as k8s.ApiException<string>).code).toBe(409);
    await apps.patchNamespacedDeployment(
      { name: 'app-green', namespace: 'prod', body: { spec: { replicas: 3 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(fake.get('Deployment', 'prod', 'app-green')?.spec.replicas).toBe(3);
    expect(fake.requests.at(-1)?.contentType).toBe('application/merge-patch+json');
    expect(fake.violations).toEqual([]);
  });

  it('records unknown paths and requests without the token', async () => {
    const res = await fetch(`${fake.url}/apis/example.com/v1/namespaces/prod/widgets/x`, {
      headers: { authorization: `Bearer ${fake.token}` },
    });
    expect(res.status).toBe(404);
    const anonymous = await fetch(`${fake.url}/apis/apps/v1/namespaces/prod/deployments/x`);
    expect(anonymous.status).toBe(401);
    expect(fake.violations).toEqual([
      'unknown path: GET /apis/example.com/v1/namespaces/prod/widgets/x',
      'GET /apis/apps/v1/namespaces/prod/deployments/x without the bearer token',
    ]);
  });

  it('forces conflicts on demand, as a concurrent writer would', async () => {
    fake.put(route([100, 0]));
    await until(() => fake.get('HTTPRoute', 'prod', 'app')?.status !== undefined);
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    fake.conflictNext(1);
    const read = (await api.getNamespacedCustomObject(ids)) as ReturnType<typeof route>;
    const error = (await api
      .replaceNamespacedCustomObject({ ...ids, body: read })
      .catch((e: unknown) => e)) as k8s.ApiException<string>;
    expect(error.code).toBe(409);
    const again = (await api.getNamespacedCustomObject(ids)) as ReturnType<typeof route>;
    await api.replaceNamespacedCustomObject({ ...ids, body: again });
  });

  it('plays the Gateway controller: Accepted for the current generation, unless stalled', async () => {
    fake.put(route([100, 0]));
    await until(
      () =>
        fake.get('HTTPRoute', 'prod', 'app')?.status?.parents?.[0]?.conditions?.[0]?.observedGeneration === 1,
    );
    const accepted = fake.get('HTTPRoute', 'prod', 'app')!.status.parents[0].conditions[0];
    expect(accepted).toMatchObject({ type: 'Accepted', status: 'True' });
    fake.stallRoutes();
    fake.put(route([50, 50]));
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.get('HTTPRoute', 'prod', 'app')!.metadata.generation).toBe(2);
    expect(fake.get('HTTPRoute', 'prod', 'app')!.status.parents[0].conditions[0].observedGeneration).toBe(1);
  });

  it('plays the Deployment controller: status moves toward spec step by step', async () => {
    fake.put({ ...deployment(), spec: { ...deployment().spec, replicas: 3 } });
    await until(() => fake.get('Deployment', 'prod', 'app-green')?.status?.availableReplicas === 3);
    const status = fake.get('Deployment', 'prod', 'app-green')!.status;
    expect(status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
    });
  });

  it('implements RFC 6902 and RFC 7386 as specified', () => {
    const doc = { a: { b: [1, 2, 3] }, c: 'x' };
    expect(
      applyJsonPatch(doc, [
        { op: 'add', path: '/a/b/-', value: 4 },
        { op: 'remove', path: '/a/b/0' },
        { op: 'replace', path: '/c', value: 'y' },
        { op: 'copy', from: '/c', path: '/d' },
        { op: 'move', from: '/d', path: '/e~1f' },
        { op: 'test', path: '/e~1f', value: 'y' },
      ]),
    ).toEqual({ a: { b: [2, 3, 4] }, c: 'y', 'e/f': 'y' });
    expect(doc.a.b).toEqual([1, 2, 3]);
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/c', value: 'z' }])).toThrow('test of /c failed');
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope/x', value: 1 }])).toThrow(
      'does not exist',
    );
    expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1] }, { a: { b: null, d: 3 }, l: [2] })).toEqual({
      a: { c: 2, d: 3 },
      l: [2],
    });
  });
});

function deployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app-green', namespace: 'prod' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'app', slot: 'green' } },
      template: {
        metadata: { labels: { app: 'app', slot: 'green' } },
        spec: { containers: [{ name: 'app', image: 'app:1' }] },
      },
    },
  };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
