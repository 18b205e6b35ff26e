/**
 * The real-traffic source in the analysis engine when the router's view is
 * missing or empty: a HAProxy admin socket that is gone, an nginx access log
 * that does not exist, and a real HAProxy that carried no traffic at all. Each
 * is named in the verdict and judged by on-error / on-no-data, never passed
 * silently.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HaproxyServer, startHaproxy } from '../../../../test/support/haproxy.js';
import type { AnalysisConfig, EvidencePolicy, TrafficSettings } from '../../src/analysis/config.js';
import { analyse } from '../../src/analysis/engine.js';

let haproxy: HaproxyServer;
let service: http.Server;
let serviceUrl: string;

beforeAll(async () => {
  service = http.createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(service.address() as AddressInfo).port}`;
  serviceUrl = `http://${address}/healthz`;
  haproxy = await startHaproxy({
    servers: [
      { name: 'app_blue', address, weight: 100 },
      { name: 'app_green', address, weight: 0 },
    ],
  });
});

afterAll(async () => {
  await haproxy?.stop();
  service?.closeAllConnections();
  await new Promise((r) => service?.close(r));
});

const comparison = { latencyTolerance: 0.25, latencyFloorMs: 5, errorTolerance: 0.05, alpha: 0.01 };

function config(
  router: TrafficSettings['router'],
  policies: { onError?: EvidencePolicy; onNoData?: EvidencePolicy } = {},
  withProbe = false,
): AnalysisConfig {
  return {
    probes: withProbe
      ? [
          {
            name: 'health',
            url: new URL(serviceUrl),
            method: 'GET',
            headers: {},
            status: [{ from: 200, to: 299 }],
            json: [],
          },
        ]
      : [],
    queries: [],
    providers: {},
    traffic: {
      router,
      slot: 'green',
      liveSlot: 'blue',
      errorStatus: [{ from: 500, to: 599 }],
      minRequests: 10,
      comparison,
    },
    intervalMs: 200,
    failureThreshold: 2,
    requestsPerInterval: 2,
    maxErrorRate: 0,
    onNoData: policies.onNoData ?? 'inconclusive',
    onError: policies.onError ?? 'fail',
    http: { timeoutMs: 2000, followRedirects: false, insecureTls: false },
  };
}

const haproxyAt = (socket: string): TrafficSettings['router'] => ({
  kind: 'haproxy',
  socket,
  backend: 'app',
  servers: new Map([
    ['blue', 'app_blue'],
    ['green', 'app_green'],
  ]),
});

describe('real traffic when the router cannot say', () => {
  it('fails by default (on-error: fail) when the HAProxy admin socket is gone, naming it', async () => {
    const report = await analyse(config(haproxyAt('/tmp/glidepath-no-such-dir/admin.sock')), {
      durationMs: 1000,
    });
    expect(report.verdict).toBe('fail');
    expect(report.reason).toMatch(
      /real traffic: HAProxy backend "app" counters \(show stat\): HAProxy admin socket \/tmp\/glidepath-no-such-dir\/admin\.sock is not reachable/,
    );
    expect(report.reason).toContain('(on-error: fail)');
  });

  it('is inconclusive, never a pass, with on-error: inconclusive', async () => {
    const report = await analyse(
      config(haproxyAt('/tmp/glidepath-no-such-dir/admin.sock'), { onError: 'inconclusive' }),
      {
        durationMs: 1000,
      },
    );
    expect(report.verdict).toBe('inconclusive');
    expect(report.reason).toContain("the router's traffic could not be read");
  });

  it('names an nginx access log that does not exist', async () => {
    const log = '/tmp/glidepath-no-such-dir/access.log';
    const report = await analyse(
      config({
        kind: 'nginx',
        log,
        addresses: new Map([
          ['blue', '127.0.0.1:1'],
          ['green', '127.0.0.1:2'],
        ]),
      }),
      { durationMs: 1000 },
    );
    expect(report.verdict).toBe('fail');
    expect(report.reason).toContain(`nginx access log ${log} does not exist`);
  });

  it('with no traffic at all and no other check, applies on-no-data; with a probe, the probe decides', async () => {
    const quiet = await analyse(config(haproxyAt(haproxy.socket)), { durationMs: 1000 });
    expect(quiet.verdict).toBe('inconclusive');
    expect(quiet.reason).toContain(
      'fewer than min-requests 10 real requests in every interval, and no other check (on-no-data: inconclusive)',
    );
    const strict = await analyse(config(haproxyAt(haproxy.socket), { onNoData: 'fail' }), {
      durationMs: 1000,
    });
    expect(strict.verdict).toBe('fail');
    expect(strict.reason).toContain('(on-no-data: fail)');
    const probed = await analyse(config(haproxyAt(haproxy.socket), {}, true), { durationMs: 1000 });
    expect(probed.verdict).toBe('pass');
    expect(probed.checks.find((c) => c.kind === 'traffic')?.reason).toContain(
      'no real-traffic evidence, judged by the other checks',
    );
  });
});
