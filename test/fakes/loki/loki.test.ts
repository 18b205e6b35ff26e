import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_COMPATIBLE, LOG_QUERY_ON_INSTANT, type LokiFake, startLokiFake } from './index.js';

/** A whole minute a few minutes ago: inside Loki's 7-day ingestion window, and round numbers for ranges. */
const T = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
const ns = (ms: number) => `${ms}000000`;

let loki: LokiFake;
const started: LokiFake[] = [];
async function start(options: Parameters<typeof startLokiFake>[0] = {}): Promise<LokiFake> {
  const fake = await startLokiFake(options);
  started.push(fake);
  return fake;
}

beforeEach(async () => {
  loki = await start();
});
afterEach(async () => {
  // Every request Loki would refuse, or the fake cannot answer, is taken by the test that expects it.
  for (const fake of started) expect(fake.takeViolations()).toEqual([]);
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the answer is inspected field by field.
  json: any;
}

async function ask(
  fake: LokiFake,
  params: Record<string, string>,
  init: { method?: string; headers?: Record<string, string>; body?: string; path?: string } = {},
): Promise<Answer> {
  const url = new URL(init.path ?? '/loki/api/v1/query', fake.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    ...(init.headers ? { headers: init.headers } : {}),
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    headers: response.headers,
    text,
    json,
  };
}

const at = (query: string, time = T) => ask(loki, { query, time: ns(time) });

/** [labels, value] of each sample of a vector answer. */
function samples(answer: Answer): Array<[Record<string, string>, string]> {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.json.data.resultType).toBe('vector');
  return answer.json.data.result.map((s: { metric: Record<string, string>; value: [number, string] }) => {
    expect(s.value[0]).toBe(T / 1000);
    return [s.metric, s.value[1]];
  });
}

function shopLines(fake: LokiFake) {
  fake.push({ app: 'shop', slot: 'green' }, [
    { line: 'ERROR payment failed', at: T - 60_000 }, // exactly at the window's start: outside (t - 1m, t]
    { line: 'ERROR payment failed', at: T - 50_000 },
    { line: 'level=info msg="order placed"', at: T - 40_000 },
    { line: 'ERROR card declined', at: T - 30_000 },
    { line: 'GET /health 200', at: T }, // exactly at t: inside
  ]);
  fake.push({ app: 'shop', slot: 'blue' }, [
    { line: 'level=info msg="order placed"', at: T - 45_000 },
    { line: 'level=info msg="order placed"', at: T - 35_000 },
    { line: 'ERROR card declined', at: T - 25_000 },
    { line: 'level=info msg="order placed"', at: T - 15_000 },
  ]);
  fake.push({ app: 'billing' }, [{ line: 'ERROR ledger out of balance', at: T - 10_000 }]);
}

describe('the Loki fake: syntax', () => {
  it('answers a query the grammar rejects with 400 and Loki’s plain-text parse error, not JSON', async () => {
    const a = await at('sum(rate({app="shop"}[1m])');
    expect(a.status).toBe(400);
    expect(a.contentType).toBe('text/plain; charset=utf-8');
    expect(a.text).toBe('parse error at line 1, col 27: syntax error: unexpected $end');
    expect(a.json).toBeUndefined();
    expect(loki.takeViolations()).toEqual([
      { method: 'GET', path: '/loki/api/v1/query', kind: 'violation', problem: a.text },
    ]);
  });

  it('names the offending token and its position as Loki does (cases from pkg/logql/syntax/parser_test.go)', async () => {
    const cases: Array<[string, string]> = [
      ['unk({ foo = "bar" }[5m])', 'parse error at line 1, col 1: syntax error: unexpected IDENTIFIER'],
      ['{foo="bar"', 'parse error at line 1, col 11: syntax error: unexpected $end'],
      ['{foo="bar"} |~', 'parse error at line 1, col 15: syntax error: unexpected $end'],
      ['{foo="bar"} "foo"', 'parse error at line 1, col 13: syntax error: unexpected STRING'],
      ['{foo="bar"} foo', 'parse error at line 1, col 13: syntax error: unexpected IDENTIFIER'],
      ['stddev({ foo = "bar" })', 'parse error at line 1, col 23: syntax error: unexpected )'],
      ['vector(abc)', 'parse error at line 1, col 8: syntax error: unexpected IDENTIFIER'],
      ['bool 1 > 1 > bool 1', 'parse error at line 1, col 1: syntax error: unexpected bool'],
    ];
    for (const [query, text] of cases) expect((await at(query)).text, query).toBe(text);
    expect(loki.takeViolations()).toHaveLength(cases.length);
  });

  it('refuses a selector whose matchers all match the empty string, {} included', async () => {
    for (const query of [
      '{}',
      'count_over_time({}[1m])',
      '{app=~".*"}',
      'sum(rate({app!="x", env=""}[1m]))',
    ]) {
      const a = await at(query);
      expect([a.status, a.contentType, a.text], query).toEqual([
        400,
        'text/plain; charset=utf-8',
        EMPTY_COMPATIBLE,
      ]);
    }
    expect(loki.takeViolations()).toHaveLength(4);
  });

  it('refuses grouping on count_over_time and rate, as Loki’s validation does', async () => {
    const a = await at('count_over_time({app="shop"}[1m]) by (slot)');
    expect([a.status, a.text]).toEqual([
      400,
      'parse error : grouping not allowed for count_over_time aggregation',
    ]);
    expect(loki.takeViolations()).toHaveLength(1);
  });
});

