import os from 'node:os';
import { formatDuration, runnerLog as log, type RunContext, run, Summary, setOutputs } from '@glidepath/core';
import { runCommand } from './command.js';
import { readContext, type Settings } from './context.js';
import { type Applied, connect, type Database } from './engine/index.js';
import { type MigrationFile, readMigrations } from './files.js';
import type { Finding } from './lint/index.js';
import { runLinter } from './lint/run.js';
import { migrate } from './migrate.js';
import { type Plan, resultingVersion } from './plan.js';
import { planOutput, runSummary } from './summary.js';

async function main({ signal }: RunContext): Promise<void> {
  const settings = await readContext();
  const limits = {
    lockTimeoutMs: settings['lock-timeout'],
    statementTimeoutMs: settings['statement-timeout'],
  };
  const target = settings['database-url'];
  // The files are read before the database is opened: a directory that is
  // refused (a symbolic link out of the workspace, a name that does not parse)
  // must not cost a connection, let alone a lock.
  const files =
    settings.engine === 'command' ? [] : await readMigrations(settings.dirPath, settings.workspace);
  const db = await connect(target, { sslCa: settings['ssl-ca'], limits, lockName: settings['lock-name'] });
  try {
    log.info(`Connected to ${target.display} (${db.serverVersion.split(' ').slice(0, 2).join(' ')}).`);
    for (const note of db.notes) log.info(note);
    if (settings.engine === 'command') return await commandEngine(settings, db, signal);
    await builtinEngine(settings, db, files, signal);
  } finally {
    await db.close();
  }
}

async function builtinEngine(
  settings: Settings,
  db: Database,
  files: MigrationFile[],
  signal: AbortSignal,
): Promise<void> {
  log.info(`${files.length} migration file(s) in ${settings.dir}.`);
  let findings: Finding[] = [];
  let plan: Plan | undefined;
  const applied: Applied[] = [];
  let result: Awaited<ReturnType<typeof migrate>> | undefined;
  try {
    result = await migrate({
      db,
      files,
      policy: {
        outOfOrder: settings['out-of-order'],
        allowChecksumChange: settings['allow-checksum-change'],
      },
      dryRun: settings['dry-run'],
      lockWaitMs: settings['lock-wait'],
      appliedBy: appliedBy(),
      log,
      signal,
      beforeApply: async (planned) => {
        plan = planned;
        setOutputs({ plan: planOutput(planned, db.kind) });
        findings = await runLinter({
          mode: settings.lint,
          kind: db.kind,
          pending: planned.pending,
          lockTimeoutMs: settings['lock-timeout'],
          log,
        });
        setOutputs({ findings });
      },
      onApplied: (one) => applied.push(one),
    });
  } finally {
    // Also on failure: what was applied before it is real, and the outputs and summary say so.
    if (plan) {
      const currentVersion =
        result?.currentVersion ??
        resultingVersion(
          plan.currentVersion,
          applied.map((a) => a.file),
        );
      setOutputs({ applied: applied.length, 'current-version': currentVersion ?? '' });
      await runSummary({
        dryRun: settings['dry-run'],
        failed: !result,
        plan,
        applied,
        findings,
        lintMode: settings.lint,
        currentVersion,
        lockWaitedMs: result?.lockWaitedMs,
        server: db.serverVersion,
      }).write();
    }
  }
}

async function commandEngine(settings: Settings, db: Database, signal: AbortSignal): Promise<void> {
  const result = await runCommand({
    db,
    target: settings['database-url'],
    args: settings.commandArgs,
    shellCommand: settings['command-shell'] ? settings.command : undefined,
    cwd: settings.workspace,
    limits: { lockTimeoutMs: settings['lock-timeout'], statementTimeoutMs: settings['statement-timeout'] },
    lockWaitMs: settings['lock-wait'],
    timeoutMs: settings['command-timeout'],
    log,
    signal,
  });
  await new Summary()
    .heading('Database migrations (engine: command)')
    .paragraph(
      `\`${settings.command}\` completed in ${(result.durationMs / 1000).toFixed(1)}s under the migration lock.` +
        (result.lockWaitedMs
          ? ` Waited ${formatDuration(result.lockWaitedMs)} for another run's lock first.`
          : ''),
    )
    .write();
}

/** Who applied a migration, as the history records it. */
function appliedBy(): string {
  const env = process.env;
  if (env.GITHUB_ACTOR)
    return `${env.GITHUB_ACTOR} (${env.GITHUB_REPOSITORY ?? ''} run ${env.GITHUB_RUN_ID ?? '?'})`.slice(
      0,
      255,
    );
  return os.userInfo().username;
}

await run(main);
