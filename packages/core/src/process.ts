import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { OperationError } from './errors.js';
import { formatDuration, MAX_TIMER_MS } from './inputs/duration.js';
import { isSecretVariable, redact } from './secrets.js';

export interface ProcessOptions {
  cwd?: string;
  /** Variables set for the process, on top of the job's environment (see `childEnvironment`). */
  env?: Record<string, string | undefined>;
  /** Text written to the process's standard input. */
  input?: string;
  /** Don't echo the command and its output to the log. */
  silent?: boolean;
  /** Exit codes that are not a failure (default: only 0). */
  okExitCodes?: number[];
  /**
   * How long the process may run. At the limit it is stopped with every
   * process it started, and the call throws a ProcessStoppedError.
   */
  timeoutMs: number;
  /** The input that sets `timeoutMs`, named when the limit is reached. */
  timeoutInput?: string;
  /** What the command is to the user (`deploy-command`), named in errors. */
  label?: string;
  /** The job's cancellation: the process is stopped at once when it fires. */
  signal?: AbortSignal;
  /** Keep GITHUB_TOKEN in the process's environment (only when the user asked for it). */
  githubToken?: boolean;
  /**
   * `ACTIONS_*` variables the program needs and is trusted with (docker
   * buildx's `type=gha` cache reads the runner's cache URL and token).
   */
  runnerVariables?: readonly string[];
}

/** What docker buildx's GitHub Actions cache reads from its environment. */
export const GHA_CACHE_VARIABLES = [
  'ACTIONS_CACHE_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
] as const;

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** How long a stopped process group has between SIGTERM and SIGKILL. */
const GRACE_MS = 5_000;
/** How long the output pipes may stay open after the process exited (a background child may hold them). */
const PIPE_LINGER_MS = 2_000;
/** The most output kept in memory per stream (its end); the log still gets all of it. */
const KEEP_BYTES = 8 * 1024 * 1024;

/**
 * Runs a program with an argument array, never through a shell, so no value
 * is ever read as shell syntax.
 *
 * - The process gets the job's environment without the runner's `INPUT_*`
 *   and `ACTIONS_*` variables (every input, secrets included, and the
 *   runner's own tokens), and without GITHUB_TOKEN unless asked for.
 * - It runs in its own process group. At `timeoutMs`, or when `signal`
 *   fires, the whole group is sent SIGTERM, then SIGKILL after a grace
 *   period, and the call returns only once the group is gone; so a revert or
 *   a post step that runs next never races a command still running.
 * - Everything it prints passes through the secret redactor, line by line,
 *   before it reaches the log or the result.
 * - A non-zero exit (not in `okExitCodes`) throws a ProcessError with the
 *   redacted tail of its output.
 */
export async function runProcess(
  command: string,
  args: string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  const name = options.label ? `${options.label} (${command})` : command;
  // A caller's bug, not a user's input: an undefined or huge bound would fire at once.
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0 || options.timeoutMs > MAX_TIMER_MS)
    throw new TypeError(
      `runProcess(${command}): timeoutMs must be between 1 and ${MAX_TIMER_MS}, got ${options.timeoutMs}`,
    );
  if (options.signal?.aborted) throw new ProcessStoppedError(name, 'cancelled', 0, options);
  if (!options.silent) process.stdout.write(`${redact(`[command]${[command, ...args].join(' ')}`)}\n`);
  const started = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnvironment(options.env, {
        githubToken: options.githubToken ?? false,
        ...(options.runnerVariables ? { runnerVariables: options.runnerVariables } : {}),
      }),
      // A new process group (and session): the group is what gets stopped,
      // and the runner's signals to the action do not reach it half-way.
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new OperationError(redact(`Could not run ${name}: ${(error as Error).message}`), { cause: error });
  }

  const stdout = new Collector(options.silent ? undefined : process.stdout);
  const stderr = new Collector(options.silent ? undefined : process.stdout);
  child.stdout!.on('data', (chunk: Buffer) => stdout.add(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.add(chunk));
  if (options.input !== undefined) {
    child.stdin!.on('error', () => undefined); // a process that exits without reading its input
    child.stdin!.end(options.input);
  }

  let stopping: Promise<void> | undefined;
  let stopReason: 'timeout' | 'cancelled' | undefined;
  const stop = (reason: 'timeout' | 'cancelled') => {
    stopReason ??= reason;
    stopping ??= stopGroup(child.pid!);
  };
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('cancelled');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => {
          // From here on only its output is awaited: a limit reached now stops nothing.
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          resolve({ code, signal });
        });
      },
    ).catch((error: unknown) => {
      // The program could not be started (ENOENT, EACCES…).
      throw new OperationError(redact(`Could not run ${name}: ${(error as Error).message}`), {
        cause: error,
      });
    });
    if (stopping) await stopping;
    await linger(child);
    const ms = performance.now() - started;
    const out = { exitCode: exit.code ?? 128, stdout: stdout.text(), stderr: stderr.text() };
    if (stopReason) throw new ProcessStoppedError(name, stopReason, ms, options, out);
    if (exit.code === null) {
      const tail = tailOf(out);
      throw new ProcessError(name, out.exitCode, `killed by ${exit.signal}${tail ? `\n${tail}` : ''}`, out);
    }
    if (!(options.okExitCodes ?? [0]).includes(exit.code))
      throw new ProcessError(name, exit.code, tailOf(out), out);
    return out;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    stdout.flush();
    stderr.flush();
  }
}

