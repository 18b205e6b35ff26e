/**
 * A service with one endpoint per behaviour verify-health must judge, run in
 * the test process on a loopback port (the action runs as a child process
 * and reaches it over real TCP):
 *
 *   /healthy    200 with a JSON body
 *   /slow       200 after `slowMs`
 *   /flaky      every other answer is 500 (exactly 50%, so tests are deterministic)
 *   /private    200 only with the right `authorization` header, else 401; echoes the header in `auth`
 *               (and `x-custom-auth`, `authentication` in `custom`, `authentication`),
 *               as a careless debug endpoint would (secrets must not leak through answers either)
 *   /metrics    Prometheus metrics (prom-client): request counts and a settable gauge
 *
 * Every answer but /metrics waits `latencyMs` ± `jitterMs` first. The server
 * counts the requests it receives (scrapes excluded), so a test can prove
 * that no request was sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';

export interface FixtureOptions {
  latencyMs?: number;
  jitterMs?: number;
  slowMs?: number;
  /** The value `/private` requires in `authorization`. */
  authorization?: string;
}

export interface FixtureService {
  url: string;
  /** `host:port`, as a scrape target. */
  address: string;
  /** Requests received per path (scrapes of /metrics excluded). */
  requests: Map<string, number>;
  totalRequests(): number;
  /** Sets the gauge `fixture_queue_depth`. */
  setQueueDepth(value: number): void;
  close(): Promise<void>;
}

export async function startFixtureService(options: FixtureOptions = {}): Promise<FixtureService> {
  const registry = new client.Registry();
  const answered = new client.Counter({
    name: 'http_requests_total',
    help: 'Requests answered, by path and status code.',
    labelNames: ['path', 'code'],
    registers: [registry],
  });
  const queueDepth = new client.Gauge({
    name: 'fixture_queue_depth',
    help: 'A value the test sets, to drive a query over or under its bounds.',
    registers: [registry],
  });
  queueDepth.set(0);
  const requests = new Map<string, number>();
  let flakyCount = 0;

  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://fixture').pathname;
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
      return;
    }
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const jitter = options.jitterMs ? (Math.random() * 2 - 1) * options.jitterMs : 0;
    let wait = Math.max(0, (options.latencyMs ?? 0) + jitter);
    if (path === '/slow') wait += options.slowMs ?? 300;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    let status = 200;
    if (path === '/flaky') status = flakyCount++ % 2 === 0 ? 200 : 500;
    else if (path === '/private') status = req.headers.authorization === options.authorization ? 200 : 401;
    else if (!['/healthy', '/slow'].includes(path)) status = 404;
    answered.inc({ path, code: String(status) });
    res.writeHead(status, { 'content-type': 'application/json' });
    const echo =
      path === '/private'
        ? {
            auth: req.headers.authorization ?? null,
            custom: req.headers['x-custom-auth'] ?? null,
            authentication: req.headers.authentication ?? null,
          }
        : {};
    res.end(JSON.stringify({ status: status === 200 ? 'ok' : 'error', checks: { db: 'up' }, path, ...echo }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    requests,
    totalRequests: () => [...requests.values()].reduce((a, b) => a + b, 0),
    setQueueDepth: (value) => queueDepth.set(value),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
