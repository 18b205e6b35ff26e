import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { evaluate, formatSampleValue, type Sample, type Stats, selectLines } from './engine.js';
import { buildQuery, checkQuery, LOG_QUERY_ON_INSTANT, QueryError, Unsupported } from './logql.js';
import { groupedErrors, type IncomingEntry, LogStore, labelsText } from './store.js';

/**
 * An in-process Grafana Loki for tests: `POST /loki/api/v1/push` (JSON) and
 * `GET`/`POST /loki/api/v1/query` (instant queries), answering as Loki 3
 * does — including where that is unkind — and recording every request that
 * breaks the API's description.
 *
 * What it relies on, and where the reference is:
 *
 * - Loki's HTTP API reference, `docs/sources/reference/loki-http-api.md` in
 *   grafana/loki ("Query logs at a single point in time": parameters `query`,
 *   `limit` (default 100), `time` (nanosecond epoch "or another supported
 *   format", default now), `direction` (`forward`|`backward`, default
 *   backward); the `{"status":"success","data":{"resultType","result",
 *   "stats"}}` answer with vector samples `{"metric":{…},"value":[<seconds>,
 *   "<value>"]}`; "Instant queries are only used for metric type LogQL queries
 *   and will return a 400 (Bad Request) in case a log type query is
 *   provided"; "Timestamps": epochs in nanoseconds, floats as seconds with a
 *   fraction, RFC3339/RFC3339Nano; "Ingest logs": the JSON push body
 *   `{"streams":[{"stream":{…},"values":[["<ns>","<line>"]]}]}` with
 *   `Content-Type: application/json`, timestamps as strings, optional gzip;
 *   multi-tenancy with `X-Scope-OrgID`; "authorization is not part of the
 *   Loki API" — done by a proxy such as NGINX in front).
 * - Loki's own code for what the page leaves out: pkg/loghttp/params.go
 *   (how `time`, `limit`, `direction` are read, and their error texts — a
 *   bare epoch of 10 digits or fewer is read as SECONDS, against the page),
 *   pkg/querier/queryrange/codec.go (parameters checked before the query is
 *   parsed), pkg/util/server/error.go (errors are `text/plain;
 *   charset=utf-8` bodies of the bare message, not JSON), dskit's
 *   AuthenticateUser (401 `no org id` through http.Error), pkg/util/fakeauth
 *   (without auth every request is tenant `fake`), pkg/loki/modules.go (the
 *   query path takes GET and POST), pkg/distributor/http.go (push answers
 *   204, errors 400 through http.Error), the CHANGELOG (3.2.0 "BREAKING: Fail
 *   log queries when executed on instant query endpoint"), and the parser,
 *   engine and ingestion rules cited in logql.ts, engine.ts and store.ts.
 * - Grafana's LogQL grammar on npm, `@grafana/lezer-logql`, for every query.
 *
 * A gateway checking `Authorization: Bearer …` (the `bearer` option) answers
 * as NGINX's default 401 page, since the docs name NGINX for the job.
 */

export interface LokiFakeOptions {
  /** Turns on multi-tenancy (`auth_enabled: true`): requests need `X-Scope-OrgID`, and push() writes to this tenant. */
  tenant?: string;
  /** A gateway in front that lets through only `Authorization: Bearer <bearer>`. */
  bearer?: string;
  /**
   * A log query (a bare selector) on the instant endpoint: `'refuse'` (default) answers 400 as Loki
   * 3.2.0 and later do; `'streams'` answers with the log lines of `[time - 30s, time)` as Loki up to
   * 3.1 did (its `max_look_back_period`).
   */
  instantLogQueries?: 'refuse' | 'streams';
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Query-string and form parameters (the first value of each, as Loki reads them). */
  params: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  status: number;
  /** The tenant the request was served as, when it got that far. */
  tenant?: string;
  /** True for an answer injected with failNext. */
  injected?: boolean;
}

export interface Violation {
  method: string;
  path: string;
  /** `violation`: Loki would refuse it or the API description forbids it; `unsupported`: the fake cannot answer it. */
  kind: 'violation' | 'unsupported';
  problem: string;
}

