/**
 * The `providers` block and the per-provider keys of `queries`, as the inputs
 * are read: what each provider's settings become, how placeholders are
 * escaped for each query language, and every refusal (a literal credential,
 * a missing variable, a key of the wrong provider) before anything is sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analysisConfig, analysisFields } from '../../src/analysis/inputs.js';
import { readInputs } from '../../src/inputs/read.js';
import { childEnvironment } from '../../src/process.js';
import { containsSecret, resetSecretsForTest } from '../../src/secrets.js';
import { from, problemsOf } from './problems.js';

const scope = { slot: 'green', liveSlot: 'blue', version: "v'2" };
const configOf = async (values: Record<string, string>) =>
  analysisConfig(await readInputs(analysisFields, from(values)), scope);
const expectedOf = async (values: Record<string, string>) =>
  (await problemsOf(configOf(values))).map((p) => `${p.input}: ${p.expected}`).join('\n');

const planted = 'lk-7f3c9e21-planted';
beforeEach(() => {
  resetSecretsForTest();
  process.env.TEST_LOKI_TOKEN = planted;
});
afterEach(() => {
  delete process.env.TEST_LOKI_TOKEN;
});

describe('providers block', () => {
  it('connects each provider, credentials read from the environment and masked', async () => {
    const config = await configOf({
      providers: [
        'loki: { url: "http://127.0.0.1:3100", tenant: shop, token: { env: TEST_LOKI_TOKEN } }',
        'influxdb: { url: "http://127.0.0.1:8086/", database: metrics, retention-policy: short }',
        'alertmanager: { url: "http://127.0.0.1:9093/am/", headers: { X-Team: shop } }',
      ].join('\n'),
      queries: [
        '- { name: errors, provider: loki, query: \'sum(rate({slot="{{slot}}"} |= "ERROR" [{{lookback}}]))\', max: 1, interval: 30s }',
        '- { name: mean, provider: influxdb, query: "SELECT mean(v) FROM m WHERE slot = \'{{version}}\' AND time > now() - {{lookback}}", max: 5 }',
        '- { name: alerts, provider: alertmanager, query: \'service="shop",slot="{{slot}}"\' }',
      ].join('\n'),
    });
    expect(config.providers.loki).toEqual({
      url: new URL('http://127.0.0.1:3100'),
      headers: { authorization: `Bearer ${planted}`, 'x-scope-orgid': 'shop' },
    });
    expect(config.providers.influxdb).toMatchObject({ database: 'metrics', retentionPolicy: 'short' });
    expect(config.providers.alertmanager?.headers).toEqual({ 'x-team': 'shop' });
    expect(containsSecret(planted)).toBe(true);
    // The variable a provider reads is kept from child processes.
    expect(childEnvironment({}, { githubToken: false }).TEST_LOKI_TOKEN).toBeUndefined();
    const [errors, mean, alerts] = config.queries;
    expect(errors).toMatchObject({
      provider: 'loki',
      query: 'sum(rate({slot="green"} |= "ERROR" [30s]))',
      intervalMs: 30_000,
      lookbackMs: 30_000,
    });
    // InfluxQL strings are single-quoted: the quote in the version is escaped.
    expect(mean!.query).toBe("SELECT mean(v) FROM m WHERE slot = 'v\\'2' AND time > now() - 2s");
    // A gate without bounds fails on any firing alert.
    expect(alerts).toMatchObject({ provider: 'alertmanager', query: 'service="shop",slot="green"', max: 0 });
  });

  it('reads a web query: the URL templated, the JSONPath and the headers as written', async () => {
    const config = await configOf({
      slots: '',
      queries:
        '- { name: backlog, provider: web, url: "http://127.0.0.1:9/{{slot}}/stats", json-path: "$.queues[*].depth", headers: { X-Team: shop }, max: 10 }',
    });
    expect(config.queries[0]).toMatchObject({
      provider: 'web',
      query: 'http://127.0.0.1:9/green/stats',
      web: { jsonPath: '$.queues[*].depth', headers: { 'x-team': 'shop' } },
    });
  });

  it('refuses a literal credential, in a credential key or a credential header, without quoting it', async () => {
    for (const providers of [
      'loki: { url: "http://127.0.0.1:3100", token: s3cr3t-literal }',
      'influxdb: { url: "http://127.0.0.1:8086", database: m, username: u, password: s3cr3t-literal }',
      'alertmanager: { url: "http://127.0.0.1:9093", headers: { Authorization: "Bearer s3cr3t-literal" } }',
      'web: { headers: { X-Api-Key: s3cr3t-literal } }',
    ]) {
      const problems = await problemsOf(configOf({ providers, url: 'http://127.0.0.1:9/' }));
      expect(problems).toHaveLength(1);
      expect(problems[0]!.input).toBe('providers');
      expect(problems[0]!.expected).toMatch(/a credential written out: name the environment variable/);
      expect(JSON.stringify(problems)).not.toContain('s3cr3t-literal');
    }
  });

  it('names the variable that is not set, and the provider a query uses but nobody configured', async () => {
    expect(
      await expectedOf({
        providers: 'loki: { url: "http://127.0.0.1:3100", token: { env: TEST_UNSET_VARIABLE } }',
        queries: [
          '- { name: errors, provider: loki, query: \'count_over_time({a="b"}[1m])\', max: 1 }',
          '- { name: gate, provider: alertmanager, query: \'service="shop"\' }',
        ].join('\n'),
      }),
    ).toBe(
      [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression the message suggests
        'providers: the environment variable TEST_UNSET_VARIABLE set, since providers.loki.token names it (e.g. env: TEST_UNSET_VARIABLE: ${{ secrets.TEST_UNSET_VARIABLE }} on the step)',
        'providers: providers.alertmanager with its url, since query "gate" has provider: alertmanager',
      ].join('\n'),
    );
  });

  it('refuses keys of another provider, a web query without its parts, and bad matchers', async () => {
    const problem = async (queries: string) =>
      (await problemsOf(configOf({ queries, providers: 'alertmanager: { url: "http://127.0.0.1:9" }' })))[0]!
        .expected;
    expect(await problem('- { name: a, query: up, json-path: $.x, max: 1 }')).toMatch(
      /json-path: "json-path" belongs to a web query \(provider: web\)/,
    );
    expect(await problem('- { name: a, provider: web, url: "http://127.0.0.1:9/", max: 1 }')).toMatch(
      /a web query needs "json-path"/,
    );
    expect(
      await problem(
        '- { name: a, provider: web, query: up, url: "http://127.0.0.1:9/", json-path: $, max: 1 }',
      ),
    ).toMatch(/a web query is its "url"/);
    expect(await problem("- { name: a, provider: alertmanager, query: 'service shop' }")).toMatch(
      /expected label matchers such as service="shop",severity="critical"/,
    );
    expect(await problem("- { name: a, provider: influxdb, query: 'SELECT 1', delay: 1m, max: 1 }")).toMatch(
      /InfluxQL states its own time range/,
    );
    expect(await problem('- { name: a, query: up, max: 1, interval: 2h }')).toMatch(
      /interval: expected a duration such as 30s, 5m or 1m30s, from 100ms to 1h/,
    );
    expect(await problem('- { name: a, query: up, max: 1, on-no-data: ignore }')).toMatch(
      /on-no-data: expected fail, inconclusive or pass/,
    );
    expect(await problem('- { name: a, provider: graphite, query: up, max: 1 }')).toMatch(
      /provider: expected one of prometheus, loki, influxdb, web, alertmanager, datadog, cloudwatch/,
    );
  });

  it('keeps a placeholder from changing what a gate or a Datadog query means, and a CloudWatch period sensible', async () => {
    const problem = async (queries: string, providers: string) =>
      (await problemsOf(configOf({ queries, providers }))).map((p) => p.expected);
    expect(
      await problem(
        "- { name: g, provider: alertmanager, query: 'service=shop,version={{version}}' }",
        'alertmanager: { url: "http://127.0.0.1:9093" }',
      ),
    ).toEqual([expect.stringMatching(/a placeholder as a matcher value in double quotes/)]);
    const datadog =
      'datadog: { api-key: { env: TEST_LOKI_TOKEN }, application-key: { env: TEST_LOKI_TOKEN } }';
    // The version holds a quote: bare in a Datadog tag it would end the value.
    expect(
      await problem(
        "- { name: d, provider: datadog, query: 'sum:errors{version:{{version}}}', max: 1 }",
        datadog,
      ),
    ).toEqual([
      'placeholder values a Datadog tag can hold as they are (letters, digits, _ . : / -): {{version}} is "v\'2"',
    ]);
    const cloudwatch = 'cloudwatch: { region: eu-west-1 }';
    expect(
      await problem("- { name: c, provider: cloudwatch, query: 'SELECT 1', period: 7, max: 1 }", cloudwatch),
    ).toEqual([expect.stringMatching(/a period CloudWatch takes: 1, 5, 10, 30/)]);
    expect(
      await problem(
        "- { name: c, provider: cloudwatch, query: 'SELECT 1', period: 600, lookback: 5m, max: 1 }",
        cloudwatch,
      ),
    ).toEqual([
      'a lookback of at least one period: the period is 10m and the lookback 5m, so no datapoint could fall in the window',
    ]);
  });

  it('takes one Prometheus: prometheus-url or providers: prometheus', async () => {
    expect(
      await expectedOf({
        'prometheus-url': 'http://127.0.0.1:9090',
        providers: 'prometheus: { url: "http://127.0.0.1:8428" }',
        queries: '- { name: a, query: up, max: 1 }',
      }),
    ).toBe(
      'providers: one Prometheus: "prometheus-url" (http://127.0.0.1:9090/) or providers: prometheus, not both',
    );
    const config = await configOf({
      providers: 'prometheus: { url: "http://127.0.0.1:8428" }',
      queries: '- { name: a, query: up, max: 1 }',
    });
    expect(config.providers.prometheus?.url.href).toBe('http://127.0.0.1:8428/');
  });
});
