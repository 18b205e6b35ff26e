import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireProgram } from '../../../../test/support/services.js';
import { type HttpOptions, type ProbeCheck, SUCCESS_STATUS } from '../../src/analysis/config.js';
import { baselineUrlFor, probe } from '../../src/analysis/probe.js';
import { registerSecret, resetSecretsForTest } from '../../src/secrets.js';

const settings: HttpOptions = { timeoutMs: 2000, followRedirects: false, insecureTls: false };
const check = (url: string, extra: Partial<ProbeCheck> = {}): ProbeCheck => ({
  name: 'c',
  url: new URL(url),
  method: 'GET',
  headers: {},
  status: SUCCESS_STATUS,
  json: [],
  ...extra,
});

/** Answers by path: /ok, /json, /teapot, /hang (never answers), /redirect → /ok, /slow (200 after 150 ms), /echo-method. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/ok':
      res.end('all good');
      return;
    case '/json':
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'ok', data: { items: [{ id: 7, tags: ['a'] }] } }));
      return;
    case '/teapot':
      res.writeHead(418).end('short and stout');
      return;
    case '/hang':
      return;
    case '/redirect':
      res.writeHead(302, { location: '/ok' }).end();
      return;
    case '/slow':
      setTimeout(() => res.end('late'), 150);
      return;
    case '/echo-json':
      res.end(JSON.stringify({ auth: req.headers.authorization }));
      return;
    case '/echo-method':
      res.end(`${req.method} auth=${req.headers.authorization ?? ''}`);
      return;
    default:
      res.writeHead(404).end();
  }
}

let server: http.Server;
let base: string;
let secureServer: https.Server;
let secureBase: string;
let ca: string;

beforeAll(async () => {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A self-signed certificate made for this run, for the TLS options.
  const openssl = requireProgram('openssl', 'openssl');
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-tls-'));
  execFileSync(
    openssl,
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  ca = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  secureServer = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: ca }, handler);
  await new Promise<void>((resolve) => secureServer.listen(0, '127.0.0.1', resolve));
  secureBase = `https://127.0.0.1:${(secureServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  secureServer.closeAllConnections();
  await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => secureServer.close(r))]);
});

describe('probe', () => {
  it('passes a 2xx answer and measures its latency', async () => {
    const result = await probe(check(`${base}/slow`), new URL(`${base}/slow`), settings);
    expect(result).toMatchObject({ ok: true, status: 200 });
    // structural: a lower bound the endpoint's 150 ms sleep guarantees, however slow the machine
    expect(result.ms).toBeGreaterThanOrEqual(140);
    expect(result.failure).toBeUndefined();
  });

  it('fails a status outside the expected ranges, saying which', async () => {
    const result = await probe(check(`${base}/teapot`), new URL(`${base}/teapot`), settings);
    expect(result).toMatchObject({
      ok: false,
      status: 418,
      kind: 'status',
      failure: 'answered 418, expected 200-299',
    });
    const allowed = await probe(
      check(`${base}/teapot`, { status: [{ from: 400, to: 499 }] }),
      new URL(`${base}/teapot`),
      settings,
    );
    expect(allowed.ok).toBe(true);
  });

  it('checks the body against a regular expression', async () => {
    const url = new URL(`${base}/ok`);
    expect((await probe(check(url.href, { body: /good$/ }), url, settings)).ok).toBe(true);
    expect(await probe(check(url.href, { body: /^bad/ }), url, settings)).toMatchObject({
      ok: false,
      kind: 'body',
      failure: 'body does not match /^bad/',
    });
  });

  it('checks JSON values by path', async () => {
    const url = new URL(`${base}/json`);
    const expect7 = { path: 'data.items[0].id', steps: ['data', 'items', 0, 'id'], expected: 7 };
    expect((await probe(check(url.href, { json: [expect7] }), url, settings)).ok).toBe(true);
    const wrong = { path: 'status', steps: ['status'], expected: 'degraded' };
    expect((await probe(check(url.href, { json: [wrong] }), url, settings)).failure).toBe(
      'JSON status is "ok", expected "degraded"',
    );
    const missing = { path: 'data.total', steps: ['data', 'total'], expected: 1 };
    expect((await probe(check(url.href, { json: [missing] }), url, settings)).failure).toBe(
      'JSON data.total is missing',
    );
    const plain = new URL(`${base}/ok`);
    expect((await probe(check(plain.href, { json: [expect7] }), plain, settings)).failure).toBe(
      'body is not JSON',
    );
  });

  it('fails an answer slower than max-latency', async () => {
    const url = new URL(`${base}/slow`);
    const result = await probe(check(url.href, { maxLatencyMs: 50 }), url, settings);
    expect(result).toMatchObject({ ok: false, status: 200, kind: 'latency' });
    expect(result.failure).toMatch(/^took \d+ms, over max-latency 50ms$/);
  });

  it('names the URL and the cause of a refused connection', async () => {
    const port = await freePort();
    const url = new URL(`http://127.0.0.1:${port}/x`);
    expect(await probe(check(url.href), url, settings)).toMatchObject({
      ok: false,
      kind: 'connection',
      failure: `GET http://127.0.0.1:${port}/x: connection refused (ECONNREFUSED)`,
    });
  });

  it('times out a request that never answers', async () => {
    const url = new URL(`${base}/hang`);
    const result = await probe(check(url.href), url, { ...settings, timeoutMs: 300 });
    expect(result).toMatchObject({
      ok: false,
      kind: 'timeout',
      failure: `GET ${base}/hang: no complete answer within 300ms (timeout)`,
    });
    // structural: a lower bound the 300 ms timeout guarantees, however slow the machine
    expect(result.ms).toBeGreaterThanOrEqual(290);
  });

  it('judges a redirect as-is unless told to follow it', async () => {
    const url = new URL(`${base}/redirect`);
    expect((await probe(check(url.href), url, settings)).failure).toBe('answered 302, expected 200-299');
    const followed = await probe(check(url.href, { body: /good/ }), url, {
      ...settings,
      followRedirects: true,
    });
    expect(followed).toMatchObject({ ok: true, status: 200 });
  });

  it('sends the method and headers, and URL credentials as basic authentication', async () => {
    const url = new URL(`${base.replace('http://', 'http://user:pw@')}/echo-method`);
    const result = await probe(
      check(url.href, { method: 'POST', body: /^POST auth=Basic dXNlcjpwdw==$/ }),
      url,
      settings,
    );
    expect(result.ok).toBe(true);
  });

  it('rejects a self-signed certificate, and trusts it through ca or insecure-tls', async () => {
    const url = new URL(`${secureBase}/ok`);
    const rejected = await probe(check(url.href), url, settings);
    expect(rejected).toMatchObject({ ok: false, kind: 'tls' });
    expect(rejected.failure).toMatch(
      new RegExp(`^GET ${secureBase}/ok: TLS handshake failed: .*\\(DEPTH_ZERO_SELF_SIGNED_CERT\\)$`),
    );
    expect(await probe(check(url.href), url, { ...settings, ca })).toMatchObject({ ok: true, status: 200 });
    expect(await probe(check(url.href), url, { ...settings, insecureTls: true })).toMatchObject({ ok: true });
  });

  it('stops at once when its signal aborts', async () => {
    const url = new URL(`${base}/hang`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 100);
    // /hang never answers and the timeout is 10 minutes: only the abort can end this probe
    // within the test's timeout, and it must end it with the signal's reason.
    await expect(
      probe(check(url.href), url, { ...settings, timeoutMs: 600_000 }, controller.signal),
    ).rejects.toThrow('stop');
  });
});

describe('baselineUrlFor', () => {
  it.each([
    ['http://green:8080/healthz?deep=1', 'http://blue:8080', 'http://blue:8080/healthz?deep=1'],
    ['http://green:8080/healthz', 'http://blue:8080/healthz', 'http://blue:8080/healthz'],
    ['http://gateway/healthz', 'https://gateway/blue/', 'https://gateway/blue/healthz'],
  ])('pairs %s with %s', (check, baseline, expected) => {
    expect(baselineUrlFor(new URL(check), new URL(baseline)).href).toBe(expected);
  });
});

describe('probe and secrets', () => {
  it('redacts a registered secret that an answer quotes back into a failure', async () => {
    registerSecret('Bearer pr0be-s3cret');
    try {
      const url = new URL(`${base}/echo-json`);
      const result = await probe(
        check(url.href, {
          headers: { authorization: 'Bearer pr0be-s3cret' },
          json: [{ path: 'auth', steps: ['auth'], expected: 'something else' }],
        }),
        url,
        settings,
      );
      expect(result.failure).toBe('JSON auth is "***", expected "something else"');
    } finally {
      resetSecretsForTest();
    }
  });
});
