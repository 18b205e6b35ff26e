/**
 * The Grafana Loki fake for tests: push lines, ask instant LogQL queries,
 * get what Loki 3 answers (see server.ts for the documentation it follows).
 *
 *   const loki = await startLokiFake({ tenant: 'shop' });
 *   loki.push({ app: 'shop', slot: 'green' }, ['ERROR payment failed', { line: 'ok', at: Date.now() - 5_000 }]);
 *   // point the code under test at loki.url, with X-Scope-OrgID: shop
 *   expect(loki.takeViolations()).toEqual([]); // every request Loki would refuse, or the fake cannot answer
 *   await loki.stop();
 */
export { EMPTY_COMPATIBLE, LOG_QUERY_ON_INSTANT } from './logql.js';
export {
  type LokiFake,
  type LokiFakeOptions,
  type RecordedRequest,
  startLokiFake,
  type Violation,
} from './server.js';
