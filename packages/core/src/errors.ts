import type { AnnotationTarget } from './runner.js';
import { maskCredentials } from './secrets.js';

/**
 * Typed errors thrown inside Glidepath. They are turned into one `setFailed`
 * message (plus annotations) at the top, by `run()`; nothing below that level
 * calls `setFailed` itself.
 */

export class GlidepathError extends Error {
  override readonly name: string = 'GlidepathError';
  /** Extra annotations to emit beside the failure message (e.g. one per failing check). */
  readonly annotations: Array<{ message: string } & AnnotationTarget>;
  readonly target: AnnotationTarget | undefined;

  constructor(
    message: string,
    options: {
      cause?: unknown;
      target?: AnnotationTarget;
      annotations?: Array<{ message: string } & AnnotationTarget>;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.target = options.target;
    this.annotations = options.annotations ?? [];
  }
}

/** One input with a value that cannot be used. */
export interface InputProblem {
  input: string;
  value: string;
  expected: string;
}

/**
 * Bad inputs, all of them at once, so a user fixes their workflow in one go.
 * Thrown before any side effect.
 */
export class InputError extends GlidepathError {
  override readonly name = 'InputError';
  readonly problems: InputProblem[];

  constructor(problems: InputProblem[]) {
    super(problems.map(describeProblem).join('\n'), {
      annotations: problems.map((p) => ({ title: `Invalid input: ${p.input}`, message: describeProblem(p) })),
    });
    this.problems = problems;
  }
}

export function describeProblem(p: InputProblem): string {
  const masked = maskCredentials(p.value);
  const shown = masked.length > 200 ? `${masked.slice(0, 200)}…` : masked;
  return `Input "${p.input}" ${p.value === '' ? 'is empty' : `got ${JSON.stringify(shown)}`}: expected ${p.expected}.`;
}

/** Something the action was asked to do went wrong in the outside world (a server, a process). */
export class OperationError extends GlidepathError {
  override readonly name: string = 'OperationError';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (error as { code?: unknown }).code;
    let text = error.message || String(code ?? error.name);
    if (cause instanceof Error && cause.message && !text.includes(cause.message))
      text += ` (${errorMessage(cause)})`;
    else if (typeof code === 'string' && !text.includes(code)) text += ` (${code})`;
    return text;
  }
  return String(error);
}
