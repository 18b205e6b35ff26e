import * as core from '@actions/core';
import {
  type AnalysisReport,
  createRouter,
  errorMessage,
  formatWeights,
  type Ledger,
  OperationError,
  type Release,
  type RolloutOutcome,
  type RunContext,
  registerSecret,
  renderAnalysisSummary,
  renderShift,
  restoreLive,
  rollout,
  run,
  type ShiftPlan,
  Summary,
  sendWebhook,
  setOutputs,
  webhookPayload,
} from '@glidepath/core';
import { stepAnalyst } from './analyst.js';
import { readContext, readRouterSettings, type ShiftContext } from './context.js';
import { deployIntoSlot, hasDeployer, idleSlot } from './deploy.js';
import { openLedger } from './ledger.js';
import { state } from './state.js';

let inGroup = false;
const log = {
  info: (m: string) => core.info(m),
  warning: (m: string) => core.warning(m),
  /** One log group per step, so a long shift reads as a list of steps. */
  section: (title: string | undefined) => {
    if (inGroup) core.endGroup();
    inGroup = title !== undefined;
    if (title !== undefined) core.startGroup(title);
  },
};

async function main({ signal }: RunContext): Promise<void> {
  registerSecret(process.env.GITHUB_TOKEN);
  const context = await readContext();
  const router = await createRouter(context.router, { log: (line) => core.debug(line) });
  const ledger = openLedger(context);
  const target =
    context.targetSlot === 'auto' ? await idleSlot(router, context.router.slotNames) : context.targetSlot;
  if (context.targetSlot === 'auto')
    core.info(`target-slot auto: ${target} takes no traffic, so the release goes there.`);
  const plan = context.planFor(target);
  // Built before anything is deployed or moved: a placeholder that cannot be
  // resolved (the live slot's version, unknown to the ledger) is a bad input.
  const liveVersion = context.needsLiveVersion
    ? (await ledger.slots(context.environment))[plan.live]?.version
    : undefined;
  const analysis = context.analysisFor(target, liveVersion);
  // Before a deployer touches the slot, the ledger says what is going into it:
  // from that moment the slot no longer runs what it ran before, even if the
  // deploy fails halfway, and a rollback must not send users there believing it does.
  const recorded = hasDeployer(context.deploy) ? await recordReplacement(ledger, context, target) : undefined;
  if (recorded) state.save('releaseId', recorded.id);
  let deployed: string | undefined;
  try {
    deployed = await core.group(`Deploy ${context.version} into ${target}`, () =>
      deployIntoSlot(
        context.deploy,
        { slot: target, live: plan.live, version: context.version, environment: context.environment },
        router,
        (line) => core.info(line),
        signal,
      ),
    );
  } catch (error) {
    if (recorded)
      await ledger
        .finish(recorded, {
          status: 'error',
          reason: `The deploy of ${context.version} into ${target} failed, so ${target} may run part of it: ${errorMessage(error)}`,
        })
        .catch((failure) =>
          core.warning(
            `Could not record the failed deploy in ${ledger.describe()}: ${errorMessage(failure)}`,
          ),
        );
    throw error;
  }
  if (deployed) core.info(deployed);
  core.info(
    `${plan.strategy} of ${context.version} into ${plan.target} (live: ${plan.live}) through ${router.describe()}; ledger: ${ledger.describe()}.`,
  );
  state.save('live', plan.live);
  state.save('target', plan.target);
  state.save('router', router.describe());
  state.save('environment', context.environment);
  // From here on main may move traffic (a rerun's revert included), so the
  // post step must put it back on the live slot if main does not finish.
  state.save('shifting', true);

  const analyses = new Map<number, AnalysisReport>();
  const outcome = await rollout(
    plan,
    {
      environment: context.environment,
      version: context.version,
      commit: process.env.GITHUB_SHA,
      logUrl: runUrl(),
      ...(recorded ? { recorded } : {}),
    },
    {
      router,
      ledger,
      analyst: stepAnalyst(analysis, { log, reports: analyses }),
      log,
      onRelease: (release) => {
        state.save('releaseId', release.id);
      },
    },
    { signal },
  );
  if (outcome.settled) state.save('finished', true);

  setOutputs({ result: outcome.result, weight: outcome.weight, reason: outcome.reason });
  await writeSummary(plan, context, outcome, analyses, deployed);
  if (context.webhookUrl) {
    const warning = await sendWebhook(
      context.webhookUrl,
      webhookPayload({
        environment: context.environment,
        version: context.version,
        plan,
        outcome,
        runUrl: runUrl(),
      }),
    );
    if (warning) core.warning(warning);
  }

  if (outcome.result === 'promoted') return;
  throw new OperationError(`${outcome.result === 'held' ? 'Held' : 'Rolled back'}: ${outcome.reason}`);
}

