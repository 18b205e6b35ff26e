/**
 * A fake of Amazon CloudWatch's `GetMetricData`, in-process on loopback, for
 * the provider that reaches it through the official `@aws-sdk/client-cloudwatch`
 * (pointed here with `endpoint`). The SDK sends and parses, so a request the
 * SDK cannot build or an answer it cannot read fails the test; the fake
 * checks what the SDK leaves to the service, as the API reference
 * (GetMetricData, MetricDataQuery, Common Errors) documents it:
 *
 * - the protocol the SDK speaks to CloudWatch today: AWS JSON 1.0 over
 *   `POST /`, `X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`,
 *   `Content-Type: application/x-amz-json-1.0`, `x-amzn-query-mode: true`
 *   (CloudWatch is "awsQueryCompatible": errors carry `x-amzn-query-error:
 *   Code;Sender`), timestamps as epoch seconds;
 * - a Signature Version 4 signature, recomputed here with Smithy's own signer
 *   (`@smithy/signature-v4`, what the SDK signs with) for the one access key
 *   the test gave; a wrong key or signature is 403 `SignatureDoesNotMatch` /
 *   `UnrecognizedClientException`;
 * - 1 to 500 queries, ids `^[a-z][a-zA-Z0-9_]*$` and unique, each a metric
 *   (`MetricStat` with Period and Stat) or an `Expression`, never both; at
 *   least one returned; `StartTime` before `EndTime` — else 400
 *   `ValidationError` / `InvalidParameterValue`, as the API says.
 *
 * Where the service is unkind, so is the fake: datapoints come newest first
 * (ScanBy defaults to TimestampDescending); a window with no datapoints is a
 * result with empty `Values` and `StatusCode: Complete`, not an error; results
 * are paged (at most `pageSize` datapoints per answer, with `NextToken`);
 * `throttleNext` answers 400 `Throttling` "Rate exceeded", which the SDK
 * retries with backoff. Expressions: an id, a number, and `a / b`, `a * b`,
 * `a + b`, `a - b` between two of those, per timestamp (metric math's
 * elementwise rule); anything else is answered 400 and recorded as
 * unsupported, so no test passes on math the fake does not do.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Datapoint {
  /** Milliseconds since the epoch. */
  at: number;
  value: number;
}

export interface MetricKey {
  namespace: string;
  metric: string;
  dimensions?: Record<string, string>;
  stat: string;
}

export interface CloudWatchFake {
  /** `http://127.0.0.1:<port>/`, the client's `endpoint`. */
  url: string;
  region: string;
  /** The credentials the fake accepts (put them in the step's AWS_* variables). */
  accessKeyId: string;
  secretAccessKey: string;
  /** Datapoints of one metric and statistic, already aggregated per period (what CloudWatch stores). */
  setDatapoints(key: MetricKey, points: Datapoint[]): void;
  /** Every GetMetricData request body, parsed. */
  requests: Array<Record<string, unknown>>;
  /** Requests that break the API's rules, and expressions the fake does not evaluate. */
  takeViolations(): string[];
  /** The next `count` requests are throttled (400 Throttling). */
  throttleNext(count: number): void;
  stop(): Promise<void>;
}

