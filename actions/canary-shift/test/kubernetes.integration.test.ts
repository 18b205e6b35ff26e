import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
});
