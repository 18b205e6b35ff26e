/**
 * Datadog: metric queries over the v1 query API (`GET /api/v1/query`),
 * bounded to the window that ends at the evaluation's moment, signed with
 * an API key and an application key. Each series' value is its newest
 * point that holds one (Datadog fills the end of a window with nulls while
 * it ingests); its tags are its labels.
 */
import { displayUrl } from '../../secrets.js';
import type { BackendSettings, HttpOptions } from '../config.js';
import { type MetricProvider, ProviderError, type Series } from '../metric.js';
import { answerText, askBackend, jsonBody } from './backend.js';

/** The answer of `GET /api/v1/query` (MetricsQueryResponse), the parts read here. */
interface QueryAnswer {
  status?: string;
  error?: string;
  errors?: string[];
  series?: Array<{
    metric?: string;
    expression?: string;
    scope?: string;
    tag_set?: string[];
    pointlist?: Array<[number | null, number | null]>;
  }>;
}

export function datadogProvider(backend: BackendSettings, http: HttpOptions): MetricProvider {
  return {
    describe: `Datadog ${displayUrl(backend.url)}`,
    async evaluate({ query, at, lookbackMs, deadline, signal }) {
      const to = Math.floor(at / 1000);
      const answer = await askBackend(
        backend,
        {
          path: 'api/v1/query',
          params: [
            ['from', String(to - Math.max(1, Math.round(lookbackMs / 1000)))],
            ['to', String(to)],
            ['query', query],
          ],
        },
        http,
        { deadline, signal },
      );
      const parsed = jsonBody(answer) as QueryAnswer | undefined;
      if (answer.status >= 400 || !parsed || typeof parsed !== 'object')
        throw new ProviderError(
          answer.status >= 400
            ? answerText(answer, parsed?.errors?.join('; ') ?? parsed?.error)
            : `answered ${answer.status} with something that is not a Datadog API response`,
        );
      if (parsed.status === 'error' || parsed.error)
        throw new ProviderError(answerText(answer, parsed.error ?? 'status error'));
      return (parsed.series ?? []).map(seriesOf);
    },
  };
}

function seriesOf(series: NonNullable<QueryAnswer['series']>[number]): Series {
  const points = (series.pointlist ?? []).filter(
    (point): point is [number, number] => point[0] !== null && typeof point[1] === 'number',
  );
  const newest = points.reduce<[number, number] | undefined>(
    (latest, point) => (latest === undefined || point[0] > latest[0] ? point : latest),
    undefined,
  );
  const labels: Record<string, string> = {};
  for (const tag of series.tag_set ?? []) {
    const colon = tag.indexOf(':');
    if (colon > 0) labels[tag.slice(0, colon)] = tag.slice(colon + 1);
    else labels[tag] = '';
  }
  if (!series.tag_set?.length && series.scope && series.scope !== '*') labels.scope = series.scope;
  return { labels, value: newest ? newest[1] : Number.NaN };
}

/** The API's host for a Datadog site (`datadoghq.eu` → `https://api.datadoghq.eu/`). */
export function datadogUrl(site: string): URL {
  return new URL(`https://api.${site}/`);
}
