/**
 * The inputs of verify-health: the shared analysis inputs plus the window
 * and the inconclusive policy, parsed and checked before anything is sent.
 */
import {
  type AnalysisConfig,
  analysisConfig,
  analysisFields,
  baselineWindowProblem,
  formatDuration,
  input,
  type RawInputs,
  readInputs,
  requireInputs,
  runnerInputs,
} from '@glidepath/core';

export const fields = {
  ...analysisFields,
  duration: input.duration({ default: 60_000, min: 1 }),
  'initial-delay': input.duration({ default: 0, min: 0 }),
  'fail-on-inconclusive': input.boolean({ default: true }),
};

export interface Context {
  analysis: AnalysisConfig;
  durationMs: number;
  initialDelayMs: number;
  failOnInconclusive: boolean;
}

export async function readContext(raw: RawInputs = runnerInputs): Promise<Context> {
  const values = await readInputs(fields, raw);
  requireInputs([
    values.duration < values.interval && {
      input: 'duration',
      value: formatDuration(values.duration),
      expected: `a window at least one interval long (interval is ${formatDuration(values.interval)})`,
    },
  ]);
  const analysis = analysisConfig(values);
  requireInputs([
    baselineWindowProblem(analysis, values.duration, 'duration', formatDuration(values.duration)),
  ]);
  return {
    analysis,
    durationMs: values.duration,
    initialDelayMs: values['initial-delay'],
    failOnInconclusive: values['fail-on-inconclusive'],
  };
}
