import type { Ledger, Release } from '@glidepath/core';
import {
  allTo,
  type ClaimOptions,
  EnvironmentClaim,
  earlierAttempt,
  errorMessage,
  formatWeights,
  OperationError,
  ownerOf,
  restoreLive,
  systemClock,
  UnsettledTrafficError,
  verifyOrSet,
} from '@glidepath/core';
import { type ShiftPlan, stepsFrom } from './plan.js';
import { type ShiftDependencies, type ShiftOutcome, shift } from './shift.js';
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
  /** The claim taken with `recorded` (before the deploy); the rollout takes one itself otherwise. */
  claim?: EnvironmentClaim;
}

export interface RolloutDependencies extends ShiftDependencies {
  ledger: Ledger;
  /**
   * Called once the ledger entry exists and before any weight changes, so the
   * caller can save what its post step needs to put traffic back.
   */
  onRelease?(release: Release, decision: StartDecision): void | Promise<void>;
  /** How the shift takes turns with other writers of the environment (heartbeat, staleness). */
  claimOptions?: ClaimOptions;
}

export interface RolloutOutcome extends ShiftOutcome {
  decision: StartDecision;
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
  // Only an entry this run recorded, or one whose holder is gone, can be
  // carried on; a living one belongs to a shift that is still running.
  const owner = release.recorded?.owner ?? ownerOf('shift');
  // Only this run's entry, or one an earlier attempt of this run left, is
  // carried on: two runs that both found another run's silent entry would
  // both carry it on. Any other entry in progress is the claim's to judge.
  const inProgress = recent.find(
    (r) => r.status === 'in_progress' && (r.id === release.recorded?.id || earlierAttempt(r, owner)),
  );
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
      startedAt: now,
      decision,
    };
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
            owner,
          })));
  } catch (error) {
    throw new OperationError(
      `Could not record the release in ${ledger.describe()}: ${errorMessage(error)}. No traffic was moved.`,
    );
  }
  // Before any traffic moves, this shift takes its turn: a rollback or an
  // earlier shift that is alive makes it refuse; abandoned entries are closed.
  let claim = release.claim;
  if (claim && record.id !== claim.release.id) await claim.stop();
  if (!claim || record.id !== claim.release.id)
    claim = await EnvironmentClaim.take(ledger, record, {
      ...deps.claimOptions,
      log: (line) => log.info(line),
      onRefusal: decision.kind === 'resume' ? 'error' : 'discard',
    });
  else if ((await claim.check()) !== 'held')
    throw new OperationError(
      `This shift no longer holds ${release.environment}: ${claim.lostReason ?? 'the ledger could not be read'}. No traffic was moved.`,
    );
  try {
    record = claim.release;
    await deps.onRelease?.(record, decision);
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
    return await walk(plan, release, deps, options, decision, record, claim);
  } finally {
    await claim.stop();
  }
}

async function walk(
  plan: ShiftPlan,
  release: ReleaseInfo,
  deps: RolloutDependencies,
  options: { signal?: AbortSignal },
  decision: StartDecision,
  record: Release,
  claim: EnvironmentClaim,
): Promise<RolloutOutcome> {
  const { ledger, log } = deps;
  const steps = decision.kind === 'resume' ? stepsFrom(plan.steps, decision.weight) : plan.steps;
  const outcome = await shift(plan, { ...deps, claim }, { steps, signal: options.signal });

  // No heartbeat may land after the entry is finished.
  await claim.stop();
  // A rollback that took over has already recorded how this release ended.
  if (outcome.result !== 'held' && outcome.cause !== 'superseded') {
    const status =
      outcome.result === 'promoted'
        ? 'success'
        : outcome.cause === 'verdict' || outcome.cause === 'inconclusive'
          ? 'failure'
          : 'error';
    try {
      await ledger.finish(record, { status, reason: outcome.reason, logUrl: release.logUrl });
    } catch (error) {
      log.warning(`Could not record the outcome in ${ledger.describe()}: ${errorMessage(error)}`);
    }
  }
  return { ...outcome, decision };
}
