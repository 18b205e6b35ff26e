import { describe, expect, it } from 'vitest';
import { firstKeyword, lineAt, splitStatements } from '../../src/sql/split.js';

const texts = (sql: string, dialect: 'postgres' | 'mysql') =>
  splitStatements(sql, dialect).map((s) => s.text);

describe('splitStatements', () => {
  it('splits on semicolons and keeps each statement line', () => {
    const statements = splitStatements('CREATE TABLE a (id int);\n\nINSERT INTO a VALUES (1);\n', 'postgres');
    expect(statements.map((s) => [s.text, s.line])).toEqual([
      ['CREATE TABLE a (id int)', 1],
      ['INSERT INTO a VALUES (1)', 3],
    ]);
  });

  it('ignores semicolons in strings, identifiers and comments', () => {
    const sql = `INSERT INTO t VALUES ('a;b', 'it''s; fine'); -- trailing; comment
SELECT "we;ird" FROM t /* block; /* nested; */ still; */ WHERE x = 1;`;
    expect(texts(sql, 'postgres')).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
      '-- trailing; comment\nSELECT "we;ird" FROM t /* block; /* nested; */ still; */ WHERE x = 1',
    ]);
  });

  it('keeps dollar-quoted bodies whole, tagged or not', () => {
    const sql = `CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $fn$ SELECT 'x;$$;' $fn$;
SELECT $1::int;`;
    const out = texts(sql, 'postgres');
    expect(out).toHaveLength(3);
    expect(out[0]).toContain('RETURN 1; END; $$');
    expect(out[1]).toContain("SELECT 'x;$$;' $fn$");
  });

  it('honours E-strings with backslash escapes on PostgreSQL only where marked', () => {
    expect(texts("SELECT E'a\\';b'; SELECT 'c\\'; SELECT 2;", 'postgres')).toEqual([
      "SELECT E'a\\';b'",
      "SELECT 'c\\'",
      'SELECT 2',
    ]);
  });

  it('knows MySQL quoting: backslash escapes, backticks, # comments', () => {
    const sql = "INSERT INTO t VALUES ('it\\'s; ok', \"q;\"); # note; here\nSELECT `a;b` FROM t;";
    expect(texts(sql, 'mysql')).toEqual([
      "INSERT INTO t VALUES ('it\\'s; ok', \"q;\")",
      '# note; here\nSELECT `a;b` FROM t',
    ]);
  });

  it('drops empty and comment-only pieces', () => {
    expect(texts(';;\n-- only a comment;\n/* and this */;', 'postgres')).toEqual([]);
  });

  it('maps offsets to lines', () => {
    expect(lineAt('a\nb\nc', 0)).toBe(1);
    expect(lineAt('a\nb\nc', 4)).toBe(3);
  });

  it('reads the first keyword after comments', () => {
    expect(firstKeyword('-- note\n/* more */\n  commit;')).toBe('COMMIT');
    expect(firstKeyword('# mysql comment\nSELECT 1')).toBe('SELECT');
  });
});