describe('the Loki fake: metric queries', () => {
  beforeEach(() => shopLines(loki));

  it('counts the lines of (t - range, t] per series: stream labels, service_name and detected_level', async () => {
    expect(samples(await at('count_over_time({app="shop", slot="green"}[1m])'))).toEqual([
      [{ app: 'shop', slot: 'green', service_name: 'shop', detected_level: 'error' }, '2'],
      [{ app: 'shop', slot: 'green', service_name: 'shop', detected_level: 'info' }, '1'],
      // "GET /health 200" names no level.
      [{ app: 'shop', slot: 'green', service_name: 'shop', detected_level: 'unknown' }, '1'],
    ]);
    expect(samples(await at('sum(count_over_time({app="shop", slot="green"} |= "ERROR" [1m]))'))).toEqual([
      [{}, '2'],
    ]);
    // 30 s later only the line at T is left: T - 30 s is the new window's excluded start.
    const later = await at('sum(count_over_time({app="shop", slot="green"}[1m]))', T + 30_000);
    expect(later.json.data.result).toEqual([{ metric: {}, value: [(T + 30_000) / 1000, '1'] }]);
  });

  it('rate is the count over the range in seconds; sum by keeps the by labels', async () => {
    expect(samples(await at('sum by (slot) (rate({app="shop"}[1m]))'))).toEqual([
      [{ slot: 'blue' }, '0.06666666666666667'],
      [{ slot: 'green' }, '0.06666666666666667'],
    ]);
    expect(samples(await at('sum by (app) (rate({app=~"shop|billing"} |= "ERROR" [2m]))'))).toEqual([
      [{ app: 'billing' }, '0.008333333333333333'],
      // 4 errors in (T - 2m, T], the one at T - 60 s included this time.
      [{ app: 'shop' }, '0.03333333333333333'],
    ]);
    expect(
      samples(await at('sum without (detected_level, service_name) (count_over_time({app="shop"}[1m]))')),
    ).toEqual([
      [{ app: 'shop', slot: 'blue' }, '4'],
      [{ app: 'shop', slot: 'green' }, '4'],
    ]);
  });

  it('divides two vectors matched on their labels: the error ratio', async () => {
    const ratio = 'sum(rate({app="shop"} |= "ERROR" [1m])) / sum(rate({app="shop"}[1m]))';
    expect(samples(await at(ratio))).toEqual([[{}, '0.375']]);
    const bySlot =
      'sum by (slot) (count_over_time({app="shop"} |= "ERROR" [1m])) / sum by (slot) (count_over_time({app="shop"}[1m]))';
    expect(samples(await at(bySlot))).toEqual([
      [{ slot: 'blue' }, '0.25'],
      [{ slot: 'green' }, '0.5'],
    ]);
    expect(samples(await at(`(${ratio}) * 100`))).toEqual([[{}, '37.5']]);
  });

  it('aggregates with count, max, min and avg', async () => {
    const per = 'sum by (slot) (count_over_time({app="shop"} |= "ERROR" [1m]))';
    expect(samples(await at(`max(${per})`))).toEqual([[{}, '2']]);
    expect(samples(await at(`min(${per})`))).toEqual([[{}, '1']]);
    expect(samples(await at(`avg(${per})`))).toEqual([[{}, '1.5']]);
    expect(samples(await at(`count(${per})`))).toEqual([[{}, '2']]);
  });

  it('applies every label matcher and line filter', async () => {
    const count = async (query: string) => samples(await at(`sum(count_over_time(${query} [1m]))`))[0]?.[1];
    expect(await count('{app="shop", slot!="green"}')).toBe('4');
    expect(await count('{app=~"sh.p", slot!~"gr.*"}')).toBe('4');
    expect(await count('{app="shop"} != "ERROR"')).toBe('5');
    expect(await count('{app="shop"} |~ "card|payment"')).toBe('3');
    expect(await count('{app="shop"} |~ "(?i)error" !~ "declined$"')).toBe('1');
    expect(await count('{app="shop"} |= `msg="order`')).toBe('4');
  });

  it('answers numbers alone as a scalar', async () => {
    const a = await at('2 * 3');
    expect(a.json.data).toMatchObject({ resultType: 'scalar', result: [T / 1000, '6'] });
  });

  it('finds no lines → an empty vector, never a 0; division by zero is NaN, as Loki guards it', async () => {
    for (const query of [
      'count_over_time({app="shop"} |= "TIMEOUT" [1m])',
      'sum(count_over_time({app="shop"} |= "TIMEOUT" [1m]))',
      'sum(rate({app="nothing-here"}[1m]))',
      'sum(rate({app="shop"} |= "TIMEOUT" [1m])) / sum(rate({app="shop"}[1m]))',
    ]) {
      const a = await at(query);
      expect([a.status, a.json.data.resultType, a.json.data.result], query).toEqual([200, 'vector', []]);
    }
    expect(samples(await at('sum(count_over_time({app="shop"}[1m])) / 0'))).toEqual([[{}, 'NaN']]);
  });

  it('answers a successful query with Loki’s JSON and its stats', async () => {
    const a = await at('sum(count_over_time({app="shop"}[1m]))');
    expect(a.contentType).toBe('application/json; charset=UTF-8');
    expect(a.json).toMatchObject({
      status: 'success',
      data: { resultType: 'vector', stats: { summary: {} } },
    });
    expect(a.json.data.stats.summary.totalLinesProcessed).toBe(8);
  });
});

