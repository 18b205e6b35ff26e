import type { MigrationFile } from '../files.js';
import { lineAt } from '../sql/split.js';
import type { ParsedStatement, ParseSql } from './parser.js';
import { createdTable, lockTimeoutSet, RULES } from './rules.js';

export { loadParser } from './parser.js';
export { RULES } from './rules.js';

export interface Finding {
  file: string;
  line: number;
  rule: string;
  message: string;
  fix: string;
  /** The reason given in a `glidepath:lint-ignore` comment; a suppressed finding does not count. */
  suppressed?: string;
}

/**
 * `-- glidepath:lint-ignore <rule>[,<rule>…]: <reason>` anywhere in a
 * statement or in the comments just before it silences those rules for that
 * statement. The reason is mandatory: a suppression without one is itself
 * reported, so every exception to the rules is explained in the file.
 */
const SUPPRESSION =
  /--[ \t]*glidepath:lint-ignore[ \t]+([a-z0-9-]+(?:[ \t]*,[ \t]*[a-z0-9-]+)*)[ \t]*:?[ \t]*(.*)$/gm;

export interface LintOptions {
  parse: ParseSql;
  /** The lock-timeout input, in ms: what is in force at the start of each file. */
  lockTimeoutMs: number;
}

export async function lintMigrations(files: MigrationFile[], options: LintOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of files) findings.push(...(await lintFile(file, options)));
  return findings;
}

export async function lintFile(file: MigrationFile, options: LintOptions): Promise<Finding[]> {
  let statements: ParsedStatement[];
  try {
    statements = (await options.parse(file.sql)).stmts;
  } catch (error) {
    const position = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    return [
      {
        file: file.file,
        line: position === undefined ? 1 : lineAt(file.sql, charOffset(file.sql, position)),
        rule: 'syntax',
        message: `PostgreSQL's parser rejects this file: ${(error as Error).message}`,
        fix: 'Fix the SQL; the server would reject it too.',
      },
    ];
  }
  const bytes = Buffer.from(file.sql, 'utf8');
  const createdHere = new Set<string>();
  let lockTimeoutMs = options.lockTimeoutMs;
  const findings: Finding[] = [];
  let previousEnd = 0;
  for (const parsed of statements) {
    const start = parsed.stmt_location ?? 0;
    const end = parsed.stmt_len ? start + parsed.stmt_len : bytes.length;
    const text = bytes.subarray(start, end).toString('utf8');
    const line = lineAt(file.sql, charOffset(file.sql, start) + leadingTrivia(text));
    // The comments between the previous statement and this one belong to this one.
    const suppressions = readSuppressions(bytes.subarray(previousEnd, end).toString('utf8'));
    previousEnd = end;
    const context = { createdHere, inTransaction: !file.directives.noTransaction, lockTimeoutMs };
    for (const rule of RULES) {
      const message = rule.check(parsed.stmt, context);
      if (!message) continue;
      const reason = suppressions.get(rule.id);
      findings.push({
        file: file.file,
        line,
        rule: rule.id,
        message,
        fix: rule.fix,
        ...(reason ? { suppressed: reason } : {}),
      });
    }
    for (const [rule, reason] of suppressions)
      if (!reason)
        findings.push({
          file: file.file,
          line,
          rule: 'suppression-without-reason',
          message: `glidepath:lint-ignore ${rule} gives no reason.`,
          fix: `Write why the rule does not apply: -- glidepath:lint-ignore ${rule}: <reason>`,
        });
    const table = createdTable(parsed.stmt);
    if (table) createdHere.add(table);
    const timeout = lockTimeoutSet(parsed.stmt);
    if (timeout !== undefined) lockTimeoutMs = timeout < 0 ? options.lockTimeoutMs : timeout;
  }
  return findings;
}

function readSuppressions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const match of text.matchAll(SUPPRESSION)) {
    const reason = match[2]!.trim();
    for (const rule of match[1]!.split(',')) out.set(rule.trim(), reason);
  }
  return out;
}

/** libpg-query reports byte offsets into the UTF-8 text; JavaScript strings count UTF-16 units. */
function charOffset(sql: string, byteOffset: number): number {
  return Buffer.from(sql, 'utf8').subarray(0, byteOffset).toString('utf8').length;
}

/** Length of the whitespace and comments before a statement's first token. */
function leadingTrivia(text: string): number {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else return i;
  }
}