/** The job's environment for a child process: see `runProcess`. */
export function childEnvironment(
  extra: Record<string, string | undefined> | undefined,
  options: { githubToken: boolean; runnerVariables?: readonly string[] },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^INPUT_/i.test(key)) continue;
    if (/^ACTIONS_/i.test(key) && !options.runnerVariables?.includes(key)) continue;
    if (key === 'GITHUB_TOKEN' && !options.githubToken) continue;
    if (isSecretVariable(key)) continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(extra ?? {})) if (value !== undefined) env[key] = value;
  return env;
}

/**
 * SIGTERM to the whole group, then SIGKILL to whatever is left after the
 * grace period; resolves once no process of the group runs any more.
 */
async function stopGroup(pgid: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = performance.now() + GRACE_MS;
  while (performance.now() < deadline) {
    await sleep(50);
    if (!groupAlive(pgid)) return;
  }
  signalGroup(pgid, 'SIGKILL');
  // SIGKILL cannot be caught; the kernel needs a moment to tear the processes down.
  for (let i = 0; i < 40 && groupAlive(pgid); i++) await sleep(25); // structural: bounded wait for the kernel
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is already gone
  }
}

/**
 * Whether any process of the group still runs. Zombies do not count: they
 * run nothing, and where PID 1 does not reap orphans they would stay forever.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  return groupMembers(pgid).some((state) => state !== 'Z' && state !== 'X');
}

/** The states of the group's processes, from /proc (Linux); elsewhere the signal test alone decides. */
function groupMembers(pgid: number): string[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return ['R'];
  }
  const states: string[] = [];
  for (const entry of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) states.push(fields[0]!);
  }
  return states;
}

/**
 * After the process exited, its output pipes close once every process holding
 * them has (a deploy script's background server may keep them for good). Wait
 * a little for the last output, then stop waiting, while still draining them
 * so such a server never blocks on a full pipe.
 */
async function linger(child: ChildProcess): Promise<void> {
  const streams = [child.stdout!, child.stderr!].filter((stream) => !stream.closed);
  if (streams.length === 0) return;
  await Promise.race([
    Promise.all(streams.map((stream) => new Promise((resolve) => stream.once('close', resolve)))),
    sleep(PIPE_LINGER_MS),
  ]);
  for (const stream of streams) if (!stream.closed) (stream as unknown as { unref(): void }).unref();
}

function tailOf(out: ProcessResult): string {
  return (out.stderr.trim() || out.stdout.trim()).split('\n').slice(-10).join('\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A process's output: echoed to the log whole lines at a time (so a secret
 * split across two reads is still redacted), kept for the result up to a bound.
 */
class Collector {
  #pending = '';
  #kept: string[] = [];
  #bytes = 0;
  constructor(private readonly log: NodeJS.WritableStream | undefined) {}

  add(chunk: Buffer): void {
    const text = this.#pending + chunk.toString();
    const end = text.lastIndexOf('\n');
    this.#pending = end === -1 ? text : text.slice(end + 1);
    if (end !== -1) this.#emit(text.slice(0, end + 1));
    // A very long line without a newline is emitted anyway rather than held.
    if (this.#pending.length > 64 * 1024) this.flush();
  }

  flush(): void {
    if (!this.#pending) return;
    const rest = this.#pending;
    this.#pending = '';
    this.#emit(rest);
  }

  text(): string {
    this.flush();
    return this.#kept.join('');
  }

  #emit(raw: string): void {
    const text = redact(raw);
    this.log?.write(text);
    // The end is kept rather than the start: that is where a failure says why.
    this.#kept.push(text);
    this.#bytes += text.length;
    while (this.#bytes > KEEP_BYTES && this.#kept.length > 1) this.#bytes -= this.#kept.shift()!.length;
  }
}

export class ProcessError extends OperationError {
  override readonly name: string = 'ProcessError';
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly tail: string,
    readonly result: ProcessResult,
  ) {
    super(redact(`${command} exited with code ${exitCode}${tail ? `:\n${tail}` : ''}`));
  }
}

/** The process was stopped: it reached its time limit, or the job was cancelled. */
export class ProcessStoppedError extends OperationError {
  override readonly name = 'ProcessStoppedError';
  constructor(
    readonly command: string,
    readonly reason: 'timeout' | 'cancelled',
    readonly ms: number,
    options: Pick<ProcessOptions, 'timeoutMs' | 'timeoutInput'>,
    readonly result?: ProcessResult,
  ) {
    const limit = `${formatDuration(options.timeoutMs)}${options.timeoutInput ? ` (${options.timeoutInput})` : ''}`;
    const what =
      reason === 'timeout'
        ? `did not finish within ${limit}`
        : ms === 0
          ? 'was not started: the job is being cancelled'
          : 'was stopped because the job is being cancelled';
    const tail = result ? tailOf(result) : '';
    super(
      redact(
        `${command} ${what}${ms > 0 ? `; it ran ${formatDuration(Math.round(ms))} and was stopped with every process of its group` : ''}` +
          `${tail ? `. Its last output:\n${tail}` : '.'}`,
      ),
    );
  }
}
