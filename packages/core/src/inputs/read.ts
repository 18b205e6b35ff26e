import { InputError, type InputProblem } from '../errors.js';
import { getInput } from '../runner.js';
import { registerSecret } from '../secrets.js';
import type { Field } from './fields.js';

export type Fields = Record<string, Field<unknown>>;
export type Parsed<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/** The raw value of an input as the runner passes it: `INPUT_<NAME>` with spaces as `_`, upper-cased. */
export type RawInputs = (name: string) => string;

export const runnerInputs: RawInputs = getInput;

/**
 * Reads and checks every input of an action at once, keyed by the names in its
 * `action.yml`. All problems are collected and thrown together as one
 * InputError, before the action does anything.
 */
export async function readInputs<F extends Fields>(
  fields: F,
  raw: RawInputs = runnerInputs,
): Promise<Parsed<F>> {
  const problems: InputProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const text = raw(name);
    if (field.secret) registerSecret(text);
    const result = await field.parse(text);
    if (result.ok) values[name] = result.value;
    else problems.push({ input: name, value: quotable(field, text), expected: result.expected });
  }
  if (problems.length) throw new InputError(problems);
  return values as Parsed<F>;
}

/** What an error may quote of a bad value: never a secret, never a whole block that may hold credentials. */
function quotable(field: Field<unknown>, text: string): string {
  if (field.secret) return '***';
  if (field.opaque) {
    const lines = text.trim().split(/\r?\n/).length;
    return `(a block of ${lines} line${lines === 1 ? '' : 's'}, not repeated here)`;
  }
  return text.trim();
}

/** A check that spans inputs (e.g. `target-slot` must be one of `slots`); collected like the rest. */
export function requireInputs(checks: Array<InputProblem | false | undefined | null>): void {
  const problems = checks.filter((c): c is InputProblem => Boolean(c));
  if (problems.length) throw new InputError(problems);
}
