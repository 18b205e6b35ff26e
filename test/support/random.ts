/**
 * Seeded random numbers for statistical tests: the same seed gives the same
 * samples on every machine, so a test about false-alarm rates is repeatable
 * instead of flaky.
 */

/** mulberry32: a small, well-mixed 32-bit generator; returns numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal deviate (Box–Muller). */
export function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * `count` latencies in milliseconds from a log-normal distribution, the usual
 * shape of service latencies: a median of `medianMs` and a long right tail.
 */
export function latencies(random: () => number, count: number, medianMs: number, sigma = 0.35): number[] {
  return Array.from(
    { length: count },
    () => Math.round(medianMs * Math.exp(sigma * normal(random)) * 100) / 100,
  );
}
