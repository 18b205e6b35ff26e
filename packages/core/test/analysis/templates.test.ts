import { beforeEach, describe, expect, it } from 'vitest';
import { analysisConfig, analysisFields } from '../../src/analysis/inputs.js';
import {
  expand,
  placeholdersIn,
  type SlotScope,
  sideValues,
  templateProblem,
} from '../../src/analysis/templates.js';
import { readInputs } from '../../src/inputs/read.js';
import { resetSecretsForTest } from '../../src/secrets.js';
import { from, problemsOf } from './problems.js';

const scope: SlotScope = {
  slot: 'blue',
  liveSlot: 'green',
  version: 'shop@sha256:abc',
  liveVersion: 'shop@sha256:old',
  environment: 'production',
  addresses: new Map([
    ['blue', '127.0.0.1:8081'],
    ['green', '127.0.0.1:8082'],
  ]),
};

const configOf = async (values: Record<string, string>, within: SlotScope = scope) =>
  analysisConfig(await readInputs(analysisFields, from(values)), within);

beforeEach(() => resetSecretsForTest());

describe('templates', () => {
  it('finds placeholders, with or without spaces, each once', () => {
    expect(placeholdersIn('{{slot}} {{ slot }} {{live-slot}} {{nope}}')).toEqual([
      'slot',
      'live-slot',
      'nope',
    ]);
    expect(placeholdersIn('rate(x[1m])')).toEqual([]);
  });

  it('expands each side with its own slot, address and version', () => {
    const text = '{{slot}}|{{live-slot}}|{{address}}|{{version}}|{{environment}}';
    expect(expand(text, sideValues(scope, 'target'))).toBe(
      'blue|green|127.0.0.1:8081|shop@sha256:abc|production',
    );
    expect(expand(text, sideValues(scope, 'live'))).toBe(
      'green|green|127.0.0.1:8082|shop@sha256:old|production',
    );
  });

  it('names unknown placeholders, and known ones without a value with the way to give one', () => {
    expect(templateProblem(['{{slto}}'], {})).toMatch(/unknown: \{\{slto\}\}/);
    expect(templateProblem(['{{slot}}'], {}, { slot: 'set the "slot" input' })).toBe(
      'placeholders this action can resolve: {{slot}} has no value here (set the "slot" input)',
    );
    expect(templateProblem(['{{slot}}'], { slot: 'blue' })).toBeUndefined();
  });
});