/** The ledger entry of this release in `slot`, begun before the slot is replaced. */
async function recordReplacement(ledger: Ledger, context: ShiftContext, slot: string): Promise<Release> {
  try {
    return await ledger.begin({
      environment: context.environment,
      version: context.version,
      slot,
      commit: process.env.GITHUB_SHA,
      logUrl: runUrl(),
      description: `canary-shift: deploying ${context.version} into ${slot}`,
    });
  } catch (error) {
    throw new OperationError(
      `Could not record in ${ledger.describe()} that ${slot} is being replaced with ${context.version}: ${errorMessage(error)}. Nothing was deployed and no traffic was moved.`,
    );
  }
}

/** The shift first (why it stopped, timeline, chart), then each step's analysis, folded. */
async function writeSummary(
  plan: ShiftPlan,
  context: ShiftContext,
  outcome: RolloutOutcome,
  analyses: Map<number, AnalysisReport>,
  deployed: string | undefined,
) {
  const summary = renderShift(new Summary(), plan, outcome, `canary-shift ${context.version}`);
  if (deployed) summary.paragraph(`**Deployed:** ${deployed}.`);
  for (const record of outcome.steps) {
    const report = analyses.get(record.step.number);
    if (!report) continue;
    const title = `Step ${record.step.number} (${record.step.weight}%)`;
    summary.details(
      `${title}: analysis ${report.verdict}`,
      renderAnalysisSummary(report, { title, level: 3 }).toMarkdown(),
    );
  }
  await summary.write();
}

/**
 * The post entry: when main did not finish — cancelled, crashed, timed out —
 * and had started moving traffic, put all of it back on the live slot and read
 * it back. Running it twice changes nothing the second time.
 */
async function post(): Promise<void> {
  const live = state.get('live');
  const target = state.get('target');
  if (!live || !target) return;
  if (!state.get('shifting')) {
    core.info('Post: main did not move any traffic; nothing to restore.');
    return;
  }
  if (state.get('finished')) {
    core.info('Post: main finished and left traffic where it meant to; nothing to restore.');
    return;
  }
  core.warning(`Post: main did not finish; returning all traffic to ${live}.`);
  const settings = await readRouterSettings();
  const router = await createRouter(settings, { log: (line) => core.debug(line) });
  if (router.describe() !== state.get('router'))
    core.warning(
      `Post: the router inputs now describe ${router.describe()}, not ${state.get('router')} as in main.`,
    );
  const outcome = await restoreLive(router, live, target, log);
  const weights = await router.read();
  core.info(
    outcome === 'restored'
      ? `Post: restored and verified ${formatWeights(weights)} on ${router.describe()}.`
      : `Post: ${router.describe()} already had ${formatWeights(weights)} (verified); nothing changed.`,
  );
  await closeRelease(live).catch((error) =>
    core.warning(`Post: could not update the ledger: ${errorMessage(error)}`),
  );
  await new Summary()
    .heading('canary-shift: restored by the post step', 2)
    .alert('WARNING', `The main step did not finish; all traffic was returned to ${live} and verified.`)
    .write();
}

async function closeRelease(live: string): Promise<void> {
  const id = state.get('releaseId');
  const environment = state.get('environment');
  if (!id || !environment) return;
  const context = await readContext().catch(() => undefined);
  if (!context) return;
  const ledger = openLedger(context);
  const release = (await ledger.history(environment, 20)).find((r) => r.id === id);
  if (release?.status === 'in_progress')
    await ledger.finish(release, {
      status: 'error',
      reason: `The shift did not finish (cancelled, crashed or timed out); the post step returned all traffic to ${live}.`,
    });
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}

await run(main, post);
