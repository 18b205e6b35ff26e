import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseJsonPath } from '../../src/analysis/config.js';
import { analysisConfig, analysisFields } from '../../src/analysis/inputs.js';
import { readInputs } from '../../src/inputs/read.js';
import { containsSecret, resetSecretsForTest } from '../../src/secrets.js';
import { from, problemsOf } from './problems.js';

const configOf = async (values: Record<string, string>) =>
  analysisConfig(await readInputs(analysisFields, from(values)));

beforeEach(() => resetSecretsForTest());

describe('analysis inputs', () => {
  it('applies the stated defaults to a bare URL', async () => {
    const config = await configOf({ url: 'http://127.0.0.1:8080/healthz' });
    expect(config).toMatchObject({
      intervalMs: 2000,
      failureThreshold: 2,
      requestsPerInterval: 5,
      maxErrorRate: 0,
      onNoData: 'inconclusive',
      onError: 'fail',
      http: { timeoutMs: 5000, followRedirects: false, insecureTls: false },
    });
    expect(config.probes).toHaveLength(1);
    expect(config.probes[0]).toMatchObject({
      name: '127.0.0.1:8080/healthz',
      method: 'GET',
      status: [{ from: 200, to: 299 }],
    });
    expect(config.baseline).toBeUndefined();
  });

  it('reads a checks block with every key', async () => {
    const config = await configOf({
      checks: [
        '- name: api',
        '  url: https://svc.example/api?x=1',
        '  method: post',
        '  headers: { Accept: application/json, X-Retries: 3 }',
        '  status: [200, "301-302", 4xx]',
        '  body: ^\\{',
        '  json: { "$.data.items[0].id": 7, status: ok }',
        '  max-latency: 1.5s',
      ].join('\n'),
    });
    const check = config.probes[0]!;
    expect(check.name).toBe('api');
    expect(check.method).toBe('POST');
    expect(check.headers).toEqual({ accept: 'application/json', 'x-retries': '3' });
    expect(check.status).toEqual([
      { from: 200, to: 200 },
      { from: 301, to: 302 },
      { from: 400, to: 499 },
    ]);
    expect(check.body?.test('{"a":1}')).toBe(true);
    expect(check.json).toEqual([
      { path: '$.data.items[0].id', steps: ['data', 'items', 0, 'id'], expected: 7 },
      { path: 'status', steps: ['status'], expected: 'ok' },
    ]);
    expect(check.maxLatencyMs).toBe(1500);
  });

  it('names the input, the entry and the key of a bad checks entry', async () => {
    const problems = await problemsOf(
      configOf({ checks: '- url: http://a.example/\n- url: http://b.example/\n  stauts: 200' }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]!.input).toBe('checks');
    expect(problems[0]!.expected).toContain('entry 2: unknown key "stauts"');
  });

  it.each([
    ['status: 700', 'status: expected status codes or ranges'],
    ['url: ftp://a.example/', 'url: expected an absolute http or https URL'],
    ['body: "("', 'body: expected a regular expression'],
    ['max-latency: soon', 'max-latency: expected a duration'],
  ])('rejects a checks entry with %s', async (line, message) => {
    const entry = line.startsWith('url:') ? `- ${line}` : `- url: http://a.example/\n  ${line}`;
    const problems = await problemsOf(configOf({ checks: entry }));
    expect(problems[0]!.expected).toContain(message);
  });

  describe('a checks header that could end itself is refused when the input is read', () => {
    it.each([
      ['CR/LF', '"abc\\r\\nX-Injected: 1"'],
      ['a bare LF', '"abc\\nX-Injected: 1"'],
      ['a bare CR', '"abc\\rdef"'],
      ['NUL', '"abc\\0def"'],
      ['DEL', '"abc\\x7fdef"'],
      ['an escape', '"abc\\x1b[31m"'],
      ['a line separator (U+2028)', '"abc\\u2028def"'],
      ['a character Node will not send (€)', '"abc€"'],
    ])('a value with %s, naming checks, the entry and the header', async (_, value) => {
      const problems = await problemsOf(
        configOf({ checks: `- url: http://a.example/\n  headers:\n    X-Trace: ${value}\n` }),
      );
      expect(problems).toHaveLength(1);
      expect(problems[0]!.input).toBe('checks');
      expect(problems[0]!.expected).toContain(
        'entry 1 › headers › X-Trace: expected a header value without CR, LF or other control characters',
      );
      // The block is never quoted back: it may hold credentials.
      expect(problems[0]!.value).not.toContain('abc');
    });

    it('a value that gets a new line from a placeholder (the version), before any request', async () => {
      const values = await readInputs(
        analysisFields,
        from({ checks: '- url: http://a.example/\n  headers:\n    X-Release: "{{version}}"\n' }),
      );
      const problems = (() => {
        try {
          analysisConfig(values, { version: 'v2\r\nX-Injected: 1' });
          return [];
        } catch (error) {
          return (error as { problems: Array<{ input: string; value: string; expected: string }> }).problems;
        }
      })();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ input: 'checks', value: '(the checks block)' });
      expect(problems[0]!.expected).toContain('header "x-release" of check 1');
      expect(analysisConfig(values, { version: 'v2' }).probes[0]!.headers).toMatchObject({
        'x-release': 'v2',
      });
    });

    it('a prometheus-token that cannot travel in a header, without quoting it', async () => {
      const problems = await problemsOf(
        configOf({
          'prometheus-url': 'http://127.0.0.1:9/',
          queries: '- name: up\n  query: up\n  max: 1\n',
          'prometheus-token': 'tok\nen',
        }),
      );
      expect(problems).toEqual([expect.objectContaining({ input: 'prometheus-token', value: '***' })]);
    });

    it.each(['X Trace', 'X-Trace:', 'X-Trace\\r\\nX-Injected', '""'])(
      'a header name %s, naming the header',
      async (name) => {
        const problems = await problemsOf(
          configOf({
            checks: `- url: http://a.example/\n  headers:\n    "${name.replace(/^""$/, '')}": x\n`,
          }),
        );
        expect(problems[0]!.input).toBe('checks');
        expect(problems[0]!.expected).toContain('expected a header name');
      },
    );

    it('keeps a tab, numbers and booleans', async () => {
      const config = await configOf({
        checks:
          '- url: http://a.example/\n  headers:\n    X-Tab: "a\\tb"\n    X-Count: 3\n    X-Flag: true\n',
      });
      expect(config.probes[0]!.headers).toEqual({
        'x-tab': 'a\tb',
        'x-count': '3',
        'x-flag': 'true',
      });
    });
  });

  describe('durations are bounded by kind', () => {
    it.each([
      ['interval', '600h', 'from 100ms to 1h'],
      ['interval', '61m', 'from 100ms to 1h'],
      ['timeout', '2h', 'from 1ms to 1h'],
      ['baseline-latency-floor', '90m', 'of at most 1h'],
    ])('%s: %s is refused, saying %s', async (name, value, range) => {
      const problems = await problemsOf(configOf({ url: 'http://a.example/', [name]: value }));
      expect(problems).toEqual([
        { input: name, value, expected: `a duration such as 500ms, 30s or 5m, ${range}` },
      ]);
    });

    it('an interval of 1h is accepted', async () => {
      expect((await configOf({ url: 'http://a.example/', interval: '1h' })).intervalMs).toBe(3_600_000);
    });

    it.each(['7200s', '3600001', '3600001ms'])(
      'a check max-latency of %s is refused (above 1h)',
      async (latency) => {
        const problems = await problemsOf(
          configOf({ checks: `- url: http://a.example/\n  max-latency: ${latency}\n` }),
        );
        expect(problems[0]!.input).toBe('checks');
        expect(problems[0]!.expected).toContain(
          'entry 1 › max-latency: expected a duration such as 300ms or 1.5s, at most 1h',
        );
      },
    );
  });

  it('collects every cross-input problem at once', async () => {
    const problems = await problemsOf(
      configOf({
        queries: '- { name: q, query: up, min: 1 }',
        'prometheus-token': 'tok-123456',
        'prometheus-username': 'reader',
      }),
    );
    expect(problems.map((p) => p.input)).toEqual([
      'prometheus-url',
      'prometheus-token',
      'prometheus-password',
    ]);
    // The token is never quoted back.
    expect(problems[1]!.value).toBe('***');
  });

  it('asks for something to check, and for checks to compare with a baseline', async () => {
    const problems = await problemsOf(configOf({ 'baseline-url': 'http://blue.example/' }));
    expect(problems.map((p) => p.input)).toEqual(['url', 'baseline-url']);
    expect(problems[0]!.expected).toContain('set "url", "checks" or "queries"');
  });

  it('rejects two checks with the same name', async () => {
    const problems = await problemsOf(
      configOf({
        checks: '- { name: home, url: "http://a.example/" }\n- { name: home, url: "http://b.example/" }',
      }),
    );
    expect(problems[0]).toMatchObject({ input: 'checks', value: 'home' });
  });

  it('rejects a query without bounds, and a Prometheus URL without queries', async () => {
    const unbounded = await problemsOf(
      configOf({ 'prometheus-url': 'http://prom.example/', queries: '- { name: q, query: up }' }),
    );
    expect(unbounded[0]!.expected).toContain('give "max", "min" or both');
    const none = await problemsOf(
      configOf({ url: 'http://a.example/', 'prometheus-url': 'http://prom.example/' }),
    );
    expect(none.map((p) => p.input)).toEqual(['queries']);
  });

  it('reads a CA file and rejects one that is missing or not PEM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-ca-'));
    const good = path.join(dir, 'ca.pem');
    writeFileSync(good, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const bad = path.join(dir, 'ca.txt');
    writeFileSync(bad, 'not a certificate');
    expect((await configOf({ url: 'https://a.example/', 'ca-file': good })).http.ca).toContain(
      'BEGIN CERTIFICATE',
    );
    const missing = await problemsOf(
      configOf({ url: 'https://a.example/', 'ca-file': path.join(dir, 'nope.pem') }),
    );
    expect(missing[0]).toMatchObject({
      input: 'ca-file',
      expected: 'a readable file of PEM certificates (ENOENT)',
    });
    const notPem = await problemsOf(configOf({ url: 'https://a.example/', 'ca-file': bad }));
    expect(notPem[0]!.input).toBe('ca-file');
  });

  it('builds the baseline settings and the Prometheus credentials', async () => {
    const config = await configOf({
      url: 'http://green.example/healthz',
      'baseline-url': 'http://blue.example/',
      'baseline-confidence': '95%',
      'baseline-latency-tolerance': '50%',
      'prometheus-url': 'http://prom.example/prefix',
      'prometheus-username': 'reader',
      'prometheus-password': 'pw-7c1e0b',
      queries: '- { name: q, query: up, min: 1 }',
    });
    expect(config.baseline).toMatchObject({
      minSamples: 20,
      latencyTolerance: 0.5,
      latencyFloorMs: 5,
      errorTolerance: 0.05,
    });
    expect(config.baseline!.alpha).toBeCloseTo(0.05, 10);
    expect(config.providers.prometheus!.headers.authorization).toBe(
      `Basic ${Buffer.from('reader:pw-7c1e0b').toString('base64')}`,
    );
    expect(containsSecret('pw-7c1e0b')).toBe(true);
  });

  it('registers credentials found in headers and URLs as secrets, and keeps them out of check names', async () => {
    const config = await configOf({
      url: 'http://user:pa55word@a.example/x?token=t0k3n-abc&page=2',
      checks:
        '- { name: c, url: "http://b.example/", headers: { Cookie: "session=s3ss10n", X-Trace: trace-value, Accept: text/visible-value } }',
    });
    expect(containsSecret('pa55word')).toBe(true);
    expect(containsSecret('t0k3n-abc')).toBe(true);
    expect(containsSecret('session=s3ss10n')).toBe(true);
    // Every header but a few public ones is secret, whatever its name.
    expect(containsSecret('trace-value')).toBe(true);
    expect(containsSecret('text/visible-value')).toBe(false);
    expect(config.probes[0]!.name).toBe('a.example/x?token=***&page=2');
  });
});

describe('JSON paths', () => {
  it.each([
    ['status', ['status']],
    ['$.data.items[0].id', ['data', 'items', 0, 'id']],
    ['$["odd key"].x', ['odd key', 'x']],
    ["checks['db'][2]", ['checks', 'db', 2]],
  ])('parses %s', (path, steps) => {
    expect(parseJsonPath(path)).toEqual(steps);
  });

  it.each(['', 'a..b', 'a[x]', 'a b[', '$'])('rejects %j', (path) => {
    expect(parseJsonPath(path)).toBeUndefined();
  });
});
