/**
 * InfluxDB 1.x: InfluxQL over the `/query` HTTP API (Flux and 2.x are not
 * spoken here). The query states its own time range
 * (`WHERE time > now() - {{lookback}}`); each series' newest non-null row is its value,
 * its tags are its labels, and a second value column is a second series
 * labelled by the column's name.
 */
import { displayUrl } from '../../secrets.js';
import type { BackendSettings, HttpOptions } from '../config.js';
import { type MetricProvider, ProviderError, type Series } from '../metric.js';
import { answerText, askBackend, jsonBody } from './backend.js';

export interface InfluxSettings extends BackendSettings {
  database: string;
  retentionPolicy?: string;
}

interface InfluxAnswer {
  results?: Array<{ statement_id?: number; series?: InfluxSeries[]; error?: string }>;
  error?: string;
}

interface InfluxSeries {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}

export function influxProvider(settings: InfluxSettings, http: HttpOptions): MetricProvider {
  return {
    describe: `InfluxDB ${displayUrl(settings.url)} (database ${settings.database})`,
    async evaluate({ query, deadline, signal }) {
      const answer = await askBackend(
        settings,
        {
          path: 'query',
          // GET runs only reads (SELECT, SHOW): InfluxDB refuses anything that writes over GET.
          params: [
            ['db', settings.database],
            ...(settings.retentionPolicy
              ? ([['rp', settings.retentionPolicy]] as Array<[string, string]>)
              : []),
            ['q', query],
            ['epoch', 'ms'],
          ],
        },
        http,
        { deadline, signal },
      );
      const parsed = jsonBody(answer) as InfluxAnswer | undefined;
      if (!parsed || typeof parsed !== 'object')
        throw new ProviderError(
          answer.status >= 400
            ? answerText(answer)
            : `answered ${answer.status} with something that is not an InfluxDB API response`,
        );
      if (answer.status >= 400 || parsed.error) throw new ProviderError(answerText(answer, parsed.error));
      const results = parsed.results ?? [];
      if (results.length !== 1)
        throw new ProviderError(`answered ${results.length} statements' results; write one SELECT statement`);
      const [result] = results;
      if (result!.error) throw new ProviderError(answerText(answer, result!.error));
      return (result!.series ?? []).flatMap(seriesOf);
    },
  };
}

/**
 * One InfluxDB series' value: per value column, the newest row that holds
 * one (with `GROUP BY time() fill(null)` the newest bucket is often still
 * empty); null everywhere is no data (NaN).
 */
function seriesOf(series: InfluxSeries): Series[] {
  const rows = series.values ?? [];
  if (!rows.length) return [];
  const columns = series.columns
    .map((name, index) => ({ name, index }))
    .filter((column) => column.name !== 'time');
  return columns.map(({ name, index }) => {
    const row = rows.findLast((r) => r[index] !== null && r[index] !== undefined);
    const value = row?.[index];
    const number = value === undefined ? Number.NaN : typeof value === 'number' ? value : Number(value);
    if (value !== undefined && typeof value !== 'number' && Number.isNaN(number))
      throw new ProviderError(`returned ${JSON.stringify(value)} in column "${name}", not a number`);
    return {
      labels: { ...(series.tags ?? {}), ...(columns.length > 1 ? { column: name } : {}) },
      value: number,
    };
  });
}

/** A value inside an InfluxQL string literal (`"slot" = '{{slot}}'`): backslashes and single quotes escaped. */
export function influxString(value: string): string {
  return value.replace(/[\\']/g, (c) => `\\${c}`);
}
