import type { Summary } from '@glidepath/core';
import { formatDuration } from '@glidepath/core';
import type { ShiftPlan } from './plan.js';
import type { CurvePoint, ShiftOutcome } from './shift.js';

const percent = (rate: number | undefined) => (rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);
const millis = (ms: number | undefined) => (ms === undefined ? '—' : `${Math.round(ms)} ms`);

/**
 * Writes a shift into the job summary: the reason it stopped first (what a
 * reader opening a red run needs), then the plan, the timeline of steps, and
 * a chart of the target's weight and the error rate over time.
 */
export function renderShift(
  summary: Summary,
  plan: ShiftPlan,
  outcome: ShiftOutcome & { decision?: { message: string } },
  title = 'canary-shift',
): Summary {
  summary.heading(`${title}: ${outcome.result}`, 2);
  if (outcome.result === 'promoted') summary.alert('TIP', outcome.reason);
  else summary.alert(outcome.settled ? 'CAUTION' : 'WARNING', outcome.reason);

  const facts = [
    `Strategy **${plan.strategy}**: ${plan.live} (live) → ${plan.target} (target), steps ${plan.steps.map((s) => `${s.weight}%`).join(' → ')}, ${formatDuration(plan.stepDurationMs)} each, on failure **${plan.onFailure}**.`,
    `Traffic on ${plan.target} at the end: **${outcome.weight}%**${outcome.settled ? ' (verified)' : ' (NOT verified)'}.`,
  ];
  if (outcome.decision) facts.push(outcome.decision.message);
  const d = outcome.detection;
  if (d?.revertedAt !== undefined) {
    const fromFirst =
      d.firstFailureAt !== undefined
        ? `${formatDuration(d.revertedAt - d.firstFailureAt)} after the first failing sample, `
        : '';
    facts.push(
      `Traffic was back on ${plan.live} ${fromFirst}${formatDuration(d.revertedAt - d.verdictAt)} after the verdict.`,
    );
  }
  summary.list(facts);

  if (outcome.steps.length) {
    summary.heading('Timeline', 3);
    summary.table(
      ['step', 'weight', 'verdict', 'samples', 'p95', 'error rate', 'held', 'note'],
      outcome.steps.map((r) => [
        r.step.resumed ? `${r.step.number || '–'} (resumed)` : r.step.number,
        `${r.step.weight}%`,
        r.verdict,
        r.samples,
        millis(r.p95Ms),
        percent(r.errorRate),
        formatDuration(r.endedAt - r.startedAt),
        r.reason,
      ]),
    );
  }
  const chart = chartPoints(outcome.curve, outcome.startedAt);
  if (chart.x.length >= 2)
    summary.chart({
      title: `Traffic on ${plan.target} (blue, %) and its error rate (red, %) over time (s)`,
      x: chart.x,
      yLabel: '%',
      yMin: 0,
      yMax: 100,
      series: [
        { name: `weight on ${plan.target}`, kind: 'line', colour: 'blue', values: chart.weight },
        { name: `error rate of ${plan.target}`, kind: 'line', colour: 'red', values: chart.errorRate },
      ],
    });
  return summary;
}

/** Samples the curve into chart series; an interval with no measurement carries the last error rate. */
export function chartPoints(
  curve: CurvePoint[],
  startedAt: number,
): { x: string[]; weight: number[]; errorRate: number[] } {
  const x: string[] = [];
  const weight: number[] = [];
  const errorRate: number[] = [];
  let lastRate = 0;
  // A long shift would make an unreadable axis; keep at most 60 points, evenly.
  const stride = Math.max(1, Math.ceil(curve.length / 60));
  curve.forEach((point, i) => {
    if (point.errorRate !== undefined) lastRate = point.errorRate * 100;
    if (i % stride !== 0 && i !== curve.length - 1) return;
    x.push(((point.at - startedAt) / 1000).toFixed(1));
    weight.push(point.weight);
    errorRate.push(point.errorRate === undefined ? lastRate : point.errorRate * 100);
  });
  return { x, weight, errorRate };
}
