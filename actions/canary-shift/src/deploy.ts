import {
  allTo,
  deployToSlot,
  formatDuration,
  formatWeights,
  GlidepathError,
  type KubeConfig,
  type Router,
  runProcess,
  type SlotName,
  verifyOrSet,
} from '@glidepath/core';

/**
 * `target-slot: auto`: the idle slot, i.e. the one that takes no traffic now.
 * When traffic is split, which slot is "new" is a question for the ledger and
 * the rerun logic, not for a guess: the user must name the slot (or roll back).
 */
export async function idleSlot(router: Router, slots: readonly SlotName[]): Promise<SlotName> {
  const weights = await router.read();
  const idle = slots.filter((slot) => (weights[slot] ?? 0) === 0);
  if (idle.length === 1) return idle[0]!;
  throw new GlidepathError(
    `target-slot is auto, but no single slot is idle: ${router.describe()} has ${formatWeights(weights)}. ` +
      'Name the slot that runs the new release in target-slot (a rerun resumes or reverts a split), or roll back first.',
  );
}

export interface SlotDeployment {
  /** The command that starts the release in a slot (hosts behind nginx/HAProxy). */
  command?: string[];
  /** Kubernetes: the Deployment (and optionally container) of each slot. */
  deployments?: Map<SlotName, { deployment: string; container?: string }>;
  kube?: () => Promise<KubeConfig>;
  namespace: string;
  /** The bound of either way of deploying (`deploy-timeout`). */
  timeoutMs: number;
  /** GITHUB_TOKEN for deploy-command, given only when `pass-github-token` asks for it. */
  githubToken?: string;
}

/** True when the release is deployed into its slot by this action (a command or Kubernetes Deployments). */
export function hasDeployer(deploy: SlotDeployment): boolean {
  return Boolean(deploy.command || deploy.deployments);
}

/**
 * Starts the new version in the idle slot before any traffic moves to it:
 * the deploy command with `IMAGE`, `SLOT`, `ENVIRONMENT` set, or the built-in
 * Kubernetes deployer (set the image, wait for the rollout). A slot that takes
 * traffic is never redeployed while it does: its traffic returns to the live
 * slot first.
 */
export async function deployIntoSlot(
  deploy: SlotDeployment,
  target: { slot: SlotName; live: SlotName; version: string; environment: string },
  router: Router,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (!hasDeployer(deploy)) return undefined;
  const weights = await router.read();
  if ((weights[target.slot] ?? 0) > 0) {
    // An earlier run left traffic on the target slot (it died mid-shift).
    // Users must never be served from a slot while it is being replaced, so
    // all traffic goes back to the live slot first, verified; the plan then
    // starts from the beginning with the freshly deployed release.
    const live = allTo(target.live, Object.keys(weights));
    log(
      `${target.slot} takes ${weights[target.slot]}% of traffic (${formatWeights(weights)}), left by a run that did not ` +
        `finish: returning all traffic to ${target.live} before deploying into ${target.slot}.`,
    );
    await router.set(live, undefined, 'settle');
    await router.verify(live);
  } else {
    // The router's record says the slot is idle; replacing it is safe only if
    // that is what the router serves (an nginx whose last reload failed may not).
    await verifyOrSet(router, weights, log);
  }
  const started = Date.now();
  if (deploy.command) {
    const [program, ...args] = deploy.command;
    log(`Deploying ${target.version} into ${target.slot}: ${deploy.command.join(' ')}`);
    await runProcess(program!, args, {
      env: {
        IMAGE: target.version,
        SLOT: target.slot,
        ENVIRONMENT: target.environment,
        ...(deploy.githubToken ? { GITHUB_TOKEN: deploy.githubToken } : {}),
      },
      label: 'deploy-command',
      timeoutMs: deploy.timeoutMs,
      timeoutInput: 'deploy-timeout',
      ...(signal ? { signal } : {}),
    });
    return `deploy-command started ${target.version} in ${target.slot} in ${formatDuration(Date.now() - started)}`;
  }
  const entry = deploy.deployments!.get(target.slot);
  if (!entry) throw new GlidepathError(`slot-deployments names no Deployment for slot ${target.slot}.`);
  const result = await deployToSlot({
    kube: await deploy.kube!(),
    namespace: deploy.namespace,
    deployment: entry.deployment,
    ...(entry.container ? { container: entry.container } : {}),
    image: target.version,
    timeoutMs: deploy.timeoutMs,
    ...(signal ? { signal } : {}),
    onProgress: (p) =>
      log(
        `Deployment ${entry.deployment}: generation ${p.observedGeneration}/${p.generation}, ` +
          `${p.updatedReplicas}/${p.replicas} updated, ${p.availableReplicas} available`,
      ),
  });
  return `Deployment ${result.deployment} (${result.container}) rolled out ${result.image} in ${formatDuration(result.durationMs)}`;
}
