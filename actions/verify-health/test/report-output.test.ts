import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AnalysisReport } from '@glidepath/core';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../src/report-output.js';

/** A report shaped like the engine's, with `count` samples. */
function reportWith(count: number): AnalysisReport {
  return {
    verdict: 'pass',
    reason: 'all 1 check passed',
    checks: [
      {
        name: 'home',
        kind: 'probe',
        verdict: 'pass',
        reason: 'fine',
        table: { columns: ['target'], rows: [['requests', count]] },
      },
    ],
    samples: Array.from({ length: count }, (_, i) => ({
      check: 'home',
      side: 'target',
      interval: Math.floor(i / 5),
      at: 1_700_000_000_000 + i,
      ms: 3.25,
      status: 200,
      ok: true,
    })),
  } as unknown as AnalysisReport;
}

describe('writeReport', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-report-'));

  it('puts the whole report in the output and the file when it is small', () => {
    const outputs = writeReport(reportWith(10), dir);
    expect(JSON.parse(outputs.report).samples).toHaveLength(10);
    // The summary's table of a check is not repeated in the JSON.
    expect(JSON.parse(outputs.report).checks).toEqual([
      { name: 'home', kind: 'probe', verdict: 'pass', reason: 'fine' },
    ]);
    expect(readFileSync(outputs['report-file'], 'utf8')).toBe(outputs.report);
  });

  it('leaves the samples out of a too-large output, saying so, and keeps them in the file', () => {
    const outputs = writeReport(reportWith(500), dir, 10_000);
    const output = JSON.parse(outputs.report);
    expect(outputs.report.length).toBeLessThan(10_000);
    expect(output).toMatchObject({
      verdict: 'pass',
      samples: [],
      samplesOmitted: 500,
      reportFile: outputs['report-file'],
    });
    expect(JSON.parse(readFileSync(outputs['report-file'], 'utf8')).samples).toHaveLength(500);
  });
});