describe('the Loki fake: log queries', () => {
  it('refuses a log query on the instant endpoint, as Loki 3.2 and later do', async () => {
    shopLines(loki);
    const a = await at('{app="shop"} |= "ERROR"');
    expect([a.status, a.contentType, a.text]).toEqual([
      400,
      'text/plain; charset=utf-8',
      LOG_QUERY_ON_INSTANT,
    ]);
    expect(loki.takeViolations()).toHaveLength(1);
  });

  it('answers streams of [t - 30s, t), newest first and limited, as Loki 3.1 and earlier did', async () => {
    const old = await start({ instantLogQueries: 'streams' });
    shopLines(old);
    const a = await ask(old, { query: '{app="shop", slot="blue"}', time: ns(T), limit: '2' });
    expect(a.status).toBe(200);
    expect(a.json.data.resultType).toBe('streams');
    expect(a.json.data.result).toEqual([
      {
        stream: { app: 'shop', slot: 'blue', service_name: 'shop', detected_level: 'info' },
        values: [[ns(T - 15_000), 'level=info msg="order placed"']],
      },
      {
        stream: { app: 'shop', slot: 'blue', service_name: 'shop', detected_level: 'error' },
        values: [[ns(T - 25_000), 'ERROR card declined']],
      },
    ]);
    const forward = await ask(old, {
      query: '{app="shop", slot="green"}',
      time: ns(T),
      direction: 'forward',
    });
    // T itself is outside [t - 30s, t); T - 30 s is inside.
    expect(forward.json.data.result.map((s: { values: unknown[] }) => s.values)).toEqual([
      [[ns(T - 30_000), 'ERROR card declined']],
    ]);
  });
});

