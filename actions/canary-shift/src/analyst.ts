import {
  type AnalysisConfig,
  type AnalysisReport,
  analyse,
  type IntervalSnapshot,
  type RolloutLogger,
  type StepAnalyst,
  type StepVerdict,
} from '@glidepath/core';

/**
 * The analysis engine as the shift sees it: one analysis per step, as long as
 * the step holds. The engine returns as soon as a check has failed, which is
 * what lets the shift revert mid-step. Each step's report is kept for the
 * job summary.
 */
export function stepAnalyst(
  config: AnalysisConfig,
  options: { log: RolloutLogger; reports: Map<number, AnalysisReport> },
): StepAnalyst {
  return async ({ step, durationMs, signal, onInterval }) => {
    const report = await analyse(config, {
      durationMs,
      signal,
      onInterval: (snapshot) => {
        options.log.info(`  ${intervalLine(snapshot)}`);
        onInterval({
          at: snapshot.endedAt,
          samples: snapshot.target.requests,
          errorRate: snapshot.target.errorRate ?? undefined,
          p95Ms: snapshot.target.p95Ms ?? undefined,
          failing: Object.values(snapshot.outcomes).includes('fail'),
        });
      },
    });
    options.reports.set(step.number, report);
    return toStepVerdict(report);
  };
}

export function toStepVerdict(report: AnalysisReport): StepVerdict {
  return {
    verdict: report.verdict,
    reason: report.reason,
    failingChecks: report.checks.filter((c) => c.verdict === 'fail').map((c) => c.name),
    samples: report.requests,
    p95Ms: report.p95Ms ?? undefined,
    errorRate: report.errorRate ?? undefined,
    firstFailureAt: report.verdict === 'fail' ? firstFailureAt(report) : undefined,
    report,
  };
}

/**
 * When the evidence against the release began: the first failed request of
 * the target, or — for failures that are not single requests (a slow release
 * against its baseline, a Prometheus query) — the start of the first interval
 * a check judged as failed.
 */
function firstFailureAt(report: AnalysisReport): number | undefined {
  const failedSample = report.samples.find((s) => s.side === 'target' && !s.ok);
  const failedInterval = report.timeline.find((t) => Object.values(t.outcomes).includes('fail'));
  const candidates = [failedSample?.at, failedInterval?.startedAt].filter(
    (v): v is number => v !== undefined,
  );
  return candidates.length ? Math.min(...candidates) : undefined;
}

function intervalLine(s: IntervalSnapshot): string {
  const outcomes = Object.entries(s.outcomes)
    .map(([check, outcome]) => `${check}: ${outcome}${s.notes[check] ? ` (${s.notes[check]})` : ''}`)
    .join('; ');
  const rate = s.target.errorRate === null ? '' : `, error rate ${(s.target.errorRate * 100).toFixed(0)}%`;
  const p95 = s.target.p95Ms === null ? '' : `, p95 ${s.target.p95Ms}ms`;
  return `interval ${s.index + 1}: ${s.target.requests} requests${rate}${p95} — ${outcomes}`;
}
