/**
 * A fake of Datadog's v1 metrics query API, `GET /api/v1/query` ("Query
 * timeseries points"), in-process on loopback, for the Datadog provider.
 *
 *   const fake = await startDatadogFake({ apiKey, appKey });
 *   fake.setSeries('avg:shop.errors{slot:green}', [{ points: [[ms, 0.02], [ms2, null]] }]);
 *   // point the provider at new URL(fake.url) with the DD-API-KEY / DD-APPLICATION-KEY headers
 *   expect(fake.takeViolations()).toEqual([]);
 *   await fake.stop();
 *
 * Every answer is built from the official client's models
 * (`@datadog/datadog-api-client`, `v1.MetricsQueryResponse`,
 * `v1.MetricsQueryMetadata`, `v1.APIErrorResponse`) and written out with the
 * client's own `v1.ObjectSerializer`, then read back with it: the fake can only
 * say what the model describes, and an answer the client would not parse is
 * recorded as a violation of the fake itself.
 *
 * What it checks of each request, and answers, as Datadog documents it:
 *
 * - `GET /api/v1/query` only (another path: 404, another method: 405, both
 *   JSON `{"errors": [...]}` and recorded);
 * - the query string is exactly `from`, `to` and `query`, each once: `from`
 *   and `to` integers, seconds since the Unix epoch, `from` before `to`;
 *   `query` not empty. A missing or malformed parameter, or `from` not before
 *   `to`, is answered 400 `{"errors": [...]}` and recorded; an unknown
 *   parameter is recorded (and ignored, as the API does);
 * - both `DD-API-KEY` and `DD-APPLICATION-KEY`, equal to the keys the fake was
 *   started with (this endpoint's security is `apiKeyAuth` AND `appKeyAuth`):
 *   otherwise 403 `{"errors": ["Forbidden"]}`, and recorded (without the
 *   values sent);
 * - a query the fake cannot parse (unbalanced `{}`/`()`) is 400 with an
 *   "Error parsing query" text, not recorded: a user's mistake, not the
 *   client's;
 * - rate limits: every authenticated answer carries `X-RateLimit-Limit`,
 *   `X-RateLimit-Period`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`
 *   (seconds until the calendar-aligned period resets). By default 100
 *   queries an hour (Datadog's documented default for metric retrieval);
 *   past that, 429 `{"errors": ["Too many requests"]}` with those headers and
 *   no Retry-After, as Datadog answers.
 *
 * Where the service is unkind, so is the fake: a query it holds no series for
 * is `status: "ok"` with `series: []` (an unknown metric is not an error);
 * only points within [from, to] are returned, and a series with none is left
 * out; a `null` value is kept where it was given (Datadog fills the newest
 * points of a window with null while it ingests, and a ratio whose dividend is
 * missing is null), a series whose window holds only nulls is returned with
 * them.
 *
 * Pages relied on:
 * - https://docs.datadoghq.com/api/latest/metrics/query-timeseries-points/
 *   (parameters `from`, `to` seconds and required, `query` required; the
 *   response fields, `pointlist` in milliseconds, `scope`, `tag_set`,
 *   `from_date`/`to_date` in ms; responses 200, 400, 403, 429);
 * - https://docs.datadoghq.com/api/latest/rate-limits/ (429, the
 *   X-RateLimit-* headers, Reset in seconds until the next reset, periods
 *   calendar aligned; 100 metric retrievals per hour per organization);
 * - the OpenAPI description the client is generated from,
 *   DataDog/datadog-api-client-typescript `.generator/schemas/v1/openapi.yaml`
 *   (`/api/v1/query`: `security: apiKeyAuth + appKeyAuth`, 400/403/429 as
 *   `APIErrorResponse`, `errors` required; `TooManyRequestsResponse`);
 * - real answers with null points quoted in kedacore/keda#3906 and
 *   spinnaker/kayenta#832 (newest points null; `tag_set: []` with the tags in
 *   `scope`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { v1 } from '@datadog/datadog-api-client';

export type Point = [number /* ms since the epoch */, number | null];

