import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Summary } from '@glidepath/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chartPoints,
  renderShift,
  type ShiftOutcome,
  type ShiftPlan,
  sendWebhook,
  shiftSteps,
  webhookPayload,
} from '../../src/rollout/index.js';

const plan: ShiftPlan = {
  strategy: 'canary',
  live: 'blue',
  target: 'green',
  steps: shiftSteps('canary', [10, 50, 100]),
  stepDurationMs: 3000,
  maxDurationMs: 60_000,
  onFailure: 'rollback',
};
const t0 = 1_700_000_000_000;
const rolledBack: ShiftOutcome = {
  result: 'rolled-back',
  weight: 0,
  reason: 'Step 2/3 at 50% failed: check "home" failed: 2 consecutive failing samples (HTTP 500).',
  cause: 'verdict',
  settled: true,
  startedAt: t0,
  steps: [
    {
      step: plan.steps[0]!,
      startedAt: t0,
      endedAt: t0 + 3000,
      verdict: 'pass',
      reason: 'ok',
      samples: 3,
      p95Ms: 4,
      errorRate: 0,
    },
    {
      step: plan.steps[1]!,
      startedAt: t0 + 3000,
      endedAt: t0 + 5000,
      verdict: 'fail',
      reason: 'HTTP 500',
      samples: 2,
      p95Ms: 3,
      errorRate: 1,
    },
  ],
  curve: [
    { at: t0, weight: 10 },
    { at: t0 + 1000, weight: 10, errorRate: 0 },
    { at: t0 + 3000, weight: 50 },
    { at: t0 + 4000, weight: 50, errorRate: 1 },
    { at: t0 + 5000, weight: 0 },
  ],
  detection: { firstFailureAt: t0 + 3500, verdictAt: t0 + 4500, revertedAt: t0 + 4600 },
};

describe('renderShift', () => {
  it('puts the abort reason first, then a timeline table and a weight / error-rate chart', () => {
    const md = renderShift(new Summary(), plan, rolledBack).toMarkdown();
    const reasonAt = md.indexOf('check "home" failed');
    expect(reasonAt).toBeGreaterThan(0);
    expect(reasonAt).toBeLessThan(md.indexOf('| step | weight | verdict | samples | p95 | error rate |'));
    expect(md).toContain('| 2 | 50% | fail | 2 | 3 ms | 100.0% |');
    expect(md).toContain(
      'Traffic was back on blue 1.1s after the first failing sample, 100ms after the verdict.',
    );
    expect(md).toMatch(/```mermaid\n%%\{init: .*plotColorPalette.*\}%%\nxychart-beta/);
    expect(md).toContain('title "Traffic on green (blue, %) and its error rate (red, %) over time (s)"');
    expect(md).toContain('blue line: weight on green · red line: error rate of green');
    expect(md).toContain('line [10, 10, 50, 50, 0]');
    expect(md).toContain('line [0, 0, 0, 100, 100]');
  });

  it('keeps the chart readable for long shifts', () => {
    const curve = Array.from({ length: 500 }, (_, i) => ({ at: t0 + i * 1000, weight: 10, errorRate: 0 }));
    expect(chartPoints(curve, t0).x.length).toBeLessThanOrEqual(61);
  });
});

describe('webhook', () => {
  const received: Array<{ body: unknown; type: string | undefined }> = [];
  let status = 200;
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ body: JSON.parse(data), type: req.headers['content-type'] });
      res.writeHead(status).end('ok');
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/secret-token`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts Slack-compatible JSON naming the outcome and the reason', async () => {
    const payload = webhookPayload({
      environment: 'production',
      version: 'app:v2',
      plan,
      outcome: rolledBack,
    });
    expect(await sendWebhook(url, payload)).toBeUndefined();
    const last = received.at(-1)!;
    expect(last.type).toBe('application/json');
    expect(last.body).toMatchObject({ text: expect.stringContaining('app:v2 rolled back') });
    expect((last.body as { text: string }).text).toContain('check "home" failed');
    expect((last.body as { blocks: unknown[] }).blocks[0]).toMatchObject({ type: 'section' });
  });

  it('turns a failed delivery into a warning that does not show the URL', async () => {
    status = 500;
    const warning = await sendWebhook(url, { text: 'x' });
    expect(warning).toContain('HTTP 500');
    status = 200;
    const port = (server.address() as AddressInfo).port;
    const unreachable = await sendWebhook(
      `http://127.0.0.1:1/secret-token`,
      { text: 'x' },
      { timeoutMs: 2000 },
    );
    expect(unreachable).toContain('could not be reached');
    expect(unreachable).not.toContain('secret-token');
    expect(port).toBeGreaterThan(0);
  });
});