describe('the Loki fake: tenants and credentials', () => {
  it('with a tenant, answers a request without X-Scope-OrgID 401 "no org id" in plain text', async () => {
    const multi = await start({ tenant: 'shop-team' });
    shopLines(multi);
    const query = { query: 'sum(count_over_time({app="shop"}[1m]))', time: ns(T) };
    const refused = await ask(multi, query);
    expect([refused.status, refused.contentType, refused.text]).toEqual([
      401,
      'text/plain; charset=utf-8',
      'no org id\n',
    ]);
    expect(multi.takeViolations()).toEqual([
      expect.objectContaining({ kind: 'violation', problem: expect.stringContaining('X-Scope-OrgID') }),
    ]);
    const served = await ask(multi, query, { headers: { 'X-Scope-OrgID': 'shop-team' } });
    expect(samples(served)).toEqual([[{}, '8']]);
    // Another tenant is a valid request that sees none of these lines: no data, no error.
    const other = await ask(multi, query, { headers: { 'X-Scope-OrgID': 'someone-else' } });
    expect(other.json.data.result).toEqual([]);
    expect(multi.requests.map((r) => [r.status, r.tenant])).toEqual([
      [401, undefined],
      [200, 'shop-team'],
      [200, 'someone-else'],
    ]);
  });

  it('behind a bearer-checking gateway, refuses a missing or wrong token as NGINX does', async () => {
    const gated = await start({ bearer: 'l0ki-t0ken' });
    const query = { query: 'sum(count_over_time({app="shop"}[1m]))', time: ns(T) };
    const missing = await ask(gated, query);
    expect([missing.status, missing.contentType]).toEqual([401, 'text/html']);
    expect(missing.text).toContain('<title>401 Authorization Required</title>');
    expect((await ask(gated, query, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await ask(gated, query, { headers: { authorization: 'Bearer l0ki-t0ken' } })).status).toBe(200);
    expect(gated.takeViolations().map((v) => v.problem)).toEqual([
      'no Authorization header',
      'a wrong bearer token',
    ]);
  });
});

describe('the Loki fake: requests and their parameters', () => {
  it('records every request: method, path, parameters, headers, status', async () => {
    await ask(loki, { query: '1', time: ns(T), limit: '10' }, { headers: { 'x-team': 'shop' } });
    await ask(
      loki,
      {},
      {
        method: 'POST',
        body: new URLSearchParams({ query: '2 * 2', time: ns(T) }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    );
    expect(loki.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/loki/api/v1/query',
        params: { query: '1', time: ns(T), limit: '10' },
        headers: expect.objectContaining({ 'x-team': 'shop' }),
        status: 200,
      }),
      expect.objectContaining({ method: 'POST', params: { query: '2 * 2', time: ns(T) }, status: 200 }),
    ]);
  });

  it('reads time as ns, float seconds or RFC 3339, and records a time Loki cannot read', async () => {
    const whole = T / 1000;
    const answers = await Promise.all(
      [ns(T), `${whole}.000`, new Date(T).toISOString(), new Date(T).toISOString().replace('.000Z', 'Z')].map(
        (time) => ask(loki, { query: '1', time }),
      ),
    );
    expect(answers.map((a) => a.json.data.result[0])).toEqual([whole, whole, whole, whole]);
    expect(loki.takeViolations()).toEqual([]);

    const bad = await ask(loki, { query: '1', time: 'yesterday' });
    expect([bad.status, bad.contentType, bad.text]).toEqual([
      400,
      'text/plain; charset=utf-8',
      'strconv.ParseInt: parsing "yesterday": invalid syntax',
    ]);
    // Ten digits are read as seconds by Loki's code, against its own documentation: served, and recorded.
    const seconds = await ask(loki, { query: '1', time: String(whole) });
    expect(seconds.json.data.result[0]).toBe(whole);
    expect(loki.takeViolations().map((v) => v.problem)).toEqual([
      'strconv.ParseInt: parsing "yesterday": invalid syntax',
      expect.stringContaining('reads an epoch of 10 digits or fewer as seconds'),
    ]);
  });

  it('records unknown parameters, a missing query, a bad limit or direction, and a JSON POST', async () => {
    expect((await ask(loki, { query: '1', time: ns(T), step: '60' })).status).toBe(200);
    expect((await ask(loki, { time: ns(T) })).text).toBe(
      'parse error at line 1, col 1: syntax error: unexpected $end',
    );
    expect((await ask(loki, { query: '1', limit: '0' })).text).toBe('limit must be a positive value');
    expect((await ask(loki, { query: '1', direction: 'up' })).text).toBe("invalid direction 'up'");
    const json = await ask(
      loki,
      {},
      {
        method: 'POST',
        body: JSON.stringify({ query: '1' }),
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(json.status).toBe(400);
    expect(loki.takeViolations().map((v) => v.problem)).toEqual([
      expect.stringContaining('unknown parameter step'),
      expect.stringContaining('no query parameter'),
      'limit must be a positive value',
      "invalid direction 'up'",
      expect.stringContaining('Loki reads only a form-encoded body'),
    ]);
  });

  it('answers 501 for what the grammar allows and the fake does not implement, and records it', async () => {
    for (const query of [
      'sum(count_over_time({app="shop"} | json [1m]))',
      'topk(3, sum by (slot) (count_over_time({app="shop"}[1m])))',
      'sum(count_over_time({app="shop"}[1m])) / on(slot) sum(count_over_time({app="shop"}[1m]))',
      'bytes_over_time({app="shop"}[1m])',
      'sum(count_over_time({app="shop"}[1m] offset 5m))',
    ]) {
      const a = await at(query);
      expect([a.status, a.text.startsWith('the Loki fake does not implement')], query).toEqual([501, true]);
    }
    expect((await ask(loki, { query: '{app="shop"}' }, { path: '/loki/api/v1/query_range' })).status).toBe(
      501,
    );
    const taken = loki.takeViolations();
    expect(taken).toHaveLength(6);
    expect(taken.every((v) => v.kind === 'unsupported')).toBe(true);
  });

  it('answers the next query as failNext says, then as Loki again', async () => {
    loki.failNext(429, 'too many outstanding requests', { 'retry-after': '1' });
    const limited = await at('1');
    expect([limited.status, limited.text, limited.headers.get('retry-after')]).toEqual([
      429,
      'too many outstanding requests',
      '1',
    ]);
    expect((await at('1')).status).toBe(200);
    expect(loki.requests.map((r) => [r.status, r.injected ?? false])).toEqual([
      [429, true],
      [200, false],
    ]);
  });
});

describe('the Loki fake: push', () => {
  const push = (fake: LokiFake, body: unknown, headers: Record<string, string> = {}) =>
    fetch(new URL('/loki/api/v1/push', fake.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    });

  it('stores a JSON push (plain or gzipped) as push() does, and answers 204', async () => {
    const body = {
      streams: [{ stream: { app: 'shop', slot: 'green' }, values: [[ns(T - 5_000), 'ERROR boom']] }],
    };
    expect((await push(loki, body)).status).toBe(204);
    expect((await push(loki, gzipSync(JSON.stringify(body)), { 'content-encoding': 'gzip' })).status).toBe(
      204,
    );
    loki.push({ app: 'shop', slot: 'green' }, [{ line: 'ERROR boom', at: T - 5_000 }]);
    expect(samples(await at('count_over_time({app="shop"}[1m])'))).toEqual([
      [{ app: 'shop', slot: 'green', service_name: 'shop', detected_level: 'error' }, '3'],
    ]);
  });

  it('refuses what Loki refuses: a numeric timestamp, a line too old, no labels', async () => {
    const numeric = await push(loki, { streams: [{ stream: { app: 'a' }, values: [[T * 1e6, 'x']] }] });
    expect(numeric.status).toBe(400);
    const old = await push(loki, {
      streams: [{ stream: { app: 'a' }, values: [[ns(T - 8 * 86_400_000), 'x']] }],
    });
    expect(old.status).toBe(400);
    expect(await old.text()).toMatch(
      /^entry for stream '\{app="a", service_name="a"\}' has timestamp too old: /,
    );
    const unlabelled = await push(loki, { streams: [{ stream: {}, values: [[ns(T), 'x']] }] });
    expect(await unlabelled.text()).toBe('error at least one label pair is required per stream\n');
    expect(loki.takeViolations()).toHaveLength(3);
    expect(() => loki.push({ app: 'a' }, [{ line: 'x', at: T - 8 * 86_400_000 }])).toThrow(
      /timestamp too old/,
    );
  });

  it('with a tenant, keeps pushes per tenant', async () => {
    const multi = await start({ tenant: 'shop-team' });
    const body = { streams: [{ stream: { app: 'shop' }, values: [[ns(T - 1_000), 'ERROR x']] }] };
    expect((await push(multi, body)).status).toBe(401);
    expect(multi.takeViolations()).toHaveLength(1);
    expect((await push(multi, body, { 'x-scope-orgid': 'other-team' })).status).toBe(204);
    const query = { query: 'sum(count_over_time({app="shop"}[1m]))', time: ns(T) };
    expect((await ask(multi, query, { headers: { 'x-scope-orgid': 'shop-team' } })).json.data.result).toEqual(
      [],
    );
    expect(
      (await ask(multi, query, { headers: { 'x-scope-orgid': 'other-team' } })).json.data.result,
    ).toHaveLength(1);
  });
});
