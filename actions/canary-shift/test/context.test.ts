import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analysisFields, InputError } from '@glidepath/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readContext } from '../src/context.js';

const root = path.resolve(import.meta.dirname, '../../..');
const inputsOf = (action: string) =>
  (
    parse(readFileSync(path.join(root, 'actions', action, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    }
  ).inputs;

describe('canary-shift inputs', () => {
  it('declares the analysis inputs exactly as verify-health does (one schema)', () => {
    const mine = inputsOf('canary-shift');
    const theirs = inputsOf('verify-health');
    for (const name of Object.keys(analysisFields)) expect(mine[name], name).toEqual(theirs[name]);
  });

  it('keeps its analysis defaults in the code, stated in the descriptions (test/actions/inputs.test.ts checks them)', () => {
    const inputs = inputsOf('canary-shift') as Record<string, { description: string }>;
    const stated = Object.values(inputs).filter((spec) =>
      /Default: `[^`]*`\.\s*$/.test(spec.description.trim()),
    );
    expect(stated.length).toBeGreaterThanOrEqual(14);
  });

  const defaults = Object.fromEntries(
    Object.entries(inputsOf('canary-shift') as Record<string, { default?: string }>).map(([k, v]) => [
      k,
      v.default ?? '',
    ]),
  );
  const raw =
    (given: Record<string, string>) =>
    (name: string): string =>
      given[name] ?? defaults[name] ?? '';
  const base = {
    router: 'haproxy',
    slots: 'blue=app_blue\ngreen=app_green',
    'haproxy-socket': '/run/haproxy.sock',
    'haproxy-backend': 'app',
    'target-slot': 'green',
    url: 'http://127.0.0.1:8082/healthz',
    version: 'app:v2',
  };

  it('turns the inputs into a plan: the other slot is live, blue-green is analyse-at-0 then 100', async () => {
    const canary = await readContext(raw({ ...base, steps: '5, 25, 100', 'step-duration': '30s' }));
    expect(canary.targetSlot).toBe('green');
    expect(canary.planFor('green')).toMatchObject({
      live: 'blue',
      target: 'green',
      stepDurationMs: 30_000,
      onFailure: 'rollback',
    });
    expect(canary.planFor('green').steps.map((s) => s.weight)).toEqual([5, 25, 100]);
    const blueGreen = await readContext(raw({ ...base, strategy: 'blue-green' }));
    expect(blueGreen.planFor('green').steps.map((s) => s.weight)).toEqual([0, 100]);
  });

  it('names every bad input at once, quoting the value', async () => {
    const error = await readContext(raw({ ...base, steps: '50,25', 'on-failure': 'pray' })).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems.map((p) => [p.input, p.value])).toEqual([
      ['steps', '50,25'],
      ['on-failure', 'pray'],
    ]);
  });

  it('rejects a target slot that is not one of the slots', async () => {
    const error = await readContext(raw({ ...base, 'target-slot': 'red' })).catch((e) => e);
    expect((error as InputError).message).toBe(
      'Input "target-slot" got "red": expected "auto" or one of the slots ("blue", "green").',
    );
  });

  it('takes deploy settings: a command for hosts, Deployments per slot for Kubernetes only', async () => {
    const hosts = await readContext(raw({ ...base, 'deploy-command': './deploy-slot.sh "two words"' }));
    expect(hosts.deploy.command).toEqual(['./deploy-slot.sh', 'two words']);
    expect(hosts.planFor('blue')).toMatchObject({ live: 'green', target: 'blue' });
    const wrongRouter = await readContext(
      raw({ ...base, 'slot-deployments': 'blue=app-blue\ngreen=app-green' }),
    ).catch((e) => e);
    expect((wrongRouter as InputError).problems.map((p) => p.input)).toEqual(['slot-deployments']);
    expect((wrongRouter as InputError).message).toContain('use deploy-command for nginx and HAProxy');
  });

  it('refuses a step too short for the baseline comparison to ever decide, naming step-duration', async () => {
    const error = await readContext(
      raw({ ...base, 'baseline-url': 'http://127.0.0.1:8081/', 'step-duration': '3s', interval: '1s' }),
    ).catch((e) => e);
    expect((error as InputError).problems.map((p) => p.input)).toEqual(['step-duration']);
    expect((error as InputError).message).toContain(
      'expected at least 4s: the baseline comparison needs 20 requests on each side (baseline-min-samples) and this window gives 15',
    );
    const enough = await readContext(
      raw({ ...base, 'baseline-url': 'http://127.0.0.1:8081/', 'step-duration': '4s', interval: '1s' }),
    );
    expect(enough.analysisFor('green').baseline?.minSamples).toBe(20);
  });
});
