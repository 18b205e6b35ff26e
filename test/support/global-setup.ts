import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../harness/runner.js';

/**
 * Starts the shared real servers (PostgreSQL, MariaDB, the OCI registry) once
 * per test run through the same script developers and CI use, and hands their
 * addresses to the tests as environment variables. Starting is idempotent; a
 * missing package is a clear failure, never a skipped test.
 */
export default function setup(): void {
  const script = path.join(repoRoot, 'scripts/services.sh');
  try {
    execFileSync('bash', [script, 'start'], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    throw new Error(
      `The test services did not start. Install them once with: sudo bash scripts/services.sh install`,
    );
  }
  const dir = process.env.GLIDEPATH_SERVICES_DIR ?? '/tmp/glidepath-services';
  for (const line of readFileSync(path.join(dir, 'services.env'), 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) process.env[line.slice(0, eq)] = line.slice(eq + 1);
  }
}
