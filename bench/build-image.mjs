#!/usr/bin/env node
// Measures the build-image action as shipped (actions/build-image/dist): a cold
// build+push (empty layer cache) against a warm one (the cache the cold build
// left, unchanged context), with buildah and the loopback registry; plus the
// bundle's size and cold start. Prints a table.
//
//   bash scripts/services.sh start && npm run bundle -w @glidepath/build-image
//   node bench/build-image.mjs [rounds=3]
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const action = path.join(root, 'actions/build-image');
const entry = path.join(action, 'dist/index.js');
const rounds = Number(process.argv[2] ?? 3);
const registry = process.env.GLIDEPATH_REGISTRY ?? '127.0.0.1:55000';

execFileSync('bash', [path.join(root, 'scripts/services.sh'), 'start'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});

const work = mkdtempSync(path.join(tmpdir(), 'glidepath-bench-build-'));
const context = path.join(work, 'app');
mkdirSync(context);
copyFileSync('/bin/busybox', path.join(context, 'busybox'));
writeFileSync(path.join(context, 'hello.txt'), 'hello\n');
// A few stages and layers, so that the cache has something to save.
writeFileSync(
  path.join(context, 'Dockerfile'),
  `FROM scratch AS tools
COPY busybox /bin/busybox
COPY hello.txt /src/hello.txt

FROM scratch AS assets
COPY --from=tools /src/hello.txt /assets/a.txt
COPY --from=tools /src/hello.txt /assets/b.txt

FROM scratch
COPY --from=tools /bin/busybox /bin/busybox
COPY --from=assets /assets /assets
ENTRYPOINT ["/bin/busybox", "ls", "/assets"]
`,
);

/** Runs the action once the way the runner does; returns wall seconds and the action's own numbers. */
function runAction(inputs) {
  const step = mkdtempSync(path.join(work, 'step-'));
  const files = Object.fromEntries(
    ['output', 'state', 'summary', 'env', 'path'].map((f) => [f, path.join(step, f)]),
  );
  for (const file of Object.values(files)) writeFileSync(file, '');
  mkdirSync(path.join(step, 'temp'));
  writeFileSync(
    path.join(step, 'event.json'),
    JSON.stringify({ repository: { name: 'bench', default_branch: 'main' } }),
  );
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: path.join(step, 'event.json'),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: 'ffac537e6cbbf934b08745a378932722df287a53',
    GITHUB_REPOSITORY: 'glidepath-bench/service',
    GITHUB_WORKSPACE: work,
    RUNNER_TEMP: path.join(step, 'temp'),
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [entry], { cwd: work, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0)
    throw new Error(`the action failed:\n${result.stdout.slice(-3000)}${result.stderr}`);
  const metadataLine = readFileSync(files.output, 'utf8')
    .split('\n')
    .findIndex((l) => l.startsWith('metadata<<'));
  const lines = readFileSync(files.output, 'utf8').split('\n');
  const metadata = JSON.parse(lines[metadataLine + 1]);
  return { seconds, buildSeconds: metadata.buildMs / 1000, steps: metadata.cache.steps };
}

const image = `${registry}/glidepath-bench/service`;
const cold = [];
const warm = [];
for (let round = 0; round < rounds; round++) {
  const cacheDir = path.join(work, `cache-${round}`);
  const inputs = {
    image,
    context: 'app',
    cache: 'local',
    'cache-dir': cacheDir,
    push: 'true',
    builder: 'buildah',
  };
  cold.push(runAction(inputs));
  warm.push(runAction(inputs));
  rmSync(cacheDir, { recursive: true, force: true });
}

const starts = [];
for (let i = 0; i < 5; i++) {
  const t = process.hrtime.bigint();
  // No inputs: the action reads them, fails on the missing image and exits — its whole start-up path.
  spawnSync(process.execPath, [entry], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  starts.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const bare = [];
for (let i = 0; i < 5; i++) {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  bare.push(Number(process.hrtime.bigint() - t) / 1e6);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (v, digits = 2) => v.toFixed(digits);
const dist = path.join(action, 'dist');
const entrySize = statSync(entry).size;
const totalSize = readdirSync(dist).reduce((sum, f) => sum + statSync(path.join(dist, f)).size, 0);

console.log(
  `build-image bench: ${rounds} rounds, buildah ${execFileSync('buildah', ['--version'], { encoding: 'utf8' }).split(' ')[2]}, registry ${registry}`,
);
console.log('');
console.log('| run | action wall s (median) | build+push s (median) | steps from cache |');
console.log('| --- | ---: | ---: | --- |');
for (const [name, runs] of [
  ['cold (empty cache)', cold],
  ['warm (same context)', warm],
]) {
  const steps = runs.map((r) => `${r.steps.reused}/${r.steps.total}`).join(', ');
  console.log(
    `| ${name} | ${fmt(median(runs.map((r) => r.seconds)))} | ${fmt(median(runs.map((r) => r.buildSeconds)))} | ${steps} |`,
  );
}
const speedup = median(cold.map((r) => r.buildSeconds)) / median(warm.map((r) => r.buildSeconds));
console.log('');
console.log(`warm build+push is ${fmt(speedup, 1)}x faster than cold`);
console.log('');
console.log('| bundle | value |');
console.log('| --- | ---: |');
console.log(`| dist/index.js | ${fmt(entrySize / 1024, 0)} kB |`);
console.log(`| dist/ total (lazy chunks included) | ${fmt(totalSize / 1024 / 1024, 1)} MB |`);
console.log(
  `| cold start to exit, median of 5 | ${fmt(median(starts), 0)} ms (bare node ${fmt(median(bare), 0)} ms) |`,
);
rmSync(work, { recursive: true, force: true });
