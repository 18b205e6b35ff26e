/**
 * Splits a SQL script into statements without a server round trip. It knows
 * what can hide a semicolon: single-quoted strings (with `''` and, for
 * MySQL, backslash escapes), double-quoted and back-quoted identifiers, line
 * comments (`--`, and `#` on MySQL), nested block comments, and PostgreSQL
 * dollar quoting (`$$ … $$`, `$tag$ … $tag$`). Each statement keeps its offset
 * in the file, so an error position reported by the server maps back to a line.
 */

export type Dialect = 'postgres' | 'mysql';

export interface Statement {
  /** The statement text, trimmed, without the terminating semicolon. */
  text: string;
  /** Offset of `text` in the script (0-based, in UTF-16 code units). */
  offset: number;
  /** 1-based line of the statement's first character. */
  line: number;
}

export function splitStatements(script: string, dialect: Dialect): Statement[] {
  const statements: Statement[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  const push = (end: number) => {
    const raw = script.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text !== '' && !isOnlyComments(text, dialect)) {
      const offset = start + lead;
      statements.push({ text, offset, line: lineAt(script, offset) });
    }
  };
  while (i < n) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === '-' && next === '-') {
      i = endOfLine(script, i);
    } else if (c === '#' && dialect === 'mysql') {
      i = endOfLine(script, i);
    } else if (c === '/' && next === '*') {
      i = endOfBlockComment(script, i, dialect);
    } else if (c === "'") {
      i = endOfQuoted(script, i, "'", dialect === 'mysql' || isEscapeString(script, i));
    } else if (c === '"') {
      i = endOfQuoted(script, i, '"', dialect === 'mysql');
    } else if (c === '`' && dialect === 'mysql') {
      i = endOfQuoted(script, i, '`', false);
    } else if (c === '$' && dialect === 'postgres') {
      const tag = dollarTag(script, i);
      if (tag) {
        const close = script.indexOf(tag, i + tag.length);
        i = close < 0 ? n : close + tag.length;
      } else i++;
    } else if (c === ';') {
      push(i);
      i++;
      start = i;
    } else i++;
  }
  push(n);
  return statements;
}

/** 1-based line number of an offset in a text. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function endOfLine(s: string, i: number): number {
  const nl = s.indexOf('\n', i);
  return nl < 0 ? s.length : nl + 1;
}

function endOfBlockComment(s: string, i: number, dialect: Dialect): number {
  // PostgreSQL nests block comments; MySQL does not.
  let depth = 0;
  let j = i;
  while (j < s.length) {
    if (s[j] === '/' && s[j + 1] === '*') {
      depth = dialect === 'postgres' ? depth + 1 : 1;
      j += 2;
    } else if (s[j] === '*' && s[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return s.length;
}

function endOfQuoted(s: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (backslashEscapes && c === '\\') j += 2;
    else if (c === quote) {
      if (s[j + 1] === quote) j += 2;
      else return j + 1;
    } else j++;
  }
  return s.length;
}

/** PostgreSQL `E'…'` strings honour backslash escapes. */
function isEscapeString(s: string, i: number): boolean {
  const prev = s[i - 1];
  return (prev === 'E' || prev === 'e') && !/[A-Za-z0-9_]/.test(s[i - 2] ?? '');
}

/** `$$` or `$tag$` starting at i (a `$1` parameter or `a$b` identifier is not one). */
function dollarTag(s: string, i: number): string | undefined {
  if (i > 0 && /[A-Za-z0-9_]/.test(s[i - 1]!)) return undefined;
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(s.slice(i, i + 64));
  return match ? match[0] : undefined;
}

function isOnlyComments(text: string, dialect: Dialect): boolean {
  let rest = text;
  for (;;) {
    rest = rest.trimStart();
    if (rest === '') return true;
    if (rest.startsWith('--') || (dialect === 'mysql' && rest.startsWith('#'))) {
      const nl = rest.indexOf('\n');
      rest = nl < 0 ? '' : rest.slice(nl + 1);
    } else if (rest.startsWith('/*')) {
      const end = endOfBlockComment(rest, 0, dialect);
      rest = rest.slice(end);
    } else return false;
  }
}

/** A statement without the comments before its first word. */
export function stripLeadingComments(text: string): string {
  let rest = text;
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith('--') || rest.startsWith('#')) {
      const nl = rest.indexOf('\n');
      rest = nl < 0 ? '' : rest.slice(nl + 1);
    } else if (rest.startsWith('/*')) {
      const close = rest.indexOf('*/');
      rest = close < 0 ? '' : rest.slice(close + 2);
    } else return rest;
  }
}

/** The line of a statement's first word (its `line` is where its leading comments start). */
export function keywordLine(statement: Statement): number {
  const prefix = statement.text.slice(0, statement.text.length - stripLeadingComments(statement.text).length);
  return statement.line + (prefix.match(/\n/g)?.length ?? 0);
}

/** The first word of a statement, upper-cased, after any leading comments. */
export function firstKeyword(text: string): string {
  return (/^[A-Za-z_]+/.exec(stripLeadingComments(text))?.[0] ?? '').toUpperCase();
}
