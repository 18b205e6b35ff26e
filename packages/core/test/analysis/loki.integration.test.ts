/**
 * The Loki provider against the in-process Loki fake (test/fakes/loki: Loki 3
 * as its HTTP API reference and code describe it, queries parsed with
 * Grafana's LogQL grammar), set up as a team would run it: multi-tenant, behind
 * a gateway that wants a bearer token. Every evaluation goes through `measure`,
 * as the query source makes it, and the fake must have seen no request Loki
 * would refuse unless the test expects that refusal.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LokiFake, startLokiFake } from '../../../../test/fakes/loki/index.js';
import type { BackendSettings, HttpOptions, QueryCheck } from '../../src/analysis/config.js';
import { lokiProvider } from '../../src/analysis/providers/loki.js';
import { type Measurement, measure } from '../../src/analysis/sources/query.js';

const PLANTED = 'gl1depath-l0ki-planted-t0ken';
const TENANT = 'shop-team';
const settings: HttpOptions = { timeoutMs: 2000, followRedirects: false, insecureTls: false };

let loki: LokiFake;
let backend: BackendSettings;
let where: string;
/** Every failure text measured in this file, checked for the planted token at the end. */
const failures: string[] = [];

beforeAll(async () => {
  loki = await startLokiFake({ tenant: TENANT, bearer: PLANTED });
  backend = {
    url: new URL(loki.url),
    headers: { authorization: `Bearer ${PLANTED}`, 'X-Scope-OrgID': TENANT },
  };
  where = `on Loki ${new URL(loki.url).href}`;
  const now = Date.now();
  // Error lines within the last minute: 3 on green (the slot under analysis), 1 on blue (live).
  loki.push({ app: 'shop', slot: 'green' }, [
    { line: 'ERROR payment failed order=17', at: now - 40_000 },
    { line: 'level=info msg="order placed" order=18', at: now - 35_000 },
    { line: 'ERROR card declined order=19', at: now - 30_000 },
    { line: 'ERROR card declined order=20', at: now - 20_000 },
    { line: 'level=info msg="order placed" order=21', at: now - 10_000 },
  ]);
  loki.push({ app: 'shop', slot: 'blue' }, [
    { line: 'level=info msg="order placed" order=7', at: now - 45_000 },
    { line: 'ERROR card declined order=8', at: now - 25_000 },
    { line: 'level=info msg="order placed" order=9', at: now - 15_000 },
  ]);
  // A service whose errors match its live slot's exactly.
  loki.push({ app: 'cart', slot: 'green' }, [{ line: 'ERROR cart expired', at: now - 30_000 }]);
  loki.push({ app: 'cart', slot: 'blue' }, [{ line: 'ERROR cart expired', at: now - 32_000 }]);
});

afterEach(() => {
  expect(loki.takeViolations()).toEqual([]);
});

afterAll(async () => {
  await loki?.stop();
});

const errors = (app: string, slot: string) =>
  `sum(count_over_time({app="${app}",slot="${slot}"} |= "ERROR" [1m]))`;

const check = (query: string, bounds: Partial<QueryCheck> = {}): QueryCheck => ({
  name: 'shop errors',
  provider: 'loki',
  query,
  ...bounds,
});

async function run(c: QueryCheck, on: BackendSettings = backend): Promise<Measurement> {
  const m = await measure(c, lokiProvider(on, settings), 0);
  if (m.failure) failures.push(m.failure);
  return m;
}

