#!/usr/bin/env node
// Measures a manual rollback as shipped (actions/rollback/dist) on a real nginx
// (or the demo proxy where nginx is not installed): the previous release still
// runs in the other slot, so the rollback is one verified flip. Per round:
//   - duration-ms: the action's own output, start of the rollback → flip verified;
//   - step wall time: spawn of `node dist/index.js` → exit (Node start, inputs,
//     ledger reads, flip, ledger writes);
//   - traffic moved: spawn → the first moment 10 consecutive requests through
//     the router all answer from the restored release (what users see).
// Target: the flip within 2 s. Prints a table.
//
//   npm run bench:rollback [-- rounds]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileLedger } from '@glidepath/core';
import { startRouter } from '../demo/router.mjs';
import { runMain } from '../test/harness/runner.js';
import { freePort } from '../test/support/ports.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const rounds = Number(process.argv[2] ?? 5);
const work = mkdtempSync(path.join(tmpdir(), 'glidepath-bench-rollback-'));

const slots = {
  BLUE_PORT: String(await freePort()),
  GREEN_PORT: String(await freePort()),
  RUN_DIR: path.join(work, 'slots'),
};
const deploySlot = path.join(root, 'examples/sample-service/deploy-slot.sh');
for (const [slot, version] of [
  ['blue', 'v1'],
  ['green', 'v2'],
]) {
  execFileSync('bash', [deploySlot], {
    env: { ...process.env, ...slots, IMAGE: version, SLOT: slot },
    stdio: 'ignore',
  });
}
const port = await freePort();
const upstreamLive = (live) =>
  `upstream shop {\n    server 127.0.0.1:${slots.BLUE_PORT} ${live === 'blue' ? 'weight=100' : 'down'};\n    server 127.0.0.1:${slots.GREEN_PORT} ${live === 'green' ? 'weight=100' : 'down'};\n}\n`;
const router = await startRouter({
  dir: work,
  port,
  upstream: 'shop',
  upstreamContent: upstreamLive('green'),
});

/** Which version answers a fresh connection now (a reset during a reload answers "none"). */
async function versionNow() {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
    await response.arrayBuffer();
    return response.headers.get('x-version');
  } catch {
    return 'none';
  }
}

const rows = [];
try {
  for (let round = 1; round <= rounds; round++) {
    // Each round starts from the same state: v2 live in green, v1 still running in blue.
    const ledgerFile = path.join(work, `ledger-${round}.json`);
    const ledger = new FileLedger(ledgerFile);
    for (const [version, slot] of [
      ['v1', 'blue'],
      ['v2', 'green'],
    ]) {
      await ledger.finish(await ledger.begin({ environment: 'bench', version, slot }), { status: 'success' });
    }
    writeFileSync(router.upstreamFile, upstreamLive('green'));
    execFileSync(router.reloadCommand.split(' ')[0], router.reloadCommand.split(' ').slice(1));
    while ((await versionNow()) !== 'v2') await new Promise((r) => setTimeout(r, 20));

    const started = Date.now();
    let movedAt;
    const watcher = (async () => {
      let streak = 0;
      while (Date.now() - started < 30_000) {
        streak = (await versionNow()) === 'v1' ? streak + 1 : 0;
        if (streak === 10) {
          movedAt = Date.now();
          return;
        }
      }
    })();
    const result = await runMain({
      action: 'rollback',
      inputs: {
        environment: 'bench',
        reason: 'bench',
        router: 'nginx',
        slots: `blue=127.0.0.1:${slots.BLUE_PORT}\ngreen=127.0.0.1:${slots.GREEN_PORT}`,
        'nginx-upstream-file': router.upstreamFile,
        'nginx-upstream': 'shop',
        'nginx-test-command': router.testCommand,
        'nginx-reload-command': router.reloadCommand,
        'ledger-file': ledgerFile,
      },
    });
    const wall = Date.now() - started;
    await watcher;
    if (result.exitCode !== 0) throw new Error(`rollback failed:\n${result.log}`);
    rows.push({
      round,
      durationMs: Number(result.outputs['duration-ms']),
      wall,
      moved: movedAt ? movedAt - started : NaN,
    });
  }
} finally {
  await router.stop();
  for (const slot of ['blue', 'green']) {
    try {
      execFileSync('bash', ['-c', `kill $(cat ${slots.RUN_DIR}/${slot}.pid)`]);
    } catch {}
  }
  rmSync(work, { recursive: true, force: true });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(
  `rollback to the previous release (still running in the other slot) through ${router.kind}; node ${process.version}\n`,
);
console.log(
  '| round | duration-ms (start → flip verified) | step wall time (spawn → exit) | traffic on v1 (spawn → 10 answers in a row) |',
);
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.round} | ${r.durationMs} ms | ${r.wall} ms | ${r.moved} ms |`);
console.log(
  `| median | ${median(rows.map((r) => r.durationMs))} ms | ${median(rows.map((r) => r.wall))} ms | ${median(rows.map((r) => r.moved))} ms |`,
);
