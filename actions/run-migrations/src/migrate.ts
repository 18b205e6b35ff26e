import { CancelledError, formatDuration, type Logger, OperationError, sleep } from '@glidepath/core';
import type { Applied, Database } from './engine/types.js';
import { HISTORY_TABLE } from './engine/types.js';
import type { MigrationFile } from './files.js';
import { takeMigrationLock } from './lock.js';
import { makePlan, type Plan, type PlanPolicy, resultingVersion } from './plan.js';

/** What a migration run writes to the log: the part of core's Logger it uses. */
export type Log = Pick<Logger, 'info' | 'warning' | 'group'>;

export interface MigrateOptions {
  db: Database;
  files: MigrationFile[];
  policy: PlanPolicy;
  dryRun: boolean;
  lockWaitMs: number;
  appliedBy: string;
  log: Log;
  signal?: AbortSignal;
  /**
   * Called with the plan before anything is applied (under the lock): the
   * linter runs here and may throw to stop the run with nothing applied.
   */
  beforeApply?: (plan: Plan) => Promise<void>;
  /** Called after each migration is applied, so a later failure still reports what was done. */
  onApplied?: (applied: Applied) => void;
}

export interface MigrateResult {
  /** How long this run waited for another run's lock (0 when it was free; undefined on a dry run). */
  lockWaitedMs: number | undefined;
  currentVersion: string | undefined;
}

/**
 * One run of the built-in engine: take the lock (never on a dry run, which
 * must not hold up a real one), read the history, plan, then apply the
 * pending migrations one at a time in version order. Stops at the first
 * failure; the lock is released however the run ends.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const { db, log } = options;
  if (options.dryRun) {
    const plan = makePlan(options.files, await db.readHistory(), options.policy);
    reportPlanWarnings(plan, log);
    await options.beforeApply?.(plan);
    return { lockWaitedMs: undefined, currentVersion: plan.currentVersion };
  }

  const lockWaitedMs = await log.group('Migration lock', async () => {
    const waited = await takeMigrationLock(db, {
      waitMs: options.lockWaitMs,
      signal: options.signal,
      info: (line) => log.info(line),
    });
    if (db.sharedSession)
      log.warning(
        'The server runs every connection in one session (PGlite does): the migration lock cannot keep a concurrent run out. Use a real PostgreSQL server wherever two runs could overlap.',
      );
    return waited;
  });

  try {
    await db.ensureHistoryTable();
    const plan = makePlan(options.files, await db.readHistory(), options.policy);
    reportPlanWarnings(plan, log);
    if (db.kind === 'mysql') {
      const blocked = plan.failed.filter((row) => plan.pending.some((f) => f.version === row.version));
      if (blocked.length)
        throw new OperationError(
          `Migration ${blocked.map((r) => `${r.version} (${r.name})`).join(', ')} failed in an earlier run and may be partly applied: MySQL/MariaDB cannot roll DDL back. Make the database match the file, delete its row from ${HISTORY_TABLE} (WHERE success = false), and run again.`,
        );
    }
    // The linter does not use the session; it is kept from looking idle meanwhile.
    const beforeApply = options.beforeApply;
    if (beforeApply) await db.whileIdle(() => beforeApply(plan));

    const applied: Applied[] = [];
    // A cancel can arrive just before a statement reaches the server, where it would cancel nothing;
    // so it is repeated until the migration in flight has ended, one way or the other.
    let inFlight = false;
    const cancel = async () => {
      log.info('Cancelling the running migration on the server: its transaction rolls back.');
      while (inFlight) {
        await db.cancelRunning().catch(() => undefined);
        await sleep(200);
      }
    };
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      if (plan.pending.length === 0)
        log.info(`Nothing to apply: the database is at version ${plan.currentVersion ?? '(none)'}.`);
      for (const file of plan.pending) {
        if (options.signal?.aborted) throw options.signal.reason ?? new CancelledError('cancellation');
        const result = await log.group(`Migration ${file.version} ${file.name}`, async () => {
          inFlight = true;
          const done = await db.apply(file, options.appliedBy).finally(() => {
            inFlight = false;
          });
          log.info(
            `Applied ${file.file} in ${formatDuration(done.executionMs)}${file.directives.noTransaction ? ` (${done.statements} statements, no transaction)` : ''}.`,
          );
          return done;
        });
        applied.push(result);
        options.onApplied?.(result);
      }
    } finally {
      options.signal?.removeEventListener('abort', cancel);
    }
    return {
      lockWaitedMs,
      currentVersion: resultingVersion(
        plan.currentVersion,
        applied.map((a) => a.file),
      ),
    };
  } finally {
    await db.unlock().catch(() => undefined);
  }
}

function reportPlanWarnings(plan: Plan, log: Log): void {
  for (const row of plan.missing)
    log.warning(
      `Version ${row.version} (${row.name}) is in ${HISTORY_TABLE} but its file is no longer in the migrations directory.`,
      {
        title: 'Applied migration missing on disk',
      },
    );
  for (const { file, applied } of plan.changed)
    log.warning(
      `${file.file} changed since it was applied (applied ${applied.checksum}, on disk ${file.checksum}); allowed by allow-checksum-change.`,
      {
        file: file.file,
        startLine: 1,
        title: 'Applied migration changed',
      },
    );
  for (const file of plan.outOfOrder)
    log.warning(
      `${file.file} is older than the newest applied version and will be applied out of order (out-of-order: allow).`,
      {
        file: file.file,
        startLine: 1,
        title: 'Migration out of order',
      },
    );
}
