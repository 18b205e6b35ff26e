import { OperationError } from '@glidepath/core';
import { compareVersions, type MigrationFile } from './files.js';

/** One row of `glidepath_schema_history`. */
export interface HistoryRow {
  version: string;
  name: string;
  checksum: string;
  appliedAt: Date;
  executionMs: number;
  appliedBy: string;
  success: boolean;
}

export interface PlanPolicy {
  outOfOrder: 'fail' | 'allow';
  /** Accept applied files whose checksum changed (e.g. a comment fixed after the fact). */
  allowChecksumChange: boolean;
}

export interface Plan {
  pending: MigrationFile[];
  /** Applied versions with no file on disk any more: a warning, never a failure. */
  missing: HistoryRow[];
  /** Applied files whose checksum changed, when the policy allows it. */
  changed: Array<{ file: MigrationFile; applied: HistoryRow }>;
  /** Pending files older than the newest applied version (only when `out-of-order: allow`). */
  outOfOrder: MigrationFile[];
  /** A migration that failed earlier and left a record (never a success). */
  failed: HistoryRow[];
  currentVersion: string | undefined;
}

/** Compares the files on disk with the history and decides what runs, or why nothing may. */
export function makePlan(files: MigrationFile[], history: HistoryRow[], policy: PlanPolicy): Plan {
  const applied = new Map(history.filter((r) => r.success).map((r) => [r.version, r]));
  const onDisk = new Set(files.map((f) => f.version));
  const newest = [...applied.keys()].sort(compareVersions).at(-1);

  const mismatches: Array<{ file: MigrationFile; applied: HistoryRow }> = [];
  const pending: MigrationFile[] = [];
  const outOfOrder: MigrationFile[] = [];
  for (const file of files) {
    const row = applied.get(file.version);
    if (row) {
      if (row.checksum !== file.checksum) mismatches.push({ file, applied: row });
      continue;
    }
    pending.push(file);
    if (newest !== undefined && compareVersions(file.version, newest) < 0) outOfOrder.push(file);
  }

  if (mismatches.length && !policy.allowChecksumChange) {
    throw new OperationError(
      `${mismatches.length} applied migration(s) changed on disk since they ran: ${mismatches
        .map((m) => `${m.file.file} (applied ${m.applied.checksum}, on disk ${m.file.checksum})`)
        .join(
          '; ',
        )}. Write a new migration instead of editing an applied one, or set allow-checksum-change: true.`,
      {
        annotations: mismatches.map((m) => ({
          file: m.file.file,
          startLine: 1,
          title: 'Applied migration changed',
          message: `Checksum mismatch for version ${m.file.version}: applied ${m.applied.checksum}, on disk ${m.file.checksum}.`,
        })),
      },
    );
  }
  if (outOfOrder.length && policy.outOfOrder === 'fail') {
    throw new OperationError(
      `${outOfOrder.length} new migration(s) are older than the newest applied version ${newest}: ${outOfOrder
        .map((f) => f.file)
        .join(', ')}. Renumber them after ${newest}, or set out-of-order: allow.`,
      {
        annotations: outOfOrder.map((f) => ({
          file: f.file,
          startLine: 1,
          title: 'Migration out of order',
          message: `Version ${f.version} is older than the newest applied version ${newest}.`,
        })),
      },
    );
  }
  return {
    pending,
    missing: [...applied.values()].filter((r) => !onDisk.has(r.version)),
    changed: mismatches,
    outOfOrder,
    failed: history.filter((r) => !r.success && !applied.has(r.version)),
    currentVersion: newest,
  };
}

/** The version after applying `applied` on top of the history's newest. */
export function resultingVersion(before: string | undefined, applied: MigrationFile[]): string | undefined {
  let version = before;
  for (const file of applied)
    if (version === undefined || compareVersions(file.version, version) > 0) version = file.version;
  return version;
}
