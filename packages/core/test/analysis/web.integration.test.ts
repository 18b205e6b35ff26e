/**
 * The web provider against a real HTTP server on loopback (the endpoint is
 * whatever JSON a team already serves), and the rate-limit backoff every
 * provider shares: a 429 is waited out while the interval allows, and said
 * so when it does not.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpOptions, QueryCheck } from '../../src/analysis/config.js';
import { analyse } from '../../src/analysis/engine.js';
import { analysisConfig, analysisFields } from '../../src/analysis/inputs.js';
import { webProvider } from '../../src/analysis/providers/web.js';
import { measure } from '../../src/analysis/sources/query.js';
import { readInputs } from '../../src/inputs/read.js';
import { redact, registerSecret, resetSecretsForTest } from '../../src/secrets.js';
import { from } from './problems.js';

const settings: HttpOptions = { timeoutMs: 2000, followRedirects: false, insecureTls: false };
let server: http.Server;
let base: string;
const seen: Array<{ url: string; method: string; headers: http.IncomingHttpHeaders; body: string }> = [];
/** Answers queued per path; the last one repeats. */
const answers = new Map<string, Array<{ status: number; body: string; headers?: Record<string, string> }>>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body });
      const queue = answers.get(new URL(req.url ?? '/', 'http://x').pathname) ?? [];
      const answer = queue.length > 1 ? queue.shift()! : (queue[0] ?? { status: 404, body: 'not here' });
      res
        .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        .end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  seen.length = 0;
  answers.clear();
  resetSecretsForTest();
});

const check = (path: string, jsonPath: string, bounds: Partial<QueryCheck> = {}): QueryCheck => ({
  name: 'backlog',
  provider: 'web',
  query: `${base}${path}`,
  web: { headers: { 'x-team': 'shop' }, jsonPath },
  ...bounds,
});
const run = (c: QueryCheck, shared: Record<string, string> = {}, deadline = Date.now() + 20_000) =>
  measure(c, webProvider(c.web!, { headers: shared }, settings), 0, { deadline });

describe('web provider', () => {
  it('selects one number, within bounds → pass, out of bounds → fail naming the provider, query and value', async () => {
    answers.set('/stats', [{ status: 200, body: JSON.stringify({ errors: { rate: 0.02 } }) }]);
    expect((await run(check('/stats', '$.errors.rate', { max: 0.05 }))).outcome).toBe('pass');
    const failed = await run(check('/stats', '$.errors.rate', { max: 0.01 }));
    expect(failed.outcome).toBe('fail');
    expect(failed.failure).toBe('query "backlog" (web) = 0.02, over max 0.01');
    // The request carried the entry's headers and the shared ones.
    expect(seen[0]).toMatchObject({
      method: 'GET',
      headers: { 'x-team': 'shop', accept: 'application/json' },
    });
  });

  it('bounds every number a wildcard selects, each labelled by where it was', async () => {
    answers.set('/queues', [
      { status: 200, body: JSON.stringify({ queues: [{ depth: 3 }, { depth: '12' }, { depth: 4 }] }) },
    ]);
    const m = await run(check('/queues', '$.queues[*].depth', { max: 10 }));
    expect(m.outcome).toBe('fail');
    expect(m.failure).toBe(`query "backlog" (web) = 12 {path="$['queues'][1]['depth']"}, over max 10`);
    expect(m.values.map((s) => s.value)).toEqual([3, 12, 4]);
  });

  it('sends a body with POST and the shared credential header', async () => {
    answers.set('/search', [{ status: 200, body: '{"hits": {"total": 7}}' }]);
    const c = check('/search', '$.hits.total', { max: 10 });
    c.web!.body = '{"query": "level:error"}';
    const m = await run(c, { authorization: 'Bearer web-t0ken-planted' });
    expect(m.outcome).toBe('pass');
    expect(seen[0]).toMatchObject({
      method: 'POST',
      body: '{"query": "level:error"}',
      headers: { authorization: 'Bearer web-t0ken-planted', 'content-type': 'application/json' },
    });
  });

  it('finds no data when the path matches nothing or holds null, and errors on a string or a bad answer', async () => {
    answers.set('/a', [{ status: 200, body: '{"x": null}' }]);
    expect((await run(check('/a', '$.missing', { max: 1 }))).outcome).toBe('no-data');
    expect((await run(check('/a', '$.x', { max: 1 }))).outcome).toBe('no-data');
    answers.set('/b', [{ status: 200, body: '{"x": "high"}' }]);
    expect((await run(check('/b', '$.x', { max: 1 }))).failure).toBe(
      `query "backlog" on web: json-path $.x selected "high" at $['x'], not a number`,
    );
    answers.set('/c', [{ status: 500, body: '{"error": "database down"}' }]);
    expect((await run(check('/c', '$.x', { max: 1 }))).failure).toBe(
      `query "backlog" on web: ${base}/c answered 500: {"error": "database down"}`,
    );
    answers.set('/d', [{ status: 200, body: '<html>' }]);
    expect((await run(check('/d', '$.x', { max: 1 }))).failure).toBe(
      `query "backlog" on web: ${base}/d answered 200 with something that is not JSON`,
    );
  });
});

