#!/usr/bin/env node
// npm run demo — the Glidepath pipeline on this machine, with embedded defaults:
// PGlite (PostgreSQL in WebAssembly) over the wire protocol for the database,
// the JSON file ledger, and nginx when installed (else a tiny demo proxy).
// It runs the real bundled actions through the runner contract — exactly what
// GitHub runs — for one good release and one bad one, and prints what a user
// would see on GitHub: each step's result and its job summary.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { FileLedger } from '@glidepath/core';
import { runMain } from '../test/harness/runner.js';
import { freePort } from '../test/support/ports.mjs';
import { startRouter } from './router.mjs';
import { renderMarkdown, style } from './terminal.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const service = path.join(root, 'examples/sample-service');
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (text = '') => console.log(text);
const heading = (text) => say(`\n${style.bold(style.cyan(`━━ ${text} `.padEnd(78, '━')))}`);

/** Runs one bundled action like the runner and shows its result, annotations and job summary. */
async function step(action, inputs, env = {}) {
  const t0 = Date.now();
  const result = await runMain({ action, inputs, env, cwd: workdir, timeoutMs: 120_000 });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const mark = result.exitCode === 0 ? style.green('✓') : style.red('✗');
  say(`${mark} ${style.bold(action)} ${style.dim(`exit ${result.exitCode} · ${seconds}s`)}`);
  for (const [name, value] of Object.entries(result.outputs)) {
    if (['plan', 'findings', 'report'].includes(name)) continue;
    say(`  ${style.dim('output')} ${name} = ${value}`);
  }
  for (const a of result.annotations) {
    const color = a.level === 'error' ? style.red : style.yellow;
    say(`  ${color(a.level)} ${a.message.split('\n')[0]}`);
  }
  if (result.exitCode !== 0 && !result.annotations.length)
    say(style.red(result.log.trim().split('\n').slice(-15).join('\n')));
  if (result.summary.trim()) {
    say(style.dim('  ┌ job summary'));
    say(
      renderMarkdown(result.summary)
        .split('\n')
        .map((l) => `  │ ${l}`)
        .join('\n'),
    );
  }
  return result;
}

