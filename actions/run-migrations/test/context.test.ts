import { describe, expect, it } from 'vitest';
import { splitWords } from '../src/context.js';

describe('splitWords', () => {
  it('splits a command into arguments without a shell', () => {
    expect(splitWords('npx prisma migrate deploy')).toEqual(['npx', 'prisma', 'migrate', 'deploy']);
    expect(splitWords(`psql -v ON_ERROR_STOP=1 -f "db/all migrations.sql" --set 'x=$HOME'`)).toEqual([
      'psql',
      '-v',
      'ON_ERROR_STOP=1',
      '-f',
      'db/all migrations.sql',
      '--set',
      'x=$HOME',
    ]);
    expect(splitWords('a\\ b "" c')).toEqual(['a b', '', 'c']);
  });

  it('refuses an unbalanced quote and an empty command', () => {
    expect(splitWords('echo "open')).toBeUndefined();
    expect(splitWords('   ')).toBeUndefined();
  });
});
