import type { SlotName, Weights } from './router.js';

/**
 * What is wrong with `weights` for these slots, or undefined when they are
 * usable: whole percents from 0 to 100, one per slot and no other, summing to
 * 100. The text finishes the sentence "expected …" so that it reads well in an
 * InputError as well as in a RouterError.
 */
export function weightsProblem(weights: Weights, slots: readonly SlotName[]): string | undefined {
  for (const key of Object.keys(weights))
    if (!slots.includes(key))
      return `weights for the slots ${slots.join(' and ')} only ("${key}" is not a slot)`;
  let sum = 0;
  for (const slot of slots) {
    const weight = weights[slot];
    if (weight === undefined) return `a weight for every slot (none for "${slot}")`;
    if (!Number.isInteger(weight) || weight < 0 || weight > 100)
      return `whole percents from 0 to 100 ("${slot}" has ${weight})`;
    sum += weight;
  }
  if (sum !== 100) return `weights summing to 100 (they sum to ${sum})`;
  return undefined;
}

/**
 * Turns the relative weights a router holds (nginx `weight=3`, HAProxy `12`, a
 * backendRef `weight: 1`) into whole percents summing to 100, by the largest
 * remainder, so 1:1:1 becomes 34/33/33 and never 33/33/33. All zero is
 * returned as all zero: no slot gets traffic, which the caller must report.
 */
export function toPercents(relative: ReadonlyMap<SlotName, number>): Weights {
  const total = [...relative.values()].reduce((a, b) => a + b, 0);
  const weights: Weights = {};
  if (total <= 0) {
    for (const slot of relative.keys()) weights[slot] = 0;
    return weights;
  }
  const exact = [...relative].map(([slot, w]) => ({ slot, value: (w * 100) / total }));
  let given = 0;
  for (const { slot, value } of exact) {
    weights[slot] = Math.floor(value);
    given += Math.floor(value);
  }
  const byRemainder = [...exact].sort(
    (a, b) => b.value - Math.floor(b.value) - (a.value - Math.floor(a.value)),
  );
  for (let i = 0; i < 100 - given; i++) {
    const slot = byRemainder[i % byRemainder.length]!.slot;
    weights[slot] = (weights[slot] ?? 0) + 1;
  }
  return weights;
}
