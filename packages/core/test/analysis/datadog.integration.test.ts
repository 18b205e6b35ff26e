/**
 * The Datadog provider, as an analysis evaluates it (`measure`), against the
 * Datadog fake (test/fakes/datadog: `GET /api/v1/query` answered with the
 * official client's models, every request checked as Datadog documents it).
 * Values and outcomes only; never how long anything took.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DatadogFake, startDatadogFake } from '../../../../test/fakes/datadog/index.js';
import type { BackendSettings, HttpOptions, QueryCheck } from '../../src/analysis/config.js';
import { datadogProvider } from '../../src/analysis/providers/datadog.js';
import { type Measurement, measure } from '../../src/analysis/sources/query.js';
import { resetSecretsForTest } from '../../src/secrets.js';

const API_KEY = 'planted-dd-api-key-0c1d2e3f';
const APP_KEY = 'planted-dd-app-key-4a5b6c7d8e9f';
const http: HttpOptions = { timeoutMs: 2000, followRedirects: false, insecureTls: false };
let fake: DatadogFake;
let where: string;
/** Every measurement of the file, for the check that no key ever shows. */
const measured: Measurement[] = [];

const ERRORS_GREEN = 'sum:shop.errors{slot:green}.as_count()/sum:shop.hits{slot:green}.as_count()';
const ERRORS_BLUE = 'sum:shop.errors{slot:blue}.as_count()/sum:shop.hits{slot:blue}.as_count()';

beforeAll(async () => {
  fake = await startDatadogFake({ apiKey: API_KEY, appKey: APP_KEY });
  where = `Datadog ${fake.url}`;
});
afterAll(async () => {
  for (const m of measured) {
    expect(m.failure ?? '').not.toContain(API_KEY);
    expect(m.failure ?? '').not.toContain(APP_KEY);
  }
  await fake?.stop();
});
beforeEach(() => {
  resetSecretsForTest();
  fake.requests.length = 0;
});
afterEach(() => {
  expect(fake.takeViolations()).toEqual([]);
});

const settings = (
  headers: Record<string, string> = { 'dd-api-key': API_KEY, 'dd-application-key': APP_KEY },
) => ({ url: new URL(fake.url), headers }) satisfies BackendSettings;
const check = (query: string, more: Partial<QueryCheck> = {}): QueryCheck => ({
  name: 'error-rate',
  provider: 'datadog',
  query,
  lookbackMs: 300_000,
  ...more,
});
async function run(c: QueryCheck, backend: BackendSettings = settings()): Promise<Measurement> {
  const m = await measure(c, datadogProvider(backend, http), 0, { deadline: Date.now() + 20_000 });
  measured.push(m);
  return m;
}
/** Milliseconds of a point `secondsAgo` before now, on a 10 s boundary as Datadog's rollups are. */
const ago = (secondsAgo: number) => Math.floor(Date.now() / 10_000) * 10_000 - secondsAgo * 1000;

