import type { Release } from '@glidepath/core';
import { formatWeights, type SlotName, type Weights } from '@glidepath/core';

/**
 * What a run does first, given the weights the router actually has. A crashed
 * or killed run can leave traffic split; the next run must never carry on from
 * a split it cannot explain, nor leave one behind unexplained.
 *
 * The rule:
 * - everything on the live slot → start the plan from its first step;
 * - split between the live and target slots, and the ledger's in-progress
 *   release is this very one (same version, same target slot) → resume: hold
 *   the weight found and analyse it, then continue with the planned weights
 *   above it, finishing the same ledger entry;
 * - all traffic on the target slot for that same in-progress release → resume
 *   at 100 (one more analysed hold, then promote);
 * - all traffic on the target slot and the ledger's current (successful)
 *   release is this one → already promoted, nothing moves;
 * - all traffic on the target slot otherwise → refuse: the target slot is the
 *   one serving users, so deploying "into" it cannot be what was meant;
 * - any other state (a split from another release or with no ledger record,
 *   weight on a third slot, weights not summing to 100) → revert: all traffic
 *   to the live slot first, verified, then the plan from its first step.
 */
export type StartDecision =
  | { kind: 'fresh'; message: string }
  | { kind: 'resume'; weight: number; release: Release; message: string }
  | { kind: 'revert'; message: string }
  | { kind: 'already-promoted'; release: Release; message: string }
  | { kind: 'refuse'; message: string };

export interface StartFacts {
  weights: Weights;
  live: SlotName;
  target: SlotName;
  version: string;
  /** The environment's newest in-progress release in the ledger, if any. */
  inProgress?: Release;
  /** The environment's current (newest successful) release, if any. */
  current?: Release;
}

export function decideStart(facts: StartFacts): StartDecision {
  const { weights, live, target, version } = facts;
  const found = formatWeights(weights);
  const onTarget = weights[target] ?? 0;
  const onLive = weights[live] ?? 0;
  const others = Object.entries(weights).filter(([slot, w]) => slot !== live && slot !== target && w > 0);
  const isThisRelease = (r: Release | undefined) =>
    r !== undefined && r.version === version && r.slot === target;

  if (others.length > 0 || onTarget + onLive !== 100)
    return {
      kind: 'revert',
      message: `The router has ${found}, which is not a split between ${live} and ${target}: reverting all traffic to ${live}, then starting the plan from its first step.`,
    };
  if (onTarget === 0) return { kind: 'fresh', message: `The router has ${found}: starting the plan.` };

  if (facts.inProgress && isThisRelease(facts.inProgress))
    return {
      kind: 'resume',
      weight: onTarget,
      release: facts.inProgress,
      message: `The router has ${found}, left by an unfinished run of this release (${version} into ${target}, ledger entry ${facts.inProgress.id}): resuming — holding ${onTarget}% while analysing, then continuing the plan above it.`,
    };
  if (onTarget === 100) {
    if (facts.current && isThisRelease(facts.current))
      return {
        kind: 'already-promoted',
        release: facts.current,
        message: `The router already sends all traffic to ${target}, and the ledger's current release is ${version} in ${target}: already promoted, nothing to shift.`,
      };
    return {
      kind: 'refuse',
      message: `The router sends all traffic to ${target}, the slot given as target-slot: ${target} is the live slot, so no release should be deployed into it. Deploy into ${live} and set target-slot to ${live}.`,
    };
  }
  const who = facts.inProgress
    ? `the ledger's unfinished release is ${facts.inProgress.version} in ${facts.inProgress.slot}, not this one`
    : 'the ledger has no unfinished release that explains it';
  return {
    kind: 'revert',
    message: `The router has ${found}, a split that ${who}: reverting all traffic to ${live}, then starting the plan from its first step.`,
  };
}