export interface SeriesInput {
  /** Comma-separated tags; from the query's `{...}` when not given. */
  scope?: string;
  /** The group's tags (`host:web-1`), for a query grouped with `by {...}`. */
  tagSet?: string[];
  /** From the query (`avg:<metric>{...}`) when not given. */
  metric?: string;
  points: Point[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Every query parameter, in order, repeated ones included. */
  params: Array<[string, string]>;
  headers: http.IncomingHttpHeaders;
  /** What the fake answered. */
  status: number;
}

export interface DatadogFakeOptions {
  apiKey: string;
  appKey: string;
  /** Queries allowed per calendar-aligned period; Datadog's default is 100 an hour. */
  rateLimit?: { limit: number; periodSeconds: number };
}

/** `status: 200`: fields of a MetricsQueryResponse (e.g. `{ status: 'error', error }`); otherwise an APIErrorResponse. */
export type FailBody = { errors: string[] } | Partial<Omit<v1.MetricsQueryResponse, 'series'>>;

export interface DatadogFake {
  /** `http://127.0.0.1:<port>/`, the provider's URL. */
  url: string;
  /** The series `query` (exactly this string) answers; replaces what it had. */
  setSeries(query: string, series: SeriesInput[]): void;
  requests: RecordedRequest[];
  /** Requests that break the API's rules, and answers the client's model would not read; cleared. */
  takeViolations(): string[];
  /** The next request is answered with this status, body (checked against the model) and headers. */
  failNext(status: number, body: FailBody, headers?: Record<string, string>): void;
  /** The next request (`times` requests) is answered 429 with `X-RateLimit-Reset: resetSeconds`. */
  rateLimitNext(resetSeconds: number, times?: number): void;
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  text: string;
  headers: Record<string, string>;
}

const ALLOWED_PARAMS = ['from', 'to', 'query'];

export async function startDatadogFake(options: DatadogFakeOptions): Promise<DatadogFake> {
  if (!options.apiKey || !options.appKey)
    throw new TypeError('startDatadogFake needs an apiKey and an appKey');
  const limit = options.rateLimit ?? { limit: 100, periodSeconds: 3600 };
  const stored = new Map<string, SeriesInput[]>();
  const requests: RecordedRequest[] = [];
  let violations: string[] = [];
  const queued: Answer[] = [];
  let window = { start: -1, used: 0 };

  const rateHeaders = (nowSeconds: number) => {
    const start = Math.floor(nowSeconds / limit.periodSeconds) * limit.periodSeconds;
    if (start !== window.start) window = { start, used: 0 };
    return {
      'x-ratelimit-limit': String(limit.limit),
      'x-ratelimit-period': String(limit.periodSeconds),
      'x-ratelimit-remaining': String(Math.max(0, limit.limit - window.used)),
      'x-ratelimit-reset': String(Math.ceil(start + limit.periodSeconds - nowSeconds)),
    };
  };

  const handle = (req: http.IncomingMessage, body: string): Answer => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const where = `${req.method} ${url.pathname}`;
    const broke = (what: string) => violations.push(`${where}: ${what}`);
    if (url.pathname !== '/api/v1/query') {
      broke('not an endpoint of this fake (only GET /api/v1/query)');
      return errorAnswer(404, ['Not Found']);
    }
    if (req.method !== 'GET') {
      broke('the query endpoint takes GET only');
      return errorAnswer(405, ['Method Not Allowed']);
    }
    if (body.length) broke('a GET with a body');

    // Security first: apiKeyAuth AND appKeyAuth.
    const apiKey = req.headers['dd-api-key'];
    const appKey = req.headers['dd-application-key'];
    const keyProblems = [
      apiKey === undefined
        ? 'no DD-API-KEY header'
        : apiKey !== options.apiKey
          ? 'a DD-API-KEY that is not the key'
          : '',
      appKey === undefined
        ? 'no DD-APPLICATION-KEY header'
        : appKey !== options.appKey
          ? 'a DD-APPLICATION-KEY that is not the key'
          : '',
    ].filter(Boolean);
    if (keyProblems.length) {
      broke(`${keyProblems.join(' and ')}: answered 403`);
      return errorAnswer(403, ['Forbidden']);
    }

    // The parameters are checked whatever the answer, so a test that fails or limits a request still sees them.
    const values = new Map<string, string[]>();
    for (const [name, value] of url.searchParams) {
      if (!ALLOWED_PARAMS.includes(name))
        broke(`unknown parameter "${name}" (the API takes from, to and query)`);
      values.set(name, [...(values.get(name) ?? []), value]);
    }
    const problems: string[] = [];
    const integer = (name: string): number | undefined => {
      const given = values.get(name);
      if (!given) {
        problems.push(`missing required parameter '${name}'`);
        return undefined;
      }
      if (given.length > 1) problems.push(`parameter '${name}' given ${given.length} times`);
      if (!/^\d+$/.test(given[0]!)) {
        problems.push(
          `parameter '${name}' is ${JSON.stringify(given[0])}, not an integer (seconds since the epoch)`,
        );
        return undefined;
      }
      return Number(given[0]);
    };
    const from = integer('from');
    const to = integer('to');
    const queries = values.get('query');
    if (!queries) problems.push(`missing required parameter 'query'`);
    else if (queries.length > 1) problems.push(`parameter 'query' given ${queries.length} times`);
    else if (!queries[0]!.trim()) problems.push(`parameter 'query' is empty`);
    if (from !== undefined && to !== undefined && from >= to)
      problems.push(`'from' (${from}) must be before 'to' (${to})`);
    for (const problem of problems) broke(problem);

    const headers = rateHeaders(Date.now() / 1000);
    const next = queued.shift();
    if (next) return { ...next, headers: { ...headers, ...next.headers } };
    if (window.used >= limit.limit) return errorAnswer(429, ['Too many requests'], headers);
    window.used++;
    headers['x-ratelimit-remaining'] = String(limit.limit - window.used);
    if (problems.length) return errorAnswer(400, problems, headers);
    const query = queries![0]!;
    const parseError = unparsable(query);
    if (parseError)
      return errorAnswer(400, [`Error parsing query: unable to parse ${query}: ${parseError}`], headers);
    const answer = successAnswer(query, from!, to!, stored.get(query) ?? []);
    // The client must read what the fake wrote, exactly as the model describes it.
    const parsed = v1.ObjectSerializer.deserialize(JSON.parse(answer.text), 'MetricsQueryResponse', '') as
      | v1.MetricsQueryResponse
      | undefined;
    if (!parsed || parsed._unparsed || parsed.series?.some((s) => s._unparsed))
      violations.push(`${where}: the fake answered something MetricsQueryResponse does not describe`);
    return { ...answer, headers };
  };

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      let answer: Answer;
      try {
        answer = handle(req, body);
      } catch (error) {
        violations.push(`${req.method} ${req.url}: the fake failed: ${String(error)}`);
        answer = errorAnswer(500, ['Internal Server Error']);
      }
      const url = new URL(req.url ?? '/', 'http://fake');
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        params: [...url.searchParams],
        headers: req.headers,
        status: answer.status,
      });
      res
        .writeHead(answer.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(answer.text),
          ...answer.headers,
        })
        .end(answer.text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    setSeries(query, series) {
      for (const s of series) checkSeries(query, s);
      stored.set(
        query,
        series.map((s) => ({ ...s, points: [...s.points].sort((a, b) => a[0] - b[0]) })),
      );
    },
    takeViolations() {
      const taken = violations;
      violations = [];
      return taken;
    },
    failNext(status, body, headers = {}) {
      queued.push({ status, text: failText(status, body), headers: lower(headers) });
    },
    rateLimitNext(resetSeconds, times = 1) {
      if (!Number.isInteger(resetSeconds) || resetSeconds < 0)
        throw new TypeError('X-RateLimit-Reset is a whole number of seconds');
      for (let i = 0; i < times; i++)
        queued.push({
          ...errorAnswer(429, ['Too many requests']),
          headers: {
            'x-ratelimit-limit': String(limit.limit),
            'x-ratelimit-period': String(limit.periodSeconds),
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(resetSeconds),
          },
        });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function errorAnswer(status: number, errors: string[], headers: Record<string, string> = {}): Answer {
  const body = new v1.APIErrorResponse();
  body.errors = errors;
  return {
    status,
    text: JSON.stringify(v1.ObjectSerializer.serialize(body, 'APIErrorResponse', '')),
    headers,
  };
}

/** A body for failNext, built on the model (unknown fields refused: the serializer would drop them silently). */
function failText(status: number, body: FailBody): string {
  const type = status === 200 ? 'MetricsQueryResponse' : 'APIErrorResponse';
  const model = status === 200 ? v1.MetricsQueryResponse : v1.APIErrorResponse;
  const known = Object.keys(model.getAttributeTypeMap()).filter((k) => k !== 'additionalProperties');
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length) throw new TypeError(`${type} has no field ${unknown.join(', ')}`);
  if (status < 200 || status > 599 || (status > 200 && status < 400))
    throw new TypeError(`failNext: status ${status} is not an answer of this fake`);
  const instance = Object.assign(new model(), body);
  return JSON.stringify(v1.ObjectSerializer.serialize(instance, type, ''));
}

function successAnswer(
  query: string,
  from: number,
  to: number,
  stored: SeriesInput[],
): Omit<Answer, 'headers'> {
  const parts = queryParts(query);
  const response = new v1.MetricsQueryResponse();
  response.status = 'ok';
  response.resType = 'time_series';
  response.query = query;
  response.message = '';
  response.fromDate = from * 1000;
  response.toDate = to * 1000;
  response.groupBy = parts.groupBy;
  response.series = [];
  for (const input of stored) {
    const points = input.points.filter(([at]) => at >= from * 1000 && at <= to * 1000);
    if (points.length === 0) continue;
    const series = new v1.MetricsQueryMetadata();
    series.metric = input.metric ?? parts.metric ?? query;
    series.displayName = series.metric;
    series.expression = query;
    series.scope = input.scope ?? parts.scope ?? '*';
    series.tagSet = input.tagSet ?? [];
    if (parts.aggr) series.aggr = parts.aggr;
    series.queryIndex = 0;
    series.start = points[0]![0];
    series.end = points[points.length - 1]![0];
    series.length = points.length;
    series.interval = intervalOf(points);
    // The model types a point as [number, number]; Datadog (and the serializer) keep null values.
    series.pointlist = points as Array<[number, number]>;
    response.series.push(series);
  }
  return {
    status: 200,
    text: JSON.stringify(v1.ObjectSerializer.serialize(response, 'MetricsQueryResponse', '')),
  };
}

/** Seconds between points, the smallest gap (1 for a single point). */
function intervalOf(points: Point[]): number {
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < points.length; i++) gap = Math.min(gap, points[i]![0] - points[i - 1]![0]);
  return Number.isFinite(gap) && gap >= 1000 ? Math.round(gap / 1000) : 1;
}

