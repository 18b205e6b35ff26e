import { describe, expect, it } from 'vitest';
import { latencies, seededRandom } from '../../../../test/support/random.js';
import { compareToBaseline } from '../../src/analysis/baseline.js';
import type { BaselineSettings } from '../../src/analysis/config.js';
import type { Sample } from '../../src/analysis/probe.js';
import {
  mannWhitneyU,
  normalCdf,
  normalSurvival,
  percentile,
  twoProportionZ,
} from '../../src/analysis/stats.js';

// Reference values were computed with SciPy 1.17 on this machine:
//   scipy.stats.mannwhitneyu(x, y, alternative=…, method="asymptotic")
//   scipy.stats.chi2_contingency(table, correction=False)   (z² = χ² for the two-proportion test)
//   scipy.stats.norm.cdf / norm.sf, numpy.percentile (linear interpolation)
describe('Mann–Whitney U', () => {
  it('matches SciPy on the example of its documentation (U counted by hand: 17)', () => {
    const males = [19, 22, 16, 29, 24];
    const females = [20, 11, 17, 12];
    const result = mannWhitneyU(males, females, 'two-sided');
    expect(result.statistic).toBe(17);
    expect(result.pValue).toBeCloseTo(0.11134688653314041, 6);
  });

  it('applies the tie correction as SciPy does, for each alternative', () => {
    const x = [1, 2, 2, 3, 3, 3, 4];
    const y = [2, 3, 3, 4, 4, 5, 5, 5];
    expect(mannWhitneyU(x, y, 'less').statistic).toBe(11);
    expect(mannWhitneyU(x, y, 'less').pValue).toBeCloseTo(0.024619483919276697, 6);
    expect(mannWhitneyU(x, y, 'two-sided').pValue).toBeCloseTo(0.049238967838553395, 6);
    expect(mannWhitneyU(x, y, 'greater').pValue).toBeCloseTo(0.9814970702168354, 6);
  });

  it('matches R’s wilcox.test example (W = 35) with the normal approximation', () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const result = mannWhitneyU(x, y, 'greater');
    expect(result.statistic).toBe(35);
    expect(result.pValue).toBeCloseTo(0.12231180256349167, 6);
  });

  it('finds no difference between identical constant samples', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5], 'greater').pValue).toBe(1);
  });

  it('keeps the false-positive rate at its significance level (2000 seeded same-distribution pairs)', () => {
    const random = seededRandom(42);
    let rejected = 0;
    const runs = 2000;
    for (let i = 0; i < runs; i++) {
      const p = mannWhitneyU(latencies(random, 30, 20), latencies(random, 30, 20), 'greater').pValue;
      if (p < 0.05) rejected++;
    }
    // A correct test rejects about 5% of the time; the binomial spread over 2000 runs is ±1%.
    expect(rejected / runs).toBeGreaterThan(0.03);
    expect(rejected / runs).toBeLessThan(0.07);
  });
});

describe('two-proportion z test', () => {
  it('matches the χ² test of the 2×2 table without continuity correction', () => {
    const greater = twoProportionZ(30, 100, 12, 100, 'greater');
    expect(greater.z).toBeCloseTo(3.1248869780646658, 6);
    expect(greater.pValue).toBeCloseTo(0.0008893669408892064, 7);
    expect(twoProportionZ(30, 100, 12, 100, 'two-sided').pValue).toBeCloseTo(0.0017787338817784135, 7);
    expect(twoProportionZ(30, 100, 12, 100, 'less').pValue).toBeCloseTo(1 - 0.0008893669408892064, 6);
  });

  it('sees no evidence when the rates are equal, or both zero', () => {
    expect(twoProportionZ(5, 50, 5, 50, 'two-sided').pValue).toBeCloseTo(1, 9);
    expect(twoProportionZ(0, 50, 0, 80, 'greater').pValue).toBe(1);
  });
});

describe('normal distribution and percentiles', () => {
  it('matches SciPy’s norm.cdf and norm.sf', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 6);
    expect(normalSurvival(3.5)).toBeCloseTo(0.00023262907903552502, 9);
  });

  it('interpolates like numpy.percentile', () => {
    const values = [40, 15, 50, 35, 20];
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 95)).toBeCloseTo(48, 9);
    expect(percentile(values, 99)).toBeCloseTo(49.6, 9);
    expect(percentile(values, 40)).toBeCloseTo(29, 9);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('baseline comparison', () => {
  const settings: BaselineSettings = {
    url: new URL('http://127.0.0.1:1/'),
    minSamples: 20,
    latencyTolerance: 0.25,
    latencyFloorMs: 5,
    errorTolerance: 0.05,
    alpha: 0.01,
  };
  const samplesOf = (side: 'target' | 'baseline', values: number[], failEvery = 0): Sample[] =>
    values.map((ms, i) => {
      const failed = failEvery > 0 && i % failEvery === 0;
      return { check: 'home', side, interval: 0, at: i, ms, status: failed ? 500 : 200, ok: !failed };
    });

  it('raises no false alarm in 20 runs on samples from the same distribution', () => {
    const random = seededRandom(20261128);
    const outcomes = Array.from({ length: 20 }, () =>
      compareToBaseline(
        samplesOf('target', latencies(random, 60, 30)),
        samplesOf('baseline', latencies(random, 60, 30)),
        settings,
      ),
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(20).fill('pass'));
    // The runs did test something: p-values spread over the unit interval rather than all being 1.
    expect(Math.min(...outcomes.map((o) => o.latencyP!))).toBeLessThan(0.5);
  });

  it('fails a target three times slower than its baseline, in each of 20 runs', () => {
    const random = seededRandom(7);
    for (let run = 0; run < 20; run++) {
      const result = compareToBaseline(
        samplesOf('target', latencies(random, 20, 60)),
        samplesOf('baseline', latencies(random, 20, 20)),
        settings,
      );
      expect(result.outcome).toBe('fail');
      expect(result.detail).toMatch(/^slower than the baseline: median \d+ms vs \d+ms \(\+\d+%\)/);
    }
  });

  it('does not fail a significant difference smaller than the tolerance', () => {
    const random = seededRandom(11);
    // 10% slower with 400 samples a side is significant, but within the 25% tolerance.
    const result = compareToBaseline(
      samplesOf('target', latencies(random, 400, 33, 0.1)),
      samplesOf('baseline', latencies(random, 400, 30, 0.1)),
      settings,
    );
    expect(result.latencyP).toBeLessThan(settings.alpha);
    expect(result.outcome).toBe('pass');
  });

  it('fails a target that errors more often than its baseline', () => {
    const random = seededRandom(3);
    const result = compareToBaseline(
      samplesOf('target', latencies(random, 60, 20), 3),
      samplesOf('baseline', latencies(random, 60, 20)),
      settings,
    );
    expect(result.outcome).toBe('fail');
    expect(result.detail).toMatch(/^fails more often than the baseline: 33\.3% vs 0% of 60 and 60 requests/);
  });

  it('decides nothing below the minimum sample count', () => {
    const result = compareToBaseline(
      samplesOf('target', [300, 300, 300]),
      samplesOf('baseline', [1, 1, 1]),
      settings,
    );
    expect(result.outcome).toBe('pending');
    expect(result.detail).toBe('waiting for 20 requests on each side (target 3, baseline 3)');
  });
});
