import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubernetes, kubeconfigFor } from '../../../../test/fakes/kubernetes/index.js';
import {
  DeployError,
  deployToSlot,
  type KubeConfig,
  loadKubeConfig,
  type RolloutProgress,
} from '../../src/kubernetes/index.js';

let fake: FakeKubernetes;
let kube: KubeConfig;

beforeEach(async () => {
  fake = await FakeKubernetes.start({ deploymentStepMs: 50 });
  kube = await loadKubeConfig({ kind: 'inline', content: kubeconfigFor(fake) });
});
afterEach(async () => {
  await fake.close();
});

function deployment(containers = [{ name: 'app', image: 'registry.local/app:1' }], replicas = 3) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app-green', namespace: 'prod' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'app', slot: 'green' } },
      template: { metadata: { labels: { app: 'app', slot: 'green' } }, spec: { containers } },
    },
  };
}

const stored = () => fake.get('Deployment', 'prod', 'app-green')!;

async function settled(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (stored().status?.availableReplicas !== stored().spec.replicas) {
    if (Date.now() > deadline) throw new Error('the fake Deployment never settled');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('deployToSlot against the Kubernetes API fake', () => {
  it('sets the image and waits until every replica is updated and available', async () => {
    fake.put(deployment());
    await settled();
    const progress: RolloutProgress[] = [];
    const result = await deployToSlot({
      kube,
      namespace: 'prod',
      deployment: 'app-green',
      image: 'registry.local/app@sha256:abc',
      timeoutMs: 30_000,
      pollMs: 20,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({
      deployment: 'app-green',
      container: 'app',
      previousImage: 'registry.local/app:1',
      image: 'registry.local/app@sha256:abc',
      generation: 2,
      changed: true,
    });
    expect(stored().spec.template.spec.containers[0].image).toBe('registry.local/app@sha256:abc');
    expect(stored().status).toMatchObject({
      observedGeneration: 2,
      updatedReplicas: 3,
      availableReplicas: 3,
      replicas: 3,
    });
    // It watched the rollout move rather than returning on the first read.
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toMatchObject({
      generation: 2,
      observedGeneration: 2,
      updatedReplicas: 3,
      availableReplicas: 3,
    });
    expect(fake.requests.find((q) => q.method === 'PATCH')?.contentType).toBe('application/json-patch+json');
    expect(fake.violations).toEqual([]);
  });

  it('fails with a DeployError saying what is missing when the rollout stalls past the timeout', async () => {
    fake.put(deployment());
    await settled();
    fake.stallDeployments('stall');
    const error = await deployToSlot({
      kube,
      namespace: 'prod',
      deployment: 'app-green',
      image: 'registry.local/app:broken',
      timeoutMs: 800,
      pollMs: 50,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect((error as Error).message).toBe(
      'Deployment prod/app-green: the rollout of registry.local/app:broken did not finish within 1s: 0 of 3 replicas updated',
    );
  });

  it('fails at once when the controller reports the progress deadline exceeded', async () => {
    fake.put(deployment());
    await settled();
    fake.stallDeployments('deadline');
    // At once, not at the 60 s timeout: that would fail with "did not finish within 60s" instead.
    await expect(
      deployToSlot({
        kube,
        namespace: 'prod',
        deployment: 'app-green',
        image: 'app:2',
        timeoutMs: 60_000,
        pollMs: 50,
      }),
    ).rejects.toThrow('the rollout of app:2 failed: ReplicaSet "app-green-new" has timed out progressing.');
  });

  it('needs the container named when the pod has several, and names them', async () => {
    fake.put(
      deployment([
        { name: 'app', image: 'app:1' },
        { name: 'proxy', image: 'envoy:1' },
      ]),
    );
    await settled();
    await expect(
      deployToSlot({ kube, namespace: 'prod', deployment: 'app-green', image: 'app:2', timeoutMs: 10_000 }),
    ).rejects.toThrow('has 2 containers ("app", "proxy"); name the one to update');
    await expect(
      deployToSlot({
        kube,
        namespace: 'prod',
        deployment: 'app-green',
        container: 'web',
        image: 'app:2',
        timeoutMs: 10_000,
      }),
    ).rejects.toThrow('has no container "web" (it has "app", "proxy")');
    const result = await deployToSlot({
      kube,
      namespace: 'prod',
      deployment: 'app-green',
      container: 'proxy',
      image: 'envoy:2',
      timeoutMs: 30_000,
      pollMs: 20,
    });
    expect(result.previousImage).toBe('envoy:1');
    expect(stored().spec.template.spec.containers.map((c: { image: string }) => c.image)).toEqual([
      'app:1',
      'envoy:2',
    ]);
  });

  it('retries a patch that meets a concurrent change, and leaves an image already in place alone', async () => {
    fake.put(deployment(undefined, 1));
    await settled();
    fake.conflictNext(2);
    const result = await deployToSlot({
      kube,
      namespace: 'prod',
      deployment: 'app-green',
      image: 'app:2',
      timeoutMs: 30_000,
      pollMs: 20,
    });
    expect(result.changed).toBe(true);
    expect(fake.requests.filter((q) => q.method === 'PATCH').map((q) => q.status)).toEqual([409, 409, 200]);
    const again = await deployToSlot({
      kube,
      namespace: 'prod',
      deployment: 'app-green',
      image: 'app:2',
      timeoutMs: 30_000,
      pollMs: 20,
    });
    expect(again.changed).toBe(false);
    expect(fake.requests.filter((q) => q.method === 'PATCH').length).toBe(3);
    expect(fake.violations).toEqual([]);
  });

  it('names a Deployment that does not exist, and stops waiting when cancelled', async () => {
    await expect(
      deployToSlot({ kube, namespace: 'prod', deployment: 'app-green', image: 'app:2', timeoutMs: 1000 }),
    ).rejects.toThrow('Deployment prod/app-green does not exist');
    fake.put(deployment());
    await settled();
    fake.stallDeployments('stall');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the runner')), 300);
    await expect(
      deployToSlot({
        kube,
        namespace: 'prod',
        deployment: 'app-green',
        image: 'app:3',
        timeoutMs: 60_000,
        pollMs: 50,
        signal: controller.signal,
      }),
    ).rejects.toThrow('cancelled by the runner');
  });
});
