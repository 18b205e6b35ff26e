import { createHash } from 'node:crypto';
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { OperationError } from '@glidepath/core';

/** One migration file on disk, ready to be planned and applied. */
export interface MigrationFile {
  /** Normalised version: digits, with `.` between parts (`20240101120000`, `1.2`). */
  version: string;
  /** The descriptive part of the file name (`create_users`). */
  name: string;
  /** Path relative to the workspace, as annotations want it. */
  file: string;
  /** Absolute path, for reading. */
  absolutePath: string;
  sql: string;
  /** Hex sha256 of the file's bytes with line endings normalised to `\n`. */
  checksum: string;
  directives: Directives;
}

export interface Directives {
  /** `-- glidepath:no-transaction`: run statement by statement outside a transaction. */
  noTransaction: boolean;
}

/**
 * The naming schemes teams already use, tried in this order:
 *  - Flyway: `V<version>__<name>.sql`, version parts separated by `.` or `_` (`V1_2__x.sql` is 1.2);
 *  - golang-migrate / dbmate style: `<version>_<name>.up.sql` (the `.down.sql` twin is ignored);
 *  - plain: `<version>_<name>.sql`, where version is a number or a timestamp.
 */
const FLYWAY = /^V(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const UP = /^(\d+)_(.+)\.up\.sql$/;
const PLAIN = /^(\d+)_(.+)\.sql$/;
/** Files the engine knowingly leaves alone: reversals and Flyway's undo scripts. */
const IGNORED = [/\.down\.sql$/, /^U\d+(?:[._]\d+)*__.+\.sql$/];

export const NAMING_HELP =
  '<version>_<name>.sql, V<version>__<name>.sql (Flyway) or <version>_<name>.up.sql (with .down.sql ignored)';

export function parseFileName(fileName: string): { version: string; name: string } | 'ignored' | undefined {
  if (IGNORED.some((re) => re.test(fileName))) return 'ignored';
  const flyway = FLYWAY.exec(fileName);
  if (flyway) return { version: normaliseVersion(flyway[1]!.replace(/_/g, '.')), name: flyway[2]! };
  const up = UP.exec(fileName);
  if (up) return { version: normaliseVersion(up[1]!), name: up[2]! };
  const plain = PLAIN.exec(fileName);
  if (plain) return { version: normaliseVersion(plain[1]!), name: plain[2]! };
  return undefined;
}

/** Leading zeros carry no meaning (`0001` is version 1): strip them from each part. */
function normaliseVersion(version: string): string {
  return version
    .split('.')
    .map((part) => part.replace(/^0+(?=\d)/, ''))
    .join('.');
}

/** Orders versions part by part, numerically, with arbitrary precision (timestamps exceed 2^53). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = BigInt(pa[i] ?? '0');
    const y = BigInt(pb[i] ?? '0');
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

export function parseDirectives(sql: string): Directives {
  return { noTransaction: /^[ \t]*--[ \t]*glidepath:no-transaction\b/im.test(sql) };
}

/** `child` is `parent` or below it. */
function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

/**
 * Where a migration that is a symbolic link really lives, when that is a file
 * inside the workspace or the migrations directory (a shared file linked into
 * several services' folders). A link that leads anywhere else, or nowhere, is
 * refused naming it: applying SQL from outside the reviewed checkout is not
 * something to do quietly, and neither is leaving a migration out.
 */
async function linkTarget(link: string, dir: string, workspace: string, shown: string): Promise<string> {
  const refuse = (why: string, cause?: unknown) =>
    new OperationError(
      `The migration ${shown} is a symbolic link ${why}; it was not read and nothing was applied.`,
      {
        cause,
        target: { file: shown, title: 'Migration is a symbolic link' },
      },
    );
  let target: string;
  try {
    target = await realpath(link);
  } catch (error) {
    throw refuse(`to ${await readlink(link).catch(() => '?')}, which does not exist`, error);
  }
  const roots = await Promise.all(
    [workspace, dir].map((root) => realpath(root).catch(() => path.resolve(root))),
  );
  if (!roots.some((root) => isInside(root, target)))
    throw refuse(
      `to ${target}, outside the workspace and the migrations directory (copy the file in, or link to one inside)`,
    );
  if (!(await stat(target)).isFile()) throw refuse(`to ${target}, which is not a file`);
  return target;
}

/**
 * Reads every migration in `dir` (not recursive), in version order. A `.sql`
 * file that matches no naming scheme, two files with one version, or a
 * symbolic link out of the workspace stop the run before anything is applied:
 * a migration silently skipped is worse than a failed job. A link to a file
 * inside the workspace is followed.
 */
export async function readMigrations(dir: string, workspace: string): Promise<MigrationFile[]> {
  let entries: Array<{ name: string; link: boolean }>;
  try {
    entries = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() || e.isSymbolicLink())
      .map((e) => ({ name: e.name, link: e.isSymbolicLink() }));
  } catch (error) {
    throw new OperationError(`Cannot read the migrations directory ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const migrations: MigrationFile[] = [];
  const unknown: string[] = [];
  for (const { name: fileName, link } of entries.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    if (!fileName.endsWith('.sql')) continue;
    const parsed = parseFileName(fileName);
    if (parsed === 'ignored') continue;
    if (!parsed) {
      unknown.push(fileName);
      continue;
    }
    const absolutePath = path.join(dir, fileName);
    const shown = path.relative(workspace, absolutePath) || fileName;
    const sql = await readFile(
      link ? await linkTarget(absolutePath, dir, workspace, shown) : absolutePath,
      'utf8',
    );
    migrations.push({
      ...parsed,
      file: shown,
      absolutePath,
      sql,
      checksum: checksum(sql),
      directives: parseDirectives(sql),
    });
  }
  if (unknown.length)
    throw new OperationError(
      `${unknown.length} file(s) in ${dir} match no migration naming scheme: ${unknown.join(', ')}. Expected ${NAMING_HELP}.`,
    );
  migrations.sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < migrations.length; i++) {
    const [prev, cur] = [migrations[i - 1]!, migrations[i]!];
    if (compareVersions(prev.version, cur.version) === 0)
      throw new OperationError(
        `Two migrations share version ${cur.version}: ${prev.file} and ${cur.file}. Each version must be unique.`,
      );
  }
  return migrations;
}
