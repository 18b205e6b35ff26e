import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FakeKubernetes } from './server.js';

/**
 * A kubeconfig that points `@kubernetes/client-node` at the fake: plain HTTP
 * on loopback (the client allows it only with insecure-skip-tls-verify) and
 * the fake's bearer token.
 */
export function kubeconfigFor(fake: FakeKubernetes, options: { namespace?: string } = {}): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster:
      server: ${fake.url}
      insecure-skip-tls-verify: true
users:
  - name: glidepath
    user:
      token: ${fake.token}
contexts:
  - name: fake
    context:
      cluster: fake
      user: glidepath
      namespace: ${options.namespace ?? 'default'}
current-context: fake
`;
}

/** Writes `kubeconfigFor(fake)` to `<dir>/kubeconfig` and returns the path. */
export async function writeKubeconfig(fake: FakeKubernetes, dir: string): Promise<string> {
  const file = path.join(dir, 'kubeconfig');
  await writeFile(file, kubeconfigFor(fake), { mode: 0o600 });
  return file;
}