describe('slot-aware analysis inputs', () => {
  it('expands url, checks, baseline-url and queries for the slot under analysis', async () => {
    const config = await configOf({
      url: 'http://{{address}}/healthz',
      checks: [
        '- name: version of {{slot}}',
        '  url: http://{{address}}/version',
        '  headers: { x-env: "{{environment}}" }',
        '  body: "{{version}}"',
        '  dry-run: true',
      ].join('\n'),
      'baseline-url': 'http://app-{{live-slot}}:8080',
      'prometheus-url': 'http://127.0.0.1:9090',
      queries: [
        '- { name: errors, query: \'errors{slot="{{slot}}"}\', max: 1 }',
        '- { name: vs live, query: \'errors{slot="{{slot}}"}\', compare: live, max-increase: 0.01, max-ratio: 1.5, dry-run: true }',
      ].join('\n'),
    });
    expect(config.probes.map((p) => [p.name, p.url.href, p.dryRun ?? false])).toEqual([
      ['127.0.0.1:8081/healthz', 'http://127.0.0.1:8081/healthz', false],
      ['version of blue', 'http://127.0.0.1:8081/version', true],
    ]);
    expect(config.probes[1]!.headers['x-env']).toBe('production');
    expect(config.probes[1]!.body?.source).toBe('shop@sha256:abc');
    expect(config.baseline?.url.href).toBe('http://app-green:8080/');
    expect(config.queries).toEqual([
      { name: 'errors', query: 'errors{slot="blue"}', max: 1 },
      {
        name: 'vs live',
        query: 'errors{slot="blue"}',
        compare: {
          slot: 'blue',
          liveSlot: 'green',
          query: 'errors{slot="green"}',
          maxIncrease: 0.01,
          maxRatio: 1.5,
        },
        dryRun: true,
      },
    ]);
  });

  it('rejects an unknown placeholder in each input, naming the input', async () => {
    const problems = await problemsOf(
      configOf({
        url: 'http://{{host}}/healthz',
        checks: '- url: http://127.0.0.1/{{path}}',
        'prometheus-url': 'http://127.0.0.1:9090',
        queries: '- { name: q, query: \'up{slot="{{lot}}"}\', max: 1 }',
      }),
    );
    expect(problems.map((p) => [p.input, /unknown: \{\{(\w+)\}\}/.exec(p.expected)?.[1]])).toEqual([
      ['url', 'host'],
      ['checks', 'path'],
      ['queries', 'lot'],
    ]);
  });

  it('rejects compare: live without {{slot}}, without a live slot, and with an unknown live version', async () => {
    const query = (q: string) => ({ 'prometheus-url': 'http://127.0.0.1:9090', queries: q });
    const same = await problemsOf(
      configOf(query("- { name: q, query: 'sum(errors)', compare: live, max-increase: 0 }")),
    );
    expect(same[0]).toMatchObject({ input: 'queries', value: '(query "q")' });
    expect(same[0]!.expected).toContain('a query written for {{slot}} when it has compare: live');
    const lonely = await problemsOf(
      configOf(query('- { name: q, query: \'errors{slot="{{slot}}"}\', compare: live, max-ratio: 2 }'), {
        slot: 'blue',
        hints: { 'live-slot': 'set the "live-slot" input' },
      }),
    );
    expect(lonely[0]!.expected).toBe(
      'a live slot to compare with (compare: live; set the "live-slot" input)',
    );
    const { liveVersion: _, ...withoutLiveVersion } = scope;
    const versionless = await problemsOf(
      configOf(
        query(
          '- { name: q, query: \'errors{slot="{{slot}}",version="{{version}}"}\', compare: live, max-ratio: 2 }',
        ),
        withoutLiveVersion,
      ),
    );
    expect(versionless[0]!.expected).toContain(
      'for the live slot green: placeholders this action can resolve',
    );
    expect(versionless[0]!.expected).toContain('the ledger has no release recorded in the live slot');
  });

  it('rejects relative bounds that are negative or without compare: live', async () => {
    const problems = async (q: string) =>
      (await problemsOf(configOf({ 'prometheus-url': 'http://127.0.0.1:9090', queries: q })))[0]!.expected;
    expect(
      await problems('- { name: q, query: \'x{slot="{{slot}}"}\', compare: live, max-ratio: -1 }'),
    ).toContain('max-ratio: expected a number > 0');
    expect(
      await problems('- { name: q, query: \'x{slot="{{slot}}"}\', compare: live, max-increase: -1 }'),
    ).toContain('max-increase: expected a number ≥ 0');
    expect(await problems("- { name: q, query: 'x', max-ratio: 2 }")).toContain('add compare: live');
    expect(await problems('- { name: q, query: \'x{slot="{{slot}}"}\', compare: live }')).toContain(
      'compare: live needs "max-increase" and/or "max-ratio"',
    );
    expect(
      await problems('- { name: q, query: \'x{slot="{{slot}}"}\', compare: blue, max-ratio: 2 }'),
    ).toContain('expected "live"');
  });

  it('escapes a value inside a PromQL string and a body regex, and refuses a baseline naming the target', async () => {
    const odd = { ...scope, version: 'shop:1.4.2+build"(x)' };
    const config = await configOf(
      {
        checks: '- { url: "http://{{address}}/version", body: "^{{version}}$" }',
        'prometheus-url': 'http://127.0.0.1:9090',
        queries: '- { name: q, query: \'up{version="{{version}}"}\', max: 1 }',
      },
      odd,
    );
    expect(config.queries[0]!.query).toBe('up{version="shop:1.4.2+build\\"(x)"}');
    expect(config.probes[0]!.body!.test('shop:1.4.2+build"(x)')).toBe(true);
    expect(config.probes[0]!.body!.test('shop:1.4.22build"x')).toBe(false);
    const problems = await problemsOf(
      configOf({ url: 'http://{{address}}/healthz', 'baseline-url': 'http://{{address}}' }),
    );
    expect(problems[0]).toMatchObject({ input: 'baseline-url' });
    expect(problems[0]!.expected).toContain('would be compared with itself');
  });

  it('checks a templated URL for form when the input is read', async () => {
    const problems = await problemsOf(readInputs(analysisFields, from({ url: 'not a url {{slot}}' })));
    expect(problems[0]).toMatchObject({ input: 'url' });
    expect(problems[0]!.expected).toContain('placeholders such as {{address}} allowed');
  });
});
