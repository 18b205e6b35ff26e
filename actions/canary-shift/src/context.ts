import path from 'node:path';
import {
  type AnalysisConfig,
  analysisConfig,
  analysisFields,
  baselineWindowProblem,
  formatDuration,
  input,
  loadKubeConfig,
  placeholdersIn,
  queryWindowProblems,
  type RawInputs,
  type RouterSettings,
  readInputs,
  readSlotDeployments,
  requireInputs,
  routerFields,
  routerSettings,
  runnerInputs,
  type SlotDeployer,
  type SlotName,
  type SlotScope,
  splitCommand,
  trafficConfig,
  trafficFields,
  withAnalysisFile,
} from '@glidepath/core';
// The plan only: the state machine (./rollout/index.js) loads with release.ts, after the inputs.
import { type ShiftPlan, shiftSteps } from './rollout/plan.js';

/** Inputs of canary-shift, keyed by their action.yml names. */
export const fields = {
  ...routerFields,
  'target-slot': input.string({ default: 'auto' }),
  'deploy-command': input.optionalString(),
  'slot-deployments': input.keyValues({ default: new Map() }),
  'deploy-timeout': input.duration({ default: 600_000, min: 1000 }),
  'pass-github-token': input.boolean({ default: false }),
  // No default here: the action.yml default fills an input that is not given,
  // so an explicitly empty `steps` is an error rather than a silent default.
  steps: input.steps(),
  'step-duration': input.duration({ min: 100 }),
  strategy: input.oneOf(['canary', 'blue-green'] as const, { default: 'canary' }),
  'on-failure': input.oneOf(['rollback', 'hold'] as const, { default: 'rollback' }),
  'max-duration': input.duration({ min: 1000 }),
  ...analysisFields,
  ...trafficFields,
  'slot-urls': input.keyValues({ default: new Map() }),
  environment: input.string({ default: 'production' }),
  version: input.string(),
  'ledger-file': input.workspacePath({ default: '.glidepath/ledger.json' }),
  token: input.secret({ default: '' }),
  'webhook-url': input.secretUrl({ default: '' }),
};

export interface ShiftContext {
  /** The target slot as given, or `auto` (the idle slot, resolved against the router). */
  targetSlot: SlotName | 'auto';
  /** The plan for a given target slot. */
  planFor(target: SlotName): ShiftPlan;
  deploy: SlotDeployer;
  router: RouterSettings;
  /**
   * The analysis for a given target slot: placeholders expanded for it (and
   * for the live slot, in `compare: live` queries, with the live slot's
   * version as the ledger knows it); `slot-urls` point the probes at it, with
   * the live one as baseline.
   */
  analysisFor(target: SlotName, liveVersion?: string): AnalysisConfig;
  /** A `compare: live` query names `{{version}}`, so the live slot's version must be read from the ledger. */
  needsLiveVersion: boolean;
  environment: string;
  version: string;
  /** Absolute path of the JSON ledger, used when no GitHub token is given. */
  ledgerFile: string;
  token: string | undefined;
  webhookUrl: string | undefined;
}

/**
 * Reads and checks every input, the ones that span inputs included, before
 * anything is touched: a bad value is reported naming the input while the
 * router still has exactly what it had.
 */
