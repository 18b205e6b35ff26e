import { GlidepathError, type InputProblem } from './errors.js';
import { formatDuration } from './inputs/duration.js';
import { deployToSlot } from './kubernetes/deployer.js';
import type { KubeConfig } from './kubernetes/index.js';
import { runProcess } from './process.js';
import { restoreLive, verifyOrSet } from './traffic/restore.js';
import { formatWeights, type Router, type SlotName, type Weights } from './traffic/router.js';

/**
 * Starting a version in a slot, the one way canary-shift (deploy) and
 * rollback (redeploy) do it: a command with `IMAGE`, `SLOT`, `ENVIRONMENT`
 * set (hosts behind nginx/HAProxy), or the built-in Kubernetes deployer (set
 * the image of the slot's Deployment, wait for its rollout). Users are never
 * served from a slot while it is replaced: a slot that takes traffic gets it
 * back onto the live slot first.
 */
export interface SlotDeployer {
  /** The command that starts a version in a slot. */
  command?: string[];
  /** The inputs that configure it, for the log and the timeout's message. */
  inputs: { command: 'deploy-command' | 'redeploy-command'; timeout: 'deploy-timeout' | 'redeploy-timeout' };
  /** Kubernetes: the Deployment (and optionally container) of each slot (`slot-deployments`). */
  deployments?: Map<SlotName, SlotDeploymentTarget>;
  kube?: () => Promise<KubeConfig>;
  namespace: string;
  /** The bound of either way of deploying. */
  timeoutMs: number;
  /** GITHUB_TOKEN for the command, given only when `pass-github-token` asks for it. */
  githubToken?: string;
}

export interface SlotDeploymentTarget {
  deployment: string;
  container?: string;
}

/** The slot to deploy into takes all traffic: refused before anything was touched. */
export class LiveSlotError extends GlidepathError {
  override readonly name = 'LiveSlotError';
}

/** True when the deployer can start a version in a slot (a command or Kubernetes Deployments). */
export function hasDeployer(deployer: SlotDeployer | undefined): deployer is SlotDeployer {
  return Boolean(deployer && (deployer.command || deployer.deployments));
}

/**
 * `slot-deployments` lines (`slot=deployment[/container]`), parsed, with the
 * problem they pose for these slots and this router, if any.
 */
export function readSlotDeployments(
  lines: Map<string, string>,
  context: {
    slots: readonly SlotName[];
    kubernetes: boolean;
    command: string | undefined;
    commandInput: string;
  },
): { deployments: Map<SlotName, SlotDeploymentTarget>; problems: (InputProblem | false)[] } {
  const deployments = new Map<SlotName, SlotDeploymentTarget>();
  for (const [slot, text] of lines) {
    const [deployment, container, ...rest] = text.split('/');
    deployments.set(slot, {
      deployment: rest.length ? text : deployment!,
      ...(container && !rest.length ? { container } : {}),
    });
  }
  const written = [...lines].map(([k, v]) => `${k}=${v}`).join('\n');
  const name = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  return {
    deployments,
    problems: [
      deployments.size > 0 &&
        (!context.kubernetes ||
          ![...deployments.keys()].every((slot) => context.slots.includes(slot)) ||
          ![...deployments.values()].every(
            (d) => name.test(d.deployment) && (d.container === undefined || name.test(d.container)),
          )) && {
          input: 'slot-deployments',
          value: written,
          expected: context.kubernetes
            ? `lines slot=deployment[/container], one per slot of ${context.slots.join(', ')}`
            : `nothing unless the router is gateway-api or ingress-nginx (use ${context.commandInput} for nginx and HAProxy)`,
        },
      deployments.size > 0 &&
        context.command !== undefined && {
          input: context.commandInput,
          value: context.command,
          expected: 'to be empty when slot-deployments is given (one way to deploy)',
        },
    ],
  };
}

/**
 * Starts `version` in `slot`, given the weights just read from the router
 * (read once per decision). A slot that takes all traffic is the live one and
 * is never replaced; one that takes some (a run died mid-shift) has it
 * returned to `live` first, verified, with retries; an idle one is replaced
 * only once the router proves it is idle (an nginx whose last reload failed
 * may still send it users). Returns a line for the log and the summary.
 */
export async function deployIntoSlot(
  deployer: SlotDeployer,
  target: { slot: SlotName; live: SlotName; version: string; environment: string },
  router: Router,
  weights: Weights,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const onSlot = weights[target.slot] ?? 0;
  if (onSlot >= 100)
    throw new LiveSlotError(
      `${target.slot} takes all traffic (${formatWeights(weights)}): it is the live slot, and replacing it would replace what every user is served. Nothing was deployed.`,
    );
  if (onSlot > 0) {
    log(
      `${target.slot} takes ${onSlot}% of traffic (${formatWeights(weights)}), left by a run that did not ` +
        `finish: returning all traffic to ${target.live} before deploying into ${target.slot}.`,
    );
    await restoreLive(router, target.live, target.slot, { warning: log });
  } else await verifyOrSet(router, weights, log);

  const started = Date.now();
  if (deployer.command) {
    const [program, ...args] = deployer.command;
    log(`Deploying ${target.version} into ${target.slot}: ${deployer.command.join(' ')}`);
    await runProcess(program!, args, {
      env: {
        IMAGE: target.version,
        SLOT: target.slot,
        ENVIRONMENT: target.environment,
        ...(deployer.githubToken ? { GITHUB_TOKEN: deployer.githubToken } : {}),
      },
      label: deployer.inputs.command,
      timeoutMs: deployer.timeoutMs,
      timeoutInput: deployer.inputs.timeout,
      ...(signal ? { signal } : {}),
    });
    return `${deployer.inputs.command} started ${target.version} in ${target.slot} in ${formatDuration(Date.now() - started)}`;
  }
  const entry = deployer.deployments?.get(target.slot);
  if (!entry || !deployer.kube)
    throw new GlidepathError(`slot-deployments names no Deployment for slot ${target.slot}.`);
  const result = await deployToSlot({
    kube: await deployer.kube(),
    namespace: deployer.namespace,
    deployment: entry.deployment,
    ...(entry.container ? { container: entry.container } : {}),
    image: target.version,
    timeoutMs: deployer.timeoutMs,
    ...(signal ? { signal } : {}),
    onProgress: (p) =>
      log(
        `Deployment ${entry.deployment}: generation ${p.observedGeneration}/${p.generation}, ` +
          `${p.updatedReplicas}/${p.replicas} updated, ${p.availableReplicas} available`,
      ),
  });
  return `Deployment ${result.deployment} (${result.container}) rolled out ${result.image} in ${formatDuration(result.durationMs)}`;
}
