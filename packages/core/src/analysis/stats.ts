/**
 * The statistics behind the baseline comparison, written out so that each
 * step can be checked against a reference: the Mann–Whitney U test (normal
 * approximation with tie and continuity corrections, as SciPy's
 * `mannwhitneyu(method="asymptotic")` and R's `wilcox.test(exact = FALSE)`
 * compute it), the pooled two-proportion z test, and percentiles.
 */

/** Which way the difference must go for the test to count it. */
export type Alternative = 'greater' | 'less' | 'two-sided';

export interface TestResult {
  /** The test statistic: U of the first sample, or z for the proportion test. */
  statistic: number;
  /** Standard normal deviate the p-value comes from. */
  z: number;
  pValue: number;
}

/**
 * Mann–Whitney U test of whether values in `x` tend to be greater than (or
 * less than, or different from) values in `y`. U is the statistic of `x`:
 * the number of pairs (xi, yj) with xi > yj, ties counting one half.
 *
 * The p-value uses the normal approximation, which is accurate from about
 * twenty values per sample; the analysis never decides on fewer (its
 * minimum sample count), so the exact distribution is not needed.
 */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  alternative: Alternative,
): TestResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU needs at least one value in each sample');
  const n = n1 + n2;
  const pooled = [
    ...x.map((value) => ({ value, first: true })),
    ...y.map((value) => ({ value, first: false })),
  ];
  pooled.sort((a, b) => a.value - b.value);

  // Average ranks over runs of equal values, and collect the run lengths for
  // the tie correction of the variance.
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && pooled[j + 1]!.value === pooled[i]!.value) j++;
    const rank = (i + j + 2) / 2;
    const run = j - i + 1;
    tieTerm += run ** 3 - run;
    for (let k = i; k <= j; k++) if (pooled[k]!.first) rankSumX += rank;
    i = j + 1;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { statistic: u, z: 0, pValue: 1 };
  const sd = Math.sqrt(variance);

  // The continuity correction moves U half a step towards the mean.
  let z: number;
  let pValue: number;
  if (alternative === 'greater') {
    z = (u - mean - 0.5) / sd;
    pValue = normalSurvival(z);
  } else if (alternative === 'less') {
    z = (u - mean + 0.5) / sd;
    pValue = normalCdf(z);
  } else {
    const distance = Math.max(0, Math.abs(u - mean) - 0.5);
    z = Math.sign(u - mean) * (distance / sd);
    pValue = Math.min(1, 2 * normalSurvival(distance / sd));
  }
  return { statistic: u, z, pValue };
}

/**
 * Two-proportion z test (pooled variance) of whether the rate x1/n1 is
 * greater than (or less than, or different from) x2/n2. Equivalent to the
 * chi-squared test of a 2×2 table without Yates' correction (z² = χ²).
 */
export function twoProportionZ(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  alternative: Alternative,
): TestResult {
  if (n1 <= 0 || n2 <= 0) throw new RangeError('twoProportionZ needs at least one trial in each sample');
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // Both samples all-success or all-failure: no evidence of any difference.
  if (se === 0) return { statistic: 0, z: 0, pValue: 1 };
  const z = (p1 - p2) / se;
  const pValue =
    alternative === 'greater'
      ? normalSurvival(z)
      : alternative === 'less'
        ? normalCdf(z)
        : Math.min(1, 2 * normalSurvival(Math.abs(z)));
  return { statistic: z, z, pValue };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): exact enough for binomial coefficients of any count. */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * Fisher's exact test, one-sided: the probability, with the margins fixed, of
 * at least `x1` failures among the first sample's `n1` when the two samples
 * fail alike. Exact at the small counts where the z approximation is far too
 * confident (2/20 vs 2/180: z gives 0.0035, Fisher about 0.05).
 */
export function fisherExactGreater(x1: number, n1: number, x2: number, n2: number): number {
  const failures = x1 + x2;
  const total = n1 + n2;
  const base = logChoose(total, n1);
  let p = 0;
  for (let k = x1; k <= Math.min(failures, n1); k++)
    p += Math.exp(logChoose(failures, k) + logChoose(total - failures, n1 - k) - base);
  return Math.min(1, p);
}

/** P(X ≥ x) for X ~ Binomial(n, p0): the exact one-sample test of a rate above p0. */
export function binomialAtLeast(x: number, n: number, p0: number): number {
  if (x <= 0) return 1;
  if (p0 <= 0) return 0;
  if (p0 >= 1) return 1;
  let p = 0;
  for (let k = x; k <= n; k++) p += Math.exp(logChoose(n, k) + k * Math.log(p0) + (n - k) * Math.log(1 - p0));
  return Math.min(1, p);
}

/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** P(Z > z), computed directly so that small tail probabilities keep their precision. */
export function normalSurvival(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * The complementary error function, from the Chebyshev fit in Numerical
 * Recipes (`erfcc`): fractional error below 1.2e-7 everywhere, which is far
 * finer than any decision threshold the analysis uses.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * The p-th percentile (0–100) of the values, by linear interpolation between
 * closest ranks (the default of NumPy and R's type 7). NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const lower = sorted[below]!;
  return lower + (sorted[above]! - lower) * (position - below);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
