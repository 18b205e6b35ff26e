/**
 * The `report` output and the report file. Step outputs are meant for values,
 * not for megabytes, so the output drops the individual samples when the
 * JSON would be too large (saying so in the JSON), while the file in
 * RUNNER_TEMP always holds everything, ready for actions/upload-artifact.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AnalysisReport, redact } from '@glidepath/core';

/** Comfortably below the 1 MB GitHub allows for an output. */
export const REPORT_OUTPUT_LIMIT = 900_000;

export interface ReportOutputs {
  report: string;
  'report-file': string;
}

export function writeReport(
  report: AnalysisReport,
  directory = process.env.RUNNER_TEMP || tmpdir(),
  limit = REPORT_OUTPUT_LIMIT,
): ReportOutputs {
  // Each check's table is the summary's rendering of the same facts: left out of the JSON.
  const facts = { ...report, checks: report.checks.map(({ table: _table, ...check }) => check) };
  const full = redact(JSON.stringify(facts));
  const file = path.join(mkdtempSync(path.join(directory, 'verify-health-')), 'report.json');
  writeFileSync(file, full);
  if (full.length <= limit) return { report: full, 'report-file': file };
  const trimmed = redact(
    JSON.stringify({
      ...facts,
      samples: [],
      samplesOmitted: report.samples.length,
      note: `The ${report.samples.length} samples made this output too large; the report file has them all.`,
      reportFile: file,
    }),
  );
  return { report: trimmed, 'report-file': file };
}
