import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OperationError } from '@glidepath/core';
import { describe, expect, it } from 'vitest';
import { checksum, compareVersions, parseDirectives, parseFileName, readMigrations } from '../src/files.js';

describe('parseFileName', () => {
  it.each([
    ['0001_create_users.sql', { version: '1', name: 'create_users' }],
    ['20240601120000_add_index.sql', { version: '20240601120000', name: 'add_index' }],
    ['V3__add_orders.sql', { version: '3', name: 'add_orders' }],
    ['V1_2__fix.sql', { version: '1.2', name: 'fix' }],
    ['V1.10__fix.sql', { version: '1.10', name: 'fix' }],
    ['20240601120000_create_sessions.up.sql', { version: '20240601120000', name: 'create_sessions' }],
  ])('%s', (file, expected) => {
    expect(parseFileName(file)).toEqual(expected);
  });

  it('ignores .down.sql and Flyway undo files, rejects unknown names', () => {
    expect(parseFileName('0001_create_users.down.sql')).toBe('ignored');
    expect(parseFileName('U3__undo.sql')).toBe('ignored');
    expect(parseFileName('create_users.sql')).toBeUndefined();
    expect(parseFileName('R__views.sql')).toBeUndefined();
  });
});

describe('compareVersions', () => {
  it('orders numerically, part by part, beyond 2^53', () => {
    const versions = ['10', '9', '1.10', '1.2', '20240601120000', '20240601115959', '2'];
    expect([...versions].sort(compareVersions)).toEqual([
      '1.2',
      '1.10',
      '2',
      '9',
      '10',
      '20240601115959',
      '20240601120000',
    ]);
    expect(compareVersions('9007199254740993', '9007199254740992')).toBe(1);
  });
});

describe('files', () => {
  it('checksums ignore CRLF line endings', () => {
    expect(checksum('a\r\nb\n')).toBe(checksum('a\nb\n'));
    expect(checksum('a')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the no-transaction directive on its own comment line only', () => {
    expect(
      parseDirectives('-- glidepath:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);').noTransaction,
    ).toBe(true);
    expect(parseDirectives("SELECT '-- glidepath:no-transaction';").noTransaction).toBe(false);
  });

  it('reads a directory in version order and refuses duplicates and unknown names', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-files-'));
    writeFileSync(path.join(dir, '10_b.sql'), 'SELECT 10;');
    writeFileSync(path.join(dir, '9_a.sql'), 'SELECT 9;');
    writeFileSync(path.join(dir, '9_a.down.sql'), 'SELECT 0;');
    writeFileSync(path.join(dir, 'README.md'), '# notes');
    const files = await readMigrations(dir, dir);
    expect(files.map((f) => [f.version, f.file])).toEqual([
      ['9', '9_a.sql'],
      ['10', '10_b.sql'],
    ]);
    writeFileSync(path.join(dir, 'V10__dup.sql'), 'SELECT 1;');
    await expect(readMigrations(dir, dir)).rejects.toThrow(/share version 10: 10_b.sql and V10__dup.sql/);
    const other = mkdtempSync(path.join(tmpdir(), 'glidepath-files-'));
    writeFileSync(path.join(other, 'add_users.sql'), 'SELECT 1;');
    await expect(readMigrations(other, other)).rejects.toThrow(
      /add_users.sql.*Expected <version>_<name>.sql/,
    );
  });

  describe('a migration that is a symbolic link', () => {
    /** A workspace with migrations/, a shared/ folder inside it, and a folder outside it. */
    function layout() {
      const workspace = mkdtempSync(path.join(tmpdir(), 'glidepath-links-'));
      const dir = path.join(workspace, 'migrations');
      mkdirSync(dir);
      mkdirSync(path.join(workspace, 'shared'));
      writeFileSync(path.join(dir, '0001_a.sql'), 'SELECT 1;');
      const outside = mkdtempSync(path.join(tmpdir(), 'glidepath-outside-'));
      return { workspace, dir, outside };
    }

    it('is followed when it points inside the workspace, and read from its target', async () => {
      const { workspace, dir } = layout();
      writeFileSync(path.join(workspace, 'shared', 'seed.sql'), 'SELECT 2;');
      symlinkSync('../shared/seed.sql', path.join(dir, '0002_seed.sql'));
      writeFileSync(path.join(dir, 'local.sql.txt'), 'x');
      symlinkSync('0001_a.sql', path.join(dir, '0003_same_dir.sql'));
      const files = await readMigrations(dir, workspace);
      expect(files.map((f) => [f.version, f.file, f.sql])).toEqual([
        ['1', path.join('migrations', '0001_a.sql'), 'SELECT 1;'],
        ['2', path.join('migrations', '0002_seed.sql'), 'SELECT 2;'],
        ['3', path.join('migrations', '0003_same_dir.sql'), 'SELECT 1;'],
      ]);
    });

    it('is followed inside an absolute migrations directory outside the workspace', async () => {
      const { workspace, outside } = layout();
      writeFileSync(path.join(outside, 'real.sql.txt'), 'SELECT 5;');
      symlinkSync(path.join(outside, 'real.sql.txt'), path.join(outside, '0005_linked.sql'));
      const files = await readMigrations(outside, workspace);
      expect(files.map((f) => [f.version, f.sql])).toEqual([['5', 'SELECT 5;']]);
    });

    it('is refused, naming it, when it points outside the workspace and the directory', async () => {
      const { workspace, dir, outside } = layout();
      writeFileSync(path.join(outside, 'evil.sql'), 'DROP TABLE accounts;');
      symlinkSync(path.join(outside, 'evil.sql'), path.join(dir, '0002_evil.sql'));
      const error = await readMigrations(dir, workspace).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperationError);
      expect((error as OperationError).message).toMatch(
        /^The migration migrations\/0002_evil\.sql is a symbolic link to .*evil\.sql, outside the workspace and the migrations directory/,
      );
      expect((error as OperationError).target?.file).toBe(path.join('migrations', '0002_evil.sql'));
    });

    it('is refused, naming it, when it leads nowhere or to a directory', async () => {
      const { workspace, dir } = layout();
      symlinkSync('missing.sql.txt', path.join(dir, '0002_dangling.sql'));
      await expect(readMigrations(dir, workspace)).rejects.toThrow(
        /The migration migrations\/0002_dangling\.sql is a symbolic link to missing\.sql\.txt, which does not exist/,
      );
      const again = layout();
      symlinkSync(path.join(again.workspace, 'shared'), path.join(again.dir, '0002_folder.sql'));
      await expect(readMigrations(again.dir, again.workspace)).rejects.toThrow(
        /0002_folder\.sql is a symbolic link to .*shared, which is not a file/,
      );
    });

    it('ignores a linked .down.sql like any other (never followed)', async () => {
      const { workspace, dir, outside } = layout();
      symlinkSync(path.join(outside, 'x.sql'), path.join(dir, '0001_a.down.sql'));
      expect((await readMigrations(dir, workspace)).map((f) => f.version)).toEqual(['1']);
    });
  });
});
