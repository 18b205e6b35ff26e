/**
 * The Datadog fake against the official client: what it answers parses with
 * `@datadog/datadog-api-client` itself (v1.MetricsApi.queryMetrics), and what
 * Datadog refuses it refuses, recording the request.
 */
import { client, v1 } from '@datadog/datadog-api-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DatadogFake, startDatadogFake } from './index.js';

const API_KEY = 'dd-api-k3y-for-the-fake';
const APP_KEY = 'dd-app-k3y-for-the-fake';
let fake: DatadogFake;

beforeAll(async () => {
  fake = await startDatadogFake({ apiKey: API_KEY, appKey: APP_KEY });
});
afterAll(async () => {
  await fake?.stop();
});
afterEach(() => {
  expect(fake.takeViolations()).toEqual([]);
});

/** The official client, pointed at the fake. */
function metricsApi(
  keys: { apiKeyAuth?: string; appKeyAuth?: string } = { apiKeyAuth: API_KEY, appKeyAuth: APP_KEY },
) {
  const saved = { api: process.env.DD_API_KEY, app: process.env.DD_APP_KEY, site: process.env.DD_SITE };
  // createConfiguration falls back to DD_API_KEY / DD_APP_KEY: none here.
  delete process.env.DD_API_KEY;
  delete process.env.DD_APP_KEY;
  delete process.env.DD_SITE;
  try {
    const config = client.createConfiguration({
      authMethods: keys,
      baseServer: new client.BaseServerConfiguration(fake.url.replace(/\/$/, ''), {}),
      httpConfig: { compress: false },
    });
    return new v1.MetricsApi(config);
  } finally {
    if (saved.api !== undefined) process.env.DD_API_KEY = saved.api;
    if (saved.app !== undefined) process.env.DD_APP_KEY = saved.app;
    if (saved.site !== undefined) process.env.DD_SITE = saved.site;
  }
}

const raw = (params: Record<string, string> | string, init: RequestInit = {}) =>
  fetch(`${fake.url}api/v1/query?${new URLSearchParams(params)}`, {
    ...init,
    headers: { 'dd-api-key': API_KEY, 'dd-application-key': APP_KEY, ...init.headers },
  });

const now = Math.floor(Date.now() / 1000);
const ms = (secondsAgo: number) => (now - secondsAgo) * 1000;

