/**
 * The rules of the migration linter. Each one names a change that either
 * holds a lock that stops reads or writes for as long as the table is big, or
 * breaks the version of the application still serving traffic while (and
 * after, on a rollback) the migration runs: Glidepath rolls back by moving
 * traffic, never by undoing the schema, so the schema must stay compatible
 * with the previous version (expand now, contract in a later release).
 */

type Node = Record<string, unknown>;

export interface RuleContext {
  /** Tables created earlier in the same file: empty, so locking them costs nothing. */
  createdHere: Set<string>;
  /** Whether the file runs inside a transaction (no `glidepath:no-transaction` directive). */
  inTransaction: boolean;
  /** The lock timeout in force at this statement, in ms (0: none). */
  lockTimeoutMs: number;
}

export interface Rule {
  id: string;
  title: string;
  /** What to do instead, shown with each finding. */
  fix: string;
  check: (statement: Node, context: RuleContext) => string | undefined;
}

const VOLATILE_FUNCTIONS = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
  'statement_timestamp',
]);
const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

function kind(node: Node): [string, Node] {
  const [name, value] = Object.entries(node)[0] ?? ['', {}];
  return [name, (value ?? {}) as Node];
}

function relationName(statement: Node): string | undefined {
  const relation = statement.relation as { relname?: string; schemaname?: string } | undefined;
  return relation?.relname;
}

function alterCommands(statement: Node): Node[] {
  const [type, body] = kind(statement);
  if (type !== 'AlterTableStmt' || body.objtype !== 'OBJECT_TABLE') return [];
  return ((body.cmds as Node[] | undefined) ?? []).map((c) => (c.AlterTableCmd ?? {}) as Node);
}

function onExistingTable(statement: Node, context: RuleContext): boolean {
  const name = relationName(kind(statement)[1]);
  return name === undefined || !context.createdHere.has(name);
}

function constraints(columnDef: Node): Node[] {
  return ((columnDef.constraints as Node[] | undefined) ?? []).map((c) => (c.Constraint ?? {}) as Node);
}

function functionNames(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) functionNames(item, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'FuncCall') {
        const names = ((value as Node).funcname as Array<{ String?: { sval?: string } }> | undefined) ?? [];
        const last = names.at(-1)?.String?.sval;
        if (last) out.push(last.toLowerCase());
      }
      functionNames(value, out);
    }
  }
  return out;
}

function typeName(columnDef: Node): string | undefined {
  const names =
    ((columnDef.typeName as Node | undefined)?.names as Array<{ String?: { sval?: string } }>) ?? [];
  return names.at(-1)?.String?.sval?.toLowerCase();
}

/** Statements that take an ACCESS EXCLUSIVE (or SHARE) lock on an existing table. */
function isBlocking(statement: Node, context: RuleContext): boolean {
  const [type, body] = kind(statement);
  if (type === 'AlterTableStmt') return onExistingTable(statement, context);
  if (type === 'IndexStmt') return !body.concurrent && onExistingTable(statement, context);
  if (type === 'DropStmt')
    return !body.concurrent && ['OBJECT_TABLE', 'OBJECT_INDEX'].includes(String(body.removeType));
  if (type === 'RenameStmt') return true;
  return false;
}