/** What a simple query (`avg:metric{scope} by {a,b}.fn()`) says of itself. */
function queryParts(query: string): { aggr?: string; metric?: string; scope?: string; groupBy: string[] } {
  const simple =
    /^\s*(?:(avg|sum|min|max|count):)?([A-Za-z][\w.]*)\{([^{}]*)\}(?:\s*by\s*\{([^{}]*)\})?/.exec(query);
  const groupBy = /\bby\s*\{([^{}]*)\}/.exec(query)?.[1];
  const groups = groupBy
    ? groupBy
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
    : [];
  if (!simple) return { groupBy: groups };
  return {
    ...(simple[1] ? { aggr: simple[1] } : {}),
    metric: simple[2]!,
    scope: simple[3]!.trim() || '*',
    groupBy: groups,
  };
}

/** Why the fake cannot parse a query: its brackets do not balance. */
function unparsable(query: string): string | undefined {
  const open: string[] = [];
  const pairs: Record<string, string> = { '}': '{', ')': '(' };
  for (const [i, c] of [...query].entries()) {
    if (c === '{' || c === '(') open.push(c);
    else if (c === '}' || c === ')') {
      if (open.pop() !== pairs[c]) return `unexpected '${c}' at column ${i + 1}`;
    }
  }
  return open.length ? `'${open[open.length - 1]}' is never closed` : undefined;
}

function checkSeries(query: string, series: SeriesInput): void {
  for (const point of series.points) {
    const [at, value] = point;
    if (point.length !== 2 || !Number.isInteger(at) || at < 1e11)
      throw new TypeError(
        `setSeries(${query}): a point is [milliseconds since the epoch, value], got ${JSON.stringify(point)}`,
      );
    if (value !== null && !Number.isFinite(value))
      throw new TypeError(`setSeries(${query}): a value is a finite number or null, got ${String(value)}`);
  }
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
