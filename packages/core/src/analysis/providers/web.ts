/**
 * Any HTTP endpoint that answers JSON: the query is the URL, a JSONPath
 * (`$.errors.rate`, `$.queues[*].depth`) selects the numbers. Each selected
 * number is a series labelled by where it was found, so several can be
 * bounded at once. `jsonpath-plus` is loaded only when a web query runs.
 */
import { displayUrl } from '../../secrets.js';
import type { HttpOptions, WebRequest } from '../config.js';
import { type MetricProvider, ProviderError, type Series } from '../metric.js';
import { answerText, askBackend, jsonBody } from './backend.js';

export function webProvider(
  request: WebRequest,
  shared: { headers: Record<string, string> },
  http: HttpOptions,
): MetricProvider {
  return {
    describe: 'web',
    async evaluate({ query, deadline, signal }) {
      const url = new URL(query);
      const answer = await askBackend(
        { url, headers: { ...shared.headers, ...request.headers } },
        {
          method: request.body !== undefined ? 'POST' : 'GET',
          ...(request.body !== undefined
            ? { body: request.body, headers: { 'content-type': 'application/json' } }
            : {}),
        },
        http,
        { deadline, signal },
      ).catch((error: unknown) => {
        if (error instanceof ProviderError) throw new ProviderError(`${displayUrl(url)}: ${error.message}`);
        throw error;
      });
      if (answer.status < 200 || answer.status > 299)
        throw new ProviderError(`${displayUrl(url)} ${answerText(answer)}`);
      const parsed = jsonBody(answer);
      if (parsed === undefined)
        throw new ProviderError(
          `${displayUrl(url)} answered ${answer.status} with something that is not JSON`,
        );
      return await select(parsed, request.jsonPath);
    },
  };
}

/** The numbers `path` selects in `json`: numbers and numeric strings; null is no data; anything else an error. */
export async function select(json: unknown, path: string): Promise<Series[]> {
  const { JSONPath } = await import('jsonpath-plus');
  let found: Array<{ value: unknown; path: string }>;
  try {
    found = JSONPath({ path, json: json as object, resultType: 'all', wrap: true, eval: 'safe' }) as Array<{
      value: unknown;
      path: string;
    }>;
  } catch (error) {
    throw new ProviderError(`json-path ${path} could not be evaluated: ${(error as Error).message}`);
  }
  return found.map(({ value, path: where }) => {
    const labels: Record<string, string> = found.length > 1 ? { path: where } : {};
    if (value === null) return { labels, value: Number.NaN };
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim()
          ? Number(value)
          : Number.NaN;
    if (typeof value !== 'number' && Number.isNaN(number))
      throw new ProviderError(
        `json-path ${path} selected ${JSON.stringify(value)?.slice(0, 80)} at ${where}, not a number`,
      );
    return { labels, value: number };
  });
}
