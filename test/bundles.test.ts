import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAZY_ONLY, lazyOnlyProblems } from '../scripts/bundle-contents.mjs';

/**
 * What every run of an action loads before reading its first input is its dist/index.js.
 * The heavy clients stay out of it (in chunks loaded when used), so that an action starts
 * close to a bare `node`; bench/bundles.mjs measures how close.
 */
const actionsDir = path.resolve(import.meta.dirname, '../actions');
const actions = readdirSync(actionsDir).filter((name) =>
  existsSync(path.join(actionsDir, name, 'dist/index.js')),
);

describe('main bundles', () => {
  it('there are five bundled actions', () => {
    expect(actions).toEqual(['build-image', 'canary-shift', 'rollback', 'run-migrations', 'verify-health']);
  });

  it.each(actions)(
    '%s: dist/index.js holds no lazy-only package, and each one it uses is in a lazy chunk',
    (name) => {
      expect(lazyOnlyProblems(name, path.join(actionsDir, name, 'dist'))).toEqual([]);
    },
  );

  it('finds a lazy-only package planted in a main bundle', () => {
    const planted = path.join(import.meta.dirname, 'fixtures', 'planted-dist');
    expect(lazyOnlyProblems('verify-health', planted)).toEqual(
      expect.arrayContaining([
        'verify-health: zod is in the main bundle (dist/index.js)',
        expect.stringMatching(/^verify-health: no lazy chunk shows the AWS SDK/),
      ]),
    );
    expect(LAZY_ONLY.map((p) => p.name)).toContain('zod');
  });
});
