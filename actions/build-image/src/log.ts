import { redact } from '@glidepath/core';

/** A line in the step's log, redacted like everything else the action prints. */
export function info(message: string): void {
  process.stdout.write(`${redact(message)}\n`);
}

/** One collapsible log group per phase (the runner's `::group::` command). */
export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  process.stdout.write(`::group::${name}\n`);
  try {
    return await fn();
  } finally {
    process.stdout.write('::endgroup::\n');
  }
}