export interface LokiFake {
  url: string;
  requests: RecordedRequest[];
  /** Stores lines as a push of this stream would (at: milliseconds since the epoch, default now); throws what Loki would refuse. */
  push(labels: Record<string, string>, lines: Array<string | { line: string; at?: number }>): void;
  /** Everything seen so far that breaks the API description, or that the fake does not implement. */
  violations(): Violation[];
  /** The violations so far, forgotten (for a test that expects a refusal). */
  takeViolations(): Violation[];
  /** The next query request is answered `status` with `body` (text/plain unless `headers` say otherwise). */
  failNext(status: number, body: string, headers?: Record<string, string>): void;
  stop(): Promise<void>;
}

interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  violation?: string;
  unsupported?: string;
  tenant?: string;
  injected?: boolean;
}

const QUERY_PATH = '/loki/api/v1/query';
const PUSH_PATH = '/loki/api/v1/push';
const QUERY_PARAMS = new Set(['query', 'limit', 'time', 'direction']);
/** Loki's other documented endpoints: real, but not served by the fake. */
const OTHER_ENDPOINTS =
  /^\/(?:loki\/api\/v1\/(?:query_range|labels|label\/[^/]+\/values|series|index\/stats|index\/volume|index\/volume_range|patterns|tail|format_query|status\/buildinfo|rules.*|delete)|otlp\/v1\/logs|api\/prom\/.*|metrics|config|services|flush)$/;

/** Loki's error answer (pkg/util/server/error.go WriteError): the bare message. */
function lokiError(status: number, message: string, violation = message): Reply {
  return {
    status,
    body: message,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    violation,
  };
}

/** Go's http.Error: the message and a newline. */
function goHttpError(status: number, message: string, violation = message): Reply {
  return { ...lokiError(status, `${message}\n`, violation) };
}

const NGINX_401 =
  '<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** pkg/loghttp/params.go parseTimestamp, to nanoseconds; `undefined` value means "now". */
function parseTimestamp(value: string): { ns: bigint; note?: string } | { error: string } {
  if (value.includes('.') && /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(value)) {
    const seconds = Number(value);
    const whole = Math.trunc(seconds);
    const fraction = Math.round((seconds - whole) * 1000) / 1000;
    return { ns: BigInt(whole) * 1_000_000_000n + BigInt(Math.round(fraction * 1e9)) };
  }
  if (/^[+-]?\d+$/.test(value)) {
    const n = BigInt(value);
    if (n > 9223372036854775807n || n < -9223372036854775808n)
      return { error: `strconv.ParseInt: parsing ${JSON.stringify(value)}: value out of range` };
    if (value.length <= 10)
      return {
        ns: n * 1_000_000_000n,
        note: `time=${value}: Loki reads an epoch of 10 digits or fewer as seconds, though its API documents epochs as nanoseconds`,
      };
    return { ns: n };
  }
  const rfc = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (rfc) {
    const ms = Date.parse(`${rfc[1]}${rfc[3]}`);
    if (!Number.isNaN(ms))
      return { ns: BigInt(ms) * 1_000_000n + BigInt((rfc[2] ?? '').padEnd(9, '0') || '0') };
  }
  return { error: `strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax` };
}

function headerRecord(request: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]),
  );
}

function mediaType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

