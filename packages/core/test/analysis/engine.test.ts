import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/services.js';
import type { AnalysisConfig } from '../../src/analysis/config.js';
import { analyse, type IntervalSnapshot } from '../../src/analysis/engine.js';

/**
 * A real HTTP service on loopback whose answers the test scripts by path:
 * /ok always 200; /down always 500; /blip 500 for the first request only;
 * /flaky alternates 200 and 500.
 */
let server: http.Server;
let base: string;
const seen = new Map<string, number>();
let closedPort: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const n = (seen.get(path) ?? 0) + 1;
    seen.set(path, n);
    const status =
      path === '/down'
        ? 500
        : path === '/blip'
          ? n === 1
            ? 500
            : 200
          : path === '/flaky'
            ? n % 2
              ? 200
              : 500
            : 200;
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closedPort = await freePort();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function config(paths: string[], extra: Partial<AnalysisConfig> = {}): AnalysisConfig {
  return {
    probes: paths.map((p) => ({
      name: p.slice(1),
      url: new URL(`${base}${p}`),
      method: 'GET',
      headers: {},
      status: [{ from: 200, to: 299 }],
      json: [],
    })),
    queries: [],
    providers: {},
    intervalMs: 200,
    failureThreshold: 2,
    requestsPerInterval: 4,
    maxErrorRate: 0,
    onNoData: 'inconclusive',
    onError: 'fail',
    http: { timeoutMs: 2000, followRedirects: false, insecureTls: false },
    ...extra,
  };
}

describe('analyse', () => {
  it('passes a healthy check after the whole window, with every sample and interval', async () => {
    const snapshots: IntervalSnapshot[] = [];
    const report = await analyse(config(['/ok']), { durationMs: 1000, onInterval: (s) => snapshots.push(s) });
    expect(report.verdict).toBe('pass');
    expect(report.reason).toBe('all 1 check passed over 5 intervals (20 requests, 0 failed)');
    expect(report.intervals).toBe(5);
    expect(report.samples).toHaveLength(20);
    expect(report.samples.every((s) => s.ok && s.status === 200 && s.side === 'target')).toBe(true);
    expect(snapshots.map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
    expect(snapshots.map((s) => s.verdict)).toEqual(['running', 'running', 'running', 'running', 'pass']);
    expect(report.errorRate).toBe(0);
    expect(report.p50Ms).toBeGreaterThan(0);
    expect(report.p99Ms).toBeGreaterThanOrEqual(report.p95Ms!);
    expect(report.checks[0]).toMatchObject({
      name: 'ok',
      kind: 'probe',
      verdict: 'pass',
      intervals: { pass: 5, fail: 0 },
    });
    // Intervals keep their length even though every request answered at once.
    // structural: a lower bound the 5 × 200 ms interval timers guarantee, however slow the machine
    expect(report.durationMs).toBeGreaterThanOrEqual(950);
  });

  it('fails as soon as failure-threshold intervals failed in a row, not at the end of the window', async () => {
    const report = await analyse(config(['/ok', '/down']), { durationMs: 60_000 });
    expect(report.verdict).toBe('fail');
    // 2 of the window's 300 intervals: it did not wait for the end.
    expect(report.intervals).toBe(2);
    expect(report.reason).toBe(
      'check "down": 8/8 requests failed in the last 2 intervals: answered 500, expected 200-299 (8×)',
    );
    expect(report.checks.map((c) => [c.name, c.verdict])).toEqual([
      ['ok', 'pass'],
      ['down', 'fail'],
    ]);
    expect(report.timeline.at(-1)?.verdict).toBe('fail');
  });

  it('absorbs a single failed request: one failed interval is not a failed check', async () => {
    const report = await analyse(config(['/blip']), { durationMs: 800 });
    expect(report.verdict).toBe('pass');
    expect(report.checks[0]!.intervals).toEqual({ pass: 3, fail: 1, unknown: 0 });
    expect(report.checks[0]!.reason).toMatch(
      /^check "blip": 16 requests in 4 intervals, 1 failed \(never 2 failed intervals in a row\)/,
    );
  });

  it('lets max-error-rate tolerate some failures per interval', async () => {
    const tolerant = await analyse(config(['/flaky'], { maxErrorRate: 0.5 }), { durationMs: 600 });
    expect(tolerant.verdict).toBe('pass');
    expect(tolerant.failures).toBe(6);
    const strict = await analyse(config(['/flaky'], { maxErrorRate: 0.25 }), { durationMs: 600 });
    expect(strict.verdict).toBe('fail');
  });

  it('waits for the initial delay before the first request', async () => {
    const started = Date.now();
    const report = await analyse(config(['/ok']), { durationMs: 200, initialDelayMs: 400 });
    // structural: a lower bound the 400 ms initial-delay timer guarantees, however slow the machine
    expect(report.samples[0]!.at - started).toBeGreaterThanOrEqual(390);
  });

  it('returns promptly with the verdict so far when its signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 500);
    const report = await analyse(config(['/ok']), { durationMs: 60_000, signal: controller.signal });
    // Stopped by the signal with the verdict so far (a single-digit count of the window's 300
    // intervals), not at the end of the 60 s window.
    expect(report.aborted).toBe(true);
    expect(report.intervals).toBeGreaterThanOrEqual(1);
    expect(report.reason).toMatch(/^stopped after \d intervals?; all 1 check passed/);
  });

  describe('a metrics backend that cannot be reached', () => {
    const prometheus = () => ({
      providers: { prometheus: { url: new URL(`http://127.0.0.1:${closedPort}/`), headers: {} } },
      queries: [{ name: 'errors', query: 'sum(rate(http_requests_total[1m]))', max: 1 }],
    });

    it('fails it with on-error: fail, naming the query and the server', async () => {
      const report = await analyse({ ...config([]), ...prometheus(), onError: 'fail' }, { durationMs: 5000 });
      expect(report.verdict).toBe('fail');
      expect(report.intervals).toBe(2);
      expect(report.reason).toBe(
        `query "errors" on Prometheus http://127.0.0.1:${closedPort}/: connection refused (ECONNREFUSED), in 2 intervals in a row (on-error: fail)`,
      );
      expect(report.measurements.map((m) => m.outcome)).toEqual(['error', 'error']);
    });

    it('is inconclusive with on-error: inconclusive', async () => {
      const report = await analyse(
        { ...config(['/ok']), ...prometheus(), onError: 'inconclusive' },
        { durationMs: 600 },
      );
      expect(report.verdict).toBe('inconclusive');
      expect(report.checks.find((c) => c.name === 'errors')).toMatchObject({
        verdict: 'inconclusive',
        intervals: { pass: 0, fail: 0, unknown: 3 },
      });
    });

    it('passes only when explicitly told to, and says so', async () => {
      const report = await analyse(
        { ...config(['/ok']), ...prometheus(), onError: 'pass' },
        { durationMs: 600 },
      );
      expect(report.verdict).toBe('pass');
      expect(report.checks.find((c) => c.name === 'errors')?.reason).toBe(
        'query "errors": within bounds in 3 of 3 intervals (3 intervals without data or with errors counted as passing by policy)',
      );
    });
  });
});
