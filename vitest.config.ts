import { defineConfig } from 'vitest/config';

const ci = Boolean(process.env.CI);

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'actions/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/lib/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests start real servers; a 2-core machine runs two files at a time.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    allowOnly: !ci,
    // .ci/run reads the JSON report to fail on skipped tests; its Node 24 pass writes its own.
    reporters: ci
      ? ['default', ['json', { outputFile: process.env.GLIDEPATH_VITEST_JSON ?? '.ci/out/vitest.json' }]]
      : ['default'],
  },
});
