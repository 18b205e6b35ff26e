import { OperationError, setOutputs } from '@glidepath/core';
import type { MigrationFile } from '../files.js';
import type { Log } from '../migrate.js';
import { type Finding, lintMigrations } from './index.js';
import { loadParser } from './parser.js';

export interface LinterRun {
  mode: 'off' | 'warn' | 'error';
  kind: 'postgres' | 'mysql';
  pending: MigrationFile[];
  lockTimeoutMs: number;
  log: Log;
}

/**
 * Lints the pending files and annotates each open finding at its file and
 * line: as warnings with `lint: warn`; with `lint: error`, as errors of a
 * failure thrown before anything is applied (the `findings` output is set
 * first, so a workflow can still read them).
 */
export async function runLinter(run: LinterRun): Promise<Finding[]> {
  if (run.mode === 'off' || run.pending.length === 0) return [];
  if (run.kind !== 'postgres') {
    run.log.info('The linter reads PostgreSQL SQL; it does not run on MySQL/MariaDB.');
    return [];
  }
  const findings = await run.log.group('Lint', async () =>
    lintMigrations(run.pending, { parse: await loadParser(), lockTimeoutMs: run.lockTimeoutMs }),
  );
  const open = findings.filter((f) => !f.suppressed);
  run.log.info(`${findings.length} finding(s), ${open.length} not suppressed.`);
  const annotation = (f: Finding) => ({
    file: f.file,
    startLine: f.line,
    title: `Migration lint: ${f.rule}`,
    message: `${f.message} ${f.fix}`,
  });
  if (run.mode === 'error' && open.length) {
    setOutputs({ findings });
    throw new OperationError(
      `The migration linter found ${open.length} problem(s) (lint: error); nothing was applied.`,
      { annotations: open.map(annotation) },
    );
  }
  for (const f of open) {
    const { message, ...target } = annotation(f);
    run.log.warning(message, target);
  }
  return findings;
}
