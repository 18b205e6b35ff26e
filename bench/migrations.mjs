#!/usr/bin/env node
// Benchmark of run-migrations: the per-migration overhead of the action over
// running the same SQL directly.
//
// 1,000 trivial migrations (one CREATE TABLE each) are applied to a fresh
// PostgreSQL database by the BUILT ACTION (actions/run-migrations/dist, run in
// a child process exactly as the runner runs it: INPUT_* variables, output
// files), and the concatenation of the same files is run by `psql -f` on
// another fresh database of the same server. The overhead per migration is
// (action time − psql time) / 1,000; it includes Node's start-up, the lock,
// the history table, per-file transactions, checksums and the summary.
// Target: ≤ 5 ms per migration.
//
// Needs the shared test servers: `bash scripts/services.sh start` (run here if
// GLIDEPATH_PG_URL is not set). Build and bundle the action first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const count = Number(process.env.BENCH_MIGRATIONS ?? 1000);
const dist = path.join(root, 'actions/run-migrations/dist/index.js');
if (!existsSync(dist)) {
  console.error('actions/run-migrations/dist is missing: npm run bundle -w @glidepath/run-migrations');
  process.exit(1);
}
const adminUrl = process.env.GLIDEPATH_PG_URL ?? startServices();

const workspace = mkdtempSync(path.join(tmpdir(), 'glidepath-bench-'));
const dir = path.join(workspace, 'migrations');
mkdirSync(dir);
const all = [];
for (let i = 1; i <= count; i++) {
  const sql = `CREATE TABLE bench_${i} (id bigint PRIMARY KEY, note text);\n`;
  writeFileSync(path.join(dir, `${String(i).padStart(5, '0')}_create_bench_${i}.sql`), sql);
  all.push(sql);
}
writeFileSync(path.join(workspace, 'all.sql'), all.join(''));

const created = [];
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const ways = [
  [
    'psql -f (concatenation)',
    (db) => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', path.join(workspace, 'all.sql'), db]),
  ],
  [
    'psql -1 -f (one transaction)',
    (db) =>
      run('psql', ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', path.join(workspace, 'all.sql'), db]),
  ],
  ['run-migrations dist (lint: off)', (db) => runAction(db, 'off')],
  ['run-migrations dist (lint: warn)', (db) => runAction(db, 'warn')],
];
// Each way runs `repeats` times on a fresh database, interleaved with the others so that a burst of
// load on the machine does not favour one of them; the median is reported.
const samples = ways.map(() => []);
for (let r = 0; r < repeats; r++) {
  ways.forEach(([, fn], i) => {
    const db = createDatabase(`w${i}_r${r}`);
    samples[i].push(time(() => fn(db)));
    dropDatabase(db.split('/').pop());
  });
}
const rows = ways.map(([name], i) => [name, median(samples[i])]);
const second = createDatabase('action_rerun');
runAction(second, 'off');
rows.push([
  'run-migrations dist, second run (nothing to do)',
  median(Array.from({ length: repeats }, () => time(() => runAction(second, 'off')))),
]);

const base = rows[0][1];
console.log(
  `\n${count} trivial migrations on ${new URL(adminUrl).host} (PostgreSQL), wall time of each way:\n`,
);
console.log(`| way | total ms | ms per migration | overhead vs psql -f, ms per migration |`);
console.log(`| --- | ---: | ---: | ---: |`);
for (const [name, ms] of rows)
  console.log(
    `| ${name} | ${ms.toFixed(0)} | ${(ms / count).toFixed(2)} | ${name.includes('second run') ? '' : ((ms - base) / count).toFixed(2)} |`,
  );
console.log(`\ntarget: ≤ 5 ms overhead per migration`);
for (const name of created) dropDatabase(name);

function startServices() {
  execFileSync('bash', [path.join(root, 'scripts/services.sh'), 'start'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const env = readFileSync(
    path.join(process.env.GLIDEPATH_SERVICES_DIR ?? '/tmp/glidepath-services', 'services.env'),
    'utf8',
  );
  return /^GLIDEPATH_PG_URL=(.*)$/m.exec(env)[1];
}

function run(program, args, env = {}) {
  const result = spawnSync(program, args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`${program} failed (${result.status}): ${result.stderr || result.stdout.slice(-2000)}`);
  return result;
}

function runAction(url, lint) {
  const files = mkdtempSync(path.join(tmpdir(), 'glidepath-bench-step-'));
  for (const f of ['output', 'summary', 'state']) writeFileSync(path.join(files, f), '');
  run(process.execPath, [dist], {
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: path.join(files, 'output'),
    GITHUB_STATE: path.join(files, 'state'),
    GITHUB_STEP_SUMMARY: path.join(files, 'summary'),
    'INPUT_DATABASE-URL': url,
    INPUT_DIR: 'migrations',
    INPUT_ENGINE: 'builtin',
    INPUT_LINT: lint,
    'INPUT_LOCK-TIMEOUT': '5s',
    'INPUT_STATEMENT-TIMEOUT': '5m',
    'INPUT_LOCK-WAIT': '1m',
    'INPUT_LOCK-NAME': 'glidepath',
    'INPUT_OUT-OF-ORDER': 'fail',
  });
  const outputs = readFileSync(path.join(files, 'output'), 'utf8');
  if (!/applied<<[^\n]*\n(\d+)\n/.test(outputs))
    throw new Error(`no applied output: ${outputs.slice(0, 500)}`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn) {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

function createDatabase(suffix) {
  const name = `gp_bench_${suffix}_${process.pid}`;
  run('psql', [
    '-X',
    '-q',
    '-c',
    `DROP DATABASE IF EXISTS ${name}`,
    '-c',
    `CREATE DATABASE ${name}`,
    adminUrl,
  ]);
  created.push(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function dropDatabase(name) {
  run('psql', ['-X', '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, adminUrl]);
}
