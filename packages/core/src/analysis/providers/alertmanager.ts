/**
 * Alertmanager as a gate: the query is a list of label matchers
 * (`service="shop",severity="critical"`), the value is how many alerts
 * matching all of them are firing now, over `/api/v2/alerts`. Silenced and
 * inhibited alerts do not count: asked of the server and checked again on
 * each alert's status. A gate's bound is `max: 0` unless it gives another.
 */
import { displayUrl } from '../../secrets.js';
import type { BackendSettings, HttpOptions } from '../config.js';
import { type MetricProvider, ProviderError, type Series } from '../metric.js';
import { answerText, askBackend, jsonBody } from './backend.js';

interface GettableAlert {
  labels?: Record<string, string>;
  status?: { state?: string; silencedBy?: string[]; inhibitedBy?: string[] };
}

export function alertmanagerProvider(backend: BackendSettings, http: HttpOptions): MetricProvider {
  return {
    describe: `Alertmanager ${displayUrl(backend.url)}`,
    async evaluate({ query, deadline, signal }) {
      const matchers = parseMatchers(query);
      if (typeof matchers === 'string') throw new ProviderError(`matchers ${query}: ${matchers}`);
      const answer = await askBackend(
        backend,
        {
          path: 'api/v2/alerts',
          params: [
            ['active', 'true'],
            ['silenced', 'false'],
            ['inhibited', 'false'],
            ['unprocessed', 'true'],
            ...matchers.map((matcher) => ['filter', matcher] as [string, string]),
          ],
        },
        http,
        { deadline, signal },
      );
      const parsed = jsonBody(answer);
      if (answer.status >= 400 || !Array.isArray(parsed))
        throw new ProviderError(
          answer.status >= 400
            ? answerText(answer, (parsed as { message?: unknown } | undefined)?.message)
            : `answered ${answer.status} with something that is not a list of alerts`,
        );
      const firing = (parsed as GettableAlert[]).filter(
        (alert) =>
          (alert.status?.state ?? 'active') !== 'suppressed' &&
          !alert.status?.silencedBy?.length &&
          !alert.status?.inhibitedBy?.length,
      );
      return [countOf(firing)];
    },
  };
}

/** One series: how many alerts fire, labelled with their names (the first five) when any do. */
function countOf(alerts: GettableAlert[]): Series {
  if (!alerts.length) return { labels: {}, value: 0 };
  const names = [...new Set(alerts.map((a) => a.labels?.alertname ?? '(no alertname)'))];
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
  return { labels: { alerts: shown }, value: alerts.length };
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^",{}\s]+)\s*(?:,|$)/;

/**
 * Splits `{service="shop", severity=~"critical|page"}` (braces optional)
 * into one matcher per item, as the API's `filter` parameter takes them.
 * Returns why not when the text is not a list of matchers.
 */
export function parseMatchers(text: string): string[] | string {
  let rest = text.trim();
  if (rest.startsWith('{') && rest.endsWith('}')) rest = rest.slice(1, -1).trim();
  const matchers: string[] = [];
  while (rest.length) {
    const match = MATCHER.exec(rest);
    if (!match)
      return `expected label matchers such as service="shop",severity="critical" (at: ${rest.slice(0, 40)})`;
    const [whole, name, op, value] = match;
    matchers.push(`${name}${op}${value!.startsWith('"') ? value : JSON.stringify(value)}`);
    rest = rest.slice(whole.length).trim();
  }
  if (!matchers.length) return 'expected at least one label matcher such as service="shop"';
  return matchers;
}
