/**
 * Real traffic through the router as evidence, through canary-shift's bundled
 * dist/ on a real nginx (with Glidepath's JSON access log) and a real HAProxy
 * (its per-server counters): a load generator sends a path mix with no client
 * retries, and the release under test fails or slows down only on what users
 * ask, never on what the probes ask.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain, type StepResult } from '../../../test/harness/runner.js';
import { type LoadReport, startLoad } from '../../../test/support/load.mjs';
import { type HaproxyStage, haproxyStage, type NginxStage, nginxStage, type Stage } from './setup.js';

const stages: Stage[] = [];
afterEach(async () => {
  await Promise.all(stages.splice(0).map((s) => s.stop()));
});
const track = <S extends Stage>(s: S): S => {
  stages.push(s);
  return s;
};

/** A fifth of users' requests go to /checkout. */
const PATHS = ['/', '/', '/', '/', '/checkout'];
/** Fails every /checkout: 20% of the new slot's real traffic, none of its probes. */
const checkoutBroken = { errorRate: 1, failPaths: ['/checkout'] };

const shift = (s: Stage, extra: Record<string, string | number> = {}) =>
  runMain({
    action: 'canary-shift',
    inputs: {
      ...s.routerInputs,
      'target-slot': 'green',
      steps: '10,50,100',
      'step-duration': '4s',
      interval: '1s',
      'failure-threshold': 2,
      // The probe asks only /healthz, which every release in this file answers.
      url: `http://${s.green.address}/healthz`,
      version: 'app:v2',
      'ledger-file': s.ledgerFile,
      ...extra,
    },
    timeoutMs: 90_000,
  });

async function underLoad(
  s: Stage,
  run: () => Promise<StepResult>,
  rate = 200,
): Promise<[StepResult, LoadReport]> {
  const load = startLoad({ url: s.url, rate, concurrency: 4, maxMs: 90_000, paths: PATHS });
  const result = await run().catch(async (error: unknown) => {
    await load.stop();
    throw error;
  });
  return [result, await load.stop()];
}

const withLog = (green = {}, blue = {}, retries?: { nextUpstream: string; serverParams: string }) =>
  nginxStage(green, blue, { accessLog: true, ...retries });

