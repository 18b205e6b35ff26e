import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError, splitCommand } from '@glidepath/core';
import { describe, expect, it } from 'vitest';
import { readContext } from '../src/context.js';

describe('the command input is split like the router commands (core splitCommand)', () => {
  it('splits a command into arguments without a shell', () => {
    expect(splitCommand('npx prisma migrate deploy')).toEqual(['npx', 'prisma', 'migrate', 'deploy']);
    expect(splitCommand(`psql -v ON_ERROR_STOP=1 -f "db/all migrations.sql" --set 'x=$HOME'`)).toEqual([
      'psql',
      '-v',
      'ON_ERROR_STOP=1',
      '-f',
      'db/all migrations.sql',
      '--set',
      'x=$HOME',
    ]);
    expect(splitCommand('a\\ b "" c')).toEqual(['a b', '', 'c']);
  });

  it('refuses an unbalanced quote and an empty command', () => {
    expect(splitCommand('echo "open')).toBeUndefined();
    expect(splitCommand('   ')).toBeUndefined();
  });
});

describe('dir: a relative path stays in the workspace, an absolute one is the user’s choice', () => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'glidepath-workspace-'));
  const outside = mkdtempSync(path.join(tmpdir(), 'glidepath-outside-'));
  symlinkSync(outside, path.join(workspace, 'linked-out'));

  async function settingsWith(dir: string) {
    const saved = process.env.GITHUB_WORKSPACE;
    process.env.GITHUB_WORKSPACE = workspace;
    try {
      const values: Record<string, string> = { 'database-url': 'postgres://app@127.0.0.1:1/app', dir };
      return await readContext((name) => values[name] ?? '');
    } finally {
      if (saved === undefined) delete process.env.GITHUB_WORKSPACE;
      else process.env.GITHUB_WORKSPACE = saved;
    }
  }

  it.each(['../outside', '../../etc', 'db/../../x', 'linked-out'])(
    'refuses %s, naming dir, before connecting to anything',
    async (dir) => {
      const error = await settingsWith(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).problems).toEqual([
        { input: 'dir', value: dir, expected: expect.stringContaining('a path inside the workspace') },
      ]);
    },
  );

  it.each([
    ['migrations', 'migrations'],
    ['db/migrations', 'db/migrations'],
    [outside, outside],
  ])('accepts %s', async (dir, expected) => {
    const settings = await settingsWith(dir);
    expect(settings.dir).toBe(expected);
    expect(settings.dirPath).toBe(path.resolve(workspace, expected));
  });
});
