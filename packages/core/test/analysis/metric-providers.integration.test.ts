/**
 * The providers that run here, against the real servers (Debian's
 * packages) with real data written into them: InfluxDB 1.6 (InfluxQL, with
 * authentication), Alertmanager 0.25 (the gate: firing, silenced, inhibited)
 * and VictoriaMetrics 1.79 (PromQL through the Prometheus provider). Each
 * through the query source's `measure`, as an analysis evaluates it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AlertmanagerServer, startAlertmanager } from '../../../../test/support/alertmanager.js';
import { type InfluxDBServer, startInfluxDB } from '../../../../test/support/influxdb.js';
import {
  startVictoriaMetrics,
  type VictoriaMetricsServer,
} from '../../../../test/support/victoriametrics.js';
import type { BackendSettings, HttpOptions, QueryCheck } from '../../src/analysis/config.js';
import type { MetricProvider } from '../../src/analysis/metric.js';
import { alertmanagerProvider } from '../../src/analysis/providers/alertmanager.js';
import { influxProvider } from '../../src/analysis/providers/influxdb.js';
import { prometheusProvider } from '../../src/analysis/providers/prometheus.js';
import { measure } from '../../src/analysis/sources/query.js';
import { containsSecret, registerSecret, resetSecretsForTest } from '../../src/secrets.js';

const http: HttpOptions = { timeoutMs: 5000, followRedirects: false, insecureTls: false };
const PASSWORD = 'infl-pw-5d1c7a-planted';
let influx: InfluxDBServer;
let alertmanager: AlertmanagerServer;
let vm: VictoriaMetricsServer;

beforeAll(async () => {
  [influx, alertmanager, vm] = await Promise.all([
    startInfluxDB({ auth: { username: 'admin', password: PASSWORD } }),
    startAlertmanager(),
    startVictoriaMetrics({ targets: [] }),
  ]);
  await influx.createDatabase('shop');
  // One minute of traffic per slot, a point every 10 s: green errs on 20% of requests, blue on 1%,
  // and the "same" measurement has equal error rates on both.
  const now = Date.now();
  const lines: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const at = (now - i * 10_000) * 1_000_000;
    lines.push(`http,slot=green requests=100i,errors=20i ${at}`);
    lines.push(`http,slot=blue requests=100i,errors=1i ${at}`);
    lines.push(`same,slot=green requests=100i,errors=3i ${at}`);
    lines.push(`same,slot=blue requests=100i,errors=3i ${at}`);
  }
  await influx.write('shop', lines.join('\n'));
  await vm.importPrometheus(
    ['queue_depth{queue="mail",slot="green"} 3', 'queue_depth{queue="billing",slot="green"} 12'].join('\n'),
  );
  await vm.waitFor('count(queue_depth)', (v) => v === 2);
}, 90_000);

afterAll(async () => {
  await Promise.all([influx?.stop(), alertmanager?.stop(), vm?.stop()]);
});

beforeEach(() => resetSecretsForTest());

const run = (check: QueryCheck, provider: MetricProvider) =>
  measure(check, provider, 0, { deadline: Date.now() + 20_000 });

describe('InfluxDB 1.x (InfluxQL)', () => {
  const basic = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
  const provider = () =>
    influxProvider({ url: new URL(influx.url), headers: { authorization: basic }, database: 'shop' }, http);
  const ratio = (measurement: string, slot: string) =>
    `SELECT sum("errors") / sum("requests") FROM "${measurement}" WHERE "slot" = '${slot}' AND time > now() - 2m`;

  it('in bounds → pass; out of bounds → fail naming the provider, the query and the value', async () => {
    const good = await run(
      { name: 'errors', provider: 'influxdb', query: ratio('http', 'blue'), max: 0.05 },
      provider(),
    );
    expect(good.outcome).toBe('pass');
    expect(good.values).toEqual([{ labels: {}, value: 0.01 }]);
    const bad = await run(
      { name: 'errors', provider: 'influxdb', query: ratio('http', 'green'), max: 0.05 },
      provider(),
    );
    expect(bad.outcome).toBe('fail');
    expect(bad.failure).toBe('query "errors" (influxdb) = 0.2, over max 0.05');
  });

  it('compare: live — target worse than live fails, equal passes', async () => {
    const compared = (measurement: string): QueryCheck => ({
      name: 'vs live',
      provider: 'influxdb',
      query: ratio(measurement, 'green'),
      compare: { slot: 'green', liveSlot: 'blue', query: ratio(measurement, 'blue'), maxIncrease: 0.01 },
    });
    const worse = await run(compared('http'), provider());
    expect(worse.outcome).toBe('fail');
    expect(worse.failure).toBe(
      'query "vs live" (influxdb) = 0.2 on green vs 0.01 on blue (live): +0.19, over max-increase 0.01',
    );
    expect((await run(compared('same'), provider())).outcome).toBe('pass');
  });

  it("a series per tag with GROUP BY; no data for a slot without points; errors in InfluxDB's words", async () => {
    const grouped = await run(
      {
        name: 'per slot',
        provider: 'influxdb',
        query: 'SELECT sum("errors") FROM "http" WHERE time > now() - 2m GROUP BY "slot"',
        max: 1000,
      },
      provider(),
    );
    expect(grouped.values.sort((a, b) => a.value - b.value)).toEqual([
      { labels: { slot: 'blue' }, value: 6 },
      { labels: { slot: 'green' }, value: 120 },
    ]);
    const empty = await run(
      { name: 'none', provider: 'influxdb', query: ratio('http', 'purple'), max: 1 },
      provider(),
    );
    expect(empty.outcome).toBe('no-data');
    const broken = await run(
      { name: 'broken', provider: 'influxdb', query: 'SELECT FROM', max: 1 },
      provider(),
    );
    expect(broken.outcome).toBe('error');
    expect(broken.failure).toMatch(
      /^query "broken" on InfluxDB http:\/\/127\.0\.0\.1:\d+\/ \(database shop\): answered 400: error parsing query: /,
    );
  });

  it('takes the newest bucket that holds a value: GROUP BY time() fill(null) leaves the newest empty', async () => {
    const m = await run(
      {
        name: 'per minute',
        provider: 'influxdb',
        query: `SELECT sum("errors") FROM "http" WHERE "slot" = 'green' AND time > now() - 3m AND time <= now() + 5m GROUP BY time(1m) fill(null)`,
        max: 1000,
      },
      provider(),
    );
    expect(m.outcome).toBe('pass');
    expect(m.values).toHaveLength(1);
    expect(m.values[0]!.value).toBeGreaterThan(0);
  });

  it('says so when the credentials are wrong, and never shows the password', async () => {
    registerSecret(PASSWORD);
    const wrong = influxProvider(
      {
        url: new URL(influx.url),
        headers: { authorization: `Basic ${Buffer.from('admin:wrong-password').toString('base64')}` },
        database: 'shop',
      },
      http,
    );
    const m = await run(
      { name: 'errors', provider: 'influxdb', query: ratio('http', 'blue'), max: 1 },
      wrong,
    );
    expect(m.outcome).toBe('error');
    expect(m.failure).toMatch(/answered 401: authorization failed \(check the credentials\)$/);
    expect(JSON.stringify(m)).not.toContain(PASSWORD);
    expect(containsSecret(JSON.stringify(m))).toBe(false);
  });
});

describe('Alertmanager gate', () => {
  const provider = () => alertmanagerProvider({ url: new URL(alertmanager.url), headers: {} }, http);
  const gate = (query: string): QueryCheck => ({ name: 'no pages', provider: 'alertmanager', query, max: 0 });

  it('passes while no matching alert fires, fails while one does, and leaves silenced and inhibited ones out', async () => {
    const labels = { alertname: 'HighErrorRate', service: 'shop', severity: 'critical', slot: 'green' };
    expect(await run(gate('service="shop",severity="critical"'), provider())).toMatchObject({
      outcome: 'pass',
      values: [{ labels: {}, value: 0 }],
    });
    await alertmanager.fire(labels);
    const firing = await run(gate('{service="shop", severity=~"critical|page"}'), provider());
    expect(firing.outcome).toBe('fail');
    expect(firing.failure).toBe('query "no pages" (alertmanager) = 1 {alerts="HighErrorRate"}, over max 0');
    // Another service's alert is not this gate's business.
    expect((await run(gate('service="cart"'), provider())).outcome).toBe('pass');

    const silence = await alertmanager.silence([{ name: 'alertname', value: 'HighErrorRate' }]);
    expect((await run(gate('service="shop"'), provider())).outcome).toBe('pass');
    await alertmanager.expireSilence(silence);
    expect((await run(gate('service="shop"'), provider())).outcome).toBe('fail');

    // ClusterDown inhibits every service="shop" alert (the server's inhibit rule).
    await alertmanager.fire({ alertname: 'ClusterDown', severity: 'critical' });
    expect((await run(gate('service="shop"'), provider())).outcome).toBe('pass');
    await alertmanager.resolve({ alertname: 'ClusterDown', severity: 'critical' });
    await alertmanager.resolve(labels);
    expect((await run(gate('service="shop"'), provider())).outcome).toBe('pass');
  });

  it('errors with what Alertmanager answered for a matcher it refuses, never showing the token it sent', async () => {
    const token = 'am-t0ken-planted-5e1f';
    registerSecret(token);
    const withToken = alertmanagerProvider(
      { url: new URL(alertmanager.url), headers: { authorization: `Bearer ${token}` } },
      http,
    );
    const m = await run(gate('service=~"("'), withToken);
    expect(m.outcome).toBe('error');
    expect(m.failure).toMatch(
      /^query "no pages" on Alertmanager http:\/\/127\.0\.0\.1:\d+\/: answered 400: /,
    );
    expect(JSON.stringify(m)).not.toContain(token);
  });
});

describe('VictoriaMetrics through the Prometheus provider', () => {
  const source = (): BackendSettings => ({ url: new URL(vm.url), headers: {} });

  it('answers PromQL instant queries: every series bounded, compare by labels', async () => {
    const depth = await run(
      { name: 'depth', query: 'queue_depth{slot="green"}', max: 20, min: 1 },
      prometheusProvider(source(), http),
    );
    expect(depth.outcome).toBe('pass');
    expect(depth.values.map((s) => s.value).sort((a, b) => a - b)).toEqual([3, 12]);
    const over = await run(
      { name: 'depth', query: 'max(queue_depth)', max: 10 },
      prometheusProvider(source(), http),
    );
    expect(over.failure).toBe('query "depth" = 12, over max 10');
    const none = await run(
      { name: 'depth', query: 'queue_depth{slot="blue"}', max: 10 },
      prometheusProvider(source(), http),
    );
    expect(none.outcome).toBe('no-data');
    const broken = await run({ name: 'broken', query: 'sum(', max: 1 }, prometheusProvider(source(), http));
    expect(broken.outcome).toBe('error');
    expect(broken.failure).toMatch(
      /^query "broken" on Prometheus http:\/\/127\.0\.0\.1:\d+\/: answered 4\d\d: /,
    );
  });
});
