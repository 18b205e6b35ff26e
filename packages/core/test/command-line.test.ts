import { describe, expect, it } from 'vitest';
import { splitCommand } from '../src/command-line.js';

describe('splitCommand', () => {
  it('splits like a shell without being one', () => {
    expect(splitCommand('nginx -s reload')).toEqual(['nginx', '-s', 'reload']);
    expect(splitCommand(`sudo  nginx -g 'daemon off;' "a \\"b\\"" c\\ d $(rm -rf /)`)).toEqual([
      'sudo',
      'nginx',
      '-g',
      'daemon off;',
      'a "b"',
      'c d',
      '$(rm',
      '-rf',
      '/)',
    ]);
    expect(splitCommand(`x ''`)).toEqual(['x', '']);
    expect(splitCommand('x "open')).toBeUndefined();
    expect(splitCommand('   ')).toBeUndefined();
  });
});
