/**
 * Whether processes a test's command started are still running, read from
 * /proc. A zombie counts as gone: it runs nothing, and where PID 1 does not
 * reap orphans it stays in the table for good.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export function running(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== 'Z' && state !== 'X';
}

/** The pids a command wrote, one per line, into `file` (it writes them before it hangs). */
export async function pidsIn(file: string): Promise<number[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()))
    .map(Number);
}

/** Stops what a test started and left running on purpose (by pid, never by name). */
export function stopPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * A shell script that records its own pid and a background child's, then hangs
 * (the child too), for tests of commands that never finish. With `ignoreTerm`
 * both ignore SIGTERM, so only SIGKILL stops them.
 */
export function hangingScript(pidFile: string, options: { ignoreTerm?: boolean } = {}): string {
  const trap = options.ignoreTerm ? "trap '' TERM\n" : '';
  return `#!/bin/sh\n${trap}sleep 300 &\necho $$ >> '${pidFile}'\necho $! >> '${pidFile}'\necho hanging\nwait\n`;
}
