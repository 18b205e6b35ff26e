#!/usr/bin/env node
// The sample service Glidepath deploys in its examples, tests and demo: a small
// HTTP server with the endpoints a real service exposes to a deploy pipeline.
//
//   GET /            a JSON answer naming the version and slot
//   GET /healthz     readiness: 200 when the service is healthy
//   GET /version     the version label
//   GET /checkout    a JSON answer, as / (a second path real traffic takes)
//   GET /metrics     Prometheus metrics (prom-client): request counts by status, latency histogram
//
// Its behaviour comes from the environment, so the same file plays a good
// release, a bad one (ERROR_RATE=1) or a slow one (LATENCY_MS=300):
//   PORT (default 8080), HOST (default 127.0.0.1), VERSION (default dev), SLOT,
//   LATENCY_MS (added to every answer but /metrics; default 0), LATENCY_JITTER_MS (uniform ± jitter),
//   ERROR_RATE (0..1: share of answers that are 500; default 0; /metrics never fails)
//   HEALTHZ_FAILS (1: /healthz answers 503 too when ERROR_RATE applies)
//   FAIL_PATHS (comma-separated paths ERROR_RATE applies to, e.g. /checkout; default every path but /healthz)
//   ERROR_STATUS (the status of a failed answer; default 500)
//   LOG_ERRORS (1: one logfmt line on stderr per failed answer, level=error, for a log pipeline to ship)
import http from 'node:http';
import client from 'prom-client';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const version = process.env.VERSION ?? 'dev';
const slot = process.env.SLOT ?? '';
const latencyMs = Number(process.env.LATENCY_MS ?? 0);
const jitterMs = Number(process.env.LATENCY_JITTER_MS ?? 0);
const errorRate = Number(process.env.ERROR_RATE ?? 0);
const healthzFails = process.env.HEALTHZ_FAILS === '1';
const failPaths = (process.env.FAIL_PATHS ?? '')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
const errorStatus = Number(process.env.ERROR_STATUS ?? 500);
const logErrors = process.env.LOG_ERRORS === '1';

const registry = new client.Registry();
registry.setDefaultLabels({ version, slot });
const requests = new client.Counter({
  name: 'http_requests_total',
  help: 'HTTP requests answered, by route and status code.',
  labelNames: ['route', 'code'],
  registers: [registry],
});
const latency = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time to answer an HTTP request.',
  labelNames: ['route'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

const delay = () => Math.max(0, latencyMs + (jitterMs ? (Math.random() * 2 - 1) * jitterMs : 0));

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://service');
  if (url.pathname === '/metrics') {
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(await registry.metrics());
    return;
  }
  const route = ['/', '/healthz', '/version', '/checkout'].includes(url.pathname) ? url.pathname : 'other';
  const end = latency.startTimer({ route });
  const wait = delay();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const applies = failPaths.length ? failPaths.includes(url.pathname) : route !== '/healthz' || healthzFails;
  const failing = errorRate > 0 && applies && Math.random() < errorRate;
  const status = failing ? errorStatus : route === 'other' ? 404 : 200;
  const body =
    route === '/version'
      ? `${version}\n`
      : JSON.stringify({ ok: !failing, version, slot, path: url.pathname }) + '\n';
  res.writeHead(status, {
    'content-type': route === '/version' ? 'text/plain' : 'application/json',
    'x-version': version,
    'x-pid': String(process.pid),
  });
  res.end(body);
  if (failing && logErrors)
    process.stderr.write(
      `level=error msg="request failed" method=${req.method} path=${url.pathname} status=${status} version=${version} slot=${slot}\n`,
    );
  requests.inc({ route, code: String(status) });
  end();
});

server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  const address = server.address();
  console.log(
    `sample-service ${version}${slot ? ` (${slot})` : ''} listening on http://${host}:${typeof address === 'object' && address ? address.port : port}`,
  );
});

// Stop accepting, finish what is in flight, then exit: the way a slot should be drained.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections?.();
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
