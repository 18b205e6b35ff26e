import { expect } from 'vitest';
import { InputError, type InputProblem } from '../../src/errors.js';

/** The problems of the InputError `promise` rejects with (and a failed test when it does not). */
export async function problemsOf(promise: Promise<unknown>): Promise<InputProblem[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problems;
}

/** A raw-input reader over a record, as the runner's `INPUT_*` would give them. */
export const from = (values: Record<string, string>) => (name: string) => values[name] ?? '';
