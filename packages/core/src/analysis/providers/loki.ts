/**
 * Loki: LogQL metric queries (`sum(rate({app="shop"} |= "ERROR" [1m]))`)
 * over `/loki/api/v1/query` at the evaluation's moment, so teams with logs
 * but no metrics can judge a release by its error lines. A log query (a
 * stream selector alone) returns lines, not numbers (Loki 3.2 and later
 * refuse it on this endpoint; earlier versions answer its lines): either way
 * it is an error saying what to write instead.
 */
import { displayUrl } from '../../secrets.js';
import type { BackendSettings, HttpOptions } from '../config.js';
import { type MetricProvider, ProviderError } from '../metric.js';
import { askBackend, jsonBody } from './backend.js';
import { instantSeries } from './prometheus.js';

const EXAMPLE = 'sum(count_over_time({app="shop"} |= "ERROR" [1m]))';

export function lokiProvider(backend: BackendSettings, http: HttpOptions): MetricProvider {
  return {
    describe: `Loki ${displayUrl(backend.url)}`,
    async evaluate({ query, at, deadline, signal }) {
      const answer = await askBackend(
        backend,
        {
          path: 'loki/api/v1/query',
          params: [
            ['query', query],
            // Nanoseconds since the epoch, as Loki reads a bare number.
            ['time', `${Math.round(at)}000000`],
          ],
        },
        http,
        { deadline, signal },
      );
      // Loki 3.2 and later refuse a log query on the instant endpoint, advising a range query:
      // not what a check needs, so say what to write instead.
      if (
        answer.status === 400 &&
        answer.body.includes('log queries are not supported as an instant query type')
      )
        throw new ProviderError(
          `is a log query, which returns lines, not a number: write a metric query, e.g. ${EXAMPLE}`,
        );
      return instantSeries(answer, jsonBody(answer), 'Loki', {
        streams: `returned log lines, not a number: write a metric query, e.g. ${EXAMPLE}`,
        matrix: 'returned a range of values; write an instant metric query (rate(), count_over_time(), …)',
      });
    },
  };
}
