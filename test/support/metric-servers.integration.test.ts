/**
 * The launchers for real InfluxDB, Alertmanager and VictoriaMetrics servers
 * (Debian's packages): each starts, takes real data, and gives it back.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertmanagerServer, startAlertmanager } from './alertmanager.js';
import { type InfluxDBServer, startInfluxDB } from './influxdb.js';
import { freePort } from './services.js';
import { startVictoriaMetrics, type VictoriaMetricsServer } from './victoriametrics.js';

describe('InfluxDB', () => {
  let influx: InfluxDBServer;
  const auth = { username: 'admin', password: "s3cr'et\\pw" };

  beforeAll(async () => {
    influx = await startInfluxDB({ auth });
  });
  afterAll(async () => {
    await influx?.stop();
  });

  it('returns the mean of the points written', async () => {
    await influx.createDatabase('shop');
    const now = Date.now();
    await influx.write(
      'shop',
      [10, 20, 30, 60].map((v, i) => `latency,host=web-${i % 2} value=${v} ${now - 1000 * i}`).join('\n'),
      { precision: 'ms' },
    );
    const all = await influx.query('shop', 'SELECT mean(value) FROM latency');
    expect(all.results[0]?.series?.[0]?.columns).toEqual(['time', 'mean']);
    expect(all.results[0]?.series?.[0]?.values[0]?.[1]).toBe(30);
    const byHost = await influx.query('shop', 'SELECT mean(value) FROM latency GROUP BY host');
    expect(byHost.results[0]?.series?.map((s) => [s.tags?.host, s.values[0]?.[1]])).toEqual([
      ['web-0', 20],
      ['web-1', 40],
    ]);
  });

  it('refuses requests without the admin credentials', async () => {
    const response = await fetch(`${influx.url}/query?${new URLSearchParams({ q: 'SHOW DATABASES' })}`);
    expect(response.status).toBe(401);
    await expect(influx.query('nowhere', 'SELECT * FROM nothing')).rejects.toThrow(/database not found/);
  });
});

describe('Alertmanager', () => {
  let alertmanager: AlertmanagerServer;
  /** What a notifier would act on: active, neither silenced nor inhibited. */
  const actionable = async (filter: string[]) =>
    (await alertmanager.alerts({ active: true, silenced: false, inhibited: false, filter })).map(
      (a) => a.labels.alertname,
    );

  beforeAll(async () => {
    alertmanager = await startAlertmanager();
  });
  afterAll(async () => {
    await alertmanager?.stop();
  });

  it('lists a fired alert as active, and no longer once resolved', async () => {
    const labels = { alertname: 'HighErrorRate', service: 'cart' };
    await alertmanager.fire(labels, { annotations: { summary: '5% errors' } });
    expect(await actionable(['service="cart"'])).toEqual(['HighErrorRate']);
    expect(await actionable(['service="cart"', 'alertname="Other"'])).toEqual([]);
    const [alert] = await alertmanager.alerts({ filter: ['service="cart"'] });
    expect(alert?.annotations).toEqual({ summary: '5% errors' });
    await alertmanager.resolve(labels);
    expect(await alertmanager.alerts({ filter: ['service="cart"'] })).toEqual([]);
  });

  it('leaves a silenced alert out until the silence expires', async () => {
    await alertmanager.fire({ alertname: 'HighLatency', service: 'shop' });
    expect(await actionable(['service="shop"'])).toEqual(['HighLatency']);
    const id = await alertmanager.silence([{ name: 'service', value: 'shop' }]);
    expect(await actionable(['service="shop"'])).toEqual([]);
    const [silenced] = await alertmanager.alerts({ filter: ['service="shop"'] });
    expect(silenced?.status).toMatchObject({ state: 'suppressed', silencedBy: [id], inhibitedBy: [] });
    await alertmanager.expireSilence(id);
    expect(await actionable(['service="shop"'])).toEqual(['HighLatency']);
  });

  it('leaves out an alert that ClusterDown inhibits, while ClusterDown fires', async () => {
    await alertmanager.fire({ alertname: 'HighLatency', service: 'shop' });
    await alertmanager.fire({ alertname: 'ClusterDown', cluster: 'eu-1' });
    expect(await actionable(['service="shop"'])).toEqual([]);
    expect(await actionable(['alertname="ClusterDown"'])).toEqual(['ClusterDown']);
    const [inhibited] = await alertmanager.alerts({ filter: ['service="shop"'] });
    expect(inhibited?.status.state).toBe('suppressed');
    expect(inhibited?.status.inhibitedBy).toHaveLength(1);
    await alertmanager.resolve({ alertname: 'ClusterDown', cluster: 'eu-1' });
    expect(await actionable(['service="shop"'])).toEqual(['HighLatency']);
  });
});

describe('VictoriaMetrics', () => {
  let victoria: VictoriaMetricsServer;
  let metrics: http.Server;

  beforeAll(async () => {
    metrics = http.createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end('# HELP shop_queue_depth Jobs waiting.\n# TYPE shop_queue_depth gauge\nshop_queue_depth 17\n');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => metrics.listen(port, '127.0.0.1', resolve));
    victoria = await startVictoriaMetrics({ targets: [`127.0.0.1:${port}`], job: 'app' });
  });
  afterAll(async () => {
    await victoria?.stop();
    metrics?.closeAllConnections();
    await new Promise((r) => metrics?.close(r));
  });

  it('scrapes the target and returns its gauge', async () => {
    expect(await victoria.waitFor('shop_queue_depth{job="app"}', (v) => v === 17)).toBe(17);
    expect(await victoria.query('up{job="app"}')).toBe(1);
  });

  it('returns samples written through the import API', async () => {
    await victoria.importPrometheus('imported_total{slot="blue"} 7\nimported_total{slot="green"} 5\n');
    expect(await victoria.waitFor('sum(imported_total)', (v) => v === 12)).toBe(12);
    expect(await victoria.query('imported_total{slot="green"}')).toBe(5);
  });
});
