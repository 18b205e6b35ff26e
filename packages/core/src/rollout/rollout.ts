import { errorMessage, OperationError } from '../errors.js';
import type { Ledger, Release } from '../ledger/ledger.js';
import { allTo, formatWeights } from '../traffic/router.js';
import { type ShiftPlan, stepsFrom } from './plan.js';
import {
  restoreLive,
  type ShiftDependencies,
  type ShiftOutcome,
  shift,
  systemClock,
  UnsettledTrafficError,
  verifyOrSet,
} from './shift.js';
import { decideStart, type StartDecision } from './start.js';

export interface ReleaseInfo {
  environment: string;
  version: string;
  commit?: string;
  logUrl?: string;
  environmentUrl?: string;
  /**
   * The ledger entry already begun for this release in the target slot —
   * recorded before a deployer replaced the slot, so that the ledger never
   * claims the slot still runs what it ran before. The rollout finishes it
   * instead of beginning another.
   */
  recorded?: Release;
}

export interface RolloutDependencies extends ShiftDependencies {
  ledger: Ledger;
  /**
   * Called once the ledger entry exists and before any weight changes, so the
   * caller can save what its post step needs to put traffic back.
   */
  onRelease?(release: Release, decision: StartDecision): void | Promise<void>;
}

export interface RolloutOutcome extends ShiftOutcome {
  decision: StartDecision;
  release: Release;
}

/**
 * One release through the router: read where traffic actually is, decide
 * whether to start, resume or first revert (see `decideStart`), record the
 * release in the ledger, walk the shift plan, and record how it ended.
 *
 * A ledger that cannot record the start stops the rollout before traffic moves:
 * the ledger is what `rollback` and the next run rely on. A ledger that cannot
 * record the end only warns, because traffic has already been settled.
 */
export async function rollout(
  plan: ShiftPlan,
  release: ReleaseInfo,
  deps: RolloutDependencies,
  options: { signal?: AbortSignal } = {},
): Promise<RolloutOutcome> {
  const { router, ledger, log } = deps;
  const clock = deps.clock ?? systemClock;
  const weights = await router.read(options.signal);
  const recent = await ledger.history(release.environment, 20);
  const inProgress = recent.find((r) => r.status === 'in_progress');
  const current = await ledger.current(release.environment);
  const decision = decideStart({
    weights,
    live: plan.live,
    target: plan.target,
    version: release.version,
    inProgress,
    current,
  });
  log.info(decision.message);

  if (decision.kind === 'refuse') throw new OperationError(decision.message);
  if (decision.kind === 'already-promoted') {
    await verifyOrSet(router, allTo(plan.target, [plan.live, plan.target]), (line) => log.warning(line));
    const now = clock.now();
    return {
      result: 'promoted',
      weight: 100,
      reason: decision.message,
      settled: true,
      steps: [],
      curve: [],
      events: [{ at: now, message: decision.message }],
      startedAt: now,
      endedAt: now,
      decision,
      release: decision.release,
    };
  }
  if (decision.kind === 'revert') {
    try {
      await restoreLive(router, plan.live, plan.target, log, {
        attempts: deps.revertAttempts,
        baseDelayMs: deps.revertBaseDelayMs,
      });
    } catch (error) {
      throw new UnsettledTrafficError(
        `${decision.message} The revert failed: ${errorMessage(error)}. The router still has ${formatWeights(weights)}.`,
      );
    }
    log.info(`All traffic is back on ${plan.live} (verified).`);
  }

  // Unfinished entries this run does not resume were left by runs that died;
  // close them so the ledger never shows two releases in progress at once.
  for (const stale of recent.filter((r) => r.status === 'in_progress')) {
    if (decision.kind === 'resume' && stale.id === decision.release.id) continue;
    if (stale.id === release.recorded?.id && decision.kind !== 'resume') continue;
    await ledger
      .finish(stale, {
        status: 'error',
        reason: 'The run that started this release did not finish; superseded.',
      })
      .catch((error) =>
        log.warning(`Could not close stale ledger entry ${stale.id}: ${errorMessage(error)}`),
      );
  }

  let record: Release;
  try {
    record =
      decision.kind === 'resume'
        ? decision.release
        : (release.recorded ??
          (await ledger.begin({
            environment: release.environment,
            version: release.version,
            slot: plan.target,
            commit: release.commit,
            logUrl: release.logUrl,
            environmentUrl: release.environmentUrl,
            description: `canary-shift ${plan.strategy} into ${plan.target}`,
          })));
  } catch (error) {
    throw new OperationError(
      `Could not record the release in ${ledger.describe()}: ${errorMessage(error)}. ` +
        (decision.kind === 'revert'
          ? `Traffic was returned to ${plan.live} (verified) and the release was not started.`
          : 'No traffic was moved.'),
    );
  }
  await deps.onRelease?.(record, decision);

  const steps = decision.kind === 'resume' ? stepsFrom(plan.steps, decision.weight) : plan.steps;
  const outcome = await shift(plan, deps, { steps, signal: options.signal });

  if (outcome.result !== 'held') {
    const status =
      outcome.result === 'promoted'
        ? 'success'
        : outcome.cause === 'verdict' || outcome.cause === 'inconclusive'
          ? 'failure'
          : 'error';
    try {
      record = await ledger.finish(record, { status, reason: outcome.reason, logUrl: release.logUrl });
    } catch (error) {
      log.warning(`Could not record the outcome in ${ledger.describe()}: ${errorMessage(error)}`);
    }
  }
  return { ...outcome, decision, release: record };
}
