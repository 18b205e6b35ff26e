/**
 * Prometheus, and every server with its HTTP API (VictoriaMetrics, Thanos,
 * Mimir): PromQL instant queries over `/api/v1/query` at the evaluation's
 * moment, each answer turned into series of numbers.
 */
import { displayUrl } from '../../secrets.js';
import type { BackendSettings, HttpOptions } from '../config.js';
import { type MetricProvider, ProviderError, type Series } from '../metric.js';
import type { HttpAnswer } from '../request.js';
import { answerText, askBackend, jsonBody } from './backend.js';

/** The answer of the query API (Prometheus and Loki share its shape). */
export interface QueryApiAnswer {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
}

interface VectorSample {
  metric?: Record<string, string>;
  value: [number, string];
}

export function prometheusProvider(backend: BackendSettings, http: HttpOptions): MetricProvider {
  return {
    describe: `Prometheus ${displayUrl(backend.url)}`,
    async evaluate({ query, at, deadline, signal }) {
      // POST keeps long queries out of URL length limits; Prometheus accepts both.
      const answer = await askBackend(
        backend,
        {
          path: 'api/v1/query',
          method: 'POST',
          form: [
            ['query', query],
            ['time', (at / 1000).toFixed(3)],
          ],
        },
        http,
        { deadline, signal },
      );
      return instantSeries(answer, jsonBody(answer), 'Prometheus', {
        matrix: 'returned a range vector; write an instant query (e.g. wrap it in rate() or max_over_time())',
      });
    },
  };
}

/**
 * The series of an instant query's answer (a scalar is one series without
 * labels). `unlike` says what to write instead of a result type that is not
 * a number.
 */
export function instantSeries(
  answer: HttpAnswer,
  parsed: unknown,
  api: string,
  unlike: Record<string, string>,
): Series[] {
  const result = parsed as QueryApiAnswer | undefined;
  if (!result || typeof result !== 'object' || !('status' in result))
    throw new ProviderError(
      answer.status >= 400
        ? answerText(answer)
        : `answered ${answer.status} with something that is not a ${api} API response`,
    );
  if (result.status !== 'success' || answer.status >= 400)
    throw new ProviderError(
      `answered ${answer.status}: ${result.errorType ?? 'error'}: ${result.error ?? 'no error message'}`,
    );
  const data = result.data;
  switch (data?.resultType) {
    case 'vector':
      return (data.result as VectorSample[]).map((s) => ({
        labels: s.metric ?? {},
        value: parseValue(s.value[1]),
      }));
    case 'scalar':
      return [{ labels: {}, value: parseValue((data.result as [number, string])[1]) }];
    default: {
      const type = String(data?.resultType);
      throw new ProviderError(unlike[type] ?? `returned a result of type ${type}, not a number`);
    }
  }
}

/** Prometheus writes +Inf, -Inf and NaN as text; Number() reads Infinity only when spelled so. */
function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}