describe('web provider secrets', () => {
  it("never shows a URL's credentials, though it sends them", async () => {
    answers.set('/m', [{ status: 200, body: '{"v": 1}' }]);
    const url = `${base.replace('http://', 'http://webuser:WEBPASS-planted@')}/m?api_key=APIKEY-planted`;
    const config = analysisConfig(
      await readInputs(
        analysisFields,
        from({
          queries: `- { name: m, provider: web, url: "${url}", json-path: $.v, max: 5 }`,
          interval: '200ms',
        }),
      ),
    );
    const report = await analyse(config, { durationMs: 200 });
    expect(report.verdict).toBe('pass');
    expect(seen[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('webuser:WEBPASS-planted').toString('base64')}`,
    );
    const shown = redact(JSON.stringify(report));
    for (const planted of [
      'WEBPASS-planted',
      'APIKEY-planted',
      Buffer.from('webuser:WEBPASS-planted').toString('base64'),
    ])
      expect(shown).not.toContain(planted);
    expect(report.checks[0]!.subject).toBe(`${base}/m?api_key=***`);
  });

  it('redacts an echoed credential before cutting the answer short, leaving no prefix', async () => {
    const token = 'echoed-t0ken-PLANTED-1234567890';
    registerSecret(token);
    // The token straddles the 300th character of the answer.
    answers.set('/echo', [{ status: 401, body: `${'x'.repeat(285)} got Bearer ${token} from you` }]);
    const m = await run(check('/echo', '$.v', { max: 1 }));
    expect(m.outcome).toBe('error');
    expect(m.failure).not.toContain('echoed-t0ken');
    expect(m.failure).toContain('***');
  });

  it("refuses a credential in a web query's own headers: it belongs in providers.web", async () => {
    const error = await readInputs(
      analysisFields,
      from({
        queries: `- { name: m, provider: web, url: "${base}/m", json-path: $.v, max: 5, headers: { Authorization: "Bearer x-lit" } }`,
      }),
    ).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(error).toMatch(/a credential in the query's own headers: put it in providers\.web/);
    expect(error).not.toContain('x-lit');
  });
});

describe('rate limits (every provider)', () => {
  it('waits out a short Retry-After within an interval shorter than the request timeout', async () => {
    answers.set('/limited', [
      { status: 429, body: '{}', headers: { 'retry-after': '1' } },
      { status: 200, body: '{"v": 1}' },
    ]);
    const c = check('/limited', '$.v', { max: 5 });
    const m = await measure(c, webProvider(c.web!, { headers: {} }, { ...settings, timeoutMs: 5000 }), 0, {
      deadline: Date.now() + 3000,
    });
    expect(m.outcome).toBe('pass');
    expect(seen).toHaveLength(2);
  });

  it('waits out a 429 with Retry-After and asks again', async () => {
    answers.set('/limited', [
      { status: 429, body: '{"error": "slow down"}', headers: { 'retry-after': '1' } },
      { status: 200, body: '{"v": 1}' },
    ]);
    const m = await run(check('/limited', '$.v', { max: 5 }));
    expect(m.outcome).toBe('pass');
    expect(seen).toHaveLength(2);
  });

  it('gives up when the pause does not fit in the interval, and says why', async () => {
    answers.set('/limited', [{ status: 429, body: '{}', headers: { 'retry-after': '120' } }]);
    const m = await run(check('/limited', '$.v', { max: 5 }));
    expect(m.outcome).toBe('error');
    expect(m.failure).toBe(
      `query "backlog" on web: ${base}/limited: answered 429 (too many requests) once; its Retry-After of 2m does not fit in this interval (raise the entry's interval to ask less often)`,
    );
    expect(seen).toHaveLength(1);
  });
});
