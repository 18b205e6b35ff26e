import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../src/analysis/request.js';
import {
  displayUrl,
  isSecretHeader,
  maskCredentials,
  redact,
  registerKubeconfigSecrets,
  registerUrlSecrets,
  resetSecretsForTest,
} from '../src/secrets.js';

describe('which values are secret', () => {
  it('treats every header value as secret except a short list of public headers', () => {
    for (const name of [
      'Authorization',
      'X-Custom-Auth',
      'Authentication',
      'X-Tenant-Key',
      'Proxy-Authorization',
    ])
      expect(isSecretHeader(name), name).toBe(true);
    for (const name of ['Accept', 'content-type', 'User-Agent', 'X-Request-Id', ' Cache-Control '])
      expect(isSecretHeader(name), name).toBe(false);
  });

  it('registers the credentials of a URL: the password, a user name alone, credential query parameters', () => {
    resetSecretsForTest();
    registerUrlSecrets(new URL('https://bot:pw-9a8b7c@h.test/x?token=tk-1234&page=2'));
    registerUrlSecrets(new URL('https://ghp-usertoken-55@h.test/'));
    expect(redact('pw-9a8b7c tk-1234 ghp-usertoken-55 page=2')).toBe('*** *** *** page=2');
    expect(displayUrl(new URL('https://bot:pw-9a8b7c@h.test/x?token=tk-1234&page=2'))).toBe(
      'https://h.test/x?token=***&page=2',
    );
  });

  it('finds a token in the user name, survives a malformed escape, and masks a query value as written', () => {
    resetSecretsForTest();
    registerUrlSecrets(new URL('https://tok-in-user-77:x-oauth-basic@h.test/'));
    registerUrlSecrets(new URL('https://u:p%zzsecret@h.test/'));
    registerUrlSecrets(new URL('https://h.test/x?sig=ab+cd%2Fef&pwd=hunter22&page=3'));
    expect(redact('tok-in-user-77 p%zzsecret ab+cd%2Fef ab cd/ef hunter22 page=3')).toBe(
      '*** *** *** *** *** page=3',
    );
  });

  it('masks credentials quoted in text that was never registered', () => {
    expect(maskCredentials('ftp://ghp-usertoken-55@h.test/x')).toBe('ftp://***@h.test/x');
    expect(maskCredentials('postgres://u:pw@db:5432/app')).toBe('postgres://***@db:5432/app');
    expect(maskCredentials('http://h/x?page=2&access_token=abc123&sig=zz9')).toBe(
      'http://h/x?page=2&access_token=***&sig=***',
    );
    expect(maskCredentials('Authentication: Bearer abc.def')).toBe('Authentication: ***');
  });

  it('registers each credential of an inline kubeconfig, not its harmless lines', () => {
    resetSecretsForTest();
    registerKubeconfigSecrets('kind: Config\nusers:\n- name: ci\n  user:\n    token: kube-tok-7f7f\n');
    expect(redact('token kube-tok-7f7f of kind: Config')).toBe('token *** of kind: Config');
  });
});

describe('a redirect to another origin', () => {
  const seen: Array<{ path: string; headers: http.IncomingHttpHeaders }> = [];
  let other: http.Server;
  let origin: http.Server;
  let otherUrl: string;
  let originUrl: string;

  const listen = async (handler: http.RequestListener) => {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };

  beforeAll(async () => {
    const record: http.RequestListener = (req, res) => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      if (req.url === '/same') res.writeHead(302, { location: '/landing' }).end();
      else if (req.url === '/away') res.writeHead(302, { location: `${otherUrl}/landing` }).end();
      else res.end('ok');
    };
    ({ server: other, url: otherUrl } = await listen(record));
    ({ server: origin, url: originUrl } = await listen(record));
  });
  afterAll(async () => {
    await Promise.all([other, origin].map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('drops credential headers there (as browsers and curl do), and keeps them on the same origin', async () => {
    const headers = {
      Authorization: 'Bearer gp-auth-1',
      'X-Custom-Auth': 'gp-custom-2',
      Accept: 'text/plain',
    };
    const options = { headers, http: { timeoutMs: 5000, followRedirects: true, insecureTls: false } };

    seen.length = 0;
    const same = await httpRequest(new URL(`${originUrl}/same`), options);
    expect(same.status).toBe(200);
    expect(
      seen.map((s) => [s.path, s.headers.authorization, s.headers['x-custom-auth'], s.headers.accept]),
    ).toEqual([
      ['/same', 'Bearer gp-auth-1', 'gp-custom-2', 'text/plain'],
      ['/landing', 'Bearer gp-auth-1', 'gp-custom-2', 'text/plain'],
    ]);

    seen.length = 0;
    const away = await httpRequest(new URL(`${originUrl}/away`), options);
    expect(away.status).toBe(200);
    expect(away.url.href).toBe(`${otherUrl}/landing`);
    expect(
      seen.map((s) => [s.path, s.headers.authorization, s.headers['x-custom-auth'], s.headers.accept]),
    ).toEqual([
      ['/away', 'Bearer gp-auth-1', 'gp-custom-2', 'text/plain'],
      ['/landing', undefined, undefined, 'text/plain'],
    ]);
  });

  it('does not send the user information of the first URL to another origin', async () => {
    seen.length = 0;
    const url = new URL(`${originUrl}/away`);
    url.username = 'bot';
    url.password = 'gp-pw-3';
    await httpRequest(url, { http: { timeoutMs: 5000, followRedirects: true, insecureTls: false } });
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('bot:gp-pw-3').toString('base64')}`);
    expect(seen[1]?.headers.authorization).toBeUndefined();
  });
});