describe('canary-shift judges real traffic through the router', () => {
  it('nginx: rolls back a release that fails only /checkout, naming the path; with traffic-metrics off it is promoted', async () => {
    const s = track(await withLog(checkoutBroken));
    const [result] = await underLoad(s, () => shift(s));
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toMatch(/real traffic on green: \d+ of \d+ requests failed/);
    expect(result.outputs.reason).toMatch(/vs 0% of \d+ on blue \(live\)/);
    expect(result.outputs.reason).toMatch(/most failing path \/checkout \(\d+×\)/);
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    expect(result.summary).toContain('| most failing path | /checkout');

    // The gap the feature closes: the same release, judged by its probes only.
    const blind = track(await withLog(checkoutBroken));
    const [promoted] = await underLoad(blind, () => shift(blind, { 'traffic-metrics': 'off' }));
    expect(promoted.exitCode, promoted.log).toBe(0);
    expect(promoted.outputs.result).toBe('promoted');
  }, 240_000);

  it('HAProxy: rolls back a release that fails only /checkout, from its own counters', async () => {
    const s = track(await haproxyStage(checkoutBroken));
    const [result] = await underLoad(s, () => shift(s));
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toMatch(
      /real traffic on green: \d+ of \d+ requests failed .* on blue \(live\)/,
    );
    expect(await s.weights()).toEqual({ blue: 100, green: 0 });
  }, 120_000);

  it('counts a 502 of the new slot against it even when nginx retried it on the live slot', async () => {
    // max_fails=0: nginx keeps sending to a slot whose attempts fail (its default, 1, benches the
    // slot for fail_timeout after one failure, which would leave green too quiet to judge here).
    const s = track(
      await withLog(
        { ...checkoutBroken, errorStatus: 502 },
        {},
        { nextUpstream: 'error timeout http_502', serverParams: 'max_fails=0' },
      ),
    );
    const [result, load] = await underLoad(s, () => shift(s));
    // Users saw none of green's 502s: nginx answered each from blue.
    expect(load.failures).toEqual([]);
    expect(result.exitCode, result.log).toBe(1);
    expect(result.outputs.result).toBe('rolled-back');
    expect(result.outputs.reason).toMatch(/real traffic on green: \d+ of \d+ requests failed/);
    // The evidence included attempts users never saw fail: green's 502, then blue's 200.
    const lines = (await readFile((s as NginxStage).nginx.accessLog!, 'utf8')).split('\n');
    const hidden = lines.filter((l) => l.includes('"upstream_status":"502, 200"'));
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.every((l) => l.includes('"status":"200"'))).toBe(true);
  }, 120_000);

  it('rolls back a release three times slower on real traffic only: nginx (per-request times) and HAProxy (rtime)', async () => {
    for (const make of [
      () => withLog({ latencyMs: 60 }, { latencyMs: 20 }),
      () => haproxyStage({ latencyMs: 60 }, { latencyMs: 20 }),
    ]) {
      const s = track(await make());
      const [result] = await underLoad(s, () => shift(s, { 'step-duration': '6s' }));
      expect(result.exitCode, result.log).toBe(1);
      expect(result.outputs.result).toBe('rolled-back');
      expect(result.outputs.reason).toMatch(
        /real traffic on green: .*(latency median|average response time) [\d.]+m?s vs/,
      );
    }
  }, 240_000);

  it('promotes a good release with router evidence on, busy or quiet, on both routers', async () => {
    for (const make of [() => withLog(), () => haproxyStage()] as Array<
      () => Promise<NginxStage | HaproxyStage>
    >) {
      const busy = track(await make());
      // A latency floor well above loopback noise: a good release must not be judged slower
      // because a loaded CI machine stalled one process for a few milliseconds.
      const [result, load] = await underLoad(busy, () => shift(busy, { 'baseline-latency-floor': '25ms' }));
      expect(result.exitCode, result.log).toBe(0);
      expect(result.outputs.result).toBe('promoted');
      expect(load.failures).toEqual([]);
      expect(result.summary).toMatch(/real traffic on green: 0 of \d+ requests failed/);

      // A few requests per interval: too few to judge, so the probes decide — and promote.
      const quiet = track(await make());
      const [calm] = await underLoad(quiet, () => shift(quiet, { 'baseline-latency-floor': '25ms' }), 20);
      expect(calm.exitCode, calm.log).toBe(0);
      expect(calm.outputs.result).toBe('promoted');
      expect(calm.summary).toContain('fewer than min-requests 10');
    }
  }, 240_000);
});

describe('canary-shift real-traffic inputs', () => {
  const cases: Array<[string, () => Promise<Stage>, Record<string, string>, RegExp]> = [
    [
      'traffic-metrics: router on nginx without an access log',
      () => nginxStage(),
      { 'traffic-metrics': 'router' },
      /Input "traffic-metrics" got "router": expected a router that sees which slot served each request — haproxy \(always\), or nginx with nginx-access-log/,
    ],
    [
      'an nginx-access-log that is a directory',
      () => nginxStage(),
      { 'nginx-access-log': mkdtempSync(`${tmpdir()}/glidepath-logdir-`) },
      /Input "nginx-access-log".*not a directory/,
    ],
    ['min-requests: -1', () => haproxyStage(), { 'min-requests': '-1' }, /Input "min-requests" got "-1"/],
    [
      'a traffic-error-status HAProxy cannot count',
      () => haproxyStage(),
      { 'traffic-error-status': '502' },
      /Input "traffic-error-status".*whole classes/,
    ],
  ];
  for (const [what, make, inputs, message] of cases)
    it(`rejects ${what}, naming the input, with the router untouched`, async () => {
      const s = track(await make());
      const result = await shift(s, inputs);
      expect(result.exitCode, result.log).toBe(1);
      expect(result.log).toMatch(message);
      expect(await s.weights()).toEqual({ blue: 100, green: 0 });
    }, 60_000);
});
