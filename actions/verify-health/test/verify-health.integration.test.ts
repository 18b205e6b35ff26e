/**
 * verify-health through the runner contract, on the bundled dist/, against
 * real servers on loopback: a fixture service with healthy, slow, flaky and
 * private endpoints, a closed port, and a real Prometheus scraping the
 * fixture every second. Bundle first: npm run bundle -w @glidepath/verify-health.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingVisible, runMain, type StepResult } from '../../../test/harness/runner.js';
import { type PrometheusServer, startPrometheus } from '../../../test/support/prometheus.js';
import { freePort } from '../../../test/support/services.js';
import { type FixtureService, startFixtureService } from './fixture-service.js';

const SECRET = 'Bearer gp-planted-9f3c2a7e41b6';

let service: FixtureService;
let prometheus: PrometheusServer;
let closedPort: number;

beforeAll(async () => {
  service = await startFixtureService({ slowMs: 300, authorization: SECRET });
  prometheus = await startPrometheus({ targets: [service.address], job: 'fixture' });
  // Queries below need at least one scrape of the fixture.
  await prometheus.waitFor('up{job="fixture"}', (v) => v === 1);
  closedPort = await freePort();
});

afterAll(async () => {
  await prometheus?.stop();
  await service?.close();
});

interface Report {
  verdict: string;
  reason: string;
  intervals: number;
  checks: Array<{ name: string; verdict: string; reason: string }>;
  samples: Array<{ check: string; side: string; ok: boolean; status?: number; ms: number }>;
  measurements: Array<{ check: string; outcome: string; values: Array<{ value: number }> }>;
  timeline: unknown[];
}

const reportOf = (result: StepResult) => JSON.parse(result.outputs.report ?? '{}') as Report;
const errors = (result: StepResult) => result.annotations.filter((a) => a.level === 'error');

describe('verify-health', () => {
  it('passes a healthy service: probes, body and JSON checks, and a Prometheus query', async () => {
    const result = await runMain({
      action: 'verify-health',
      inputs: {
        checks: [
          `- name: home`,
          `  url: ${service.url}/healthy`,
          `  status: [200, "204"]`,
          `  body: '"status":"ok"'`,
          `  json: { checks.db: up }`,
          `  max-latency: 2s`,
          `- name: slow`,
          `  url: ${service.url}/slow`,
          `  max-latency: 3s`,
        ].join('\n'),
        'prometheus-url': prometheus.url,
        queries: `- { name: fixture-up, query: 'up{job="fixture"}', min: 1 }`,
        duration: '4s',
        interval: '1s',
      },
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs.result).toBe('pass');
    const report = reportOf(result);
    expect(report.verdict).toBe('pass');
    expect(report.checks.map((c) => [c.name, c.verdict])).toEqual([
      ['home', 'pass'],
      ['slow', 'pass'],
      ['fixture-up', 'pass'],
    ]);
    // 4 intervals × 5 requests per check, every one recorded.
    expect(report.samples.filter((s) => s.check === 'home')).toHaveLength(20);
    expect(report.samples.every((s) => s.ok && s.status === 200)).toBe(true);
    expect(report.measurements.filter((m) => m.check === 'fixture-up').map((m) => m.outcome)).toEqual(
      Array(4).fill('pass'),
    );
    // The slow endpoint waits 300 ms, so the percentiles over both checks reflect it.
    // structural: a lower bound the endpoint's 300 ms sleep guarantees, however slow the machine
    expect(Number(result.outputs['p95-ms'])).toBeGreaterThanOrEqual(300);
    expect(Number(result.outputs['p50-ms'])).toBeGreaterThan(0);
    expect(Number(result.outputs['p99-ms'])).toBeGreaterThanOrEqual(Number(result.outputs['p95-ms']));
    expect(result.outputs['error-rate']).toBe('0');
    expect(readFileSync(result.outputs['report-file']!, 'utf8')).toBe(result.outputs.report);
    expect(result.outputs['report-file']!.startsWith(result.files.dir)).toBe(true);
    expect(result.summary).toContain('## verify-health: ✅ pass');
    expect(result.summary).toContain('### Check "home" (probe): ✅ pass');
    expect(result.summary).toContain('### Check "fixture-up" (query): ✅ pass');
    expect(result.summary).toContain('xychart-beta');
    expect(errors(result)).toEqual([]);
  });

  it('fails a flaky endpoint (50% answers 500) long before the end of a 60 s window', async () => {
    const result = await runMain({
      action: 'verify-health',
      inputs: { url: `${service.url}/flaky`, 'failure-threshold': 2, interval: '1s', duration: '60s' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.result).toBe('fail');
    const report = reportOf(result);
    expect(report.intervals).toBe(2);
    expect(result.outputs.reason).toMatch(
      /^check "127\.0\.0\.1:\d+\/flaky": [4-6]\/10 requests failed in the last 2 intervals: answered 500, expected 200-299 \([4-6]×\)$/,
    );
    // structural: a ratio of counts; /flaky alternates 200 and 500 per request, at any speed
    expect(Number(result.outputs['error-rate'])).toBeCloseTo(0.5, 1);
    // "Long before the end of the window" is structural: it stopped after 2 of the
    // window's 60 intervals (above). How fast that is belongs to bench/, not here.
    console.info(`verify-health: flaky endpoint failed after ${result.durationMs} ms`);
    const annotation = errors(result).find((a) => a.title?.includes('/flaky'));
    expect(annotation?.message).toContain('answered 500');
    expect(result.summary).toContain('## verify-health: ❌ fail');
  });

  it('fails a closed port, naming the URL and the cause', async () => {
    const url = `http://127.0.0.1:${closedPort}/x`;
    const result = await runMain({
      action: 'verify-health',
      inputs: { url, interval: '500ms', duration: '30s' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.result).toBe('fail');
    expect(result.outputs.reason).toContain(`GET ${url}: connection refused (ECONNREFUSED)`);
    expect(
      errors(result).some((a) => a.message.includes(`GET ${url}: connection refused (ECONNREFUSED)`)),
    ).toBe(true);
    console.info(`verify-health: closed port failed after ${result.durationMs} ms`);
    // At once: after failure-threshold (2) of the window's 60 intervals, not at its end.
    expect(reportOf(result).intervals).toBe(2);
  });

  it('fails when a Prometheus query goes over its max', async () => {
    service.setQueueDepth(42);
    try {
      await prometheus.waitFor('max(fixture_queue_depth)', (v) => v === 42);
      const result = await runMain({
        action: 'verify-health',
        inputs: {
          url: `${service.url}/healthy`,
          'prometheus-url': prometheus.url,
          queries: '- name: queue-depth\n  query: max(fixture_queue_depth)\n  max: 10',
          interval: '1s',
          duration: '30s',
        },
      });
      expect(result.exitCode).toBe(1);
      expect(result.outputs.result).toBe('fail');
      expect(result.outputs.reason).toBe('query "queue-depth" = 42, over max 10, in 2 intervals in a row');
      expect(errors(result).map((a) => a.title)).toContain('verify-health: query "queue-depth" failed');
      expect(
        reportOf(result).checks.find((c) => c.name === `127.0.0.1:${service.address.split(':')[1]}/healthy`)
          ?.verdict,
      ).toBe('pass');
    } finally {
      service.setQueueDepth(0);
    }
  });

  it('reports an unreachable Prometheus by query and server, failing by default (on-error: fail)', async () => {
    const server = `http://127.0.0.1:${closedPort}/`;
    const result = await runMain({
      action: 'verify-health',
      inputs: {
        url: `${service.url}/healthy`,
        'prometheus-url': server,
        queries: '- { name: error-ratio, query: "sum(rate(http_requests_total[1m]))", max: 0.1 }',
        interval: '1s',
        duration: '30s',
      },
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.result).toBe('fail');
    expect(result.outputs.reason).toBe(
      `query "error-ratio" on Prometheus ${server}: connection refused (ECONNREFUSED), in 2 intervals in a row (on-error: fail)`,
    );
    expect(errors(result).some((a) => a.title === 'verify-health: query "error-ratio" failed')).toBe(true);
  });

  it('handles an unreachable Prometheus as inconclusive with on-error: inconclusive, never as a pass', async () => {
    const server = `http://127.0.0.1:${closedPort}/`;
    const inputs = {
      url: `${service.url}/healthy`,
      'prometheus-url': server,
      queries: '- { name: error-ratio, query: "sum(rate(http_requests_total[1m]))", max: 0.1 }',
      interval: '500ms',
      duration: '2s',
      'on-error': 'inconclusive',
    };
    const strict = await runMain({ action: 'verify-health', inputs });
    expect(strict.exitCode).toBe(1);
    expect(strict.outputs.result).toBe('inconclusive');
    expect(strict.outputs.reason).toBe(
      `query "error-ratio": no evidence in any interval (on-error: inconclusive); last: query "error-ratio" on Prometheus ${server}: connection refused (ECONNREFUSED)`,
    );
    expect(errors(strict).map((a) => a.title)).toContain(
      'verify-health: query "error-ratio" was inconclusive',
    );

    const lenient = await runMain({
      action: 'verify-health',
      inputs: { ...inputs, 'fail-on-inconclusive': false },
    });
    expect(lenient.exitCode).toBe(0);
    expect(lenient.outputs.result).toBe('inconclusive');
    expect(
      lenient.annotations.some((a) => a.level === 'warning' && a.message.startsWith('Inconclusive')),
    ).toBe(true);
  });

  it('treats a query without data per on-no-data (default inconclusive)', async () => {
    const result = await runMain({
      action: 'verify-health',
      inputs: {
        url: `${service.url}/healthy`,
        'prometheus-url': prometheus.url,
        queries: '- { name: missing, query: "no_such_metric_total", max: 1 }',
        interval: '500ms',
        duration: '2s',
      },
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.result).toBe('inconclusive');
    expect(result.outputs.reason).toMatch(
      /^query "missing": no evidence in any interval \(on-no-data: inconclusive\)/,
    );
    expect(result.outputs.reason).toContain(`returned no data`);
  });

  it('stops promptly when the job is cancelled, reporting the verdict so far', async () => {
    const result = await runMain({
      action: 'verify-health',
      inputs: { url: `${service.url}/healthy`, interval: '500ms', duration: '60s' },
      cancel: { whenLog: /interval 2\/120:/ },
    });
    expect(result.cancelled).toBe(true);
    expect(result.exitCode).toBe(1);
    // Promptly: it stopped on SIGINT within the runner's 7.5 s grace, never escalated to SIGTERM.
    expect(result.signalsSent).toEqual(['SIGINT']);
    expect(result.outputs.reason).toMatch(/^stopped after \d+ intervals; all 1 check passed/);
    expect(errors(result).some((a) => a.message.startsWith('The analysis was cancelled'))).toBe(true);
    expect(result.summary).toContain('stopped before the end of the window');
  });

  describe('against a baseline', () => {
    let fast: FixtureService;
    let slow: FixtureService;
    let twin: FixtureService;
    beforeAll(async () => {
      fast = await startFixtureService({ latencyMs: 15, jitterMs: 5 });
      twin = await startFixtureService({ latencyMs: 15, jitterMs: 5 });
      slow = await startFixtureService({ latencyMs: 45, jitterMs: 15 });
    });
    afterAll(async () => {
      await Promise.all([fast?.close(), slow?.close(), twin?.close()]);
    });

    it('fails a target three times slower than its baseline, without errors', async () => {
      const result = await runMain({
        action: 'verify-health',
        inputs: {
          url: `${slow.url}/healthy`,
          'baseline-url': fast.url,
          interval: '1s',
          'requests-per-interval': 10,
          duration: '30s',
        },
      });
      expect(result.exitCode, result.log).toBe(1);
      expect(result.outputs.result).toBe('fail');
      expect(result.outputs.reason).toMatch(
        /^check "127\.0\.0\.1:\d+\/healthy" vs baseline: slower than the baseline: median \d+ms vs \d+ms \(\+\d+%\) over \d+ and \d+ answers \(Mann–Whitney p [<=] [\d.]+\)/,
      );
      const report = reportOf(result);
      expect(report.samples.every((s) => s.ok)).toBe(true);
      expect(report.samples.filter((s) => s.side === 'baseline').length).toBeGreaterThanOrEqual(20);
      console.info(`verify-health: 3× slower target failed after ${result.durationMs} ms`);
      expect(result.summary).toContain('Mann–Whitney p');
    });

    it('passes two identical services', async () => {
      const result = await runMain({
        action: 'verify-health',
        inputs: {
          url: `${twin.url}/healthy`,
          'baseline-url': `${fast.url}/healthy`,
          interval: '500ms',
          'requests-per-interval': 10,
          duration: '4s',
        },
      });
      expect(result.exitCode, result.log).toBe(0);
      expect(result.outputs.result).toBe('pass');
      const comparison = reportOf(result).checks.find((c) => c.name.endsWith('vs baseline'));
      expect(comparison?.verdict).toBe('pass');
      expect(comparison?.reason).toMatch(/error rate: 0% vs 0% of 80 and 80 requests.*latency: median/);
    });
  });

  describe('malformed inputs', () => {
    it.each([
      [
        'interval',
        { url: '{service}/healthy', interval: 'abc' },
        'Input "interval" got "abc": expected a duration',
      ],
      [
        'failure-threshold',
        { url: '{service}/healthy', 'failure-threshold': '-1' },
        'Input "failure-threshold" got "-1": expected a whole number from 1 to 1000',
      ],
      ['checks', { checks: '- url: {service}/healthy\n  stauts: 200' }, 'entry 1: unknown key "stauts"'],
      [
        'url',
        { url: 'ftp://127.0.0.1/healthy', checks: '- url: {service}/healthy' },
        'Input "url" got "ftp://127.0.0.1/healthy": expected one or more absolute http or https URLs',
      ],
      [
        'haproxy-backend',
        {
          url: '{service}/healthy',
          router: 'haproxy',
          slots: 'blue=blue\ngreen=green',
          slot: 'green',
          'live-slot': 'blue',
          'haproxy-socket': '/tmp/none.sock',
          'haproxy-backend': 'shop;disable server shop/blue',
        },
        'Input "haproxy-backend" got "shop;disable server shop/blue": expected an HAProxy backend name',
      ],
    ])('rejects a bad %s before sending any request', async (name, raw, message) => {
      const before = service.totalRequests();
      const inputs = Object.fromEntries(
        Object.entries(raw).map(([key, value]) => [key, value.replaceAll('{service}', service.url)]),
      );
      const result = await runMain({ action: 'verify-health', inputs: { duration: '2s', ...inputs } });
      expect(result.exitCode).toBe(1);
      const annotation = errors(result).find((a) => a.title === `Invalid input: ${name}`);
      expect(annotation?.message).toContain(message);
      expect(result.outputs.result).toBeUndefined();
      expect(service.totalRequests()).toBe(before);
    });
  });

  it('never shows a secret header (or a token in the URL) in the log, the summary or the outputs', async () => {
    const token = 'gp-url-token-5d1e88c0';
    const custom = 'gp-custom-auth-0c4e71';
    const authentication = 'gp-authentication-93bd2f';
    const inputs = {
      checks: [
        `- name: private`,
        `  url: ${service.url}/private`,
        `  headers: { Authorization: "${SECRET}" }`,
        `- name: private-echo`,
        `  url: ${service.url}/private`,
        `  headers: { Authorization: "${SECRET}" }`,
        `  json: { auth: expected-something-else }`,
        `- name: private-wrong`,
        `  url: ${service.url}/private?api_key=${token}`,
        `  headers: { X-Api-Key: "${SECRET}-other" }`,
        // Header names nobody could list in advance: every header value but a few public ones is secret.
        `- name: private-custom`,
        `  url: ${service.url}/private`,
        `  headers: { Authorization: "${SECRET}", X-Custom-Auth: "${custom}", Authentication: "${authentication}" }`,
        `  json: { custom: expected-something-else, authentication: expected-something-else }`,
      ].join('\n'),
      interval: '500ms',
      duration: '2s',
    };
    const result = await runMain({ action: 'verify-health', inputs });
    // The right header got 200 (so it was sent); the other check failed with 401 and a reason to print.
    const report = reportOf(result);
    expect(report.checks.find((c) => c.name === 'private')?.verdict).toBe('pass');
    expect(report.checks.find((c) => c.name === 'private-wrong')?.verdict).toBe('fail');
    // The echoed header made this check fail with the value in its evidence: redacted everywhere.
    expect(report.checks.find((c) => c.name === 'private-echo')?.reason).toContain(
      'JSON auth is "***", expected',
    );
    expect(result.exitCode).toBe(1);
    const visible = everythingVisible(result);
    expect(visible).toContain('answered 401');
    expect(visible).not.toContain(SECRET);
    expect(visible).not.toContain('gp-planted-9f3c2a7e41b6');
    expect(visible).not.toContain(token);
    expect(report.checks.find((c) => c.name === 'private-custom')?.reason).toContain(
      'JSON custom is "***", expected',
    );
    expect(visible).not.toContain(custom);
    expect(visible).not.toContain(authentication);
    expect(result.masks).toEqual(expect.arrayContaining([SECRET, token, custom, authentication]));
  });
});
