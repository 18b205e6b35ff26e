import { formatDuration, Summary } from '@glidepath/core';
import type { Applied } from './engine/types.js';
import type { MigrationFile } from './files.js';
import type { Finding } from './lint/index.js';
import type { Plan } from './plan.js';
import { splitStatements } from './sql/split.js';

/** The `plan` output: what a run would apply, statement by statement. */
export function planOutput(plan: Plan, kind: 'postgres' | 'mysql') {
  return {
    currentVersion: plan.currentVersion ?? null,
    pending: plan.pending.map((file: MigrationFile) => ({
      version: file.version,
      name: file.name,
      file: file.file,
      checksum: file.checksum,
      transaction: kind === 'postgres' && !file.directives.noTransaction,
      statements: splitStatements(file.sql, kind).map((s) => s.text),
    })),
  };
}

export interface RunReport {
  dryRun: boolean;
  /** The run stopped on an error (a failed migration, the linter, a cancellation). */
  failed: boolean;
  plan: Plan;
  applied: Applied[];
  findings: Finding[];
  lintMode: string;
  currentVersion: string | undefined;
  lockWaitedMs: number | undefined;
  server: string;
}

export function runSummary(report: RunReport): Summary {
  const summary = new Summary().heading(
    report.dryRun ? 'Database migrations — plan (dry run)' : 'Database migrations',
  );
  if (report.dryRun) {
    summary.paragraph(
      report.plan.pending.length
        ? `${report.plan.pending.length} migration(s) would be applied on top of version ${report.plan.currentVersion ?? '(none)'}. Nothing was applied.`
        : `Nothing to apply: the database is at version ${report.plan.currentVersion ?? '(none)'}.`,
    );
    if (report.plan.pending.length)
      summary.table(
        ['version', 'name', 'file', 'transaction'],
        report.plan.pending.map((f) => [
          f.version,
          f.name,
          f.file,
          f.directives.noTransaction ? 'no' : 'yes',
        ]),
      );
  } else {
    if (report.failed)
      summary.alert(
        'CAUTION',
        `The run stopped before every pending migration was applied (${report.plan.pending.length - report.applied.length} left). See the error annotation.`,
      );
    summary.paragraph(
      `Applied **${report.applied.length}** migration(s); the database is at version **${report.currentVersion ?? '(none)'}**.` +
        (report.lockWaitedMs ? ` Waited ${formatDuration(report.lockWaitedMs)} for another run's lock.` : ''),
    );
    if (report.applied.length)
      summary.table(
        ['version', 'name', 'duration', 'statements'],
        report.applied.map((a) => [a.file.version, a.file.name, formatDuration(a.executionMs), a.statements]),
      );
  }
  addFindings(summary, report.findings, report.lintMode);
  summary.details('Server', report.server);
  return summary;
}

export function addFindings(summary: Summary, findings: Finding[], lintMode: string): void {
  if (lintMode === 'off') return;
  const open = findings.filter((f) => !f.suppressed);
  const suppressed = findings.filter((f) => f.suppressed);
  summary.heading('Lint', 3);
  if (findings.length === 0) {
    summary.paragraph('No findings.');
    return;
  }
  if (open.length)
    summary.table(
      ['file', 'line', 'rule', 'finding'],
      open.map((f) => [f.file, f.line, f.rule, `${f.message} ${f.fix}`]),
    );
  if (suppressed.length)
    summary.details(
      `${suppressed.length} suppressed finding(s)`,
      suppressed.map((f) => `- ${f.file}:${f.line} \`${f.rule}\` — ${f.suppressed}`).join('\n'),
    );
}
