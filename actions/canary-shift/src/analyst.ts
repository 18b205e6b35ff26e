import {
  type AnalysisConfig,
  type AnalysisReport,
  analyse,
  dryRunWarnings,
  type IntervalSnapshot,
} from '@glidepath/core';
import type { RolloutLogger, StepAnalyst, StepVerdict } from './rollout/index.js';

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
        onInterval({ at: snapshot.endedAt, errorRate: snapshot.target.errorRate ?? undefined });
      },
    });
    options.reports.set(step.number, report);
    for (const warning of dryRunWarnings(report))
      options.log.warning(`Step ${step.number} (${step.weight}%): ${warning}`);
    return toStepVerdict(report);
  };
}

export function toStepVerdict(report: AnalysisReport): StepVerdict {
  return {
    verdict: report.verdict,
    reason: report.reason,
    samples: report.requests,
    p95Ms: report.p95Ms ?? undefined,
    errorRate: report.errorRate ?? undefined,
    firstFailureAt: report.verdict === 'fail' ? firstFailureAt(report) : undefined,
  };
}

/**
 * When the evidence against the release began: the first failed request of
 * the target, or — for failures that are not single requests (a slow release
 * against its baseline, a Prometheus query) — the start of the first interval
 * a check judged as failed.
 */
function firstFailureAt(report: AnalysisReport): number | undefined {
  const shadows = new Set(report.checks.filter((c) => c.dryRun).map((c) => c.name));
  const failedSample = report.samples.find((s) => s.side === 'target' && !s.ok && !shadows.has(s.check));
  const failedInterval = report.timeline.find(judgedFailure);
  const candidates = [failedSample?.at, failedInterval?.startedAt].filter(
    (v): v is number => v !== undefined,
  );
  return candidates.length ? Math.min(...candidates) : undefined;
}

/** A check that counts (not dry-run) failed this interval. */
function judgedFailure(snapshot: IntervalSnapshot): boolean {
  return Object.entries(snapshot.outcomes).some(
    ([check, outcome]) => outcome === 'fail' && !snapshot.dryRun.includes(check),
  );
}

function intervalLine(s: IntervalSnapshot): string {
  const outcomes = Object.entries(s.outcomes)
    .map(
      ([check, outcome]) =>
        `${check}${s.dryRun.includes(check) ? ' (dry-run)' : ''}: ${outcome}${s.notes[check] ? ` (${s.notes[check]})` : ''}`,
    )
    .join('; ');
  const rate = s.target.errorRate === null ? '' : `, error rate ${(s.target.errorRate * 100).toFixed(0)}%`;
  const p95 = s.target.p95Ms === null ? '' : `, p95 ${s.target.p95Ms}ms`;
  return `interval ${s.index + 1}: ${s.target.requests} requests${rate}${p95} — ${outcomes}`;
}
