import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLedger } from '../../../packages/core/src/index.js';
import { FakeKubernetes, kubeconfigFor } from '../../../test/fakes/kubernetes/index.js';
import { everythingVisible, runMain, runPost } from '../../../test/harness/runner.js';
import { type Backend, startBackends, stopBackends } from '../../../test/support/backends.js';
import { ledgerFile } from './setup.js';

let fake: FakeKubernetes;
let backends: Backend[];

beforeEach(async () => {
  fake = await FakeKubernetes.start({ routeAcceptDelayMs: 50 });
  // The analysis probes the green Service; here a real sample service stands in for it.
  backends = await startBackends([{ slot: 'green', version: 'v2' }]);
  fake.put({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'storefront', namespace: 'shop' },
    spec: {
      parentRefs: [{ name: 'gw' }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [
            { name: 'storefront-blue', port: 8080, weight: 100 },
            { name: 'storefront-green', port: 8080, weight: 0 },
          ],
        },
      ],
    },
  });
});
afterEach(async () => {
  await stopBackends(backends);
  await fake.close();
});

const weights = () =>
  (
    fake.get('HTTPRoute', 'shop', 'storefront')!.spec.rules[0].backendRefs as Array<{
      name: string;
      weight: number;
    }>
  ).map((r) => `${r.name}=${r.weight}`);

