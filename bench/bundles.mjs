#!/usr/bin/env node
// Each action's bundle: size on disk (entry file and all chunks) and cold start,
// measured as spawn → exit of `node dist/index.js` the way the runner starts it,
// with runner files present and no inputs (every action then stops at input
// validation, so this is load time plus the cheapest possible path).
// With --against DIR (an older checkout's actions/, e.g. from `git archive HEAD~1 actions`),
// each action's cold start there is measured in the same run, right after its own, for a side-by-side
// look at what a change cost. The main bundles are checked against BUDGETS (entry file size)
// and LAZY_ONLY (heavy packages that must stay in lazy chunks), and the start-up times
// against START_LIMITS; any miss makes the bench exit 1.
// Usage: npm run bench  [-- --runs 21] [-- --against /tmp/old/actions]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LAZY_ONLY, lazyOnlyProblems } from '../scripts/bundle-contents.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 21;
const againstArg = process.argv.indexOf('--against');
const against = againstArg > 0 ? path.resolve(process.argv[againstArg + 1]) : undefined;

/**
 * The most an action's main bundle (dist/index.js) may weigh: what every run loads before it
 * reads its first input. Heavy clients (the AWS SDK, Kubernetes, zod) belong in lazy chunks.
 */
const BUDGETS = {
  'build-image': 80 * 1024,
  'canary-shift': 130 * 1024,
  rollback: 150 * 1024,
  'run-migrations': 80 * 1024,
  'verify-health': 120 * 1024,
};

/** Every action starts within this many times a bare `node -e 0`, and the slowest within this of the fastest. */
const START_LIMITS = { overBareNode: 3, slowestOverFastest: 1.3 };

const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-bench-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME };
for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']) {
  env[name] = path.join(dir, name);
  writeFileSync(env[name], '');
}

function time(args, { action = false } = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    // An action that crashed while loading would look fast: each run must end as a refused
    // input does, exit 1 with an error annotation naming an input.
    if (action && i === 0 && (result.status !== 1 || !/::error title=Invalid input/.test(result.stdout)))
      startProblems.push(
        `${args[0]} did not stop at its inputs (exit ${result.status}): ${(result.stderr || result.stdout).trim().slice(0, 300)}`,
      );
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { median: at(0.5), p90: at(0.9), min: samples[0] };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} kB`;
const ms = (v) => `${v.toFixed(0)} ms`;
const rows = [];
const starts = [];
const moduleProblems = [];
const startProblems = [];
const baseline = time(['-e', '0']);
rows.push(['(bare node -e 0)', '', '', ms(baseline.median), ms(baseline.p90)]);
for (const name of readdirSync(path.join(root, 'actions')).sort()) {
  const dist = path.join(root, 'actions', name, 'dist');
  if (!existsSync(path.join(dist, 'index.js'))) continue;
  const files = readdirSync(dist).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'));
  const total = files.reduce((sum, f) => sum + statSync(path.join(dist, f)).size, 0);
  const entry = statSync(path.join(dist, 'index.js')).size;
  const t = time([path.join(dist, 'index.js')], { action: true });
  const old = against && existsSync(path.join(against, name, 'dist', 'index.js'));
  const before = old ? time([path.join(against, name, 'dist', 'index.js')]) : undefined;
  const budget = BUDGETS[name];
  starts.push({ name, median: t.median });
  moduleProblems.push(...lazyOnlyProblems(name, dist));
  rows.push([
    name,
    `${kb(entry)}${budget ? (entry <= budget ? ` (≤ ${kb(budget)} ✓)` : ` (over ${kb(budget)} ✗)`) : ''}`,
    kb(total),
    ms(t.median),
    ms(t.p90),
    ...(against ? [before ? ms(before.median) : 'n/a'] : []),
  ]);
  if (budget && entry > budget) process.exitCode = 1;
}

const header = [
  'action',
  'index.js',
  'dist total',
  'cold start median',
  'p90',
  ...(against ? ['median, --against'] : []),
];
if (against) rows[0].push(ms(baseline.median));
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`node ${process.version}, ${runs} runs each\n`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));

const problems = [...moduleProblems, ...startProblems];
const fastest = Math.min(...starts.map((s) => s.median));
for (const { name, median } of starts) {
  if (median > START_LIMITS.overBareNode * baseline.median)
    problems.push(
      `${name} starts in ${ms(median)}, over ${START_LIMITS.overBareNode}× a bare node (${ms(baseline.median)})`,
    );
  if (median > START_LIMITS.slowestOverFastest * fastest)
    problems.push(
      `${name} starts in ${ms(median)}, over ${START_LIMITS.slowestOverFastest}× the fastest action (${ms(fastest)})`,
    );
}
console.log(
  `\nslowest/fastest ${(Math.max(...starts.map((s) => s.median)) / fastest).toFixed(2)}×, slowest/bare node ${(Math.max(...starts.map((s) => s.median)) / baseline.median).toFixed(2)}×`,
);
console.log(
  `main bundles hold none of: ${LAZY_ONLY.map((p) => p.name).join(', ')}${moduleProblems.length ? ' ✗' : ' ✓'}`,
);
for (const problem of problems) console.error(`✗ ${problem}`);
if (problems.length) process.exitCode = 1;
