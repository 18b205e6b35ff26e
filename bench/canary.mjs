#!/usr/bin/env node
// Measures canary-shift as shipped (actions/canary-shift/dist) on real nginx
// (nginx-mode reload, and nginx-mode dynamic with nginx/glidepath.lua) and
// HAProxy on loopback, under a steady keep-alive load (300 requests/s, 8
// workers) whose client never resends a request (retries off: a reset is a
// failed request, as it is for a browser's POST): for a good release, the failed requests users saw during a whole
// shift (10,50,100); for a bad release (the new slot answers 500 to every
// request; interval 1s, failure-threshold 2), how long from the first failing
// sample to all traffic verified back on the live slot, and how many failed
// requests users saw, over what span; and for a release that fails only on a
// path no probe asks (every /checkout, a fifth of a path mix; the probe asks
// /healthz), the same figures with the router's own view of real traffic as
// the evidence (nginx's JSON access log, HAProxy's counters). Failed requests
// are split into those the router caused (a reset, a timeout, an answer from
// nginx/HAProxy itself) and the release's own errors. Prints a table.
//
//   npm run build -w @glidepath/core && npm run build -w @glidepath/canary-shift \
//     && npm run bundle -w @glidepath/canary-shift
//   node bench/canary.mjs [rounds=3] [releases|churn]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  NGINX_LOG_FORMAT,
  NginxDynamicRouter,
  NginxRouter,
  parseControlEndpoint,
} from '../packages/core/dist/index.js';
import { failureSpan, startLoad } from '../test/support/load.mjs';
import { startNginxDynamic } from '../test/support/nginx-dynamic.mjs';
import { freePort } from '../test/support/ports.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const action = path.join(root, 'actions/canary-shift');
const rounds = Number(process.argv[2] ?? 3);
// `releases` or `churn` runs one part only; both by default.
const only = process.argv[3];
const work = mkdtempSync(path.join(tmpdir(), 'glidepath-bench-canary-'));
const children = new Set();

async function waitFor(url, what) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${what} did not answer on ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function spawnTracked(program, args, env) {
  const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function backend(slot, version, errorRate = 0, failPaths = '') {
  const port = await freePort();
  const child = spawnTracked(process.execPath, [path.join(root, 'examples/sample-service/server.mjs')], {
    PORT: String(port),
    VERSION: version,
    SLOT: slot,
    ERROR_RATE: String(errorRate),
    FAIL_PATHS: failPaths,
  });
  await waitFor(`http://127.0.0.1:${port}/healthz`, `sample-service ${slot}`);
  return { address: `127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/** nginx in a temporary prefix, daemonised as on a host; the upstream file holds the two slots. */
async function nginx(blue, green) {
  const dir = mkdtempSync(path.join(work, 'nginx-'));
  const port = await freePort();
  const upstreamFile = path.join(dir, 'upstream.conf');
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    upstreamFile,
    `upstream app {\n    server ${blue.address} weight=100;\n    server ${green.address} down;\n}\n`,
  );
  writeFileSync(
    conf,
    `worker_processes 2;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 1024; }\nhttp {\n  ${NGINX_LOG_FORMAT}\n  access_log ${dir}/access.log glidepath;\n  client_body_temp_path ${dir}/cb;\n  proxy_temp_path ${dir}/p;\n  fastcgi_temp_path ${dir}/f;\n  uwsgi_temp_path ${dir}/u;\n  scgi_temp_path ${dir}/s;\n  include ${upstreamFile};\n  server {\n    listen 127.0.0.1:${port};\n    location / {\n      proxy_pass http://app;\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";\n      proxy_next_upstream off;\n    }\n  }\n}\n`,
  );
  const base = ['-c', conf, '-p', `${dir}/`];
  execFileSync('nginx', base);
  await waitFor(`http://127.0.0.1:${port}/`, 'nginx');
  return {
    url: `http://127.0.0.1:${port}/`,
    inputs: {
      router: 'nginx',
      slots: `blue=${blue.address}\ngreen=${green.address}`,
      'nginx-upstream-file': upstreamFile,
      'nginx-upstream': 'app',
      'nginx-test-command': ['nginx', ...base, '-t'].join(' '),
      'nginx-reload-command': ['nginx', ...base, '-s', 'reload'].join(' '),
      'nginx-access-log': path.join(dir, 'access.log'),
    },
    stop: () => {
      try {
        execFileSync('nginx', [...base, '-s', 'quit'], { stdio: 'ignore' });
      } catch {}
    },
  };
}

/** nginx with nginx/glidepath.lua: weights change through its loopback control endpoint, never a reload. */
async function nginxDynamic(blue, green) {
  const server = await startNginxDynamic({
    blue: blue.address,
    green: green.address,
    accessLog: NGINX_LOG_FORMAT,
  });
  return {
    url: server.url,
    inputs: {
      router: 'nginx',
      'nginx-mode': 'dynamic',
      'nginx-control-url': server.control,
      'nginx-upstream': 'app',
      slots: `blue=${blue.address}\ngreen=${green.address}`,
      'nginx-access-log': server.accessLog,
    },
    stop: () => server.stop(),
  };
}

/** HAProxy in the foreground with the runtime API on a unix socket at admin level. */
async function haproxy(blue, green) {
  const dir = mkdtempSync(path.join(work, 'haproxy-'));
  const port = await freePort();
  const socket = path.join(dir, 'admin.sock');
  const conf = path.join(dir, 'haproxy.cfg');
  writeFileSync(
    conf,
    `global\n  stats socket ${socket} mode 600 level admin\n\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n  retries 0\n\nfrontend web\n  bind 127.0.0.1:${port}\n  default_backend app\n\nbackend app\n  balance roundrobin\n  server app_blue ${blue.address} weight 100\n  server app_green ${green.address} weight 0\n`,
  );
  const child = spawnTracked('haproxy', ['-db', '-f', conf], {});
  await waitFor(`http://127.0.0.1:${port}/`, 'haproxy');
  return {
    url: `http://127.0.0.1:${port}/`,
    inputs: {
      router: 'haproxy',
      slots: 'blue=app_blue\ngreen=app_green',
      'haproxy-socket': socket,
      'haproxy-backend': 'app',
    },
    stop: () => child.kill('SIGTERM'),
  };
}

/** Runs the bundled main entry the way the runner does: INPUT_* (defaults from action.yml) and file commands. */
function runAction(inputs) {
  const step = mkdtempSync(path.join(work, 'step-'));
  const files = Object.fromEntries(
    ['output', 'state', 'summary', 'env', 'path'].map((name) => [name, path.join(step, name)]),
  );
  for (const file of Object.values(files)) writeFileSync(file, '');
  const workspace = path.join(step, 'workspace');
  mkdirSync(workspace);
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'glidepath-bench/service',
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
  };
  const yml = parseYaml(readFileSync(path.join(action, 'action.yml'), 'utf8'));
  for (const [name, spec] of Object.entries(yml.inputs))
    if (spec.default !== undefined) env[`INPUT_${name.toUpperCase()}`] = String(spec.default);
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = String(value);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(action, 'dist/index.js')], { cwd: workspace, env });
    let log = '';
    child.stdout.on('data', (c) => (log += c));
    child.stderr.on('data', (c) => (log += c));
    child.on('close', (code) => {
      const outputs = {};
      const lines = readFileSync(files.output, 'utf8').split('\n');
      for (let i = 0; i < lines.length; i++) {
        const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
        if (heredoc) {
          const value = [];
          for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
          outputs[heredoc[1]] = value.join('\n');
        }
      }
      resolve({ code, log, outputs });
    });
  });
}

