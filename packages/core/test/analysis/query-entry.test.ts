/**
 * A query entry's own schedule and policies, through the engine on a clock
 * the test turns (no real time passes): `interval` evaluates it only every so
 * often, the intervals between count neither way, and `on-no-data` /
 * `on-error` of the entry win over the analysis's. `delay` moves the moment
 * asked about.
 */
import { describe, expect, it, vi } from 'vitest';
import { type AnalysisConfig, type QueryCheck, queryWindowProblems } from '../../src/analysis/config.js';
import { analyse } from '../../src/analysis/engine.js';
import type { Evaluation, MetricProvider, Series } from '../../src/analysis/metric.js';
import { ProviderError } from '../../src/analysis/metric.js';

/** The provider every query of the next run gets (the engine builds it from the config otherwise). */
let current: MetricProvider | undefined;
vi.mock('../../src/analysis/providers/index.js', () => ({ providerFor: () => current }));

/** A provider whose answers the test gives, recording every evaluation. */
function scripted(answer: (e: Evaluation) => Series[]) {
  const asked: Evaluation[] = [];
  const provider: MetricProvider = {
    describe: 'Scripted',
    async evaluate(evaluation) {
      asked.push(evaluation);
      return answer(evaluation);
    },
  };
  return { asked, provider };
}

/** Runs the engine on a turned clock, with `provider` answering every query. */
async function run(
  queries: QueryCheck[],
  provider: MetricProvider,
  extra: Partial<AnalysisConfig> = {},
  durationMs = 10_000,
) {
  let clock = 1_000_000;
  current = provider;
  const config: AnalysisConfig = {
    probes: [],
    queries,
    providers: {},
    intervalMs: 1000,
    failureThreshold: 2,
    requestsPerInterval: 1,
    maxErrorRate: 0,
    onNoData: 'inconclusive',
    onError: 'fail',
    http: { timeoutMs: 1000, followRedirects: false, insecureTls: false },
    ...extra,
  };
  return analyse(config, {
    durationMs,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  });
}

const ok = (): Series[] => [{ labels: {}, value: 1 }];

describe('a query entry', () => {
  it('with its own interval is evaluated only that often; the intervals between count neither way', async () => {
    const { asked, provider } = scripted(ok);
    const report = await run([{ name: 'slow', query: 'q', max: 5, intervalMs: 3000 }], provider);
    expect(report.verdict).toBe('pass');
    // 10 analysis intervals of 1 s; the entry's 3 s interval asks at 0, 3, 6 and 9 s.
    expect(asked).toHaveLength(4);
    expect(report.checks[0]!.intervals).toEqual({ pass: 4, fail: 0, unknown: 0 });
    expect(report.timeline[1]!.notes.slow).toBe('evaluated every 3s (its interval)');
  });

  it('is asked as often as the window check counts, so a window it accepts can fail it', async () => {
    // 11 s in 4 s intervals is every third interval (12 s): a 48 s window asks it 4 times.
    const base = { intervalMs: 4000 };
    const query: QueryCheck = { name: 'slow', query: 'q', max: 1, intervalMs: 11_000 };
    const config = (failureThreshold: number) =>
      ({ ...base, failureThreshold, queries: [query] }) as unknown as AnalysisConfig;
    expect(queryWindowProblems(config(5), 48_000, 'duration', '48s')).toEqual([
      expect.objectContaining({
        expected: expect.stringMatching(
          /^at least 52s: query "slow" is evaluated every 12s .* asks it 4 times, fewer than failure-threshold 5/,
        ),
      }),
    ]);
    expect(queryWindowProblems(config(4), 48_000, 'duration', '48s')).toEqual([]);
    const { asked, provider } = scripted(() => [{ labels: {}, value: 99 }]);
    const report = await run([query], provider, { ...base, failureThreshold: 4 }, 48_000);
    expect(asked).toHaveLength(4);
    expect(report.verdict).toBe('fail');
  });

  it('fails after failure-threshold failed evaluations, however far apart', async () => {
    const { asked, provider } = scripted(() => [{ labels: {}, value: 9 }]);
    const report = await run([{ name: 'slow', query: 'q', max: 5, intervalMs: 3000 }], provider);
    expect(report.verdict).toBe('fail');
    expect(asked).toHaveLength(2);
    // The second evaluation, at 3 s, is the fourth analysis interval.
    expect(report.intervals).toBe(4);
  });

  it("judges no data and errors by the entry's own policies over the analysis's", async () => {
    const empty = scripted(() => []);
    const passing = await run([{ name: 'logs', query: 'q', max: 0, onNoData: 'pass' }], empty.provider);
    expect(passing.verdict).toBe('pass');
    const failing = scripted(() => {
      throw new ProviderError('answered 503: down');
    });
    const tolerated = await run([{ name: 'logs', query: 'q', max: 0, onError: 'pass' }], failing.provider);
    expect(tolerated.verdict).toBe('pass');
    const strict = await run([{ name: 'logs', query: 'q', max: 0, onNoData: 'fail' }], empty.provider);
    expect(strict.verdict).toBe('fail');
    expect(strict.reason).toBe(
      'query "logs" on Scripted returned no data, in 2 intervals in a row (on-no-data: fail)',
    );
  });

  it('asks about the moment `delay` ago, over its lookback', async () => {
    const { asked, provider } = scripted(ok);
    await run([{ name: 'late', query: 'q', max: 5, delayMs: 60_000, lookbackMs: 300_000 }], provider);
    const first = asked[0]!;
    expect(first.lookbackMs).toBe(300_000);
    // `at` is the wall clock at the evaluation minus the delay.
    // structural: `at` was taken before this line ran, a minute back; time only adds to the difference
    expect(Date.now() - first.at).toBeGreaterThanOrEqual(60_000);
  });
});
