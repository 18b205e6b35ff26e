#!/usr/bin/env node
// Bundles the action in the current directory: lib/main.js (compiled by tsc) →
// dist/index.js with @vercel/ncc. Run from an action's folder by `npm run bundle`.
// The output must be byte-for-byte reproducible: CI rebuilds and diffs it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const ncc = require.resolve('@vercel/ncc/dist/ncc/cli.js');
const cwd = process.cwd();
const dist = path.join(cwd, 'dist');
if (!existsSync(path.join(cwd, 'lib/main.js'))) {
  console.error(`${cwd}: lib/main.js is missing; run the build first.`);
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [
    ncc,
    'build',
    'lib/main.js',
    '-o',
    'dist',
    '--license',
    'licenses.txt',
    '--quiet',
    '--target',
    'es2022',
    '--minify',
  ],
  {
    cwd,
    stdio: 'inherit',
  },
);
console.log(`${path.basename(cwd)}: ${readdirSync(dist).join(', ')}`);
