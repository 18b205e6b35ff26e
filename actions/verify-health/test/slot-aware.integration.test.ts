/**
 * Slot-aware verification through verify-health's bundled dist/: the `slot`,
 * `live-slot` and `version` inputs resolve the placeholders, and a
 * `compare: live` query is judged against the live slot on a real Prometheus
 * scraping a service that reports one error ratio per slot.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain, type StepResult } from '../../../test/harness/runner.js';
import { type PrometheusServer, startPrometheus } from '../../../test/support/prometheus.js';

let service: http.Server;
let base: string;
let prometheus: PrometheusServer;
const paths: string[] = [];

beforeAll(async () => {
  const registry = new client.Registry();
  const errors = new client.Gauge({
    name: 'shop_error_ratio',
    help: 'Share of failed answers over the last minute, per slot.',
    labelNames: ['slot'],
    registers: [registry],
  });
  errors.set({ slot: 'green' }, 0.3);
  errors.set({ slot: 'blue' }, 0.01);
  const latency = new client.Gauge({
    name: 'shop_p95_seconds',
    help: 'p95 latency per slot.',
    labelNames: ['slot'],
    registers: [registry],
  });
  latency.set({ slot: 'green' }, 0.2);
  latency.set({ slot: 'blue' }, 0.2);
  service = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      return;
    }
    paths.push(`${path} ${req.headers['x-version'] ?? ''}`);
    res.writeHead(path.startsWith('/health/') ? 200 : 404).end();
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(service.address() as AddressInfo).port}`;
  base = `http://${address}`;
  prometheus = await startPrometheus({ targets: [address], job: 'shop' });
  await prometheus.waitFor('count(shop_error_ratio)', (v) => v === 2);
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  service?.closeAllConnections();
  await new Promise((r) => service?.close(r));
});

const verify = (inputs: Record<string, string>): Promise<StepResult> =>
  runMain({
    action: 'verify-health',
    inputs: { 'prometheus-url': prometheus.url, duration: '3s', interval: '1s', ...inputs },
    timeoutMs: 60_000,
  });

const onSlots = { slot: 'green', 'live-slot': 'blue', version: 'shop:v7' };

describe('verify-health compare: live', () => {
  it('fails a slot whose error ratio is worse than live by more than max-increase, naming both values', async () => {
    const result = await verify({
      ...onSlots,
      queries:
        '- { name: error ratio, query: \'shop_error_ratio{slot="{{slot}}"}\', compare: live, max-increase: 0.05 }',
    });
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('fail');
    expect(result.outputs.reason).toContain(
      'query "error ratio" = 0.3 on green vs 0.01 on blue (live): +0.29, over max-increase 0.05',
    );
    expect(result.summary).toContain('shop_error_ratio{slot="green"}');
    expect(result.summary).toContain('shop_error_ratio{slot="blue"}');
  });

  it('fails on max-ratio alone, naming how many times live it is', async () => {
    const result = await verify({
      ...onSlots,
      queries:
        '- { name: error ratio, query: \'shop_error_ratio{slot="{{slot}}"}\', compare: live, max-ratio: 2 }',
    });
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.reason).toContain(
      '= 0.3 on green vs 0.01 on blue (live): 30× live, over max-ratio 2',
    );
  });

  it('passes a slot equal to live', async () => {
    const result = await verify({
      ...onSlots,
      queries: [
        '- name: p95',
        '  query: \'shop_p95_seconds{slot="{{slot}}"}\'',
        '  compare: live',
        '  max-increase: 0',
        '  max-ratio: 1',
        '  max: 0.5',
      ].join('\n'),
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs.result).toBe('pass');
    const report = JSON.parse(result.outputs.report!) as {
      checks: Array<{ lastValues: Array<{ value: number }>; liveValues: Array<{ value: number }> }>;
    };
    expect(report.checks[0]!.lastValues[0]!.value).toBe(0.2);
    expect(report.checks[0]!.liveValues[0]!.value).toBe(0.2);
  });

  it('expands placeholders in url and checks from the slot and version inputs', async () => {
    paths.length = 0;
    const result = await verify({
      ...onSlots,
      url: `${base}/health/{{slot}}`,
      checks: [
        `- name: health of {{live-slot}}`,
        `  url: ${base}/health/{{live-slot}}`,
        '  headers: { x-version: "{{version}}" }',
      ].join('\n'),
      queries: '- { name: p95, query: \'shop_p95_seconds{slot="{{slot}}"}\', max: 1 }',
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(paths).toContain('/health/green ');
    expect(paths).toContain('/health/blue shop:v7');
    expect(result.summary).toContain('health of blue');
  });
});

describe('verify-health placeholders it cannot resolve', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      '{{slot}} without the slot input',
      { queries: '- { name: q, query: \'shop_p95_seconds{slot="{{slot}}"}\', max: 1 }' },
      /Input "queries".*\{\{slot\}\} has no value here \(set the "slot" input\)/s,
    ],
    [
      '{{address}}, which needs slots',
      { ...onSlots, url: 'http://{{address}}/healthz' },
      /Input "url".*\{\{address\}\} has no value here \(verify-health has no "slots"/s,
    ],
    [
      'compare: live without live-slot',
      {
        slot: 'green',
        queries: '- { name: q, query: \'shop_p95_seconds{slot="{{slot}}"}\', compare: live, max-ratio: 1.5 }',
      },
      /Input "queries".*a live slot to compare with/s,
    ],
    [
      'an unknown placeholder',
      { ...onSlots, queries: '- { name: q, query: \'up{slot="{{colour}}"}\', max: 1 }' },
      /Input "queries".*unknown: \{\{colour\}\}/s,
    ],
  ];
  for (const [what, inputs, message] of cases)
    it(`rejects ${what} before sending anything`, async () => {
      paths.length = 0;
      const result = await verify({ url: `${base}/health/x`, ...inputs });
      expect(result.exitCode, result.log).toBe(1);
      expect(result.log).toMatch(message);
      expect(paths).toEqual([]);
    });
});

describe('verify-health on real traffic through HAProxy', () => {
  it('fails a slot whose real requests fail more than the live slot’s, and passes a good one', async () => {
    const { haproxyStage } = await import('../../canary-shift/test/setup.js');
    const { HaproxyRouter } = await import('../../../packages/core/src/traffic/haproxy.js');
    const { startLoad } = await import('../../../test/support/load.mjs');
    const releases: Array<[{ errorRate?: number; failPaths?: string[] }, string]> = [
      [{ errorRate: 1, failPaths: ['/checkout'] }, 'fail'],
      [{}, 'pass'],
    ];
    for (const [green, verdict] of releases) {
      const s = await haproxyStage(green);
      try {
        const router = new HaproxyRouter({
          socket: s.haproxy.socket,
          backend: s.haproxy.backend,
          slots: new Map([
            ['blue', 'app_blue'],
            ['green', 'app_green'],
          ]),
        });
        await router.set({ blue: 50, green: 50 });
        const load = startLoad({
          url: s.url,
          rate: 100,
          concurrency: 4,
          maxMs: 30_000,
          paths: ['/', '/', '/', '/', '/checkout'],
        });
        const result = await runMain({
          action: 'verify-health',
          inputs: {
            router: 'haproxy',
            slots: 'blue=app_blue\ngreen=app_green',
            'haproxy-socket': s.haproxy.socket,
            'haproxy-backend': s.haproxy.backend,
            slot: 'green',
            'live-slot': 'blue',
            duration: '4s',
            interval: '1s',
            // Well above loopback noise, so a stall of the loaded machine never reads as a slower slot.
            'baseline-latency-floor': '25ms',
          },
          timeoutMs: 60_000,
        });
        await load.stop();
        expect(result.outputs.result, result.log).toBe(verdict);
        if (verdict === 'fail')
          expect(result.outputs.reason).toMatch(
            /real traffic on green: \d+ of \d+ requests failed .*on blue \(live\)/,
          );
        // Read only: verify-health never changes the router.
        expect(await router.read()).toEqual({ blue: 50, green: 50 });
      } finally {
        await s.stop();
      }
    }
  }, 120_000);
});
