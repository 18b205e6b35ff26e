/**
 * The Prometheus HTTP API client: PromQL instant queries over
 * `/api/v1/query`, each answer turned into series of numbers. What the
 * numbers mean for a verdict is the query source's business.
 */
import { displayUrl } from '../secrets.js';
import type { HttpOptions, PrometheusSource } from './config.js';
import { type MetricProvider, ProviderError, type Series } from './metric.js';
import { httpRequest, RequestError } from './request.js';

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
 * Prometheus (or a server with its HTTP API: VictoriaMetrics, Thanos, Mimir)
 * as a metric provider for query sources.
 */
export function prometheusProvider(source: PrometheusSource, settings: HttpOptions): MetricProvider {
  return {
    describe: `Prometheus ${displayUrl(source.url)}`,
    async evaluate(query, signal) {
      try {
        return await queryPrometheus(source, query, settings, signal);
      } catch (error) {
        if (error instanceof PrometheusError) throw new ProviderError(error.message);
        throw error;
      }
    },
  };
}
