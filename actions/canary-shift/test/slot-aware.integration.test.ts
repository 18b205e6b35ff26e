/**
 * Slot-aware analysis through canary-shift's bundled dist/, on a real nginx
 * with two sample-service slots and a real Prometheus scraping both (each
 * service labels its metrics with its own `slot`). The live slot alternates
 * between releases; a query written for `{{slot}}` follows it, a query that
 * names a slot does not.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain, type StepResult } from '../../../test/harness/runner.js';
import { startBackends, stopBackends } from '../../../test/support/backends.js';
import { startLoad } from '../../../test/support/load.mjs';
import { type PrometheusServer, startPrometheus } from '../../../test/support/prometheus.js';
import { type NginxStage, nginxStage } from './setup.js';

// The error ratio of one slot's answers over the last 5 s; `or vector(0)`
// because a slot that has never failed has no 5xx series at all.
const errorRatio = (slot: string) =>
  `(sum(rate(http_requests_total{slot="${slot}",code=~"5.."}[5s])) or vector(0)) / sum(rate(http_requests_total{slot="${slot}"}[5s]))`;

const queriesFor = (slot: string) =>
  [`- name: error ratio`, `  query: '${errorRatio(slot)}'`, `  max: 0.05`].join('\n');

let stage: NginxStage;
let prometheus: PrometheusServer;
/** A load balancer's health checks: both slots' /healthz every 100 ms, so neither slot's counters stand still. */
let healthChecks: AbortController;

beforeAll(async () => {
  stage = await nginxStage();
  prometheus = await startPrometheus({ targets: [stage.blue.address, stage.green.address], job: 'shop' });
  healthChecks = new AbortController();
  void checkHealth([stage.blue.address, stage.green.address], healthChecks.signal);
  for (const slot of ['blue', 'green'])
    await prometheus.waitFor(`sum(rate(http_requests_total{slot="${slot}"}[5s]))`, (v) => v > 0);
}, 120_000);

afterAll(async () => {
  healthChecks?.abort();
  await prometheus?.stop();
  await stage?.stop();
});