export async function startLokiFake(options: LokiFakeOptions = {}): Promise<LokiFake> {
  const store = new LogStore();
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const faults: Array<{ status: number; body: string; headers: Record<string, string> }> = [];
  const instantLogs = options.instantLogQueries ?? 'refuse';
  const ownTenant = options.tenant ?? 'fake';

  /** The tenant of a request, or the 401 Loki answers (dskit AuthenticateUser), or 501 for a multi-tenant query. */
  function tenantOf(request: IncomingMessage): string | Reply {
    if (options.tenant === undefined) return 'fake';
    const org = request.headers['x-scope-orgid'];
    const id = Array.isArray(org) ? org[0] : org;
    if (!id)
      return goHttpError(401, 'no org id', 'no X-Scope-OrgID header, and the fake runs with multi-tenancy');
    if (id.includes('|'))
      return {
        ...lokiError(501, `the Loki fake does not implement queries across tenants (${id})`),
        violation: undefined,
        unsupported: `X-Scope-OrgID ${id}: queries across tenants`,
      };
    return id;
  }

  function query(request: IncomingMessage, params: URLSearchParams, problems: string[]): Reply {
    for (const name of new Set(params.keys())) {
      if (!QUERY_PARAMS.has(name))
        problems.push(`unknown parameter ${name} (the instant query takes query, limit, time, direction)`);
      if (params.getAll(name).length > 1)
        problems.push(`parameter ${name} given more than once; Loki reads the first`);
    }
    const tenant = tenantOf(request);
    if (typeof tenant !== 'string') return tenant;
    const refuse = (message: string) => ({ ...lokiError(400, message), tenant });

    // pkg/loghttp ParseInstantQuery: limit, time, direction, in that order; then the query.
    const limitText = params.get('limit') ?? '';
    let limit = 100;
    if (limitText !== '') {
      if (!/^[+-]?\d+$/.test(limitText))
        return refuse(`strconv.Atoi: parsing ${JSON.stringify(limitText)}: invalid syntax`);
      limit = Number(limitText);
      if (limit <= 0) return refuse('limit must be a positive value');
    }
    const timeText = params.get('time') ?? '';
    let at = BigInt(Date.now()) * 1_000_000n;
    if (timeText !== '') {
      const parsed = parseTimestamp(timeText);
      if ('error' in parsed) return refuse(parsed.error);
      if (parsed.note) problems.push(parsed.note);
      at = parsed.ns;
    }
    const directionText = params.get('direction') ?? '';
    if (directionText !== '' && !['forward', 'backward'].includes(directionText.toLowerCase()))
      return refuse(`invalid direction '${directionText}'`);
    const backward = directionText.toLowerCase() !== 'forward';

    const text = params.get('query') ?? '';
    if (!params.has('query')) problems.push('no query parameter');
    let checked: ReturnType<typeof checkQuery>;
    try {
      checked = checkQuery(text);
    } catch (error) {
      if (error instanceof QueryError) return refuse(error.text);
      throw error;
    }
    if (checked.isLog && instantLogs === 'refuse') return refuse(LOG_QUERY_ON_INSTANT);

    let built: ReturnType<typeof buildQuery>;
    try {
      built = buildQuery(text, checked.tree);
    } catch (error) {
      if (error instanceof QueryError) return refuse(error.text);
      if (error instanceof Unsupported)
        return { ...lokiError(501, error.message), violation: undefined, unsupported: error.message, tenant };
      throw error;
    }

    const stats: Stats = { linesProcessed: 0, bytesProcessed: 0 };
    const started = process.hrtime.bigint();
    const streams = store.streams(tenant);
    const seconds = Number(at / 1_000_000n) / 1000;
    let data: { resultType: string; result: unknown };
    if (built.kind === 'log') {
      const lines = selectLines(built.selector, streams, at - 30_000_000_000n, at, stats, true)
        .sort((a, b) => (a.entry.ns === b.entry.ns ? 0 : a.entry.ns < b.entry.ns === backward ? 1 : -1))
        .slice(0, limit);
      const byStream = new Map<string, { stream: Record<string, string>; values: Array<[string, string]> }>();
      for (const { stream, entry } of lines) {
        const labels = { ...stream.labels, ...entry.metadata };
        const key = labelsText(labels);
        const group = byStream.get(key) ?? { stream: labels, values: [] };
        group.values.push([String(entry.ns), entry.line]);
        byStream.set(key, group);
      }
      data = { resultType: 'streams', result: [...byStream.values()] };
    } else {
      const value = evaluate(built.expr, streams, at, stats);
      data =
        value.type === 'scalar'
          ? { resultType: 'scalar', result: [seconds, formatSampleValue(value.value)] }
          : {
              resultType: 'vector',
              result: value.samples.map((s: Sample) => ({
                metric: s.labels,
                value: [seconds, formatSampleValue(s.value)],
              })),
            };
    }
    const execTime = Number(process.hrtime.bigint() - started) / 1e9;
    const answer = {
      status: 'success',
      data: {
        ...data,
        stats: {
          summary: {
            bytesProcessedPerSecond: execTime > 0 ? Math.round(stats.bytesProcessed / execTime) : 0,
            linesProcessedPerSecond: execTime > 0 ? Math.round(stats.linesProcessed / execTime) : 0,
            totalBytesProcessed: stats.bytesProcessed,
            totalLinesProcessed: stats.linesProcessed,
            execTime,
            queueTime: 0,
            subqueries: 0,
            totalEntriesReturned: Array.isArray(data.result) ? data.result.length : 0,
            splits: 0,
            shards: 0,
            totalPostFilterLines: 0,
            totalStructuredMetadataBytesProcessed: 0,
          },
          querier: { store: { totalChunksRef: 0, totalChunksDownloaded: 0, chunksDownloadTime: 0 } },
          ingester: { totalReached: 1, totalChunksMatched: 0, totalBatches: 0, totalLinesSent: 0 },
        },
      },
    };
    return {
      status: 200,
      body: JSON.stringify(answer),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      tenant,
    };
  }

  function push(request: IncomingMessage, raw: Buffer): Reply {
    const tenant = tenantOf(request);
    if (typeof tenant !== 'string') return tenant;
    const refuse = (message: string) => ({ ...goHttpError(400, message), tenant });
    const encoding = String(request.headers['content-encoding'] ?? '').toLowerCase();
    let body = raw;
    if (encoding === 'gzip') {
      try {
        body = gunzipSync(raw);
      } catch (error) {
        return refuse((error as Error).message);
      }
    } else if (encoding !== '') {
      return {
        ...lokiError(501, `the Loki fake does not decode Content-Encoding ${encoding}`),
        violation: undefined,
        unsupported: `push with Content-Encoding ${encoding}`,
        tenant,
      };
    }
    const type = mediaType(request.headers['content-type']);
    if (type === undefined) return refuse('mime: no media type');
    if (type === 'application/x-protobuf')
      return {
        ...lokiError(
          501,
          'the Loki fake does not decode snappy-compressed protobuf pushes; send application/json',
        ),
        violation: undefined,
        unsupported: 'push as application/x-protobuf',
        tenant,
      };
    if (type !== 'application/json')
      // Loki decodes every other content type as snappy-compressed protobuf.
      return refuse('snappy: corrupt input');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return refuse(`the push body is not JSON: ${(error as Error).message}`);
    }
    const streams = (parsed as { streams?: unknown })?.streams;
    if (!Array.isArray(streams)) return refuse('the push body has no "streams" array');
    const decoded: Array<{ labels: Record<string, string>; entries: IncomingEntry[] }> = [];
    for (const [i, s] of streams.entries()) {
      const stream = (s as { stream?: unknown })?.stream;
      const values = (s as { values?: unknown })?.values;
      if (typeof stream !== 'object' || stream === null || Array.isArray(stream))
        return refuse(`streams[${i}]: "stream" must be an object of labels`);
      if (Object.values(stream).some((v) => typeof v !== 'string'))
        return refuse(`streams[${i}]: label values must be strings`);
      if (!Array.isArray(values)) return refuse(`streams[${i}]: "values" must be an array`);
      const entries: IncomingEntry[] = [];
      for (const [j, v] of values.entries()) {
        if (!Array.isArray(v) || v.length < 2 || v.length > 3)
          return refuse(
            `streams[${i}].values[${j}]: an entry is ["<unix epoch in nanoseconds>", "<log line>"]`,
          );
        const [ts, line, metadata] = v as [unknown, unknown, unknown];
        if (typeof ts !== 'string')
          return refuse(`streams[${i}].values[${j}]: the timestamp must be a string, not ${typeof ts}`);
        if (!/^\d+$/.test(ts))
          return refuse(`strconv.ParseInt: parsing ${JSON.stringify(ts)}: invalid syntax`);
        if (typeof line !== 'string')
          return refuse(`streams[${i}].values[${j}]: the log line must be a string`);
        if (
          metadata !== undefined &&
          (typeof metadata !== 'object' ||
            metadata === null ||
            Object.values(metadata).some((m) => typeof m !== 'string'))
        )
          return refuse(`streams[${i}].values[${j}]: structured metadata must be an object of strings`);
        entries.push({
          ns: BigInt(ts),
          line,
          ...(metadata ? { metadata: metadata as Record<string, string> } : {}),
        });
      }
      decoded.push({ labels: stream as Record<string, string>, entries });
    }
    const errors = decoded.flatMap((s) => store.write(tenant, s.labels, s.entries, Date.now()));
    if (errors.length) return refuse(groupedErrors(errors));
    return { status: 204, tenant };
  }

  function handle(request: IncomingMessage, raw: Buffer): { reply: Reply; params: URLSearchParams } {
    const url = new URL(request.url ?? '/', 'http://loki');
    const method = request.method ?? 'GET';
    const params = new URLSearchParams(url.search);
    const problems: string[] = [];

    if (options.bearer !== undefined) {
      const authorization = String(request.headers.authorization ?? '');
      if (authorization !== `Bearer ${options.bearer}`)
        return {
          reply: {
            status: 401,
            body: NGINX_401,
            headers: { 'content-type': 'text/html' },
            violation: authorization ? 'a wrong bearer token' : 'no Authorization header',
          },
          params,
        };
    }

    if (url.pathname === QUERY_PATH) {
      if (method !== 'GET' && method !== 'POST')
        return {
          reply: { status: 405, violation: `${method} ${QUERY_PATH}: Loki routes only GET and POST` },
          params,
        };
      const fault = faults.shift();
      if (fault) return { reply: { ...fault, injected: true }, params };
      if (method === 'POST' && raw.length > 0) {
        if (mediaType(request.headers['content-type']) === 'application/x-www-form-urlencoded') {
          // Go's ParseForm: body values come before the URL's.
          const form = new URLSearchParams(raw.toString('utf8'));
          for (const [k, v] of params) form.append(k, v);
          return finish(query(request, form, problems), form, problems);
        }
        problems.push(
          `POST with content-type ${request.headers['content-type'] ?? '(none)'}: Loki reads only a form-encoded body (application/x-www-form-urlencoded) and ignored this one`,
        );
      }
      return finish(query(request, params, problems), params, problems);
    }
    if (url.pathname === PUSH_PATH) {
      if (method !== 'POST')
        return {
          reply: { status: 405, violation: `${method} ${PUSH_PATH}: the push endpoint takes POST` },
          params,
        };
      return finish(push(request, raw), params, problems);
    }
    if (url.pathname === '/ready' && method === 'GET')
      return {
        reply: { status: 200, body: 'ready\n', headers: { 'content-type': 'text/plain; charset=utf-8' } },
        params,
      };
    if (OTHER_ENDPOINTS.test(url.pathname))
      return {
        reply: {
          ...lokiError(501, `the Loki fake does not serve ${url.pathname}`),
          violation: undefined,
          unsupported: `${method} ${url.pathname}`,
        },
        params,
      };
    return {
      reply: goHttpError(404, '404 page not found', `no Loki endpoint at ${method} ${url.pathname}`),
      params,
    };
  }

  function finish(
    reply: Reply,
    params: URLSearchParams,
    problems: string[],
  ): { reply: Reply; params: URLSearchParams } {
    const violation = [...problems, ...(reply.violation ? [reply.violation] : [])].join('; ');
    return { reply: { ...reply, violation: violation || undefined }, params };
  }

  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const method = request.method ?? 'GET';
      const path = new URL(request.url ?? '/', 'http://loki').pathname;
      let handled: { reply: Reply; params: URLSearchParams };
      try {
        handled = handle(request, Buffer.concat(chunks));
      } catch (error) {
        const message = `the Loki fake crashed on ${method} ${request.url}: ${(error as Error).stack}`;
        handled = {
          reply: { ...lokiError(500, message), violation: undefined, unsupported: message },
          params: new URLSearchParams(),
        };
      }
      const { reply, params } = handled;
      if (reply.violation) violations.push({ method, path, kind: 'violation', problem: reply.violation });
      if (reply.unsupported)
        violations.push({ method, path, kind: 'unsupported', problem: reply.unsupported });
      const first: Record<string, string> = {};
      for (const [k, v] of params) if (!(k in first)) first[k] = v;
      requests.push({
        method,
        path,
        params: first,
        headers: headerRecord(request),
        status: reply.status,
        ...(reply.tenant !== undefined ? { tenant: reply.tenant } : {}),
        ...(reply.injected ? { injected: true } : {}),
      });
      response.writeHead(reply.status, reply.headers ?? {});
      response.end(reply.body);
    });
  };
  const server: Server = createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    push(labels, lines) {
      const now = Date.now();
      const entries = lines.map((l) => {
        const { line, at = now } = typeof l === 'string' ? { line: l } : l;
        return { ns: BigInt(Math.round(at)) * 1_000_000n, line };
      });
      const errors = store.write(ownTenant, labels, entries, now);
      if (errors.length) throw new Error(`Loki would refuse this push (400): ${groupedErrors(errors)}`);
    },
    violations: () => [...violations],
    takeViolations: () => violations.splice(0),
    failNext(status, body, headers = {}) {
      faults.push({
        status,
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
