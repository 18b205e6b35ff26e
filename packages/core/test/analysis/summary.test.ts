import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisConfig } from '../../src/analysis/config.js';
import { analyse } from '../../src/analysis/engine.js';
import { renderAnalysisSummary } from '../../src/analysis/summary.js';
import { registerSecret, resetSecretsForTest } from '../../src/secrets.js';

const TOKEN = 'Bearer rpt-7781-secret';
let target: http.Server;
let baseline: http.Server;
const urlOf = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  // The target answers 500 when the token is missing and echoes the request headers in its body,
  // the way a careless debug endpoint would: the summary must still not show the token.
  target = http.createServer((req, res) => {
    setTimeout(() => res.writeHead(req.url === '/down' ? 503 : 200).end(JSON.stringify(req.headers)), 3);
  });
  baseline = http.createServer((_req, res) => res.end('{}'));
  await Promise.all([
    new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve)),
    new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve)),
  ]);
});

afterAll(async () => {
  for (const server of [target, baseline]) server.closeAllConnections();
  await Promise.all([new Promise((r) => target.close(r)), new Promise((r) => baseline.close(r))]);
  resetSecretsForTest();
});

function config(path: string, extra: Partial<AnalysisConfig> = {}): AnalysisConfig {
  return {
    probes: [
      {
        name: 'home',
        url: new URL(`${urlOf(target)}${path}`),
        method: 'GET',
        headers: { authorization: TOKEN },
        status: [{ from: 200, to: 299 }],
        body: /authorization/,
        json: [],
      },
    ],
    queries: [],
    providers: {},
    intervalMs: 100,
    failureThreshold: 2,
    requestsPerInterval: 5,
    maxErrorRate: 0,
    onNoData: 'inconclusive',
    onError: 'fail',
    http: { timeoutMs: 2000, followRedirects: false, insecureTls: false },
    ...extra,
  };
}

describe('renderAnalysisSummary', () => {
  it('renders the verdict, a table per check with both sides, and latency and error charts', async () => {
    registerSecret(TOKEN);
    const report = await analyse(
      config('/', {
        baseline: {
          url: new URL(urlOf(baseline)),
          minSamples: 10,
          latencyTolerance: 0.25,
          // A generous floor: this test is about rendering, not about the few ms between the two servers.
          latencyFloorMs: 1000,
          errorTolerance: 0.05,
          alpha: 0.01,
        },
      }),
      { durationMs: 500 },
    );
    const markdown = renderAnalysisSummary(report, { title: 'verify-health' }).toMarkdown();
    expect(markdown).toContain('## verify-health: ✅ pass');
    expect(markdown).toContain('### Check "home" (probe): ✅ pass');
    expect(markdown).toContain('### Check "home vs baseline" (baseline):');
    expect(markdown).toMatch(/\| requests \| 25 \| 25 \|/);
    expect(markdown).toContain('| latency test | Mann–Whitney p');
    expect(markdown).toContain(
      'title "Latency (ms): target p50 (blue), target p95 (red), baseline p95 (grey)"',
    );
    expect(markdown.match(/```mermaid/g)).toHaveLength(2);
    expect(markdown).toContain('<details><summary>Every interval</summary>');
    // The target echoed the token in every body; it never reaches the summary.
    expect(report.samples.filter((s) => s.side === 'target').every((s) => s.ok)).toBe(true);
    expect(markdown).not.toContain('rpt-7781-secret');
  });

  it('leads with the failing check and its evidence', async () => {
    const report = await analyse(config('/down'), { durationMs: 5000 });
    const markdown = renderAnalysisSummary(report).toMarkdown();
    expect(markdown).toContain('## Analysis: ❌ fail');
    expect(markdown).toContain(
      '> [!CAUTION]\n> check "home": 10/10 requests failed in the last 2 intervals: answered 503, expected 200-299 (10×)',
    );
    expect(markdown).toContain('| home | probe | ❌ fail | 0 / 2 / 0 |');
  });

  it('groups neighbouring intervals in the charts when there are many', async () => {
    const report = await analyse(config('/', { intervalMs: 20, requestsPerInterval: 1 }), {
      durationMs: 1000,
    });
    expect(report.intervals).toBe(50);
    const markdown = renderAnalysisSummary(report).toMarkdown();
    const axis = /x-axis \[(.*)\]/.exec(markdown)?.[1]?.split(', ') ?? [];
    expect(axis).toHaveLength(25);
  });
});