async function checkHealth(addresses: string[], signal: AbortSignal): Promise<void> {
  // Bounded: at most 10 minutes, and stopped by afterAll.
  const deadline = Date.now() + 600_000;
  while (!signal.aborted && Date.now() < deadline) {
    await Promise.all(
      addresses.map((a) =>
        fetch(`http://${a}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
  }
}

const shift = (version: string, queries: string, extra: Record<string, string | number> = {}) =>
  runMain({
    action: 'canary-shift',
    inputs: {
      ...stage.routerInputs,
      'target-slot': 'auto',
      steps: '10,50,100',
      'step-duration': '4s',
      interval: '1s',
      'failure-threshold': 2,
      url: 'http://{{address}}/healthz',
      'prometheus-url': prometheus.url,
      queries,
      version,
      'ledger-file': stage.ledgerFile,
      ...extra,
    },
    timeoutMs: 90_000,
  });

/** Runs a release under 100 requests/s of user traffic through nginx. */
async function underLoad(run: () => Promise<StepResult>): Promise<StepResult> {
  const load = startLoad({ url: stage.url, rate: 100, concurrency: 4, maxMs: 90_000 });
  try {
    return await run();
  } finally {
    await load.stop();
  }
}

describe('canary-shift: a templated query follows the slot under analysis', () => {
  it('judges green, then blue, where a query naming one slot judges the wrong one', async () => {
    // Release 1: v2 into green (idle). Green is good: promoted, judged on green.
    const first = await underLoad(() => shift('app:v2', queriesFor('{{slot}}')));
    expect(first.exitCode, first.log).toBe(0);
    expect(first.outputs.result).toBe('promoted');
    expect(first.summary).toContain('slot="green"');
    expect(first.summary).not.toContain('{{slot}}');
    expect(first.summary).toContain(`GET http://${stage.green.address}/healthz`);
    expect(await stage.weights()).toEqual({ blue: 0, green: 100 });

    // Release 2 goes into blue, now idle: the deploy step starts a bad v3 there
    // (half of its answers on / are 500s; /healthz stays green).
    const port = stage.blue.port;
    await stopBackends([stage.blue]);
    const [bad] = await startBackends([{ slot: 'blue', version: 'v3', errorRate: 0.5, port }]);
    stage.blue.process = bad!.process;
    // Until Prometheus has scraped the new process, its counters look like the old one's.
    await prometheus.waitFor('max(http_requests_total{slot="blue",version="v3"})', (v) => v > 0);

    const templated = await underLoad(() => shift('app:v3', queriesFor('{{slot}}')));
    expect(templated.exitCode, templated.log).toBe(1);
    expect(templated.outputs.result).toBe('rolled-back');
    expect(templated.outputs.reason).toMatch(/query "error ratio" = [\d.]+, over max 0\.05/);
    expect(templated.summary).toContain('slot="blue"');
    expect(await stage.weights()).toEqual({ blue: 0, green: 100 });

    // The same release judged by a query that names green — the slot that was
    // the target last time, and is live now — sees the good old version, and
    // promotes the bad one.
    const hardCoded = await underLoad(() => shift('app:v3', queriesFor('green')));
    expect(hardCoded.exitCode, hardCoded.log).toBe(0);
    expect(hardCoded.outputs.result).toBe('promoted');
    expect(hardCoded.summary).toContain('slot="green"');
    expect(hardCoded.summary).not.toContain('slot="blue"');
    expect(await stage.weights()).toEqual({ blue: 100, green: 0 });
  }, 240_000);
});

/** A short release of app:v2 into green on a stage of its own. */
const releaseOn = (s: NginxStage, inputs: Record<string, string>, timeoutMs: number) =>
  runMain({
    action: 'canary-shift',
    inputs: {
      ...s.routerInputs,
      'target-slot': 'green',
      steps: '50,100',
      'step-duration': '3s',
      interval: '1s',
      url: 'http://{{address}}/healthz',
      'prometheus-url': prometheus.url,
      version: 'app:v2',
      'ledger-file': s.ledgerFile,
      ...inputs,
    },
    timeoutMs,
  });

describe('canary-shift: dry-run checks', () => {
  it('promotes a good release whose dry-run query fails, and says it would have failed', async () => {
    const s = await nginxStage();
    try {
      const result = await releaseOn(
        s,
        {
          queries: ['- name: queue depth', "  query: 'vector(7)'", '  max: 5', '  dry-run: true'].join('\n'),
        },
        60_000,
      );
      expect(result.exitCode, result.log).toBe(0);
      expect(result.outputs.result).toBe('promoted');
      expect(await s.weights()).toEqual({ blue: 0, green: 100 });
      const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
      expect(warnings.some((w) => /dry-run query "queue depth" would have failed/.test(w))).toBe(true);
      expect(warnings.some((w) => /query "queue depth" = 7, over max 5/.test(w))).toBe(true);
      expect(result.summary).toContain('❌ fail (dry-run, not judged)');
      expect(result.summary).toContain('Dry-run, not part of the verdict — would have failed');
    } finally {
      await s.stop();
    }
  }, 90_000);
});

describe('canary-shift: bad analysis inputs', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['an unknown placeholder', { url: 'http://{{adress}}/healthz' }, /Input "url".*unknown: \{\{adress\}\}/s],
    [
      'compare: live without {{slot}}',
      {
        queries:
          "- { name: errors, query: 'sum(rate(errors_total[1m]))', compare: live, max-increase: 0.01 }",
      },
      /Input "queries".*a query written for \{\{slot\}\} when it has compare: live/s,
    ],
    [
      'max-ratio: -1',
      {
        queries:
          '- { name: errors, query: \'sum(rate(errors_total{slot="{{slot}}"}[1m]))\', compare: live, max-ratio: -1 }',
      },
      /Input "queries".*max-ratio: expected a number > 0/s,
    ],
  ];
  for (const [what, inputs, message] of cases)
    it(`rejects ${what}, naming the input, with the router untouched`, async () => {
      const s = await nginxStage();
      try {
        const before = await readFile(s.nginx.upstreamFile, 'utf8');
        const result = await releaseOn(s, inputs, 30_000);
        expect(result.exitCode, result.log).toBe(1);
        expect(result.log).toMatch(message);
        expect(await readFile(s.nginx.upstreamFile, 'utf8')).toBe(before);
        expect(await s.weights()).toEqual({ blue: 100, green: 0 });
      } finally {
        await s.stop();
      }
    }, 60_000);
});
