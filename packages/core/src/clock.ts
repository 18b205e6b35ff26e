/** The time source of the two state machines (canary-shift's rollout, rollback): tests pass their own. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
