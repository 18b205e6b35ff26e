import path from 'node:path';
import { InputError, input, type RawInputs, readInputs, runnerInputs, splitCommand } from '@glidepath/core';
import { databaseUrlField } from './connection.js';

/** Every input of `action.yml`, parsed once, before anything connects. */
export const fields = {
  'database-url': databaseUrlField(),
  dir: input.workspacePath({ default: 'migrations' }),
  engine: input.oneOf(['builtin', 'command'] as const, { default: 'builtin' }),
  command: input.optionalString(),
  'command-shell': input.boolean({ default: false }),
  'command-timeout': input.duration({ default: 3_600_000, min: 1000, max: 24 * 3_600_000 }),
  'dry-run': input.boolean({ default: false }),
  lint: input.oneOf(['off', 'warn', 'error'] as const, { default: 'warn' }),
  'lock-timeout': input.duration({ default: 5000, min: 0, max: 24 * 3_600_000 }),
  'statement-timeout': input.duration({ default: 30 * 60_000, min: 0, max: 24 * 3_600_000 }),
  'lock-wait': input.duration({ default: 5 * 60_000, min: 0, max: 24 * 3_600_000 }),
  'lock-name': input.string({
    default: 'glidepath',
    pattern: /^[\w.:-]{1,100}$/,
    patternHint: 'letters, digits, _ . : - (at most 100)',
  }),
  'out-of-order': input.oneOf(['fail', 'allow'] as const, { default: 'fail' }),
  'allow-checksum-change': input.boolean({ default: false }),
  'ssl-ca': input.optionalString(),
};

export type Settings = Awaited<ReturnType<typeof readContext>>;

export async function readContext(raw: RawInputs = runnerInputs) {
  const inputs = await readInputs(fields, raw);
  let command: string[] | undefined;
  if (inputs.engine === 'command') {
    if (!inputs.command)
      throw new InputError([
        {
          input: 'command',
          value: '',
          expected: 'the migration tool to run when engine is "command", such as: npx prisma migrate deploy',
        },
      ]);
    if (!inputs['command-shell']) {
      const words = splitCommand(inputs.command);
      if (!words)
        throw new InputError([
          {
            input: 'command',
            value: inputs.command,
            expected:
              'words separated by spaces, with balanced quotes (no shell syntax unless command-shell is true)',
          },
        ]);
      command = words;
    }
  } else if (inputs.command) {
    throw new InputError([
      {
        input: 'command',
        value: inputs.command,
        expected: 'empty unless engine is "command" (engine is "builtin")',
      },
    ]);
  }
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  return {
    ...inputs,
    workspace,
    dirPath: path.resolve(workspace, inputs.dir),
    /** The tool's argument list (`engine: command` without `command-shell`). */
    commandArgs: command,
  };
}
