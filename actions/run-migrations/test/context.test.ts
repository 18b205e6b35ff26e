import { splitCommand } from '@glidepath/core';
import { describe, expect, it } from 'vitest';

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
