import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Field } from '@glidepath/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * Every action reads its inputs the same way: `src/context.ts` exports `fields` (one field
 * per input, keyed by the action.yml name) and `readContext(raw)`. This checks each
 * action.yml against its reader, so the documented contract and the code cannot drift.
 */
const actionsDir = path.resolve(import.meta.dirname, '../../actions');
const actions = readdirSync(actionsDir).sort();

interface InputSpec {
  description?: string;
  required?: boolean;
  default?: string;
}

const inputsOf = (action: string) =>
  (
    parse(readFileSync(path.join(actionsDir, action, 'action.yml'), 'utf8')) as {
      inputs: Record<string, InputSpec>;
    }
  ).inputs;

async function readerOf(action: string) {
  const module = (await import(path.join(actionsDir, action, 'src/context.ts'))) as {
    fields: Record<string, Field<unknown>>;
    readContext: (raw?: (name: string) => string) => Promise<unknown>;
  };
  return module;
}

describe.each(actions)('%s: action.yml and its input reader', (action) => {
  it('exports fields and readContext from src/context.ts', async () => {
    const reader = await readerOf(action);
    expect(typeof reader.readContext).toBe('function');
    expect(Object.keys(reader.fields).length).toBeGreaterThan(0);
  });

  it('declares exactly the inputs it reads', async () => {
    const { fields } = await readerOf(action);
    expect(Object.keys(inputsOf(action)).sort()).toEqual(Object.keys(fields).sort());
  });

  it('marks required the inputs that cannot be left empty, unless action.yml gives them a default', async () => {
    const { fields } = await readerOf(action);
    for (const [name, spec] of Object.entries(inputsOf(action))) {
      const empty = await fields[name]!.parse('');
      if (spec.required === true) expect(empty.ok, `${name} is required, yet empty is accepted`).toBe(false);
      else if (!empty.ok)
        expect(spec.default, `${name} cannot be empty: required, or a default`).toBeDefined();
    }
  });

  it('accepts every default action.yml gives, and states truthfully the defaults the code keeps', async () => {
    const { fields } = await readerOf(action);
    for (const [name, spec] of Object.entries(inputsOf(action))) {
      const field = fields[name]!;
      if (spec.default !== undefined) expect((await field.parse(String(spec.default))).ok, name).toBe(true);
      const stated = /Default: `([^`]*)`\.\s*$/.exec((spec.description ?? '').trim());
      if (!stated) continue;
      // A default the description states lives in the code, so the runner must not pass one too.
      expect(spec.default, `${name}: a stated default and an action.yml default`).toBeUndefined();
      expect(await field.parse(stated[1]!), name).toEqual(await field.parse(''));
    }
  });

  it('refuses a bad value before doing anything, naming the input', async () => {
    const { fields, readContext } = await readerOf(action);
    // A duration input or a boolean takes no "not-a-value"; every action has one of them.
    const probe = Object.keys(fields).find((name) => /timeout|^push$|^force$|dry-run|^duration$/.test(name));
    expect(probe, 'an input to probe with').toBeDefined();
    const error = await readContext((name) => (name === probe ? 'not-a-value' : '')).catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain(probe);
  });
});
