/**
 * Seeded random numbers for statistical tests: the same seed gives the same
 * samples on every machine, so a test about false-alarm rates is repeatable
 * instead of flaky.
 */

export { seededRandom } from './seeded.mjs';

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
