import { Writable } from 'node:stream';
import * as actionsExec from '@actions/exec';
import { OperationError } from './errors.js';
import { redact } from './secrets.js';

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Text written to the process's standard input. */
  input?: string;
  /** Don't echo the command and its output to the log. */
  silent?: boolean;
  /** Exit codes that are not a failure (default: only 0). */
  okExitCodes?: number[];
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program with an argument array — never through a shell, so no value is
 * ever interpreted as shell syntax. What reaches the log passes through the
 * secret redactor. A non-zero exit (not in `okExitCodes`) throws an
 * OperationError carrying the redacted tail of stderr.
 */
export async function execFile(
  command: string,
  args: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const log = redactingStream(process.stdout);
  let result: actionsExec.ExecOutput;
  try {
    result = await actionsExec.getExecOutput(command, args, {
      cwd: options.cwd,
      env: options.env ? definedEnv({ ...process.env, ...options.env }) : undefined,
      input: options.input === undefined ? undefined : Buffer.from(options.input),
      silent: options.silent ?? false,
      ignoreReturnCode: true,
      outStream: log,
      errStream: log,
    });
  } catch (error) {
    // @actions/exec rejects when the program cannot be started (ENOENT…).
    throw new OperationError(redact(`Could not run ${command}: ${(error as Error).message}`), {
      cause: error,
    });
  }
  const exitCode = result.exitCode;
  const out = { exitCode, stdout: redact(result.stdout), stderr: redact(result.stderr) };
  if (!(options.okExitCodes ?? [0]).includes(exitCode)) {
    const tail = (out.stderr.trim() || out.stdout.trim()).split('\n').slice(-10).join('\n');
    throw new ProcessError(command, exitCode, tail, out);
  }
  return out;
}

export class ProcessError extends OperationError {
  override readonly name = 'ProcessError';
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly tail: string,
    readonly result: ExecResult,
  ) {
    super(redact(`${command} exited with code ${exitCode}${tail ? `:\n${tail}` : ''}`));
  }
}

function definedEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function redactingStream(target: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      target.write(redact(chunk.toString()));
      callback();
    },
  });
}