describe('the Loki provider', () => {
  it('passes within bounds, reading the number Loki computed', async () => {
    const m = await run(check(errors('shop', 'green'), { max: 5 }));
    expect(m.outcome).toBe('pass');
    expect(m.values).toEqual([{ labels: {}, value: 3 }]);
    // One request, as the provider sends it: the instant query at the evaluation's moment, in nanoseconds.
    const sent = loki.requests.at(-1)!;
    expect(sent).toMatchObject({ method: 'GET', path: '/loki/api/v1/query', status: 200, tenant: TENANT });
    expect(sent.params).toEqual({ query: errors('shop', 'green'), time: `${m.at}000000` });
  });

  it('fails out of bounds, naming the provider kind, the query and the value', async () => {
    const m = await run(check(errors('shop', 'green'), { max: 2 }));
    expect(m.outcome).toBe('fail');
    expect(m.failure).toBe('query "shop errors" (loki) = 3, over max 2');
    const ratio = await run(
      check('sum(rate({app="shop"} |= "ERROR" [1m])) / sum(rate({app="shop"}[1m]))', { max: 0.25 }),
    );
    expect(ratio.failure).toBe('query "shop errors" (loki) = 0.5, over max 0.25');
  });

  it('finds no data when no line matches: Loki answers an empty vector, not 0', async () => {
    const m = await run(check(errors('shop', 'green').replace('ERROR', 'TIMEOUT'), { max: 1 }));
    expect(m).toMatchObject({ outcome: 'no-data', values: [] });
    expect(m.failure).toBe(`query "shop errors" ${where} returned no data`);
    // Unkind but real: an error ratio without error lines has no series to divide, so it is no data too.
    const ratio = await run(
      check('sum(rate({app="shop"} |= "TIMEOUT" [1m])) / sum(rate({app="shop"}[1m]))', { max: 0.05 }),
    );
    expect(ratio.outcome).toBe('no-data');
  });

  it('errors on a syntax error with Loki’s own text, read from its plain-text answer', async () => {
    const m = await run(check('sum(count_over_time({app="shop"} |= "ERROR" [1m])', { max: 1 }));
    expect(m.outcome).toBe('error');
    expect(m.failure).toBe(
      `query "shop errors" ${where}: answered 400: parse error at line 1, col 50: syntax error: unexpected $end`,
    );
    expect(loki.takeViolations()).toEqual([
      expect.objectContaining({ kind: 'violation', problem: expect.stringContaining('parse error') }),
    ]);
  });

  it('errors on a log query, which Loki refuses on the instant endpoint', async () => {
    const m = await run(check('{app="shop"} |= "ERROR"', { max: 1 }));
    expect(m.outcome).toBe('error');
    expect(m.failure).toBe(
      `query "shop errors" ${where}: is a log query, which returns lines, not a number: write a metric query, e.g. sum(count_over_time({app="shop"} |= "ERROR" [1m]))`,
    );
    expect(loki.takeViolations()).toHaveLength(1);
  });

  it('errors on a log query with what to write instead, where Loki (3.1 and earlier) answers its lines', async () => {
    const old = await startLokiFake({ instantLogQueries: 'streams' });
    try {
      old.push({ app: 'shop' }, [{ line: 'ERROR boom', at: Date.now() - 5_000 }]);
      const m = await run(check('{app="shop"} |= "ERROR"', { max: 1 }), {
        url: new URL(old.url),
        headers: {},
      });
      expect(m.outcome).toBe('error');
      expect(m.failure).toContain(
        'returned log lines, not a number: write a metric query, e.g. sum(count_over_time({app="shop"} |= "ERROR" [1m]))',
      );
      expect(old.takeViolations()).toEqual([]);
    } finally {
      await old.stop();
    }
  });

  it('waits out a 429 with Retry-After: 1 and asks again', async () => {
    loki.failNext(429, 'too many outstanding requests', { 'retry-after': '1' });
    const before = loki.requests.length;
    const m = await run(check(errors('shop', 'green'), { max: 5 }));
    expect(m).toMatchObject({ outcome: 'pass', values: [{ labels: {}, value: 3 }] });
    expect(loki.requests.slice(before).map((r) => [r.status, r.injected ?? false])).toEqual([
      [429, true],
      [200, false],
    ]);
  });

  it('errors with Loki’s answer on a 500', async () => {
    loki.failNext(500, 'rpc error: code = Unavailable desc = connection refused');
    const m = await run(check(errors('shop', 'green'), { max: 5 }));
    expect(m.outcome).toBe('error');
    expect(m.failure).toBe(
      `query "shop errors" ${where}: answered 500: rpc error: code = Unavailable desc = connection refused`,
    );
  });

  it('compare: live fails when the target slot has more error lines than live, passes when equal', async () => {
    const compared = (app: string) =>
      check(errors(app, 'green'), {
        compare: { slot: 'green', liveSlot: 'blue', query: errors(app, 'blue'), maxIncrease: 0 },
      });
    const worse = await run(compared('shop'));
    expect(worse.outcome).toBe('fail');
    expect(worse.failure).toBe(
      'query "shop errors" (loki) = 3 on green vs 1 on blue (live): +2, over max-increase 0',
    );
    expect(worse.live).toEqual([{ labels: {}, value: 1 }]);
    const equal = await run(compared('cart'));
    expect(equal).toMatchObject({
      outcome: 'pass',
      values: [{ labels: {}, value: 1 }],
      live: [{ labels: {}, value: 1 }],
    });
  });

  it('errors without the tenant header or with a wrong token, saying to check the credentials', async () => {
    const noTenant = await run(check(errors('shop', 'green'), { max: 5 }), {
      url: backend.url,
      headers: { authorization: `Bearer ${PLANTED}` },
    });
    expect(noTenant.failure).toBe(
      `query "shop errors" ${where}: answered 401: no org id (check the credentials)`,
    );
    const wrongToken = await run(check(errors('shop', 'green'), { max: 5 }), {
      url: backend.url,
      headers: { authorization: `Bearer ${PLANTED}-but-wrong`, 'X-Scope-OrgID': TENANT },
    });
    expect(wrongToken.outcome).toBe('error');
    expect(wrongToken.failure).toMatch(
      /answered 401: <html>.*401 Authorization Required.* \(check the credentials\)$/,
    );
    expect(loki.takeViolations().map((v) => v.problem)).toEqual([
      expect.stringContaining('X-Scope-OrgID'),
      'a wrong bearer token',
    ]);
  });

  it('never shows the bearer token in a failure', async () => {
    // One failure of each kind, besides those the tests above left in `failures`.
    await run(check(errors('shop', 'green'), { max: 1 }));
    await run(check(errors('shop', 'green').replace('ERROR', 'TIMEOUT'), { max: 1 }));
    await run(check('sum(count_over_time({app="shop"}[1m]', { max: 1 }));
    loki.failNext(500, 'internal server error');
    await run(check(errors('shop', 'green'), { max: 1 }));
    await run(check(errors('shop', 'green'), { max: 1 }), {
      url: backend.url,
      headers: { authorization: `Bearer ${PLANTED}x`, 'X-Scope-OrgID': TENANT },
    });
    expect(loki.takeViolations()).toHaveLength(2);
    expect(failures.length).toBeGreaterThanOrEqual(5);
    for (const failure of failures) expect(failure).not.toContain(PLANTED);
    // The token did reach Loki, on every request.
    expect(loki.requests.every((r) => r.headers.authorization?.startsWith(`Bearer ${PLANTED}`))).toBe(true);
  });
});
