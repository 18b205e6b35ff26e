import { type AnnotationTarget, OperationError } from '@glidepath/core';
import { type Dockerfile, instructionAt } from './dockerfile.js';

/** A build that failed in the Dockerfile, with the place the builder named. */
export class BuildError extends OperationError {
  override readonly name = 'BuildError';
}

export interface BuildFailure {
  message: string;
  /** 1-based Dockerfile line, when the builder's report leads to one. */
  line: number | undefined;
}

/**
 * buildah prints each step as `[2/3] STEP 4/6: COPY x /y` (the stage prefix
 * only in multi-stage builds) on stdout, and the error as `Error: building at
 * STEP "COPY x /y": …` on stderr. The last step printed is the one that failed.
 */
export function buildahFailure(stdout: string, stderr: string, dockerfile: Dockerfile): BuildFailure {
  const errorLines = stderr
    .split('\n')
    .filter((l) => l.startsWith('Error: '))
    .map((l) => l.slice('Error: '.length));
  const message = errorLines[errorLines.length - 1] ?? lastLines(stderr || stdout);
  let last: RegExpExecArray | undefined;
  for (const m of stdout.matchAll(/^(?:\[(\d+)\/\d+\] )?STEP (\d+)\/\d+: (.*)$/gm)) last = m;
  if (!last) return { message, line: undefined };
  const [, stage, step, text] = last as unknown as [string, string | undefined, string, string];
  const instruction = instructionAt(dockerfile, Number(stage ?? 1), Number(step), text);
  return { message, line: instruction?.line };
}

/**
 * BuildKit (buildx) prints the failing instruction as a snippet headed by
 * `Dockerfile:3` and a `----` rule, and the reason as `ERROR: failed to solve: …`
 * (output shape as in Docker's documentation and the issues it is quoted in).
 */
export function buildxFailure(output: string): BuildFailure {
  const lines = output.split('\n').map((l) => l.replace(/^#\d+ [\d.]+ /, ''));
  let line: number | undefined;
  for (let i = 0; i < lines.length - 1; i++) {
    const m = /^\s*[^\s:]+:(\d+)\s*$/.exec(lines[i]!);
    if (m && /^\s*-{8,}\s*$/.test(lines[i + 1]!)) line = Number(m[1]);
  }
  const errors = lines.filter((l) => /^\s*ERROR:/.test(l)).map((l) => l.replace(/^\s*ERROR:\s*/, ''));
  return { message: errors[errors.length - 1] ?? lastLines(output), line };
}

export function buildErrorFor(failure: BuildFailure, dockerfilePath: string): BuildError {
  const target: AnnotationTarget = { title: 'Image build failed', file: dockerfilePath };
  if (failure.line !== undefined) target.startLine = failure.line;
  const where = failure.line !== undefined ? `${dockerfilePath}:${failure.line}` : dockerfilePath;
  return new BuildError(`The image build failed at ${where}: ${failure.message}`, { target });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-5).join('\n');
}
