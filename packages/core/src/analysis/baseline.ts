/**
 * The side-by-side comparison of a check's answers from the target version
 * with the same requests to the baseline. A difference fails the check only
 * when it is both statistically significant (one-sided tests at the chosen
 * confidence) and larger than the tolerance, so that noise between two
 * equally good versions never fails a release, and a tiny but real
 * difference (a millisecond) does not either.
 */
import { formatDuration } from '../inputs/duration.js';
import type { BaselineSettings } from './config.js';
import type { Sample } from './probe.js';
import { mannWhitneyU, median, twoProportionZ } from './stats.js';

export interface SideSummary {
  requests: number;
  /** Requests that got an HTTP answer: the latency test uses those. */
  answers: number;
  failures: number;
  medianMs: number;
}

export interface Comparison {
  /** `pending` until each side has `minSamples` requests (and answers, for latency). */
  outcome: 'pass' | 'fail' | 'pending';
  target: SideSummary;
  baseline: SideSummary;
  /** One-sided Mann–Whitney p-value of "the target is slower", when it could be computed. */
  latencyP?: number;
  /** One-sided two-proportion p-value of "the target fails more often". */
  errorP?: number;
  /** What was found, in a sentence (set for every decided outcome). */
  detail?: string;
}

function summarise(samples: readonly Sample[]): SideSummary & { latencies: number[] } {
  const latencies = samples.filter((s) => s.status !== undefined).map((s) => s.ms);
  return {
    requests: samples.length,
    answers: latencies.length,
    failures: samples.filter((s) => !s.ok).length,
    medianMs: latencies.length ? median(latencies) : Number.NaN,
    latencies,
  };
}

export function compareToBaseline(
  target: readonly Sample[],
  baseline: readonly Sample[],
  settings: BaselineSettings,
): Comparison {
  const t = summarise(target);
  const b = summarise(baseline);
  const sides = {
    target: { requests: t.requests, answers: t.answers, failures: t.failures, medianMs: t.medianMs },
    baseline: { requests: b.requests, answers: b.answers, failures: b.failures, medianMs: b.medianMs },
  };
  // Failing findings first, so the sentence leads with what failed.
  const problems: string[] = [];
  const findings: string[] = [];
  let decided = false;
  let failed = false;
  let latencyP: number | undefined;
  let errorP: number | undefined;

  if (t.requests >= settings.minSamples && b.requests >= settings.minSamples) {
    decided = true;
    const rateT = t.failures / t.requests;
    const rateB = b.failures / b.requests;
    errorP = twoProportionZ(t.failures, t.requests, b.failures, b.requests, 'greater').pValue;
    const worse = rateT - rateB > settings.errorTolerance && errorP < settings.alpha;
    if (worse) failed = true;
    (worse ? problems : findings).push(
      `${worse ? 'fails more often than the baseline' : 'error rate'}: ${percent(rateT)} vs ${percent(rateB)} of ${t.requests} and ${b.requests} requests (two-proportion p ${formatP(errorP)})`,
    );
  }
  if (t.answers >= settings.minSamples && b.answers >= settings.minSamples) {
    decided = true;
    latencyP = mannWhitneyU(t.latencies, b.latencies, 'greater').pValue;
    const difference = t.medianMs - b.medianMs;
    const allowed = Math.max(settings.latencyFloorMs, settings.latencyTolerance * b.medianMs);
    const slower = difference > allowed && latencyP < settings.alpha;
    if (slower) failed = true;
    const change =
      b.medianMs > 0 ? ` (${difference >= 0 ? '+' : ''}${Math.round((difference / b.medianMs) * 100)}%)` : '';
    (slower ? problems : findings).push(
      `${slower ? 'slower than the baseline' : 'latency'}: median ${formatDuration(t.medianMs)} vs ${formatDuration(b.medianMs)}${change} over ${t.answers} and ${b.answers} answers (Mann–Whitney p ${formatP(latencyP)})`,
    );
  }
  const outcome = failed ? 'fail' : decided ? 'pass' : 'pending';
  const detail = decided
    ? [...problems, ...findings].join('; ')
    : `waiting for ${settings.minSamples} requests on each side (target ${t.requests}, baseline ${b.requests})`;
  return {
    outcome,
    ...sides,
    ...(latencyP !== undefined ? { latencyP } : {}),
    ...(errorP !== undefined ? { errorP } : {}),
    detail,
  };
}

function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(1))}%`;
}

export function formatP(p: number): string {
  return p < 0.0001 ? '< 0.0001' : `= ${Number(p.toPrecision(2))}`;
}
