/**
 * The process side of a real server that one test file starts: spawn the
 * binary, keep what it prints, poll it until it is ready within a deadline,
 * and stop it by its own pid (SIGTERM, SIGKILL after 10 s), removing its
 * temporary directory. Shared by the InfluxDB, Alertmanager and
 * VictoriaMetrics launchers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface ServerProcess {
  /** What the server printed (stdout and stderr), to show when something went wrong. */
  log(): string;
  /** Throws, with the server's output, when the process has exited. */
  assertRunning(): void;
  /** SIGTERM to the child's pid, SIGKILL after 10 s; then removes `dir`. */
  stop(): Promise<void>;
}

/** Starts `binary` with `args`; `dir` (the server's temporary directory) is removed on stop. */
export function spawnServer(name: string, binary: string, args: string[], dir: string): ServerProcess {
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.once('error', (error) => {
    output += `\n[spawn error] ${error.message}\n`;
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    log: () => output,
    assertRunning() {
      if (gone() || child.pid === undefined)
        throw new Error(
          `${name} exited (${child.exitCode ?? child.signalCode ?? 'not started'}):\n${output}`,
        );
    },
    async stop() {
      if (child.pid !== undefined && !gone()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `probe` every 250 ms until it returns something other than undefined,
 * and returns that; fails with the server's output when the process exits or
 * `timeoutMs` passes (the last answer or error is part of the message).
 */
export async function pollUntil<T>(
  name: string,
  server: ServerProcess,
  what: string | (() => string),
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    server.assertRunning();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  server.assertRunning();
  throw new Error(
    `${name}: ${typeof what === 'string' ? what : what()} not reached in ${timeoutMs} ms${last === undefined ? '' : ` (last: ${String(last)})`}\n${server.log()}`,
  );
}

/** The body of a response that must be `ok`, or an error naming the request, status and body. */
export async function expectOk(name: string, what: string, response: Response): Promise<string> {
  const body = await response.text();
  if (!response.ok) throw new Error(`${name}: ${what} answered ${response.status}: ${body}`);
  return body;
}
