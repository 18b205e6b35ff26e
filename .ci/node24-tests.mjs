#!/usr/bin/env node
// The test files .ci/run runs a second time on Node 24 (runs.using: node24 in every
// action.yml), after the whole suite on Node 20: every unit test (no real server), and
// one runner-contract integration file per action, which spawns that action's bundled
// dist/ on the Node running the tests. The whole suite twice would take about ten more
// minutes; these take about three (70 files, 801 tests: 167 s here on Node 24.22.3).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const perAction = [
  'actions/build-image/test/build-image.integration.test.ts',
  'actions/canary-shift/test/haproxy.integration.test.ts',
  'actions/rollback/test/rollback.integration.test.ts',
  'actions/run-migrations/test/postgres.integration.test.ts',
  'actions/verify-health/test/verify-health.integration.test.ts',
  'test/e2e/pipeline.integration.test.ts',
];
const units = [];
for (const top of ['packages', 'actions', 'test']) {
  for (const entry of readdirSync(path.join(root, top), { recursive: true, encoding: 'utf8' })) {
    if (entry.includes('node_modules') || entry.includes(`${path.sep}dist${path.sep}`)) continue;
    if (entry.endsWith('.test.ts') && !entry.endsWith('.integration.test.ts'))
      units.push(path.join(top, entry));
  }
}
// A listed file that is gone would be skipped by vitest without a word: refuse instead.
const missing = perAction.filter((file) => !existsSync(path.join(root, file)));
if (missing.length) {
  console.error(`.ci/node24-tests.mjs: listed test files are missing: ${missing.join(', ')}`);
  process.exit(1);
}
if (units.length < 20) {
  console.error(`.ci/node24-tests.mjs: only ${units.length} unit test files found`);
  process.exit(1);
}
console.log([...units.sort(), ...perAction].join('\n'));