class Sha256 {
  private readonly hash;
  constructor(secret?: Uint8Array | string) {
    this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const ID = /^[a-z][a-zA-Z0-9_]*$/;

export async function startCloudWatchFake(
  options: { region?: string; pageSize?: number } = {},
): Promise<CloudWatchFake> {
  const region = options.region ?? 'eu-west-1';
  const pageSize = options.pageSize ?? 3;
  const accessKeyId = 'AKIAFAKECLOUDWATCH01';
  const secretAccessKey = 'cw-secret-planted-0b7f3d9e21';
  const stored = new Map<string, Datapoint[]>();
  const violations: string[] = [];
  const requests: Array<Record<string, unknown>> = [];
  let throttled = 0;
  const keyOf = (k: MetricKey) =>
    JSON.stringify([k.namespace, k.metric, Object.entries(k.dimensions ?? {}).sort(), k.stat]);

  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service: 'monitoring',
    sha256: Sha256 as never,
  });

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      void handle(req, body).then(
        ({ status, payload, headers }) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
          res.end(JSON.stringify(payload));
        },
        (error: unknown) => {
          violations.push(`the fake failed: ${(error as Error).stack}`);
          res.writeHead(500).end();
        },
      );
    });
  });

  const error = (status: number, code: string, message: string, sender = 'Sender') => ({
    status,
    payload: { __type: `com.amazonaws.cloudwatch#${code}`, message },
    headers: { 'x-amzn-query-error': `${code};${sender}` },
  });

  async function handle(
    req: http.IncomingMessage,
    body: string,
  ): Promise<{ status: number; payload: unknown; headers?: Record<string, string> }> {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || req.url !== '/') {
      violations.push(`${req.method} ${req.url}: the JSON protocol is POST /`);
      return error(404, 'UnknownOperationException', 'not found');
    }
    if (target !== 'GraniteServiceVersion20100801.GetMetricData') {
      violations.push(`X-Amz-Target ${target}: only GetMetricData is served`);
      return error(400, 'UnknownOperationException', `unknown operation ${target}`);
    }
    if (req.headers['content-type'] !== 'application/x-amz-json-1.0')
      violations.push(`Content-Type ${req.headers['content-type']}, not application/x-amz-json-1.0`);
    const signed = await signatureProblem(req, body);
    if (signed) return error(403, signed.code, signed.message);
    if (throttled > 0) {
      throttled--;
      return error(400, 'Throttling', 'Rate exceeded');
    }
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      violations.push('a body that is not JSON');
      return error(400, 'SerializationException', 'body is not JSON');
    }
    requests.push(input);
    const problem = validate(input);
    if (problem) {
      violations.push(problem.message);
      return error(400, problem.code, problem.message);
    }
    return { status: 200, payload: answer(input) };
  }

  async function signatureProblem(
    req: http.IncomingMessage,
    body: string,
  ): Promise<{ code: string; message: string } | undefined> {
    const authorization = String(req.headers.authorization ?? '');
    const match =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    if (!match) {
      violations.push(`an Authorization header that is not SigV4: ${authorization.slice(0, 40)}`);
      return { code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' };
    }
    const [, key, , signedRegion, service, signedHeaders, signature] = match;
    if (key !== accessKeyId)
      return {
        code: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      };
    if (signedRegion !== region || service !== 'monitoring')
      violations.push(`signed for ${signedRegion}/${service}, not ${region}/monitoring`);
    const headers: Record<string, string> = {};
    for (const name of signedHeaders!.split(';')) headers[name] = String(req.headers[name] ?? '');
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const date = new Date(
      amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    const [host, port] = String(req.headers.host).split(':');
    const resigned = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: host!,
        ...(port ? { port: Number(port) } : {}),
        path: '/',
        query: {},
        headers,
        body,
      },
      { signingDate: date, unsignableHeaders: new Set(), signableHeaders: new Set(Object.keys(headers)) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1];
    if (expected !== signature)
      return {
        code: 'SignatureDoesNotMatch',
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      };
    return undefined;
  }

  function validate(input: Record<string, unknown>): { code: string; message: string } | undefined {
    const queries = input.MetricDataQueries as Array<Record<string, unknown>> | undefined;
    const invalid = (message: string) => ({ code: 'InvalidParameterValue', message });
    if (!Array.isArray(queries) || queries.length < 1 || queries.length > 500)
      return { code: 'ValidationError', message: 'MetricDataQueries must hold 1 to 500 queries' };
    const ids = new Set<string>();
    for (const q of queries) {
      const id = String(q.Id ?? '');
      if (!ID.test(id))
        return invalid(`The value ${id} for parameter MetricDataQueries.member.Id is not valid.`);
      if (ids.has(id))
        return invalid(`The value ${id} for parameter MetricDataQueries.member.Id is duplicated.`);
      ids.add(id);
      const stat = q.MetricStat as Record<string, unknown> | undefined;
      if ((stat === undefined) === (q.Expression === undefined))
        return invalid(`Exactly one element of the MetricStat or the Expression must be set for ${id}.`);
      if (stat && (typeof stat.Period !== 'number' || stat.Period < 1 || typeof stat.Stat !== 'string'))
        return invalid(`MetricStat of ${id} needs a Period and a Stat.`);
      if (stat && (stat.Period as number) % 60 !== 0 && ![1, 5, 10, 30].includes(stat.Period as number))
        return invalid(`The parameter Period of ${id} must be 1, 5, 10, 30 or a multiple of 60.`);
    }
    if (!queries.some((q) => q.ReturnData !== false))
      return invalid('At least one MetricDataQuery must have ReturnData set to true.');
    const start = Number(input.StartTime);
    const end = Number(input.EndTime);
    if (!Number.isFinite(start) || !Number.isFinite(end))
      return { code: 'ValidationError', message: 'StartTime and EndTime are required timestamps' };
    if (start >= end) return invalid('The parameter StartTime must be less than the parameter EndTime.');
    return undefined;
  }

  function answer(input: Record<string, unknown>): unknown {
    const queries = input.MetricDataQueries as Array<Record<string, unknown>>;
    // Epoch seconds, as the JSON protocol writes timestamps.
    const start = Number(input.StartTime) * 1000;
    const end = Number(input.EndTime) * 1000;
    const series = new Map<string, Datapoint[]>();
    for (const q of queries) {
      if (!q.MetricStat) continue;
      const stat = q.MetricStat as { Metric: Record<string, unknown>; Stat: string };
      const dimensions = Object.fromEntries(
        ((stat.Metric.Dimensions ?? []) as Array<{ Name: string; Value: string }>).map((d) => [
          d.Name,
          d.Value,
        ]),
      );
      const key = keyOf({
        namespace: String(stat.Metric.Namespace),
        metric: String(stat.Metric.MetricName),
        dimensions,
        stat: stat.Stat,
      });
      series.set(
        String(q.Id),
        (stored.get(key) ?? []).filter((p) => p.at >= start && p.at < end),
      );
    }
    for (const q of queries)
      if (q.Expression !== undefined) series.set(String(q.Id), evaluate(String(q.Expression), series));
    // Newest first (ScanBy's default), every returned query's points in one list, then paged.
    const returned = queries.filter((q) => q.ReturnData !== false);
    const all = returned.flatMap((q) =>
      [...(series.get(String(q.Id)) ?? [])].sort((a, b) => b.at - a.at).map((p) => ({ id: String(q.Id), p })),
    );
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    const page = all.slice(offset, offset + pageSize);
    const results = returned.map((q) => {
      const mine = page.filter((e) => e.id === q.Id).map((e) => e.p);
      return {
        Id: q.Id,
        Label: q.Label ?? q.Id,
        Timestamps: mine.map((p) => p.at / 1000),
        Values: mine.map((p) => p.value),
        StatusCode: offset + pageSize < all.length ? 'PartialData' : 'Complete',
      };
    });
    return {
      MetricDataResults: results,
      ...(offset + pageSize < all.length ? { NextToken: String(offset + pageSize) } : {}),
      Messages: [],
    };
  }

  function evaluate(expression: string, series: Map<string, Datapoint[]>): Datapoint[] {
    const operand = (text: string): Datapoint[] | number | undefined => {
      const t = text.trim();
      if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
      return series.get(t);
    };
    const match = /^\s*([\w.]+)\s*([-+*/])\s*([\w.]+)\s*$/.exec(expression);
    const single = operand(expression);
    if (!match) {
      if (Array.isArray(single)) return single;
      violations.push(`unsupported in the fake: the expression ${expression}`);
      return [];
    }
    const [, a, op, b] = match;
    const left = operand(a!);
    const right = operand(b!);
    if (left === undefined || right === undefined) {
      violations.push(`unsupported in the fake: the expression ${expression}`);
      return [];
    }
    const apply = (x: number, y: number) =>
      op === '/' ? x / y : op === '*' ? x * y : op === '+' ? x + y : x - y;
    const times = [
      ...new Set(
        [...(Array.isArray(left) ? left : []), ...(Array.isArray(right) ? right : [])].map((p) => p.at),
      ),
    ];
    const at = (side: Datapoint[] | number, time: number) =>
      typeof side === 'number' ? side : side.find((p) => p.at === time)?.value;
    return times
      .map((time) => ({ at: time, l: at(left, time), r: at(right, time) }))
      .filter((e): e is { at: number; l: number; r: number } => e.l !== undefined && e.r !== undefined)
      .map((e) => ({ at: e.at, value: apply(e.l, e.r) }));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    region,
    accessKeyId,
    secretAccessKey,
    setDatapoints: (key, points) => stored.set(keyOf(key), points),
    requests,
    takeViolations: () => violations.splice(0),
    throttleNext: (count) => {
      throttled = count;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