describe('Datadog provider', () => {
  it('passes within bounds, fails out of them naming (datadog), the query and the value', async () => {
    fake.setSeries(ERRORS_GREEN, [
      {
        points: [
          [ago(120), 0.01],
          [ago(60), 0.02],
        ],
      },
    ]);
    const passed = await run(check(ERRORS_GREEN, { max: 0.05 }));
    expect(passed.outcome).toBe('pass');
    expect(passed.values).toEqual([{ labels: { scope: 'slot:green' }, value: 0.02 }]);
    const failed = await run(check(ERRORS_GREEN, { max: 0.01 }));
    expect(failed.outcome).toBe('fail');
    expect(failed.failure).toBe('query "error-rate" (datadog) = 0.02 {scope="slot:green"}, over max 0.01');
    const under = await run(check(ERRORS_GREEN, { min: 0.5 }));
    expect(under.outcome).toBe('fail');
    expect(under.failure).toBe('query "error-rate" (datadog) = 0.02 {scope="slot:green"}, under min 0.5');
    // What went over the wire: the keys as headers, JSON asked for.
    expect(fake.requests[0]!.headers).toMatchObject({
      'dd-api-key': API_KEY,
      'dd-application-key': APP_KEY,
      accept: 'application/json',
    });
  });

  it('takes the newest point that holds a value: a trailing null (still ingesting) is skipped', async () => {
    const query = 'avg:shop.latency.p99{service:shop}';
    fake.setSeries(query, [
      {
        points: [
          [ago(90), 0.9],
          [ago(60), 0.3],
          [ago(30), null],
          [ago(0), null],
        ],
      },
    ]);
    const m = await run(check(query, { max: 0.5 }));
    expect(m.outcome).toBe('pass');
    expect(m.values.map((s) => s.value)).toEqual([0.3]);
  });

  it('finds no data in a window of nulls only, and for a query Datadog holds nothing for', async () => {
    const query = 'avg:shop.queue.depth{service:shop}';
    fake.setSeries(query, [
      {
        points: [
          [ago(20), null],
          [ago(10), null],
        ],
      },
    ]);
    const nulls = await run(check(query, { max: 10 }));
    expect(nulls.outcome).toBe('no-data');
    expect(nulls.failure).toBe(`query "error-rate" on ${where} returned no data (only NaN)`);
    const nothing = await run(check('avg:shop.never.reported{*}', { max: 10 }));
    expect(nothing.outcome).toBe('no-data');
    expect(nothing.failure).toBe(`query "error-rate" on ${where} returned no data`);
  });

  it("makes a group's tag_set its labels, and names the series that breaks the bound", async () => {
    const query = 'avg:shop.latency.p99{service:shop} by {host,slot}';
    fake.setSeries(query, [
      { tagSet: ['host:web-1', 'slot:green'], points: [[ago(30), 0.2]] },
      { tagSet: ['host:web-2', 'slot:green'], points: [[ago(30), 0.8]] },
    ]);
    const m = await run(check(query, { name: 'p99', max: 0.5 }));
    expect(m.outcome).toBe('fail');
    expect(m.values).toEqual([
      { labels: { host: 'web-1', slot: 'green' }, value: 0.2 },
      { labels: { host: 'web-2', slot: 'green' }, value: 0.8 },
    ]);
    expect(m.failure).toBe('query "p99" (datadog) = 0.8 {host="web-2", slot="green"}, over max 0.5');
  });

  it('compares with the live slot: worse beyond the tolerance fails, equal passes', async () => {
    const compare = (maxIncrease: number) =>
      check(ERRORS_GREEN, { compare: { slot: 'green', liveSlot: 'blue', query: ERRORS_BLUE, maxIncrease } });
    fake.setSeries(ERRORS_GREEN, [{ points: [[ago(30), 0.05]] }]);
    fake.setSeries(ERRORS_BLUE, [{ points: [[ago(30), 0.01]] }]);
    const worse = await run(compare(0.01));
    expect(worse.outcome).toBe('fail');
    expect(worse.failure).toBe(
      'query "error-rate" (datadog) = 0.05 on green vs 0.01 on blue (live): +0.04, over max-increase 0.01',
    );
    expect(fake.requests.map((r) => new URLSearchParams(r.params).get('query')).sort()).toEqual(
      [ERRORS_BLUE, ERRORS_GREEN].sort(),
    );
    fake.setSeries(ERRORS_BLUE, [{ points: [[ago(30), 0.05]] }]);
    const equal = await run(compare(0.01));
    expect(equal.outcome).toBe('pass');
    expect(equal.live).toEqual([{ labels: { scope: 'slot:blue' }, value: 0.05 }]);
  });

  it('asks for the lookback ending at the evaluation moment (minus delay-ms)', async () => {
    fake.setSeries(ERRORS_GREEN, [{ points: [[ago(200), 0.01]] }]);
    const m = await run(check(ERRORS_GREEN, { max: 1, lookbackMs: 300_000 }));
    const delayed = await run(check(ERRORS_GREEN, { max: 1, lookbackMs: 120_000, delayMs: 60_000 }));
    const [first, second] = fake.requests.map((r) => new URLSearchParams(r.params));
    expect(Number(first!.get('to'))).toBe(Math.floor(m.at / 1000));
    expect(Number(first!.get('to')) - Number(first!.get('from'))).toBe(300);
    expect(Number(second!.get('to'))).toBe(Math.floor((delayed.at - 60_000) / 1000));
    expect(Number(second!.get('to')) - Number(second!.get('from'))).toBe(120);
    // The point 200 s ago is inside the first window and outside the second (ending 60 s ago, 120 s long… 180 s).
    expect(m.outcome).toBe('pass');
    expect(delayed.outcome).toBe('no-data');
  });

  it('errors on 403 with the answer, and never shows a key', async () => {
    const wrongApp = await run(
      check(ERRORS_GREEN, { max: 1 }),
      settings({ 'dd-api-key': API_KEY, 'dd-application-key': `${APP_KEY}-revoked` }),
    );
    expect(wrongApp.outcome).toBe('error');
    expect(wrongApp.failure).toBe(
      `query "error-rate" on ${where}: answered 403: Forbidden (check the credentials)`,
    );
    expect(fake.takeViolations()).toEqual([
      'GET /api/v1/query: a DD-APPLICATION-KEY that is not the key: answered 403',
    ]);
    // Only the API key: this endpoint wants both.
    const apiOnly = await run(check(ERRORS_GREEN, { max: 1 }), settings({ 'dd-api-key': API_KEY }));
    expect(apiOnly.outcome).toBe('error');
    expect(apiOnly.failure).toContain('answered 403');
    expect(apiOnly.failure).toContain('Forbidden');
    expect(fake.takeViolations()).toEqual(['GET /api/v1/query: no DD-APPLICATION-KEY header: answered 403']);
    for (const m of [wrongApp, apiOnly]) {
      expect(m.failure).not.toContain(API_KEY);
      expect(m.failure).not.toContain(APP_KEY);
    }
  });

  it("errors on 400 with Datadog's own error text", async () => {
    const broken = 'sum:shop.errors{slot:green'; // the user's typo: no closing brace
    const m = await run(check(broken, { max: 1 }));
    expect(m.outcome).toBe('error');
    expect(m.failure).toBe(
      `query "error-rate" on ${where}: answered 400: Error parsing query: unable to parse ${broken}: '{' is never closed`,
    );
    fake.failNext(400, { errors: ['Invalid rollup interval', 'Query too long'] });
    const two = await run(check(ERRORS_GREEN, { max: 1 }));
    expect(two.failure).toBe(
      `query "error-rate" on ${where}: answered 400: Invalid rollup interval; Query too long`,
    );
  });

  it('errors on a 200 whose status is "error", with its message', async () => {
    fake.failNext(200, { status: 'error', error: 'Query timed out' });
    const m = await run(check(ERRORS_GREEN, { max: 1 }));
    expect(m.outcome).toBe('error');
    expect(m.failure).toBe(`query "error-rate" on ${where}: answered 200: Query timed out`);
  });

  it('waits out a 429 with X-RateLimit-Reset: 1 and asks again', async () => {
    fake.setSeries(ERRORS_GREEN, [{ points: [[ago(30), 0.01]] }]);
    fake.rateLimitNext(1);
    const m = await run(check(ERRORS_GREEN, { max: 0.05 }));
    expect(m.outcome).toBe('pass');
    expect(m.values.map((s) => s.value)).toEqual([0.01]);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('gives up on a 429 whose reset (120 s) does not fit in the interval, and says so', async () => {
    fake.rateLimitNext(120);
    const m = await run(check(ERRORS_GREEN, { max: 0.05 }));
    expect(m.outcome).toBe('error');
    expect(m.failure).toContain('answered 429 (too many requests) once');
    expect(m.failure).toContain('its X-RateLimit-Reset of 2m does not fit in this interval');
    expect(fake.requests.map((r) => r.status)).toEqual([429]);
  });

  it('never asks again at once on X-RateLimit-Reset: 0: the pause still grows', async () => {
    fake.setSeries(ERRORS_GREEN, [{ points: [[ago(30), 0.01]] }]);
    fake.rateLimitNext(0, 4);
    // Pauses of 0.5 s, 1 s, 2 s, 4 s…: however fast the machine, at most 4 requests fit before this
    // deadline with a 2 s request timeout (a slow one sends fewer); without the floor it sent over a thousand.
    const m = await measure(check(ERRORS_GREEN, { max: 1 }), datadogProvider(settings(), http), 0, {
      deadline: Date.now() + 6_000,
    });
    expect(m.outcome).toBe('error');
    expect(m.failure).toMatch(
      /answered 429 \(too many requests\) (once|\d times); another pause of \d+s does not fit/,
    );
    const statuses = fake.requests.map((r) => r.status);
    expect(statuses.length).toBeLessThanOrEqual(4);
    expect(statuses.every((s) => s === 429)).toBe(true);
  });
});
