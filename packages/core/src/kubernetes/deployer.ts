import type { V1Deployment } from '@kubernetes/client-node';
import { OperationError } from '../errors.js';
import { sleep } from '../retry.js';
import { apiMessage, apiStatus, guardedUpdate, type KubeConfig, kubernetesClient } from './config.js';

export interface DeployToSlotOptions {
  kube: KubeConfig;
  namespace: string;
  /** The idle slot's Deployment. */
  deployment: string;
  /** The container whose image changes; may be left out when the pod has only one. */
  container?: string;
  image: string;
  /** How long the rollout may take before it counts as failed. */
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: RolloutProgress) => void;
  /** How often to read the Deployment's status (default 1 s). */
  pollMs?: number;
}

/** Where a Deployment's rollout stands, from its status. */
export interface RolloutProgress {
  generation: number;
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  /** Pods still counted in status.replicas: old ones not yet gone, or surge. */
  totalReplicas: number;
}

export interface DeployResult {
  deployment: string;
  container: string;
  previousImage: string;
  image: string;
  /** The Deployment generation that carries the image. */
  generation: number;
  /** False when the Deployment already ran this image and only the rollout was waited for. */
  changed: boolean;
  durationMs: number;
}

export class DeployError extends OperationError {
  override readonly name = 'DeployError';
}

/**
 * The built-in deployer for Kubernetes slots: sets the image of the idle
 * slot's Deployment and waits for its rollout the way `kubectl rollout status`
 * judges one — the controller has observed the new generation, every replica
 * is updated, no old replica remains, and every updated replica is available —
 * within a timeout. The image is changed with a JSON patch that carries the
 * resourceVersion just read, so a concurrent change is never overwritten.
 */
export async function deployToSlot(options: DeployToSlotOptions): Promise<DeployResult> {
  const started = Date.now();
  const k8s = await kubernetesClient();
  const api = options.kube.makeApiClient(k8s.AppsV1Api);
  const what = `Deployment ${options.namespace}/${options.deployment}`;
  const read = async (): Promise<V1Deployment> => {
    try {
      return await api.readNamespacedDeployment({ name: options.deployment, namespace: options.namespace });
    } catch (error) {
      const detail = apiStatus(error) === 404 ? 'does not exist' : `cannot be read: ${apiMessage(error)}`;
      throw new DeployError(`${what} ${detail}`, { cause: error });
    }
  };

  let containerName = '';
  let previousImage = '';
  let patched: V1Deployment | undefined;
  let changed = false;
  try {
    const result = await guardedUpdate<V1Deployment, { index: number }>({
      read,
      change: (deployment) => {
        const containers = deployment.spec?.template.spec?.containers ?? [];
        const index = pickContainer(containers, options.container, what);
        containerName = containers[index]!.name;
        previousImage = containers[index]!.image ?? '';
        return previousImage === options.image ? undefined : { index };
      },
      write: async ({ index }, current) =>
        api.patchNamespacedDeployment({
          name: options.deployment,
          namespace: options.namespace,
          // Carrying the resourceVersion read makes the API server refuse the
          // patch with 409 Conflict if the Deployment changed since.
          body: [
            { op: 'replace', path: '/metadata/resourceVersion', value: current.metadata?.resourceVersion },
            { op: 'replace', path: `/spec/template/spec/containers/${index}/image`, value: options.image },
          ],
        }),
    });
    patched = result.object;
    changed = result.written;
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw new DeployError(`${what}: cannot set the image to ${options.image}: ${apiMessage(error)}`, {
      cause: error,
    });
  }

  const generation = patched.metadata?.generation ?? 0;
  const deadline = started + options.timeoutMs;
  let last = '';
  for (;;) {
    const deployment = await read();
    const progress = progressOf(deployment, generation);
    const key = JSON.stringify(progress);
    if (key !== last) {
      options.onProgress?.(progress);
      last = key;
    }
    const deadlineExceeded = deployment.status?.conditions?.find(
      (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
    );
    if (deadlineExceeded && progress.observedGeneration >= generation)
      throw new DeployError(
        `${what}: the rollout of ${options.image} failed: ${deadlineExceeded.message ?? 'progress deadline exceeded'}`,
      );
    const waiting = rolloutWaitingFor(progress);
    if (waiting === undefined)
      return {
        deployment: options.deployment,
        container: containerName,
        previousImage,
        image: options.image,
        generation,
        changed,
        durationMs: Date.now() - started,
      };
    if (Date.now() >= deadline)
      throw new DeployError(
        `${what}: the rollout of ${options.image} did not finish within ${Math.round(options.timeoutMs / 1000)}s: ${waiting}`,
      );
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())), options.signal);
  }
}

function pickContainer(
  containers: Array<{ name: string }>,
  wanted: string | undefined,
  what: string,
): number {
  if (wanted !== undefined) {
    const index = containers.findIndex((c) => c.name === wanted);
    if (index < 0)
      throw new DeployError(
        `${what} has no container "${wanted}" (it has ${containers.map((c) => `"${c.name}"`).join(', ') || 'none'})`,
      );
    return index;
  }
  if (containers.length !== 1)
    throw new DeployError(
      `${what} has ${containers.length} containers (${containers.map((c) => `"${c.name}"`).join(', ')}); name the one to update`,
    );
  return 0;
}

function progressOf(deployment: V1Deployment, generation: number): RolloutProgress {
  return {
    generation: Math.max(generation, deployment.metadata?.generation ?? 0),
    observedGeneration: deployment.status?.observedGeneration ?? 0,
    replicas: deployment.spec?.replicas ?? 1,
    updatedReplicas: deployment.status?.updatedReplicas ?? 0,
    availableReplicas: deployment.status?.availableReplicas ?? 0,
    totalReplicas: deployment.status?.replicas ?? 0,
  };
}

/** What the rollout still waits for, in words, or undefined when it is complete. */
export function rolloutWaitingFor(p: RolloutProgress): string | undefined {
  if (p.observedGeneration < p.generation)
    return `the controller has not observed generation ${p.generation} yet (it is at ${p.observedGeneration})`;
  if (p.updatedReplicas < p.replicas) return `${p.updatedReplicas} of ${p.replicas} replicas updated`;
  if (p.totalReplicas > p.updatedReplicas)
    return `${p.totalReplicas - p.updatedReplicas} old replicas are still terminating`;
  if (p.availableReplicas < p.updatedReplicas)
    return `${p.availableReplicas} of ${p.updatedReplicas} updated replicas available`;
  return undefined;
}
