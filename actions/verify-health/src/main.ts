import {
  type AnalysisReport,
  dryRunWarnings,
  formatDuration,
  GlidepathError,
  type IntervalSnapshot,
  runnerLog as log,
  renderAnalysisSummary,
  run,
  setOutputs,
} from '@glidepath/core';
import { type Context, readContext } from './context.js';
import { writeReport } from './report-output.js';

await run(async ({ signal }) => {
  const context = await readContext();
  log.info(describePlan(context));
  // The analysis engine and its sources load once the inputs are known to be good.
  const { analyse } = await import('./analyse.js');
  const report = await log.group('Analysis', () =>
    analyse(context.analysis, {
      durationMs: context.durationMs,
      initialDelayMs: context.initialDelayMs,
      signal,
      onInterval: (snapshot) => log.info(describeInterval(snapshot, plannedIntervals(context))),
    }),
  );
  log.info(`Verdict: ${report.verdict}: ${report.reason}`);
  setOutputs({
    result: report.verdict,
    reason: report.reason,
    ...writeReport(report),
    'p50-ms': report.p50Ms ?? '',
    'p95-ms': report.p95Ms ?? '',
    'p99-ms': report.p99Ms ?? '',
    'error-rate': report.errorRate ?? '',
  });
  await renderAnalysisSummary(report, { title: 'verify-health' }).write();
  for (const warning of dryRunWarnings(report)) log.warning(warning);
  if (report.aborted) throw new GlidepathError(`The analysis was cancelled: ${report.reason}`);
  if (report.verdict === 'fail') throw verdictError(report);
  if (report.verdict === 'inconclusive') {
    if (context.failOnInconclusive) throw verdictError(report);
    log.warning(`Inconclusive, let through because fail-on-inconclusive is false: ${report.reason}`);
  }
});

function plannedIntervals(context: Context): number {
  return Math.max(1, Math.ceil(context.durationMs / context.analysis.intervalMs));
}

/** One error annotation per failing (or inconclusive) check, and the overall reason as the failure. */
function verdictError(report: AnalysisReport): GlidepathError {
  const judged = report.checks.filter((c) => c.verdict === report.verdict && !c.dryRun);
  return new GlidepathError(`verify-health: ${report.verdict}: ${report.reason}`, {
    annotations: judged.map((c) => ({
      title: `verify-health: ${c.kind === 'query' ? 'query' : 'check'} "${c.name}" ${c.verdict === 'fail' ? 'failed' : 'was inconclusive'}`,
      message: c.reason,
    })),
  });
}

function describePlan(context: Context): string {
  const { analysis } = context;
  const parts = [
    ...analysis.probes.map((p) => `check "${p.name}"`),
    ...analysis.queries.map((q) => `query "${q.name}"`),
  ];
  return (
    `Analysing ${parts.join(', ')}${analysis.baseline ? ' against the baseline' : ''} for ${formatDuration(context.durationMs)}` +
    `${context.initialDelayMs ? ` after ${formatDuration(context.initialDelayMs)}` : ''}: ` +
    `intervals of ${formatDuration(analysis.intervalMs)}, ${analysis.requestsPerInterval} requests per check each, ` +
    `fail after ${analysis.failureThreshold} failed intervals in a row.` +
    (analysis.http.insecureTls ? ' TLS certificates are NOT verified (insecure-tls).' : '')
  );
}

function describeInterval(snapshot: IntervalSnapshot, total: number): string {
  const checks = Object.entries(snapshot.outcomes).map(([name, outcome]) => {
    const note = snapshot.notes[name];
    const shadow = snapshot.dryRun.includes(name) ? ' (dry-run)' : '';
    return `${name}${shadow} ${outcome}${note && outcome !== 'pass' ? ` (${note})` : ''}`;
  });
  const latency = snapshot.target.requests ? `, p95 ${snapshot.target.p95Ms ?? 'n/a'} ms` : '';
  return `interval ${snapshot.index + 1}/${total}: ${checks.join(' · ')}${latency}`;
}
