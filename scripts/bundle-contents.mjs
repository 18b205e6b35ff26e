// What each action's main bundle (dist/index.js) may hold: the file every run loads before
// it reads its first input. Used by bench/bundles.mjs and by test/bundles.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Packages no main bundle may contain, each known by a string only it carries (an error
 * class or code, a message). A package an action uses at all must show in one of its lazy
 * chunks, so a signature that no longer matches anything fails the check instead of
 * passing it forever. `uses` lists the actions that load the package lazily.
 */
export const LAZY_ONLY = [
  { name: 'zod', signature: 'ZodError', uses: ['canary-shift', 'rollback', 'verify-health'] },
  {
    name: 'undici (through @actions/http-client)',
    signature: 'UND_ERR_',
    uses: ['build-image', 'canary-shift', 'rollback'],
  },
  {
    name: '@actions/core',
    signature: 'Unable to find environment variable for file command',
    uses: ['build-image'],
  },
  {
    name: 'yaml',
    signature: 'YAMLParseError',
    uses: ['build-image', 'canary-shift', 'rollback', 'run-migrations', 'verify-health'],
  },
  { name: '@kubernetes/client-node', signature: 'CoreV1Api', uses: ['canary-shift', 'rollback'] },
  { name: 'the AWS SDK', signature: '@aws-sdk/', uses: ['canary-shift', 'verify-health'] },
  { name: 'Octokit', signature: 'octokit', uses: ['build-image', 'canary-shift', 'rollback'] },
  { name: 'jsonpath-plus', signature: 'JSONPath', uses: ['canary-shift', 'verify-health'] },
  { name: 'libpg-query', signature: 'libpg', uses: ['run-migrations'] },
];

/** What is wrong with an action's chunks: a lazy-only package in the main bundle, or a signature found nowhere. */
export function lazyOnlyProblems(name, dist) {
  const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
  const text = (file) => readFileSync(path.join(dist, file), 'utf8');
  const main = text('index.js');
  const chunks = files.filter((f) => f !== 'index.js').map(text);
  const found = [];
  for (const pkg of LAZY_ONLY) {
    if (main.includes(pkg.signature))
      found.push(`${name}: ${pkg.name} is in the main bundle (dist/index.js)`);
    if (pkg.uses.includes(name) && !chunks.some((c) => c.includes(pkg.signature)))
      found.push(
        `${name}: no lazy chunk shows ${pkg.name} ("${pkg.signature}"): the signature is stale or the package gone`,
      );
  }
  return found;
}
