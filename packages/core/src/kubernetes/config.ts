import type { KubeConfig } from '@kubernetes/client-node';
import { OperationError } from '../errors.js';
import { registerSecret } from '../secrets.js';

export type { KubeConfig };

/** Where the Kubernetes client finds its cluster: a kubeconfig file, or kubeconfig YAML given inline. */
export type KubeconfigSource = { kind: 'path'; path: string } | { kind: 'inline'; content: string };

/** The Kubernetes client, loaded on first use so actions that never talk to a cluster never pay for it. */
export function kubernetesClient(): Promise<typeof import('@kubernetes/client-node')> {
  return import('@kubernetes/client-node');
}

/**
 * Loads the cluster connection: from the given file or inline YAML, else from
 * `KUBECONFIG`, `~/.kube/config` or the in-cluster service account, in that
 * order (the client's own default). Every credential found in it is
 * registered for masking before anything can print it; an inline kubeconfig
 * that does not load is reported without quoting a byte of it.
 */
export async function loadKubeConfig(source?: KubeconfigSource): Promise<KubeConfig> {
  const k8s = await kubernetesClient();
  const config = new k8s.KubeConfig();
  const where =
    source === undefined
      ? 'from KUBECONFIG, ~/.kube/config or the in-cluster service account'
      : source.kind === 'path'
        ? `from ${source.path}`
        : 'given inline';
  try {
    if (source?.kind === 'inline') {
      registerSecret(source.content);
      config.loadFromString(source.content);
    } else if (source?.kind === 'path') config.loadFromFile(source.path);
    else config.loadFromDefault();
  } catch (error) {
    const detail = source?.kind === 'inline' ? 'it is not valid kubeconfig YAML' : (error as Error).message;
    throw new OperationError(`Cannot load the kubeconfig ${where}: ${detail}`, {
      cause: source?.kind === 'inline' ? undefined : error,
    });
  }
  for (const user of config.users) {
    registerSecret(user.token);
    registerSecret(user.password);
    registerSecret(user.keyData);
    registerSecret(user.certData);
  }
  if (!config.getCurrentCluster())
    throw new OperationError(`The kubeconfig ${where} names no current cluster (check current-context)`);
  return config;
}

/** The HTTP status of a failed Kubernetes API call, when the client reports one. */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The `message` of the Kubernetes Status in a failed call's body, or the client's own message. */
export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: unknown };
      if (typeof status.message === 'string') return status.message;
    } catch {
      // Not JSON: fall through to the client's message.
    }
  }
  const status = apiStatus(error);
  if (status !== undefined) return `HTTP ${status}${status === 401 ? ' Unauthorized' : ''}`;
  return error instanceof Error ? error.message : String(error);
}

export interface GuardedUpdate<T, C = T> {
  /** Reads the object as it is now. */
  read: () => Promise<T>;
  /**
   * The change to make (often the object as it should be), or undefined when
   * the object already is as wanted. Throwing stops without writing.
   */
  change: (current: T) => C | undefined;
  /** Writes the change, guarded by the resourceVersion read; a 409 means someone wrote in between. */
  write: (change: C, current: T) => Promise<T>;
  attempts?: number;
  onConflict?: (attempt: number) => void;
}

/**
 * Optimistic concurrency as Kubernetes intends it: read, change, write with
 * the resourceVersion that was read; on a 409 Conflict read again and
 * re-apply the change to what is there now, a bounded number of times.
 */
export async function guardedUpdate<T, C = T>(
  update: GuardedUpdate<T, C>,
): Promise<{ object: T; written: boolean }> {
  const attempts = update.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const current = await update.read();
    const next = update.change(current);
    if (next === undefined) return { object: current, written: false };
    try {
      return { object: await update.write(next, current), written: true };
    } catch (error) {
      if (apiStatus(error) !== 409 || attempt >= attempts) throw error;
      update.onConflict?.(attempt);
    }
  }
}