/** A steady, bounded stream of requests through the router, like users: counts answers by version. */
function startLoad(url, { perSecond = 40, maxSeconds = 110 } = {}) {
  const stats = { total: 0, failed: 0, byVersion: {} };
  let stopped = false;
  const deadline = Date.now() + maxSeconds * 1000;
  const loop = (async () => {
    while (!stopped && Date.now() < deadline) {
      const t = Date.now();
      stats.total++;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
        const version = response.headers.get('x-version') ?? '?';
        if (response.status !== 200) stats.failed++;
        else stats.byVersion[version] = (stats.byVersion[version] ?? 0) + 1;
        await response.arrayBuffer();
      } catch {
        stats.failed++;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 / perSecond - (Date.now() - t))));
    }
  })();
  return {
    stats,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

const workdir = await mkdtemp(path.join(tmpdir(), 'glidepath-demo-'));
const cleanup = [];
try {
  say(style.bold('Glidepath demo: a merged commit to production, twice — one good release, one bad.'));
  say(
    style.dim(
      `Everything runs on this machine under ${workdir}; the actions are the bundled dist/ files GitHub runs.`,
    ),
  );

  heading('1. Database: migrate under a lock');
  const dbPort = await freePort();
  const db = await PGlite.create();
  const dbServer = new PGLiteSocketServer({ db, port: dbPort, host: '127.0.0.1', maxConnections: 1 });
  await dbServer.start();
  cleanup.push(async () => {
    await dbServer.stop();
    await db.close();
  });
  say(
    style.dim(
      `PGlite (PostgreSQL in WebAssembly) answers the PostgreSQL wire protocol on 127.0.0.1:${dbPort}.`,
    ),
  );
  await step('run-migrations', {
    'database-url': `postgres://postgres:demo@127.0.0.1:${dbPort}/postgres?sslmode=disable`,
    dir: path.join(service, 'migrations'),
    lint: 'error',
  });

  heading('2. Two slots behind a router; v1 is live in blue');
  const [routerPort, bluePort, greenPort] = [await freePort(), await freePort(), await freePort()];
  const slotEnv = {
    BLUE_PORT: String(bluePort),
    GREEN_PORT: String(greenPort),
    RUN_DIR: path.join(workdir, 'slots'),
  };
  const deploySlot = path.join(service, 'deploy-slot.sh');
  await new Promise((resolve, reject) => {
    const child = spawn('bash', [deploySlot], {
      env: { ...process.env, ...slotEnv, IMAGE: 'shop:v1', SLOT: 'blue' },
      stdio: 'ignore',
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`deploy-slot.sh exited ${code}`))));
  });
  cleanup.push(async () => {
    for (const slot of ['blue', 'green']) {
      const pid = Number(await readFile(path.join(slotEnv.RUN_DIR, `${slot}.pid`), 'utf8').catch(() => ''));
      if (pid) process.kill(pid, 'SIGTERM');
    }
  });
  const router = await startRouter({
    dir: workdir,
    port: routerPort,
    upstream: 'shop',
    // GLIDEPATH_DEMO_ROUTER=proxy shows the fallback on a machine that has nginx.
    useNginx: process.env.GLIDEPATH_DEMO_ROUTER !== 'proxy',
    upstreamContent: `upstream shop {\n    server 127.0.0.1:${bluePort} weight=100;\n    server 127.0.0.1:${greenPort} down;\n}\n`,
  });
  cleanup.push(() => router.stop());
  const ledgerFile = path.join(workdir, 'ledger.json');
  const ledger = new FileLedger(ledgerFile);
  await ledger.finish(await ledger.begin({ environment: 'demo', version: 'shop:v1', slot: 'blue' }), {
    status: 'success',
  });
  say(`Router: ${router.kind} on http://127.0.0.1:${routerPort}, upstream file ${router.upstreamFile}`);
  say(`Slots: blue = 127.0.0.1:${bluePort} (shop:v1, live), green = 127.0.0.1:${greenPort} (idle)`);
  say(style.dim('A steady stream of user requests (40/s) goes through the router from now on.'));
  const load = startLoad(`http://127.0.0.1:${routerPort}/`);

  const shift = (version, extraEnv = {}) =>
    step(
      'canary-shift',
      {
        router: 'nginx',
        slots: `blue=127.0.0.1:${bluePort}\ngreen=127.0.0.1:${greenPort}`,
        'nginx-upstream-file': router.upstreamFile,
        'nginx-upstream': 'shop',
        'nginx-test-command': router.testCommand,
        'nginx-reload-command': router.reloadCommand,
        'target-slot': 'auto',
        'deploy-command': `bash ${deploySlot}`,
        'slot-urls': `blue=http://127.0.0.1:${bluePort}/\ngreen=http://127.0.0.1:${greenPort}/`,
        steps: '10,50,100',
        'step-duration': '4s',
        interval: '1s',
        'failure-threshold': '2',
        environment: 'demo',
        version,
        'ledger-file': ledgerFile,
      },
      { ...slotEnv, ...extraEnv },
    );

  heading('3. Release shop:v2 (good): deploy into the idle slot, shift 10% → 50% → 100% while analysing');
  const good = await shift('shop:v2');

  heading('4. Release shop:v3 (bad: every answer is a 500): caught and reverted automatically');
  const before = { ...load.stats };
  const badStarted = Date.now();
  const bad = await shift('shop:v3', { ERROR_RATE: '1' });
  const badFailed = load.stats.failed - before.failed;
  const badSeconds = ((Date.now() - badStarted) / 1000).toFixed(1);
  await load.stop();

  heading('5. Where traffic is now');
  const upstream = await readFile(router.upstreamFile, 'utf8');
  say(
    upstream
      .split('\n')
      .filter((l) => l.includes('server'))
      .map((l) => `  ${l.trim()}`)
      .join('\n'),
  );
  // nginx applies a reload a moment after the router has verified its file.
  await new Promise((r) => setTimeout(r, 1000));
  const answers = {};
  for (let i = 0; i < 20; i++) {
    const response = await fetch(`http://127.0.0.1:${routerPort}/`);
    const version = response.headers.get('x-version');
    answers[version] = (answers[version] ?? 0) + 1;
    await response.arrayBuffer();
  }
  say(
    `20 requests through the router now: ${Object.entries(answers)
      .map(([v, n]) => `${n} × ${v}`)
      .join(', ')}`,
  );
  say(
    `User requests through the router during the demo: ${load.stats.total} sent, ${load.stats.failed} failed — ` +
      `${before.failed} before the bad release (migrations, the good release), ${badFailed} while shop:v3 took its 10% ` +
      `(${badSeconds}s from the start of its deploy to the verified revert).`,
  );
  say('\nLedger (newest first):');
  for (const r of await ledger.history('demo')) {
    say(`  ${r.version.padEnd(8)} ${r.slot.padEnd(6)} ${r.status.padEnd(8)} ${style.dim(r.reason ?? '')}`);
  }

  const ok =
    good.outputs.result === 'promoted' && bad.outputs.result === 'rolled-back' && answers['shop:v2'] === 20;
  heading(
    ok
      ? `Done in ${elapsed()}: one release promoted, one rolled back by itself`
      : `Unexpected outcome after ${elapsed()}`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  await rm(workdir, { recursive: true, force: true });
}
