/**
 * The Prometheus client against a real Prometheus (Debian's package), which
 * scrapes a prom-client registry served from this process every second.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrometheusServer, startPrometheus } from '../../../../test/support/prometheus.js';
import type { BackendSettings, HttpOptions, QueryCheck } from '../../src/analysis/config.js';
import { prometheusProvider } from '../../src/analysis/providers/prometheus.js';
import { measure as measureOn } from '../../src/analysis/sources/query.js';

/** One evaluation of `check` on the Prometheus `on`, as the query source makes it. */
const measure = (check: QueryCheck, on: BackendSettings, http: HttpOptions, interval: number) =>
  measureOn(check, prometheusProvider(on, http), interval);

const settings: HttpOptions = { timeoutMs: 5000, followRedirects: false, insecureTls: false };
let metrics: http.Server;
let prometheus: PrometheusServer;
let secured: PrometheusServer;
let source: BackendSettings;

beforeAll(async () => {
  const registry = new client.Registry();
  const depth = new client.Gauge({
    name: 'queue_depth',
    help: 'Jobs waiting, per queue.',
    labelNames: ['queue'],
    registers: [registry],
  });
  depth.set({ queue: 'mail' }, 3);
  depth.set({ queue: 'billing' }, 12);
  metrics = http.createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
  });
  await new Promise<void>((resolve) => metrics.listen(0, '127.0.0.1', resolve));
  const target = `127.0.0.1:${(metrics.address() as AddressInfo).port}`;
  [prometheus, secured] = await Promise.all([
    startPrometheus({ targets: [target], job: 'app' }),
    startPrometheus({
      targets: [target],
      job: 'app',
      basicAuth: { username: 'reader', password: 'pr0m-s3cret' },
    }),
  ]);
  await prometheus.waitFor('count(queue_depth)', (v) => v === 2);
  source = { url: new URL(prometheus.url), headers: {} };
});

afterAll(async () => {
  await Promise.all([prometheus?.stop(), secured?.stop()]);
  metrics?.closeAllConnections();
  await new Promise((r) => metrics?.close(r));
});

describe('measure', () => {
  it('passes when every series is within bounds', async () => {
    const m = await measure({ name: 'depth', query: 'queue_depth', max: 20, min: 1 }, source, settings, 0);
    expect(m.outcome).toBe('pass');
    expect(m.values.map((s) => [s.labels.queue, s.value]).sort()).toEqual([
      ['billing', 12],
      ['mail', 3],
    ]);
  });

  it('fails naming the value, the series and the bound', async () => {
    const m = await measure({ name: 'depth', query: 'queue_depth{job="app"}', max: 10 }, source, settings, 4);
    expect(m).toMatchObject({ outcome: 'fail', interval: 4 });
    expect(m.failure).toMatch(
      /^query "depth" = 12 \{__name__="queue_depth", .*queue="billing".*\}, over max 10$/,
    );
    const under = await measure({ name: 'depth', query: 'min(queue_depth)', min: 5 }, source, settings, 0);
    expect(under.failure).toBe('query "depth" = 3, under min 5');
  });

  it('reads a scalar result', async () => {
    const m = await measure({ name: 'three', query: 'scalar(vector(3))', max: 2 }, source, settings, 0);
    expect(m.failure).toBe('query "three" = 3, over max 2');
  });

  it('reports an empty result and a NaN result as no data', async () => {
    const empty = await measure({ name: 'none', query: 'no_such_metric', max: 1 }, source, settings, 0);
    expect(empty).toMatchObject({
      outcome: 'no-data',
      failure: `query "none" on Prometheus ${prometheus.url}/ returned no data`,
    });
    const nan = await measure(
      { name: 'ratio', query: 'sum(queue_depth) * 0 / 0', max: 1 },
      source,
      settings,
      0,
    );
    expect(nan).toMatchObject({
      outcome: 'no-data',
      failure: `query "ratio" on Prometheus ${prometheus.url}/ returned no data (only NaN)`,
    });
  });

  it('reports a bad query with the server’s own message, naming the query and the server', async () => {
    const m = await measure({ name: 'typo', query: 'sum(rate(queue_depth[1m]', max: 1 }, source, settings, 0);
    expect(m.outcome).toBe('error');
    expect(m.failure).toMatch(
      new RegExp(`^query "typo" on Prometheus ${prometheus.url}/: answered 400: bad_data: .*parse error`),
    );
    const range = await measure({ name: 'range', query: 'queue_depth[1m]', max: 1 }, source, settings, 0);
    expect(range.failure).toContain('returned a range vector; write an instant query');
  });

  it('authenticates with basic credentials, and says so when they are wrong', async () => {
    const url = new URL(secured.url);
    const ok = await measure(
      { name: 'depth', query: 'count(queue_depth)', min: 0 },
      { url, headers: { authorization: `Basic ${Buffer.from('reader:pr0m-s3cret').toString('base64')}` } },
      settings,
      0,
    );
    expect(ok.outcome).not.toBe('error');
    const wrong = await measure(
      { name: 'depth', query: 'count(queue_depth)', min: 0 },
      { url, headers: { authorization: `Basic ${Buffer.from('reader:wrong').toString('base64')}` } },
      settings,
      0,
    );
    expect(wrong).toMatchObject({ outcome: 'error' });
    expect(wrong.failure).toBe(
      `query "depth" on Prometheus ${secured.url}/: answered 401: Unauthorized (check the credentials)`,
    );
  });
});