describe('Datadog fake, read by the official client', () => {
  it('answers the series of the query, only the points in [from, to], nulls kept', async () => {
    fake.setSeries('avg:shop.latency{service:shop} by {host}', [
      {
        tagSet: ['host:web-1'],
        scope: 'host:web-1,service:shop',
        points: [
          [ms(400), 9],
          [ms(120), 0.2],
          [ms(60), 0.3],
          [ms(0), null],
        ],
      },
      { tagSet: ['host:web-2'], scope: 'host:web-2,service:shop', points: [[ms(600), 1]] },
    ]);
    const answer = await metricsApi().queryMetrics({
      from: now - 300,
      to: now,
      query: 'avg:shop.latency{service:shop} by {host}',
    });
    expect(answer._unparsed).toBeFalsy();
    expect(answer).toMatchObject({
      status: 'ok',
      resType: 'time_series',
      query: 'avg:shop.latency{service:shop} by {host}',
      fromDate: (now - 300) * 1000,
      toDate: now * 1000,
      groupBy: ['host'],
    });
    // web-2 has no point in the window: no series for it.
    expect(answer.series).toHaveLength(1);
    expect(answer.series![0]).toMatchObject({
      metric: 'shop.latency',
      aggr: 'avg',
      scope: 'host:web-1,service:shop',
      tagSet: ['host:web-1'],
      expression: 'avg:shop.latency{service:shop} by {host}',
      start: ms(120),
      end: ms(0),
      length: 3,
      interval: 60,
      pointlist: [
        [ms(120), 0.2],
        [ms(60), 0.3],
        [ms(0), null],
      ],
    });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/api/v1/query',
      params: [
        ['from', String(now - 300)],
        ['to', String(now)],
        ['query', 'avg:shop.latency{service:shop} by {host}'],
      ],
      status: 200,
    });
  });

  it('answers an unknown metric with no series, not an error', async () => {
    const answer = await metricsApi().queryMetrics({
      from: now - 60,
      to: now,
      query: 'avg:no.such.metric{*}',
    });
    expect(answer.status).toBe('ok');
    expect(answer.series).toEqual([]);
  });

  it('answers 403 Forbidden without the keys, or with a wrong one, and records it', async () => {
    const noKeys = metricsApi({});
    const refused = await noKeys.queryMetrics({ from: now - 60, to: now, query: 'avg:x{*}' }).catch((e) => e);
    expect(refused).toBeInstanceOf(client.ApiException);
    expect(refused.code).toBe(403);
    expect(refused.body).toMatchObject({ errors: ['Forbidden'] });
    expect(fake.takeViolations()).toEqual([
      'GET /api/v1/query: no DD-API-KEY header and no DD-APPLICATION-KEY header: answered 403',
    ]);
    // The API key alone is not enough for this endpoint.
    const apiOnly = await metricsApi({ apiKeyAuth: API_KEY })
      .queryMetrics({ from: now - 60, to: now, query: 'avg:x{*}' })
      .catch((e) => e);
    expect(apiOnly.code).toBe(403);
    const wrong = await raw(
      { from: String(now - 60), to: String(now), query: 'avg:x{*}' },
      {
        headers: { 'dd-application-key': 'not-the-key' },
      },
    );
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('content-type')).toBe('application/json');
    expect(await wrong.json()).toEqual({ errors: ['Forbidden'] });
    const recorded = fake.takeViolations();
    expect(recorded).toEqual([
      'GET /api/v1/query: no DD-APPLICATION-KEY header: answered 403',
      'GET /api/v1/query: a DD-APPLICATION-KEY that is not the key: answered 403',
    ]);
    // What it records never repeats a key.
    expect(recorded.join('\n')).not.toContain('not-the-key');
  });

  it('records a bad from, from after to, an unknown parameter and a wrong method; answers 400 as Datadog', async () => {
    const bad = await raw({ from: 'yesterday', to: String(now), query: 'avg:x{*}' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/json');
    expect(await bad.json()).toEqual({
      errors: [`parameter 'from' is "yesterday", not an integer (seconds since the epoch)`],
    });
    const fraction = await raw({ from: String(now - 60), to: `${now}.5`, query: 'avg:x{*}' });
    expect(fraction.status).toBe(400);
    const reversed = await metricsApi()
      .queryMetrics({ from: now, to: now - 60, query: 'avg:x{*}' })
      .catch((e) => e);
    expect(reversed.code).toBe(400);
    expect(reversed.body.errors).toEqual([`'from' (${now}) must be before 'to' (${now - 60})`]);
    const extra = await raw({ from: String(now - 60), to: String(now), query: 'avg:x{*}', step: '10' });
    expect(extra.status).toBe(200);
    const post = await raw(
      { from: String(now - 60), to: String(now), query: 'avg:x{*}' },
      { method: 'POST' },
    );
    expect(post.status).toBe(405);
    expect(await post.json()).toEqual({ errors: ['Method Not Allowed'] });
    const missing = await raw({ from: String(now - 60), to: String(now) });
    expect(missing.status).toBe(400);
    expect(fake.takeViolations()).toEqual([
      `GET /api/v1/query: parameter 'from' is "yesterday", not an integer (seconds since the epoch)`,
      `GET /api/v1/query: parameter 'to' is "${now}.5", not an integer (seconds since the epoch)`,
      `GET /api/v1/query: 'from' (${now}) must be before 'to' (${now - 60})`,
      'GET /api/v1/query: unknown parameter "step" (the API takes from, to and query)',
      'POST /api/v1/query: the query endpoint takes GET only',
      `GET /api/v1/query: missing required parameter 'query'`,
    ]);
  });

  it('answers a query it cannot parse with 400 and the reason, recording nothing (the user wrote it)', async () => {
    const answer = await metricsApi()
      .queryMetrics({ from: now - 60, to: now, query: 'avg:shop.errors{slot:green' })
      .catch((e) => e);
    expect(answer.code).toBe(400);
    expect(answer.body.errors).toEqual([
      `Error parsing query: unable to parse avg:shop.errors{slot:green: '{' is never closed`,
    ]);
  });

  it('limits the rate as Datadog: 429 "Too many requests" with X-RateLimit-* and no Retry-After', async () => {
    fake.rateLimitNext(7);
    const limited = await raw({ from: String(now - 60), to: String(now), query: 'avg:x{*}' });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ errors: ['Too many requests'] });
    expect(limited.headers.get('x-ratelimit-reset')).toBe('7');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('100');
    expect(limited.headers.get('x-ratelimit-period')).toBe('3600');
    expect(limited.headers.get('retry-after')).toBeNull();
    // The client reads it as an APIErrorResponse.
    fake.rateLimitNext(7);
    const viaClient = await metricsApi()
      .queryMetrics({ from: now - 60, to: now, query: 'avg:x{*}' })
      .catch((e) => e);
    expect(viaClient.code).toBe(429);
    expect(viaClient.body.errors).toEqual(['Too many requests']);
    // Every other answer says how much is left.
    const ok = await raw({ from: String(now - 60), to: String(now), query: 'avg:x{*}' });
    expect(ok.status).toBe(200);
    expect(Number(ok.headers.get('x-ratelimit-remaining'))).toBeLessThan(100);
    expect(Number(ok.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
  });

  it('runs out of its own limit as Datadog does (100 an hour by default; 2 here)', async () => {
    const small = await startDatadogFake({
      apiKey: API_KEY,
      appKey: APP_KEY,
      rateLimit: { limit: 2, periodSeconds: 3600 },
    });
    try {
      const ask = () =>
        fetch(
          `${small.url}api/v1/query?${new URLSearchParams({ from: String(now - 60), to: String(now), query: 'a{*}' })}`,
          {
            headers: { 'dd-api-key': API_KEY, 'dd-application-key': APP_KEY },
          },
        );
      const answers = [await ask(), await ask(), await ask()];
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
      expect(answers.map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(['1', '0', '0']);
      expect(await answers[2]!.json()).toEqual({ errors: ['Too many requests'] });
      expect(small.takeViolations()).toEqual([]);
    } finally {
      await small.stop();
    }
  });

  it('fails the next request with a body the model describes, and refuses one it does not', async () => {
    fake.failNext(200, { status: 'error', error: 'Query timed out' });
    const failed = await metricsApi().queryMetrics({ from: now - 60, to: now, query: 'avg:x{*}' });
    expect(failed).toMatchObject({ status: 'error', error: 'Query timed out' });
    fake.failNext(500, { errors: ['Internal Server Error'] });
    expect((await raw({ from: String(now - 60), to: String(now), query: 'avg:x{*}' })).status).toBe(500);
    expect(() => fake.failNext(400, { message: 'nope' } as never)).toThrow(
      /APIErrorResponse has no field message/,
    );
    expect(() => fake.failNext(200, { results: [] } as never)).toThrow(
      /MetricsQueryResponse has no field results/,
    );
  });

  it('refuses points given in seconds, or values that are not numbers', () => {
    expect(() => fake.setSeries('a{*}', [{ points: [[now, 1]] }])).toThrow(/milliseconds/);
    expect(() => fake.setSeries('a{*}', [{ points: [[ms(0), Number.NaN]] }])).toThrow(
      /finite number or null/,
    );
  });
});