export async function readContext(raw: RawInputs = runnerInputs): Promise<ShiftContext> {
  const values = await readInputs(
    fields,
    await withAnalysisFile(raw, fields, process.env.GITHUB_WORKSPACE ?? process.cwd()),
  );
  const router = routerSettings(values);
  const target = values['target-slot'];
  const slotNames = [...values.slots.keys()];
  const deployCommand =
    values['deploy-command'] === undefined ? undefined : splitCommand(values['deploy-command']);
  const kubernetes = router.router === 'gateway-api' || router.router === 'ingress-nginx';
  const { deployments, problems: deploymentProblems } = readSlotDeployments(values['slot-deployments'], {
    slots: slotNames,
    kubernetes,
    command: values['deploy-command'],
    commandInput: 'deploy-command',
  });
  requireInputs([
    target !== 'auto' &&
      !slotNames.includes(target) && {
        input: 'target-slot',
        value: target,
        expected: `"auto" or one of the slots (${slotNames.map((s) => `"${s}"`).join(', ')})`,
      },
    values['deploy-command'] !== undefined &&
      !deployCommand?.length && {
        input: 'deploy-command',
        value: values['deploy-command'],
        expected: 'a command such as "./deploy-slot.sh" (no shell; quotes must be closed)',
      },
    ...deploymentProblems,
  ]);
  const slotUrls = new Map<SlotName, URL>();
  for (const [slot, text] of values['slot-urls']) {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    if (url && /^https?:$/.test(url.protocol) && slotNames.includes(slot)) slotUrls.set(slot, url);
  }
  requireInputs([
    values['slot-urls'].size > 0 &&
      (slotUrls.size !== values['slot-urls'].size || !slotNames.every((slot) => slotUrls.has(slot))) && {
        input: 'slot-urls',
        value: [...values['slot-urls']].map(([k, v]) => `${k}=${v}`).join('\n'),
        expected: `one line slot=http(s) URL for each of the slots ${slotNames.join(', ')}`,
      },
  ]);
  // With slot-urls the analysis follows the target slot, which `auto` only
  // knows once the router has been read: the inputs are checked now against
  // the first slot, and the real configuration is made once the target is known.
  const workspaceDir = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const traffic = trafficConfig(values, router, workspaceDir);
  requireInputs(traffic.problems);
  const analysisFor = (slot: SlotName, liveVersion?: string): AnalysisConfig => {
    const live = slotNames.find((s) => s !== slot)!;
    const real = traffic.forSlots(slot, live);
    const scope: SlotScope = {
      slot,
      liveSlot: live,
      version: values.version,
      ...(liveVersion !== undefined ? { liveVersion } : {}),
      environment: values.environment,
      addresses: new Map([...values.slots].map(([name, address]) => [name, address])),
    };
    if (!slotUrls.size) return analysisConfig(values, scope, real);
    return analysisConfig(
      {
        ...values,
        url: [...values.url, slotUrls.get(slot)!.href],
        'baseline-url': values['baseline-url'] ?? slotUrls.get(live)!.href,
      },
      scope,
      real,
    );
  };
  // The live slot's version is read from the ledger once the run starts; here
  // a stand-in lets a query that names it pass the check of form.
  const checked = analysisFor(target === 'auto' ? slotNames[0]! : target, '(the live version)');
  requireInputs([
    baselineWindowProblem(
      checked,
      values['step-duration'],
      'step-duration',
      formatDuration(values['step-duration']),
    ),
    ...queryWindowProblems(
      checked,
      values['step-duration'],
      'step-duration',
      formatDuration(values['step-duration']),
    ),
  ]);
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const token = values.token || process.env.GITHUB_TOKEN || undefined;
  requireInputs([
    values['pass-github-token'] &&
      !token && {
        input: 'pass-github-token',
        value: 'true',
        expected: 'a token to pass to deploy-command: set the token input or GITHUB_TOKEN in the step env',
      },
  ]);
  const steps = shiftSteps(values.strategy, values.steps);
  return {
    targetSlot: target,
    planFor: (slot) => ({
      strategy: values.strategy,
      live: slotNames.find((s) => s !== slot)!,
      target: slot,
      steps,
      stepDurationMs: values['step-duration'],
      maxDurationMs: values['max-duration'],
      onFailure: values['on-failure'],
    }),
    deploy: {
      inputs: { command: 'deploy-command', timeout: 'deploy-timeout' },
      ...(deployCommand ? { command: deployCommand } : {}),
      ...(deployments.size ? { deployments } : {}),
      ...(router.router === 'gateway-api' || router.router === 'ingress-nginx'
        ? {
            kube: () => loadKubeConfig(router.kubeconfig),
          }
        : {}),
      namespace: 'namespace' in router ? router.namespace : 'default',
      timeoutMs: values['deploy-timeout'],
      ...(values['pass-github-token'] && token ? { githubToken: token } : {}),
    },
    router,
    analysisFor,
    needsLiveVersion: values.queries.some(
      (q) => q.compare === 'live' && placeholdersIn(q.query ?? q.url ?? '').includes('version'),
    ),
    environment: values.environment,
    version: values.version,
    ledgerFile: path.resolve(workspace, values['ledger-file']),
    token,
    webhookUrl: values['webhook-url'] || undefined,
  };
}

/** Only the router inputs: what the post step needs to put traffic back. */
export async function readRouterSettings(raw: RawInputs = runnerInputs): Promise<RouterSettings> {
  return routerSettings(await readInputs(routerFields, raw));
}
