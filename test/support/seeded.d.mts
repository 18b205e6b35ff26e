/** mulberry32: a small, well-mixed 32-bit generator; returns numbers in [0, 1). */
export function seededRandom(seed: number): () => number;
