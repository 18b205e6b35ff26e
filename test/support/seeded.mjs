// Seeded random numbers shared by the TypeScript tests (random.ts) and the
// plain-JS load generator and benches: the same seed gives the same sequence
// on every machine (types in seeded.d.mts).

/** mulberry32: a small, well-mixed 32-bit generator; returns numbers in [0, 1). */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