export const RULES: Rule[] = [
  {
    id: 'index-not-concurrent',
    title: 'CREATE INDEX without CONCURRENTLY',
    fix: 'Use CREATE INDEX CONCURRENTLY in a file marked -- glidepath:no-transaction; a plain CREATE INDEX blocks every write to the table while it builds.',
    check: (statement, context) => {
      const [type, body] = kind(statement);
      if (type !== 'IndexStmt' || body.concurrent) return undefined;
      const table = relationName(body);
      if (table && context.createdHere.has(table)) return undefined;
      return `CREATE INDEX ${body.idxname ?? ''} on ${table ?? 'the table'} blocks writes to it until the index is built.`.replace(
        '  ',
        ' ',
      );
    },
  },
  {
    id: 'concurrently-in-transaction',
    title: 'CONCURRENTLY inside a transaction',
    fix: 'Add the line -- glidepath:no-transaction to the file: PostgreSQL refuses CONCURRENTLY inside a transaction block.',
    check: (statement, context) => {
      if (!context.inTransaction) return undefined;
      const [type, body] = kind(statement);
      const concurrent =
        ((type === 'IndexStmt' || type === 'DropStmt') && body.concurrent === true) ||
        (type === 'ReindexStmt' && JSON.stringify(body.params ?? []).includes('"concurrently"'));
      return concurrent
        ? `${type === 'DropStmt' ? 'DROP INDEX' : type === 'ReindexStmt' ? 'REINDEX' : 'CREATE INDEX'} CONCURRENTLY cannot run inside the transaction this file runs in.`
        : undefined;
    },
  },
  {
    id: 'add-column-volatile-default',
    title: 'ADD COLUMN with a volatile default',
    fix: 'Add the column without a default (or with a constant one), then backfill in batches; a volatile default rewrites the whole table under an exclusive lock.',
    check: (statement, context) => {
      if (!onExistingTable(statement, context)) return undefined;
      for (const cmd of alterCommands(statement)) {
        if (cmd.subtype !== 'AT_AddColumn') continue;
        const column = ((cmd.def as Node | undefined)?.ColumnDef ?? {}) as Node;
        const type = typeName(column);
        if (type && SERIAL_TYPES.has(type))
          return `ADD COLUMN ${column.colname} ${type} fills every existing row from a sequence: the table is rewritten.`;
        for (const c of constraints(column)) {
          if (c.contype !== 'CONSTR_DEFAULT') continue;
          const volatile = functionNames(c.raw_expr).find((f) => VOLATILE_FUNCTIONS.has(f));
          if (volatile)
            return `ADD COLUMN ${column.colname} DEFAULT ${volatile}(…) is volatile: the table is rewritten.`;
        }
      }
      return undefined;
    },
  },
  {
    id: 'add-column-not-null-without-default',
    title: 'ADD COLUMN … NOT NULL without a default',
    fix: 'Give the column a constant DEFAULT, or add it nullable, backfill, and add the constraint in a later release; the previous version of the app does not write this column.',
    check: (statement, context) => {
      if (!onExistingTable(statement, context)) return undefined;
      for (const cmd of alterCommands(statement)) {
        if (cmd.subtype !== 'AT_AddColumn') continue;
        const column = ((cmd.def as Node | undefined)?.ColumnDef ?? {}) as Node;
        const list = constraints(column);
        const notNull = list.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
        const hasDefault = list.some(
          (c) =>
            c.contype === 'CONSTR_DEFAULT' ||
            c.contype === 'CONSTR_IDENTITY' ||
            c.contype === 'CONSTR_GENERATED',
        );
        const type = typeName(column);
        if (notNull && !hasDefault && !(type && SERIAL_TYPES.has(type)))
          return `ADD COLUMN ${column.colname} NOT NULL has no default: it fails on a table with rows, and inserts from the previous app version fail after it.`;
      }
      return undefined;
    },
  },
  {
    id: 'set-not-null',
    title: 'ALTER COLUMN … SET NOT NULL',
    fix: 'Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later migration, then SET NOT NULL (PostgreSQL 12+ skips the scan when such a constraint is valid).',
    check: (statement, context) => {
      if (!onExistingTable(statement, context)) return undefined;
      const cmd = alterCommands(statement).find((c) => c.subtype === 'AT_SetNotNull');
      return cmd ? `SET NOT NULL on ${cmd.name} scans the whole table under an exclusive lock.` : undefined;
    },
  },
  {
    id: 'change-column-type',
    title: 'Column type change',
    fix: 'Add a new column of the new type, write both, backfill, switch reads, and drop the old column in a later release.',
    check: (statement, context) => {
      if (!onExistingTable(statement, context)) return undefined;
      const cmd = alterCommands(statement).find((c) => c.subtype === 'AT_AlterColumnType');
      return cmd
        ? `ALTER COLUMN ${cmd.name} TYPE usually rewrites the table under an exclusive lock, and the previous app version may not read the new type.`
        : undefined;
    },
  },
  {
    id: 'drop-column',
    title: 'DROP COLUMN',
    fix: 'Stop using the column in one release, then drop it in a later one (expand/contract); the previous version still reads it.',
    check: (statement) => {
      const cmd = alterCommands(statement).find((c) => c.subtype === 'AT_DropColumn');
      return cmd
        ? `DROP COLUMN ${cmd.name} breaks the previous app version, which is what a rollback returns traffic to.`
        : undefined;
    },
  },
  {
    id: 'drop-table',
    title: 'DROP TABLE',
    fix: 'Drop a table only in a release after the one that stopped using it (expand/contract).',
    check: (statement, context) => {
      const [type, body] = kind(statement);
      if (type !== 'DropStmt' || body.removeType !== 'OBJECT_TABLE') return undefined;
      const names = (
        (body.objects as Array<{ List?: { items?: Array<{ String?: { sval?: string } }> } }>) ?? []
      ).map((o) => o.List?.items?.at(-1)?.String?.sval ?? '?');
      const existing = names.filter((n) => !context.createdHere.has(n));
      return existing.length
        ? `DROP TABLE ${existing.join(', ')} breaks the previous app version, which is what a rollback returns traffic to.`
        : undefined;
    },
  },
  {
    id: 'rename-column',
    title: 'RENAME COLUMN',
    fix: 'Add the new column, write both, backfill, switch reads, and drop the old one in a later release.',
    check: (statement) => {
      const [type, body] = kind(statement);
      return type === 'RenameStmt' && body.renameType === 'OBJECT_COLUMN'
        ? `RENAME COLUMN ${body.subname} TO ${body.newname} breaks the previous app version, which still uses the old name.`
        : undefined;
    },
  },
  {
    id: 'rename-table',
    title: 'RENAME TABLE',
    fix: 'Create the new table (or a view with the old name) and move over in steps across releases.',
    check: (statement) => {
      const [type, body] = kind(statement);
      return type === 'RenameStmt' && body.renameType === 'OBJECT_TABLE'
        ? `ALTER TABLE ${relationName(body)} RENAME TO ${body.newname} breaks the previous app version, which still uses the old name.`
        : undefined;
    },
  },
  {
    id: 'constraint-not-valid',
    title: 'FOREIGN KEY or CHECK without NOT VALID',
    fix: 'Add the constraint with NOT VALID (quick, new rows checked at once), then ALTER TABLE … VALIDATE CONSTRAINT in a later migration, which does not block writes.',
    check: (statement, context) => {
      if (!onExistingTable(statement, context)) return undefined;
      for (const cmd of alterCommands(statement)) {
        if (cmd.subtype !== 'AT_AddConstraint') continue;
        const constraint = ((cmd.def as Node | undefined)?.Constraint ?? {}) as Node;
        if (
          (constraint.contype === 'CONSTR_FOREIGN' || constraint.contype === 'CONSTR_CHECK') &&
          constraint.skip_validation !== true
        )
          return `ADD ${constraint.contype === 'CONSTR_FOREIGN' ? 'FOREIGN KEY' : 'CHECK'} ${constraint.conname ?? ''} validates every row while it blocks writes.`.replace(
            '  ',
            ' ',
          );
      }
      return undefined;
    },
  },
  {
    id: 'no-lock-timeout',
    title: 'Blocking statement with no lock timeout',
    fix: 'Keep lock-timeout above 0 (the default is 5s) and do not SET lock_timeout = 0: a DDL statement queued behind a long transaction makes every later query on the table queue behind it.',
    check: (statement, context) =>
      context.lockTimeoutMs === 0 && isBlocking(statement, context)
        ? `${kind(statement)[0].replace(/Stmt$/, '')} takes a blocking lock with no lock_timeout in force.`
        : undefined,
  },
];

