import {
  type AnalysisReport,
  ClaimRefusedError,
  createRouter,
  deployIntoSlot,
  EnvironmentClaim,
  earlierAttempt,
  errorMessage,
  formatWeights,
  hasDeployer,
  type Ledger,
  LiveSlotError,
  runnerLog as log,
  OperationError,
  ownerOf,
  type Release,
  type RunContext,
  renderAnalysisSummary,
  restoreLive,
  Summary,
  setOutputs,
  type Weights,
} from '@glidepath/core';
import { stepAnalyst } from './analyst.js';
import { readContext, readRouterSettings, type ShiftContext } from './context.js';
import { idleSlot } from './deploy.js';
import { openLedger } from './ledger.js';
import {
  type RolloutOutcome,
  renderShift,
  rollout,
  type ShiftPlan,
  sendWebhook,
  webhookPayload,
} from './rollout/index.js';
import { state } from './state.js';

/** The shift of one release, once its inputs have been read and checked (main.ts). */
export async function shiftRelease(context: ShiftContext, { signal }: RunContext): Promise<void> {
  const router = await createRouter(context.router, { log: (line) => log.debug(line) });
  const ledger = openLedger(context);
  // The router is read once for each decision: here, which slot the release
  // goes into; after the environment is claimed, whether the slot can be
  // replaced; after the deploy, where the shift starts.
  const found = await router.read(signal);
  const target =
    context.targetSlot === 'auto'
      ? idleSlot(found, context.router.slotNames, router.describe())
      : context.targetSlot;
  if (context.targetSlot === 'auto')
    log.info(`target-slot auto: ${target} takes no traffic, so the release goes there.`);
  const plan = context.planFor(target);
  // Built before anything is deployed or moved: a placeholder that cannot be
  // resolved (the live slot's version, unknown to the ledger) is a bad input.
  const liveVersion = context.needsLiveVersion
    ? (await ledger.slots(context.environment))[plan.live]?.version
    : undefined;
  const analysis = context.analysisFor(target, liveVersion);
  const deploying = hasDeployer(context.deploy) && (await mayDeploy(ledger, context, found, target));
  // Before a deployer touches the slot, the ledger says what is going into it:
  // from that moment the slot no longer runs what it ran before, even if the
  // deploy fails halfway, and a rollback must not send users there believing it does.
  const recorded = deploying ? await recordReplacement(ledger, context, target) : undefined;
  if (recorded) state.save('releaseId', recorded.id);
  // The environment's turn is taken before the slot is touched: a rollback or
  // another shift that is running makes this one refuse, with nothing deployed.
  let claim: EnvironmentClaim | undefined;
  if (recorded)
    try {
      claim = await EnvironmentClaim.take(ledger, recorded, { log: (line) => log.info(line) });
    } catch (error) {
      // A refusal has removed the entry already; a ledger that failed to answer leaves it to remove.
      if (!(error instanceof ClaimRefusedError))
        await ledger
          .discard(recorded)
          .catch(() =>
            ledger.finish(recorded, { status: 'error', reason: `Not deployed: ${errorMessage(error)}` }),
          )
          .catch(() => undefined);
      throw error;
    }
  // A rollback that takes over during the deploy stops it: the slot is the rollback's to fill.
  const deploySignal = claim ? AbortSignal.any([signal, claim.signal]) : signal;
  let deployed: string | undefined;
  try {
    if (recorded)
      deployed = await log.group(`Deploy ${context.version} into ${target}`, async () =>
        deployIntoSlot(
          context.deploy,
          { slot: target, live: plan.live, version: context.version, environment: context.environment },
          router,
          await router.read(signal),
          (line) => log.info(line),
          deploySignal,
        ),
      );
  } catch (error) {
    await claim?.stop();
    if (recorded && error instanceof LiveSlotError)
      // Nothing was touched: the entry would only make the slot look replaced.
      await ledger
        .discard(recorded)
        .catch(() =>
          ledger.finish(recorded, { status: 'error', reason: 'Not deployed: the slot takes all traffic' }),
        )
        .catch(() => undefined);
    else if (recorded)
      await ledger
        .finish(recorded, {
          status: 'error',
          reason: `The deploy of ${context.version} into ${target} failed, so ${target} may run part of it: ${errorMessage(error)}`,
        })
        .catch((failure) =>
          log.warning(`Could not record the failed deploy in ${ledger.describe()}: ${errorMessage(failure)}`),
        );
    throw error;
  }
  if (deployed) log.info(deployed);
  log.info(
    `${plan.strategy} of ${context.version} into ${plan.target} (live: ${plan.live}) through ${router.describe()}; ledger: ${ledger.describe()}.`,
  );
  state.save('live', plan.live);
  state.save('target', plan.target);
  state.save('router', router.describe());
  state.save('environment', context.environment);

  const analyses = new Map<number, AnalysisReport>();
  const outcome = await rollout(
    plan,
    {
      environment: context.environment,
      version: context.version,
      commit: process.env.GITHUB_SHA,
      logUrl: runUrl(),
      ...(recorded ? { recorded } : {}),
      ...(claim ? { claim } : {}),
    },
    {
      router,
      ledger,
      analyst: stepAnalyst(analysis, { log, reports: analyses }),
      log,
      // Called once this shift holds the environment, before any weight moves:
      // from here on main may move traffic (a rerun's revert included), so the
      // post step must put it back on the live slot if main does not finish.
      // A shift refused before this point leaves the post step nothing to do.
      onRelease: (release) => {
        state.save('releaseId', release.id);
        state.save('shifting', true);
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
    if (warning) log.warning(warning);
  }

  if (outcome.result === 'promoted') return;
  throw new OperationError(`${outcome.result === 'held' ? 'Held' : 'Rolled back'}: ${outcome.reason}`);
}

/**
 * Whether the deployer should start the release in `target`. A slot that
 * takes all traffic is the live one and is never replaced — unless it is this
 * very release, left in progress at 100% by a run that died before recording
 * its promotion: then there is nothing to deploy, and the shift resumes there.
 */
async function mayDeploy(
  ledger: Ledger,
  context: ShiftContext,
  weights: Weights,
  target: string,
): Promise<boolean> {
  if ((weights[target] ?? 0) < 100) return true;
  const left = (await ledger.history(context.environment, 20)).find(
    (r) =>
      r.status === 'in_progress' &&
      r.version === context.version &&
      r.slot === target &&
      earlierAttempt(r, ownerOf('shift')),
  );
  if (left) {
    log.info(
      `${target} takes all traffic and runs ${context.version}, left in progress by an earlier attempt of this run (ledger entry ${left.id}): nothing to deploy.`,
    );
    return false;
  }
  throw new LiveSlotError(
    `${target} takes all traffic (${formatWeights(weights)}): it is the live slot, so ${context.version} is not deployed into it. ` +
      'Deploy into the other slot (target-slot), or roll back first. Nothing was deployed and no traffic was moved.',
  );
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
      owner: ownerOf('shift'),
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
export async function post(): Promise<void> {
  const live = state.get('live');
  const target = state.get('target');
  if (!live || !target) return;
  if (!state.get('shifting')) {
    log.info('Post: main did not move any traffic; nothing to restore.');
    return;
  }
  if (state.get('finished')) {
    log.info('Post: main finished and left traffic where it meant to; nothing to restore.');
    return;
  }
  const ended = await entryNow().catch(() => undefined);
  if (ended?.status !== 'in_progress' && ended?.reason?.startsWith('Taken over by a rollback')) {
    log.info(
      `Post: a rollback took this shift over (${ended.reason}); traffic is the rollback's, nothing to restore.`,
    );
    return;
  }
  log.warning(`Post: main did not finish; returning all traffic to ${live}.`);
  const settings = await readRouterSettings();
  const router = await createRouter(settings, { log: (line) => log.debug(line) });
  if (router.describe() !== state.get('router'))
    log.warning(
      `Post: the router inputs now describe ${router.describe()}, not ${state.get('router')} as in main.`,
    );
  const outcome = await restoreLive(router, live, target, log);
  const weights = await router.read();
  log.info(
    outcome === 'restored'
      ? `Post: restored and verified ${formatWeights(weights)} on ${router.describe()}.`
      : `Post: ${router.describe()} already had ${formatWeights(weights)} (verified); nothing changed.`,
  );
  await closeRelease(live).catch((error) =>
    log.warning(`Post: could not update the ledger: ${errorMessage(error)}`),
  );
  await new Summary()
    .heading('canary-shift: restored by the post step', 2)
    .alert('WARNING', `The main step did not finish; all traffic was returned to ${live} and verified.`)
    .write();
}

/** This shift's ledger entry as recorded now, and the ledger it is in. */
async function entryNow(): Promise<(Release & { ledger: Ledger }) | undefined> {
  const id = state.get('releaseId');
  const environment = state.get('environment');
  if (!id || !environment) return undefined;
  const context = await readContext().catch(() => undefined);
  if (!context) return undefined;
  const ledger = openLedger(context);
  const release = (await ledger.history(environment, 20)).find((r) => r.id === id);
  return release && { ...release, ledger };
}

async function closeRelease(live: string): Promise<void> {
  const found = await entryNow();
  if (!found) return;
  const { ledger, ...release } = found;
  if (release.status === 'in_progress')
    await ledger.finish(release, {
      status: 'error',
      reason: `The shift did not finish (cancelled, crashed or timed out); the post step returned all traffic to ${live}.`,
    });
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}
