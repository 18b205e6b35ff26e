/**
 * One analysis file in the repository, used by verify-health and by
 * canary-shift (through their bundled dist/): both judge by it, a step
 * input overrides it, and a bad file is refused by file, line and key
 * before anything is sent or moved.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingVisible, runMain } from '../../../test/harness/runner.js';
import { type InfluxDBServer, startInfluxDB } from '../../../test/support/influxdb.js';
import { type HaproxyStage, haproxyStage } from '../../canary-shift/test/setup.js';

let influx: InfluxDBServer;
let stage: HaproxyStage;
let workspace: string;
const PASSWORD = 'influx-pw-planted-41c9';

beforeAll(async () => {
  [influx, stage] = await Promise.all([
    startInfluxDB({ auth: { username: 'admin', password: PASSWORD } }),
    haproxyStage(),
  ]);
  await influx.createDatabase('shop');
  // A point a second for the next few minutes: green errs on 20% of requests, blue on 1%.
  const now = Date.now();
  const lines: string[] = [];
  for (let s = -30; s < 300; s++) {
    const at = (now + s * 1000) * 1_000_000;
    lines.push(
      `http,slot=green requests=100i,errors=20i ${at}`,
      `http,slot=blue requests=100i,errors=1i ${at}`,
    );
  }
  await influx.write('shop', lines.join('\n'));
  workspace = mkdtempSync(path.join(tmpdir(), 'glidepath-workspace-'));
  writeFileSync(
    path.join(workspace, 'analysis.yml'),
    [
      '# yaml-language-server: $schema=../schemas/analysis-file.schema.json',
      'interval: 1s',
      'failure-threshold: 2',
      'providers:',
      '  influxdb:',
      `    url: ${influx.url}`,
      '    database: shop',
      '    username: admin',
      '    password: { env: INFLUX_PASSWORD }',
      'queries:',
      '  - name: error ratio',
      '    provider: influxdb',
      `    query: SELECT sum("errors") / sum("requests") FROM "http" WHERE "slot" = '{{slot}}' AND time > now() - 10s AND time <= now()`,
      '    max: 0.05',
      '',
    ].join('\n'),
  );
}, 90_000);

afterAll(async () => {
  await Promise.all([influx?.stop(), stage?.stop()]);
});

const env = { INFLUX_PASSWORD: PASSWORD };

describe('one analysis file for verify-health and canary-shift', () => {
  it('verify-health judges by it: the bad slot fails, the good one passes', async () => {
    const green = await runMain({
      action: 'verify-health',
      inputs: { 'analysis-file': 'analysis.yml', slot: 'green', duration: '3s' },
      env,
      cwd: workspace,
      timeoutMs: 60_000,
    });
    expect(green.exitCode, green.log).toBe(1);
    expect(green.outputs.result).toBe('fail');
    expect(green.outputs.reason).toContain('query "error ratio" (influxdb) = 0.2, over max 0.05');
    const blue = await runMain({
      action: 'verify-health',
      inputs: { 'analysis-file': 'analysis.yml', slot: 'blue', duration: '3s' },
      env,
      cwd: workspace,
      timeoutMs: 60_000,
    });
    expect(blue.exitCode, blue.log).toBe(0);
    expect(blue.outputs.result).toBe('pass');
    for (const result of [green, blue]) expect(everythingVisible(result)).not.toContain(PASSWORD);
  }, 90_000);

  it('canary-shift rolls back by the same file; a step input overrides it', async () => {
    const shift = (extra: Record<string, string>) =>
      runMain({
        action: 'canary-shift',
        inputs: {
          ...stage.routerInputs,
          'target-slot': 'green',
          steps: '10,100',
          'step-duration': '3s',
          version: 'app:v2',
          'ledger-file': stage.ledgerFile,
          'traffic-metrics': 'off',
          'analysis-file': 'analysis.yml',
          ...extra,
        },
        env,
        cwd: workspace,
        timeoutMs: 60_000,
      });
    const rolled = await shift({});
    expect(rolled.exitCode, rolled.log).toBe(1);
    expect(rolled.outputs.result).toBe('rolled-back');
    expect(rolled.outputs.reason).toContain('query "error ratio" (influxdb) = 0.2, over max 0.05');
    expect(await stage.weights()).toEqual({ blue: 100, green: 0 });
    // The step's own queries replace the file's: a looser bound promotes the same slot.
    const promoted = await shift({
      queries: [
        '- name: error ratio',
        '  provider: influxdb',
        `  query: SELECT sum("errors") / sum("requests") FROM "http" WHERE "slot" = '{{slot}}' AND time > now() - 10s`,
        '  max: 0.5',
      ].join('\n'),
    });
    expect(promoted.exitCode, promoted.log).toBe(0);
    expect(promoted.outputs.result).toBe('promoted');
    for (const result of [rolled, promoted]) expect(everythingVisible(result)).not.toContain(PASSWORD);
  }, 120_000);

  it('refuses a bad file by file, line and key, before anything is sent', async () => {
    writeFileSync(path.join(workspace, 'bad.yml'), 'interval: 1s\nfailure-treshold: 2\n');
    const result = await runMain({
      action: 'verify-health',
      inputs: { 'analysis-file': 'bad.yml', url: 'http://127.0.0.1:9/' },
      cwd: workspace,
      timeoutMs: 30_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/analysis-file.*bad\.yml:2: failure-treshold: an unknown key/);
  }, 60_000);
});