/** The lock_timeout a `SET [LOCAL] lock_timeout` statement puts in force, in ms, if it is one. */
export function lockTimeoutSet(statement: Node): number | undefined {
  const [type, body] = kind(statement);
  if (type !== 'VariableSetStmt' || body.name !== 'lock_timeout') return undefined;
  if (body.kind === 'VAR_RESET' || body.kind === 'VAR_SET_DEFAULT') return -1;
  const arg = ((body.args as Node[] | undefined) ?? [])[0]?.A_Const as Node | undefined;
  if (!arg) return undefined;
  if (arg.ival !== undefined) return Number((arg.ival as { ival?: number }).ival ?? 0);
  const text = String((arg.sval as { sval?: string } | undefined)?.sval ?? '');
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h)?\s*$/.exec(text);
  if (!match) return undefined;
  const factor = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[match[2] ?? 'ms'] ?? 1;
  return Number(match[1]) * factor;
}

/** Tables a statement creates (for the rules that exempt brand-new, empty tables). */
export function createdTable(statement: Node): string | undefined {
  const [type, body] = kind(statement);
  if (type === 'CreateStmt') return relationName(body);
  if (type === 'CreateTableAsStmt') return relationName({ relation: (body.into as Node | undefined)?.rel });
  return undefined;
}
