import { formatWeights, GlidepathError, type SlotName, type Weights } from '@glidepath/core';

/**
 * `target-slot: auto`: the idle slot, i.e. the one that takes no traffic in
 * `weights` (read from the router once for the whole decision). When traffic
 * is split, which slot is "new" is a question for the ledger and the rerun
 * logic, not for a guess: the user must name the slot (or roll back).
 */
export function idleSlot(weights: Weights, slots: readonly SlotName[], router: string): SlotName {
  const idle = slots.filter((slot) => (weights[slot] ?? 0) === 0);
  if (idle.length === 1) return idle[0]!;
  throw new GlidepathError(
    `target-slot is auto, but no single slot is idle: ${router} has ${formatWeights(weights)}. ` +
      'Name the slot that runs the new release in target-slot (a rerun resumes or reverts a split), or roll back first.',
  );
}