describe('canary-shift on the Gateway API (Kubernetes API fake)', () => {
  it('with an inline kubeconfig: post restores the live Service after a crash, and the kubeconfig never leaves the process', async () => {
    const inputs = {
      router: 'gateway-api',
      kubeconfig: kubeconfigFor(fake),
      namespace: 'shop',
      route: 'storefront',
      slots: 'blue=storefront-blue:8080\ngreen=storefront-green:8080',
      'target-slot': 'green',
      steps: '10,50,100',
      'step-duration': '3s',
      interval: '1s',
      url: `http://${backends[0]!.address}/`,
      version: 'storefront:v2',
      'ledger-file': ledgerFile(),
    };
    const main = await runMain({
      action: 'canary-shift',
      inputs,
      cancel: { whenLog: /Step 2\/3: verified/, signal: 'SIGKILL' },
      timeoutMs: 60_000,
    });
    expect(main.signal).toBe('SIGKILL');
    expect(weights()).toEqual(['storefront-blue=50', 'storefront-green=50']);
    const post = await runPost(main, { action: 'canary-shift', inputs });
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toMatch(/Post: restored and verified blue 100% \/ green 0%/);
    expect(weights()).toEqual(['storefront-blue=100', 'storefront-green=0']);

    const rerun = await runMain({ action: 'canary-shift', inputs, timeoutMs: 60_000 });
    expect(rerun.exitCode, rerun.log).toBe(0);
    expect(rerun.outputs.result).toBe('promoted');
    expect(weights()).toEqual(['storefront-blue=0', 'storefront-green=100']);

    for (const step of [main, post, rerun]) {
      expect(everythingVisible(step)).not.toContain(fake.token);
      expect(JSON.stringify(step.state)).not.toContain('apiVersion');
    }
    expect(fake.violations).toEqual([]);
  }, 90_000);

  it("target-slot auto deploys the version into the idle slot's Deployment, waits for its rollout, then shifts", async () => {
    const deployment = (name: string, image: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'web', image }] },
        },
      },
    });
    fake.put(deployment('storefront-blue', 'registry.test/storefront:v1'));
    fake.put(deployment('storefront-green', 'registry.test/storefront:v1'));
    const inputs = {
      router: 'gateway-api',
      kubeconfig: kubeconfigFor(fake),
      namespace: 'shop',
      route: 'storefront',
      slots: 'blue=storefront-blue:8080\ngreen=storefront-green:8080',
      'slot-deployments': 'blue=storefront-blue/web\ngreen=storefront-green/web',
      steps: '50,100',
      'step-duration': '2s',
      interval: '1s',
      url: `http://${backends[0]!.address}/`,
      version: 'registry.test/storefront@sha256:' + 'ab'.repeat(32),
      'ledger-file': ledgerFile(),
    };
    // v1, live in blue, recorded as canary-shift would have.
    const ledger = new FileLedger(inputs['ledger-file']);
    await ledger.finish(
      await ledger.begin({ environment: 'production', version: 'registry.test/storefront:v1', slot: 'blue' }),
      { status: 'success' },
    );
    const main = await runMain({ action: 'canary-shift', inputs, timeoutMs: 60_000 });
    expect(main.exitCode, main.log).toBe(0);
    expect(main.log).toContain('target-slot auto: green takes no traffic');
    expect(main.log).toMatch(/Deployment storefront-green: generation \d+\/\d+, 3\/3 updated, 3 available/);
    const image = (name: string) =>
      (fake.get('Deployment', 'shop', name)!.spec.template.spec.containers as Array<{ image: string }>)[0]!
        .image;
    expect(image('storefront-green')).toBe(inputs.version);
    expect(image('storefront-blue')).toBe('registry.test/storefront:v1');
    expect(weights()).toEqual(['storefront-blue=0', 'storefront-green=100']);
    expect(main.summary).toContain('rolled out ' + inputs.version);

    // The next release goes to blue, now idle; a stalled rollout fails before any traffic moves.
    fake.stallDeployments('deadline');
    const stalled = await runMain({
      action: 'canary-shift',
      inputs: { ...inputs, version: 'registry.test/storefront:v3', 'deploy-timeout': '5s' },
      timeoutMs: 60_000,
    });
    expect(stalled.exitCode).toBe(1);
    expect(stalled.annotations[0]?.message).toMatch(/storefront-blue/);
    expect(weights()).toEqual(['storefront-blue=0', 'storefront-green=100']);
    // blue's Deployment now names v3, half rolled out…
    expect(image('storefront-blue')).toBe('registry.test/storefront:v3');
    // …so rolling back to v1 must not send users to blue.
    const rollbackInputs = {
      router: 'gateway-api',
      kubeconfig: inputs.kubeconfig,
      namespace: 'shop',
      route: 'storefront',
      slots: inputs.slots,
      environment: 'production',
      to: 'previous',
      reason: 'the new release misbehaves',
      'ledger-file': inputs['ledger-file'],
    };
    const rollback = await runMain({ action: 'rollback', inputs: rollbackInputs, timeoutMs: 60_000 });
    expect(weights()).toEqual(['storefront-blue=0', 'storefront-green=100']);
    // The ledger says blue runs v3 (its deploy failed), not that it still runs v1.
    expect((await ledger.slots('production')).blue).toMatchObject({
      version: 'registry.test/storefront:v3',
      status: 'error',
    });
    expect(rollback.exitCode, rollback.log).toBe(1);
    expect(rollback.log).toMatch(
      /registry\.test\/storefront:v1 no longer runs in either slot \(blue runs registry\.test\/storefront:v3, whose deploy failed\)/,
    );

    // Given the slots' Deployments, rollback starts v1 in blue itself, waits
    // for its rollout, and only then sends users there.
    fake.stallDeployments(false);
    const redeployed = await runMain({
      action: 'rollback',
      inputs: { ...rollbackInputs, 'slot-deployments': inputs['slot-deployments'] },
      timeoutMs: 60_000,
    });
    expect(redeployed.exitCode, redeployed.log).toBe(0);
    expect(redeployed.log).toMatch(
      /Deployment storefront-blue: generation \d+\/\d+, 3\/3 updated, 3 available/,
    );
    expect(redeployed.log.indexOf('rolled out registry.test/storefront:v1')).toBeLessThan(
      redeployed.log.indexOf('Traffic now: blue 100% / green 0%'),
    );
    expect(image('storefront-blue')).toBe('registry.test/storefront:v1');
    expect(weights()).toEqual(['storefront-blue=100', 'storefront-green=0']);
    expect(await ledger.current('production')).toMatchObject({
      version: 'registry.test/storefront:v1',
      slot: 'blue',
      rollbackFrom: inputs.version,
    });
    expect(redeployed.summary).toContain('rolled out registry.test/storefront:v1');
    expect(fake.violations).toEqual([]);
  }, 90_000);
});
