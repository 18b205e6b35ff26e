import { runProcess } from '@glidepath/core';
import type { DatabaseTarget } from './connection.js';
import type { Database, Limits } from './engine/types.js';
import { takeMigrationLock } from './lock.js';
import type { Log } from './migrate.js';

export interface CommandOptions {
  db: Database;
  target: DatabaseTarget;
  /** The tool and its arguments, run without a shell… */
  args?: string[];
  /** …or, only when `command-shell` is true, one shell command line. */
  shellCommand?: string;
  cwd: string;
  limits: Limits;
  /** How long the tool may run (`command-timeout`) before it is stopped with every process it started. */
  timeoutMs: number;
  lockWaitMs: number;
  log: Log;
  signal?: AbortSignal;
}

export interface CommandResult {
  durationMs: number;
  /** How long it waited for another run's lock first (0 when it was free). */
  lockWaitedMs: number;
}

/**
 * `engine: command`: the team's own migration tool, run while this action
 * holds the same lock the built-in engine takes, so it never overlaps a
 * built-in run or another deploy. The tool gets the database URL as
 * DATABASE_URL (and, for PostgreSQL, libpq's PGHOST, PGPORT, PGUSER,
 * PGPASSWORD, PGDATABASE), and the limits: PGOPTIONS carries lock_timeout and
 * statement_timeout to every libpq-based tool (psql, and lib/pq in Go); tools
 * with their own drivers (Prisma, Flyway's JDBC, Knex) take their own settings,
 * for which GLIDEPATH_LOCK_TIMEOUT_MS / GLIDEPATH_STATEMENT_TIMEOUT_MS are set.
 */
export async function runCommand(options: CommandOptions): Promise<CommandResult> {
  const { db, log } = options;
  const lockWaitedMs = await log.group('Migration lock', () =>
    takeMigrationLock(db, {
      waitMs: options.lockWaitMs,
      signal: options.signal,
      info: (line) => log.info(line),
    }),
  );
  try {
    const env: Record<string, string> = {
      DATABASE_URL: options.target.url,
      GLIDEPATH_LOCK_TIMEOUT_MS: String(options.limits.lockTimeoutMs),
      GLIDEPATH_STATEMENT_TIMEOUT_MS: String(options.limits.statementTimeoutMs),
    };
    if (options.target.kind === 'postgres') {
      // libpq's own variables, so psql and friends connect with no arguments.
      Object.assign(env, {
        PGHOST: options.target.host,
        PGPORT: String(options.target.port),
        PGUSER: options.target.user,
        PGPASSWORD: options.target.password,
        PGDATABASE: options.target.database,
      });
      if (options.target.sslMode) env.PGSSLMODE = options.target.sslMode;
      env.PGOPTIONS = [
        process.env.PGOPTIONS,
        `-c lock_timeout=${options.limits.lockTimeoutMs}`,
        `-c statement_timeout=${options.limits.statementTimeoutMs}`,
      ]
        .filter(Boolean)
        .join(' ');
    }
    const [program, ...args] = options.shellCommand ? ['bash', '-c', options.shellCommand] : options.args!;
    const started = performance.now();
    // The tool opens its own connections; this session only holds the lock, kept from looking idle.
    const _result = await log.group(`Migration tool: ${program}`, () =>
      db.whileIdle(() =>
        runProcess(program!, args, {
          cwd: options.cwd,
          env,
          label: options.shellCommand ? 'command (command-shell)' : 'command',
          timeoutMs: options.timeoutMs,
          timeoutInput: 'command-timeout',
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      ),
    );
    return { durationMs: Math.round(performance.now() - started), lockWaitedMs };
  } finally {
    await db.unlock().catch(() => undefined);
  }
}
