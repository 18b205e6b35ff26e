import { execFileSync } from 'node:child_process';
import { it } from 'vitest';
import { FakeKubernetes, kubeconfigFor } from './index.js';
it('bundle probe', async () => {
  const fake = await FakeKubernetes.start();
  fake.put({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'app', namespace: 'prod' }, spec: { rules: [{ backendRefs: [{ name: 'app-blue', port: 80, weight: 1 }, { name: 'app-green', port: 80, weight: 0 }] }] } });
  try {
    const out = execFileSync('node', ['/tmp/gp-bundle/out/index.mjs'], { env: { ...process.env, KC: kubeconfigFor(fake) }, encoding: 'utf8' });
    console.log(out.split('\n').filter((l) => !l.startsWith('::')).join('\n'));
  } finally {
    console.log('violations', fake.violations);
    await fake.close();
  }
}, 60000);
