import path from 'node:path';
import {
  type AnalysisConfig,
  analysisConfig,
  analysisFields,
  input,
  type RawInputs,
  type RouterSettings,
  readInputs,
  requireInputs,
  routerFields,
  routerSettings,
  runnerInputs,
  type ShiftPlan,
  shiftSteps,
} from '@glidepath/core';

/** Inputs of canary-shift, keyed by their action.yml names. */
export const fields = {
  ...routerFields,
  'target-slot': input.string(),
  // No default here: the action.yml default fills an input that is not given,
  // so an explicitly empty `steps` is an error rather than a silent default.
  steps: input.steps(),
  'step-duration': input.duration({ min: 100 }),
  strategy: input.oneOf(['canary', 'blue-green'] as const, { default: 'canary' }),
  'on-failure': input.oneOf(['rollback', 'hold'] as const, { default: 'rollback' }),
  'max-duration': input.duration({ min: 1000 }),
  ...analysisFields,
  environment: input.string({ default: 'production' }),
  version: input.string(),
  'ledger-file': input.string({ default: '.glidepath/ledger.json' }),
  token: input.secret({ default: '' }),
  'webhook-url': input.secret({ default: '' }),
};

export interface ShiftContext {
  plan: ShiftPlan;
  router: RouterSettings;
  analysis: AnalysisConfig;
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
  const values = await readInputs(fields, raw);
  const router = routerSettings(values);
  const target = values['target-slot'];
  const slotNames = [...values.slots.keys()];
  requireInputs([
    !slotNames.includes(target) && {
      input: 'target-slot',
      value: target,
      expected: `one of the slots (${slotNames.map((s) => `"${s}"`).join(', ')})`,
    },
  ]);
  const analysis = analysisConfig(values);
  const live = slotNames.find((s) => s !== target)!;
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const token = values.token || process.env.GITHUB_TOKEN || undefined;
  return {
    plan: {
      strategy: values.strategy,
      live,
      target,
      steps: shiftSteps(values.strategy, values.steps),
      stepDurationMs: values['step-duration'],
      maxDurationMs: values['max-duration'],
      onFailure: values['on-failure'],
    },
    router,
    analysis,
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
