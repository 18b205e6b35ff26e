import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Address of a shared server started by scripts/services.sh (via the global setup). */
export function serviceUrl(
  name: 'GLIDEPATH_PG_URL' | 'GLIDEPATH_MARIADB_URL' | 'GLIDEPATH_REGISTRY',
): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: the global setup starts the services (scripts/services.sh start)`);
  return value;
}

/** The path of a program the tests need, or a clear failure naming the package that provides it. */
export function requireProgram(program: string, debianPackage: string): string {
  try {
    return execFileSync('bash', ['-c', `command -v ${program} || ls /usr/sbin/${program}`], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')[0]!;
  } catch {
    throw new Error(
      `${program} is not installed; run: sudo bash scripts/services.sh install (Debian package ${debianPackage})`,
    );
  }
}

export { freePort } from './ports.mjs';

/** A unique, lower-case name for per-test databases and repositories. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
