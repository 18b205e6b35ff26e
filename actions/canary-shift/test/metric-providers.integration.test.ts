/**
 * Metric providers through canary-shift's bundled dist/, on a real HAProxy
 * with two sample-service slots: an Alertmanager gate (real Alertmanager)
 * that rolls back on an alert fired mid-step and ignores a silenced one; a
 * Loki query templated for {{slot}} (the Loki fake, checked by Grafana's
 * LogQL grammar) fed by the slots' own error logs, as a log shipper would;
 * and a planted provider credential that never leaves the process.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LokiFake, startLokiFake } from '../../../test/fakes/loki/index.js';
import { everythingVisible, runMain } from '../../../test/harness/runner.js';
import { type AlertmanagerServer, startAlertmanager } from '../../../test/support/alertmanager.js';
import { type HaproxyStage, haproxyStage, versionsServed } from './setup.js';

let alertmanager: AlertmanagerServer;
let loki: LokiFake;
const stages: HaproxyStage[] = [];

beforeAll(async () => {
  [alertmanager, loki] = await Promise.all([startAlertmanager(), startLokiFake()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([alertmanager?.stop(), loki?.stop()]);
});
afterEach(async () => {
  await Promise.all(stages.splice(0).map((s) => s.stop()));
  expect(loki.takeViolations()).toEqual([]);
});

async function stage(...args: Parameters<typeof haproxyStage>): Promise<HaproxyStage> {
  const s = await haproxyStage(...args);
  stages.push(s);
  return s;
}

const inputs = (s: HaproxyStage, extra: Record<string, string | number> = {}) => ({
  ...s.routerInputs,
  'target-slot': 'green',
  steps: '10,50,100',
  'step-duration': '3s',
  interval: '1s',
  'failure-threshold': 2,
  url: `http://${s.green.address}/`,
  version: 'app:v2',
  'ledger-file': s.ledgerFile,
  'traffic-metrics': 'off',
  ...extra,
});

/** Resolves once HAProxy gives green `weight`, so something can happen mid-step. */
async function untilGreenAt(s: HaproxyStage, weight: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await s.weights()).green !== weight) {
    if (Date.now() > deadline) throw new Error(`green never reached ${weight}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('an Alertmanager gate', () => {
  const gate = (matchers: string) =>
    [`- name: no critical alerts`, `  provider: alertmanager`, `  query: '${matchers}'`].join('\n');

  it('rolls back when an alert for the service fires mid-step', async () => {
    const s = await stage();
    const labels = { alertname: 'CheckoutErrors', service: 'shop-am1', severity: 'critical' };
    const running = runMain({
      action: 'canary-shift',
      inputs: inputs(s, {
        'step-duration': '6s',
        queries: gate('service="shop-am1",severity="critical"'),
        providers: `alertmanager: { url: "${alertmanager.url}" }`,
      }),
      timeoutMs: 90_000,
    });
    await untilGreenAt(s, 10);
    await alertmanager.fire(labels);
    const result = await running;
    await alertmanager.resolve(labels);
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toContain(
      'query "no critical alerts" (alertmanager) = 1 {alerts="CheckoutErrors"}, over max 0',
    );
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    expect(await versionsServed(s.url, 20)).toEqual({ v1: 20 });
    expect(result.summary).toContain('Alertmanager');
  }, 120_000);

  it('promotes while the only matching alert is silenced', async () => {
    const s = await stage();
    const labels = { alertname: 'CheckoutErrors', service: 'shop-am2', severity: 'critical' };
    await alertmanager.fire(labels);
    const silence = await alertmanager.silence([{ name: 'service', value: 'shop-am2' }]);
    try {
      const result = await runMain({
        action: 'canary-shift',
        inputs: inputs(s, {
          queries: gate('service="shop-am2",severity="critical"'),
          providers: `alertmanager: { url: "${alertmanager.url}" }`,
        }),
        timeoutMs: 90_000,
      });
      expect(result.exitCode, result.log).toBe(0);
      expect(result.outputs.result).toBe('promoted');
      // The alert is still firing, only silenced: the gate saw it and left it out.
      const firing = await alertmanager.alerts({ filter: ['service="shop-am2"'] });
      expect(firing.map((a) => a.status.state)).toEqual(['suppressed']);
    } finally {
      await alertmanager.expireSilence(silence);
      await alertmanager.resolve(labels);
    }
  }, 120_000);
});

describe('a Loki query written for {{slot}}', () => {
  /** Ships every stderr line of a slot's service to Loki, as promtail would, labelled with its app and slot. */
  function shipLogs(s: HaproxyStage, app: string): void {
    for (const backend of [s.blue, s.green]) {
      let rest = '';
      backend.process.stderr?.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        if (lines.length) loki.push({ app, slot: backend.slot }, lines);
      });
    }
  }
  const errorLines = (app: string) =>
    [
      `- name: error lines`,
      `  provider: loki`,
      `  query: 'sum(count_over_time({app="${app}",slot="{{slot}}"} |= "level=error" [{{lookback}}]))'`,
      `  lookback: 3s`,
      `  max: 0`,
      // Loki returns nothing, not 0, when no line matches: a quiet slot passes.
      `  on-no-data: pass`,
    ].join('\n');
  const lokiInputs = (app: string) => ({
    queries: errorLines(app),
    providers: `loki: { url: "${loki.url}", token: { env: LOKI_TOKEN } }`,
  });
  const token = 'loki-t0ken-planted-9c2e';

  it('rolls back a release whose error logs reach Loki, and never shows the token', async () => {
    const s = await stage({ errorRate: 0.5, logErrors: true }, { logErrors: true });
    shipLogs(s, 'shop-l1');
    // User traffic through HAProxy: the errors come from what users get.
    const controller = new AbortController();
    const traffic = (async () => {
      const deadline = Date.now() + 60_000;
      while (!controller.signal.aborted && Date.now() < deadline) {
        await fetch(s.url, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        );
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const result = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, { ...lokiInputs('shop-l1'), url: `http://${s.blue.address}/healthz` }),
      env: { LOKI_TOKEN: token },
      timeoutMs: 90_000,
    });
    controller.abort();
    await traffic;
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toMatch(/query "error lines" \(loki\) = \d+, over max 0/);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    // The query followed the slot under analysis, with the bearer token the block named.
    const asked = loki.requests.filter((r) => r.path === '/loki/api/v1/query');
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => String(r.params.query).includes('slot="green"'))).toBe(true);
    expect(asked.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
    expect(everythingVisible(result)).not.toContain(token);
  }, 120_000);

  it('promotes a good release: no error line on its slot, nothing from Loki but no data', async () => {
    const s = await stage({ logErrors: true }, { errorRate: 0.3, logErrors: true });
    shipLogs(s, 'shop-l2');
    // The live slot errs (it is not the one under analysis): its lines must not count against green.
    for (let i = 0; i < 30; i++) await fetch(`http://${s.blue.address}/`).then((r) => r.arrayBuffer());
    const result = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, lokiInputs('shop-l2')),
      env: { LOKI_TOKEN: token },
      timeoutMs: 90_000,
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs.result).toBe('promoted');
    expect(everythingVisible(result)).not.toContain(token);
  }, 120_000);

  it('refuses a literal token before any traffic moves, and names the input', async () => {
    const s = await stage();
    const result = await runMain({
      action: 'canary-shift',
      inputs: inputs(s, {
        queries: errorLines('shop-l3'),
        providers: `loki: { url: "${loki.url}", token: ${token} }`,
      }),
      timeoutMs: 60_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/providers.*a credential written out: name the environment variable/);
    expect(everythingVisible(result)).not.toContain(token);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
  }, 60_000);
});
