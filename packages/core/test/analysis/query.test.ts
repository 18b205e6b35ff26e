/**
 * How a `compare: live` query is judged, with the metric provider passed in
 * as a dependency that answers each query text with given series (the
 * Prometheus client itself is tested against a real Prometheus).
 */
import { describe, expect, it } from 'vitest';
import type { QueryCheck } from '../../src/analysis/config.js';
import { type MetricProvider, ProviderError, type Series } from '../../src/analysis/metric.js';
import { measure } from '../../src/analysis/sources/query.js';

const answering = (answers: Record<string, Series[] | Error>): MetricProvider => ({
  describe: 'Prometheus http://127.0.0.1:9090/',
  async evaluate({ query }) {
    const answer = answers[query];
    if (answer instanceof Error) throw answer;
    if (!answer) throw new Error(`unexpected query ${query}`);
    return answer;
  },
});

const check = (extra: Partial<QueryCheck['compare']> = {}, bounds: Partial<QueryCheck> = {}): QueryCheck => ({
  name: 'errors',
  query: 'target',
  compare: { slot: 'green', liveSlot: 'blue', query: 'live', ...extra },
  ...bounds,
});
const one = (value: number, labels: Record<string, string> = {}): Series[] => [{ labels, value }];

describe('compare: live', () => {
  it('has no evidence, never a pass, for a target series the live slot has no series for', async () => {
    const m = await measure(
      check({ maxIncrease: 0.05 }),
      answering({
        target: [
          { labels: { route: '/' }, value: 0.01 },
          { labels: { route: '/checkout' }, value: 0.9 },
        ],
        live: [{ labels: { route: '/' }, value: 0.01 }],
      }),
      0,
    );
    expect(m.outcome).toBe('no-data');
    expect(m.failure).toContain(
      '1 series of green have no series with the same labels on the live slot blue',
    );
    expect(m.failure).toContain('{route="/checkout"}');
  });

  it('applies each bound on its own, and names both when both are exceeded', async () => {
    const provider = (target: number, live: number) => answering({ target: one(target), live: one(live) });
    const both = check({ maxIncrease: 0.01, maxRatio: 2 });
    expect((await measure(both, provider(0.011, 0.01), 0)).outcome).toBe('pass');
    expect((await measure(both, provider(0.05, 0.01), 0)).failure).toBe(
      'query "errors" = 0.05 on green vs 0.01 on blue (live): +0.04, over max-increase 0.01; 5× live, over max-ratio 2',
    );
    expect((await measure(check({ maxRatio: 2 }), provider(0.3, 0), 0)).failure).toContain(
      'live is 0, over max-ratio 2',
    );
    expect((await measure(check({ maxIncrease: 0.1 }), provider(0.3, 0.25), 0)).outcome).toBe('pass');
  });

  it('judges by max/min alone when the live slot has no data, and has no evidence without them', async () => {
    const empty = answering({ target: one(0.01), live: [] });
    const bounded = await measure(check({ maxIncrease: 0.01 }, { max: 0.05 }), empty, 0);
    expect(bounded.outcome).toBe('pass');
    expect(bounded.failure).toContain(
      'no data for the live slot blue to compare with; judged by max/min alone',
    );
    expect((await measure(check({ maxIncrease: 0.01 }), empty, 0)).outcome).toBe('no-data');
  });

  it("fails on the target's own bound even when the live query errors", async () => {
    const provider = answering({ target: one(0.9), live: new ProviderError('answered 503') });
    expect((await measure(check({ maxIncrease: 0.01 }, { max: 0.05 }), provider, 0)).outcome).toBe('fail');
    const within = answering({ target: one(0.01), live: new ProviderError('answered 503') });
    const errored = await measure(check({ maxIncrease: 0.01 }, { max: 0.05 }), within, 0);
    expect(errored.outcome).toBe('error');
    expect(errored.failure).toContain('for the live slot blue: answered 503');
  });
});