async function scenario(routerKind, kind) {
  const blue = await backend('blue', 'v1');
  const green =
    kind === 'checkout'
      ? await backend('green', 'v2', 1, '/checkout')
      : await backend('green', 'v2', kind === 'bad' ? 1 : 0);
  const router = await { nginx, 'nginx-dynamic': nginxDynamic, haproxy }[routerKind](blue, green);
  try {
    const load = startLoad({
      url: router.url,
      rate: 300,
      concurrency: 8,
      maxMs: 60_000,
      retries: 'off',
      // A fifth of users' requests go to /checkout.
      ...(kind === 'checkout' ? { paths: ['/', '/', '/', '/', '/checkout'] } : {}),
    });
    const started = Date.now();
    const result = await runAction({
      ...router.inputs,
      'target-slot': 'green',
      steps: '10,50,100',
      'step-duration': kind === 'good' ? '3s' : '20s',
      interval: '1s',
      'failure-threshold': '2',
      url: `http://${green.address}/${kind === 'checkout' ? 'healthz' : ''}`,
      version: 'app:v2',
      'ledger-file': path.join(work, `ledger-${routerKind}-${Date.now()}.json`),
    });
    const actionMs = Date.now() - started;
    // Keep the load on briefly, so the end of the failures is seen, not cut off.
    await new Promise((r) => setTimeout(r, 1000));
    const report = await load.stop();
    const revert = /verified ([\d.]+) s after the verdict, ([\d.]+) s after the first failing sample/.exec(
      result.log,
    );
    const failed = report.failures;
    // The router's own: no answer at all, or an answer no backend gave (no x-version).
    const byRouter = failed.filter((f) => f.error !== undefined || !f.version || f.version === 'unknown');
    return {
      router: routerKind,
      release: kind,
      result: result.outputs.result ?? `exit ${result.code}`,
      actionMs,
      requests: report.requests,
      rate: report.rate,
      failed: failed.length,
      byRouter: byRouter.length,
      resets: byRouter.filter((f) => f.error === 'ECONNRESET').length,
      spanMs: failureSpan(failed),
      firstFailureToRevertMs: revert ? Math.round(Number(revert[2]) * 1000) : undefined,
      verdictToRevertMs: revert ? Math.round(Number(revert[1]) * 1000) : undefined,
    };
  } finally {
    await router.stop();
    blue.stop();
    green.stop();
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * The mechanism alone, without analysis: `changes` weight changes (alternating
 * 90/10 and 10/90, a quarter second apart) through the router under the same
 * load, counting the requests that failed because of a change (resets,
 * timeouts, answers no backend gave). Reload mode reloads nginx at each one.
 */
async function churn(mode, changes) {
  const blue = await backend('blue', 'v1');
  const green = await backend('green', 'v2');
  const server = mode === 'dynamic' ? await nginxDynamic(blue, green) : await nginx(blue, green);
  const slots = new Map([
    ['blue', blue.address],
    ['green', green.address],
  ]);
  const router =
    mode === 'dynamic'
      ? new NginxDynamicRouter({
          control: parseControlEndpoint(server.inputs['nginx-control-url']),
          route: 'app',
          slots,
        })
      : new NginxRouter({
          upstreamFile: server.inputs['nginx-upstream-file'],
          upstream: 'app',
          slots,
          testCommand: server.inputs['nginx-test-command'].split(' '),
          reloadCommand: server.inputs['nginx-reload-command'].split(' '),
        });
  try {
    const load = startLoad({ url: server.url, rate: 300, concurrency: 16, maxMs: 120_000, retries: 'off' });
    for (let i = 0; i < changes; i++) {
      await router.set(i % 2 === 0 ? { blue: 10, green: 90 } : { blue: 90, green: 10 });
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 500));
    const report = await load.stop();
    const byRouter = report.failures.filter(
      (f) => f.error !== undefined || !f.version || f.version === 'unknown',
    );
    return {
      requests: report.requests,
      failed: report.failures.length,
      byRouter: byRouter.length,
      resets: byRouter.filter((f) => f.error === 'ECONNRESET').length,
    };
  } finally {
    await server.stop();
    blue.stop();
    green.stop();
    await new Promise((r) => setTimeout(r, 300));
  }
}

const median = (values) => {
  const v = values.filter((x) => x !== undefined).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : undefined;
};
const range = (values) => {
  const v = values.filter((x) => x !== undefined);
  return v.length ? `${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)}` : 'n/a';
};

try {
  const rows = [];
  for (const routerKind of only === 'churn' ? [] : ['nginx', 'nginx-dynamic', 'haproxy']) {
    for (const kind of ['good', 'bad', 'checkout']) {
      const runs = [];
      for (let i = 0; i < rounds; i++) {
        const run = await scenario(routerKind, kind);
        runs.push(run);
        process.stderr.write(`${routerKind} ${kind} #${i + 1}: ${JSON.stringify(run)}\n`);
      }
      rows.push({
        router:
          routerKind === 'nginx'
            ? 'nginx (reload)'
            : routerKind === 'nginx-dynamic'
              ? 'nginx (dynamic)'
              : 'HAProxy',
        release:
          kind === 'good'
            ? 'good (10,50,100 × 3s)'
            : kind === 'bad'
              ? 'bad (500s; 1s × 2)'
              : 'fails only /checkout (1/5 of real traffic; probe asks /healthz; 1s × 2)',
        runs: runs.length,
        result: [...new Set(runs.map((r) => r.result))].join(','),
        'requests (per run)': runs.map((r) => r.requests).join(','),
        'req/s': median(runs.map((r) => r.rate)).toFixed(0),
        'failed requests (median, range)': `${median(runs.map((r) => r.failed))} (${range(runs.map((r) => r.failed))})`,
        'of which the router caused (per run)': runs.map((r) => r.byRouter).join(','),
        'connection resets (per run)': runs.map((r) => r.resets).join(','),
        'failure span ms (median)': median(runs.map((r) => r.spanMs)),
        'first failing sample → revert verified ms (median, range)':
          kind !== 'good'
            ? `${median(runs.map((r) => r.firstFailureToRevertMs))} (${range(runs.map((r) => r.firstFailureToRevertMs))})`
            : '—',
        'verdict → revert ms (median)': kind !== 'good' ? median(runs.map((r) => r.verdictToRevertMs)) : '—',
      });
    }
  }
  const table = (list) => {
    const headers = Object.keys(list[0]);
    console.log(`| ${headers.join(' | ')} |`);
    console.log(`|${headers.map(() => ' --- ').join('|')}|`);
    for (const row of list) console.log(`| ${headers.map((h) => row[h]).join(' | ')} |`);
  };
  if (rows.length > 0) table(rows);

  const changes = 40;
  const churnRows = [];
  for (const mode of only === 'releases' ? [] : ['reload', 'dynamic']) {
    const runs = [];
    for (let i = 0; i < rounds; i++) {
      const run = await churn(mode, changes);
      runs.push(run);
      process.stderr.write(`churn ${mode} #${i + 1}: ${JSON.stringify(run)}\n`);
    }
    churnRows.push({
      'nginx-mode': mode,
      'weight changes per run': changes,
      'requests (per run)': runs.map((r) => r.requests).join(','),
      'failed requests (per run)': runs.map((r) => r.failed).join(','),
      'connection resets (per run)': runs.map((r) => r.resets).join(','),
    });
  }
  if (churnRows.length > 0) {
    console.log('');
    table(churnRows);
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
