/**
 * Prometheus as a source of evidence: PromQL instant queries over the HTTP
 * API (`/api/v1/query`), each series checked against the query's bounds.
 */
import { displayUrl, type HttpOptions, type PrometheusSource, type QueryCheck } from './config.js';
import { httpRequest, RequestError } from './request.js';

export interface Series {
  labels: Record<string, string>;
  value: number;
}

/** What one evaluation of a query found. `error` and `no-data` are judged later, by policy. */
export type MeasurementOutcome = 'pass' | 'fail' | 'no-data' | 'error';

/** One evaluation of one query, as the report keeps it. */
export interface Measurement {
  check: string;
  interval: number;
  /** When the query was sent, in milliseconds since the epoch. */
  at: number;
  outcome: MeasurementOutcome;
  values: Series[];
  /** Why it failed, found nothing, or errored: names the query and, for errors, the server. */
  failure?: string;
}

/** The server answered something other than a result, or could not be reached. */
export class PrometheusError extends Error {
  override readonly name = 'PrometheusError';
}

/** Runs an instant query and returns its series (a scalar is one series without labels). */
export async function queryPrometheus(
  source: PrometheusSource,
  query: string,
  settings: HttpOptions,
  signal?: AbortSignal,
): Promise<Series[]> {
  const endpoint = new URL(
    'api/v1/query',
    source.url.href.endsWith('/') ? source.url : `${source.url.href}/`,
  );
  let answer: Awaited<ReturnType<typeof httpRequest>>;
  try {
    // POST keeps long queries out of URL length limits; Prometheus accepts both.
    answer = await httpRequest(endpoint, {
      method: 'POST',
      headers: {
        ...source.headers,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ query }).toString(),
      http: settings,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof RequestError) throw new PrometheusError(error.reason);
    throw error;
  }
  let parsed: PrometheusAnswer | undefined;
  try {
    parsed = JSON.parse(answer.body) as PrometheusAnswer;
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || !('status' in parsed)) {
    throw new PrometheusError(
      `answered ${answer.status} with something that is not a Prometheus API response${
        answer.status === 401 || answer.status === 403 ? ' (check the credentials)' : ''
      }`,
    );
  }
  if (parsed.status !== 'success' || answer.status >= 400)
    throw new PrometheusError(
      `answered ${answer.status}: ${parsed.errorType ?? 'error'}: ${parsed.error ?? 'no error message'}`,
    );
  const data = parsed.data;
  switch (data?.resultType) {
    case 'vector':
      return (data.result as VectorSample[]).map((s) => ({
        labels: s.metric ?? {},
        value: parseValue(s.value[1]),
      }));
    case 'scalar':
      return [{ labels: {}, value: parseValue((data.result as [number, string])[1]) }];
    case 'matrix':
      throw new PrometheusError(
        'returned a range vector; write an instant query (e.g. wrap it in rate() or max_over_time())',
      );
    default:
      throw new PrometheusError(`returned a result of type ${String(data?.resultType)}, not a number`);
  }
}

interface PrometheusAnswer {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
}

interface VectorSample {
  metric?: Record<string, string>;
  value: [number, string];
}

function parseValue(text: string): number {
  // Prometheus writes +Inf, -Inf and NaN as text; Number() reads the first two as Infinity only when spelled so.
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/**
 * Evaluates one query against its bounds. NaN series (a ratio of zero to
 * zero when there is no traffic) carry no evidence and count as no data.
 */
export async function measure(
  check: QueryCheck,
  source: PrometheusSource,
  settings: HttpOptions,
  interval: number,
  signal?: AbortSignal,
): Promise<Measurement> {
  const at = Date.now();
  const server = displayUrl(source.url);
  let series: Series[];
  try {
    series = await queryPrometheus(source, check.query, settings, signal);
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    return {
      check: check.name,
      interval,
      at,
      outcome: 'error',
      values: [],
      failure: `query "${check.name}" on Prometheus ${server}: ${error.message}`,
    };
  }
  const values = series.filter((s) => !Number.isNaN(s.value));
  if (values.length === 0)
    return {
      check: check.name,
      interval,
      at,
      outcome: 'no-data',
      values: series,
      failure: `query "${check.name}" on Prometheus ${server} returned no data${series.length ? ' (only NaN)' : ''}`,
    };
  const outside = values.filter(
    (s) =>
      (check.max !== undefined && s.value > check.max) || (check.min !== undefined && s.value < check.min),
  );
  if (outside.length === 0) return { check: check.name, interval, at, outcome: 'pass', values };
  const first = outside[0]!;
  const bound =
    check.max !== undefined && first.value > check.max ? `over max ${check.max}` : `under min ${check.min}`;
  const more = outside.length > 1 ? ` and ${outside.length - 1} more series` : '';
  return {
    check: check.name,
    interval,
    at,
    outcome: 'fail',
    values,
    failure: `query "${check.name}" = ${formatValue(first.value)}${formatLabels(first.labels)}, ${bound}${more}`,
  };
}

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

export function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? ` {${entries.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : '';
}
