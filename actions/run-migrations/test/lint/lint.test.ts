import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checksum, type MigrationFile, parseDirectives } from '../../src/files.js';
import { type Finding, lintFile, loadParser, RULES } from '../../src/lint/index.js';
import type { ParseSql } from '../../src/lint/parser.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/lint');
let parse: ParseSql;
beforeAll(async () => {
  parse = await loadParser();
});

function migration(sql: string, file = 'migrations/0001_x.sql'): MigrationFile {
  return {
    version: '1',
    name: 'x',
    file,
    absolutePath: `/w/${file}`,
    sql,
    checksum: checksum(sql),
    directives: parseDirectives(sql),
  };
}
const lint = (sql: string, lockTimeoutMs = 5000) => lintFile(migration(sql), { parse, lockTimeoutMs });
const open = (findings: Finding[]) => findings.filter((f) => !f.suppressed).map((f) => f.rule);

describe('lint rules: a failing and a passing fixture each', () => {
  it('has fixtures for exactly the rules there are', () => {
    expect(readdirSync(fixtures).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  for (const rule of RULES) {
    it(`${rule.id}: fail.sql is flagged, pass.sql is not`, async () => {
      const failing = await lint(readFileSync(path.join(fixtures, rule.id, 'fail.sql'), 'utf8'));
      expect(open(failing)).toContain(rule.id);
      const passing = await lint(readFileSync(path.join(fixtures, rule.id, 'pass.sql'), 'utf8'));
      expect(open(passing)).not.toContain(rule.id);
    });
  }
});

describe('lintFile', () => {
  it('points at the line of the statement, after leading comments', async () => {
    const findings = await lint('SELECT 1;\n\n-- why\n-- more\nALTER TABLE t\n  DROP COLUMN c;\n');
    expect(findings.map((f) => [f.rule, f.line])).toEqual([['drop-column', 5]]);
  });

  it('counts lines right after multi-byte characters', async () => {
    const findings = await lint("SELECT 'ünïcødé ✓';\nDROP TABLE old_things;");
    expect(findings.map((f) => [f.rule, f.line])).toEqual([['drop-table', 2]]);
  });

  it('exempts tables created in the same file', async () => {
    const findings = await lint(
      'CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);\nALTER TABLE t ADD COLUMN c int NOT NULL;',
    );
    expect(findings).toEqual([]);
  });

  it('suppresses with a reason and reports a suppression without one', async () => {
    const withReason = await lint(
      '-- glidepath:lint-ignore drop-table: replaced by archive_v2 in 2024.04\nDROP TABLE archive;',
    );
    expect(withReason).toHaveLength(1);
    expect(withReason[0]!.suppressed).toBe('replaced by archive_v2 in 2024.04');
    const withoutReason = await lint('-- glidepath:lint-ignore drop-table\nDROP TABLE archive;');
    expect(open(withoutReason).sort()).toEqual(['drop-table', 'suppression-without-reason']);
  });

  it('flags every blocking statement when lock-timeout is 0 and the file sets none', async () => {
    expect(open(await lint('ALTER TABLE t ADD COLUMN c int;', 0))).toEqual(['no-lock-timeout']);
    expect(open(await lint("SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN c int;", 0))).toEqual([]);
  });

  it('reports a syntax error at its line', async () => {
    const findings = await lint('SELECT 1;\nSELEC 2;');
    expect(findings.map((f) => [f.rule, f.line])).toEqual([['syntax', 2]]);
  });
});
