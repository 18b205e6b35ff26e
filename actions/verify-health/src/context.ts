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
  // What the placeholders of checks and queries expand to; verify-health has no
  // router, so it knows only what these say.
  slot: input.optionalString(),
  'live-slot': input.optionalString(),
  version: input.optionalString(),
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
  requireInputs([
    values.slot !== undefined &&
      values.slot === values['live-slot'] && {
        input: 'live-slot',
        value: values['live-slot'] ?? '',
        expected: `a slot other than "slot" (${values.slot}): the live slot is the one the analysed slot is compared with`,
      },
  ]);
  const analysis = analysisConfig(values, {
    ...(values.slot !== undefined ? { slot: values.slot } : {}),
    ...(values['live-slot'] !== undefined ? { liveSlot: values['live-slot'] } : {}),
    ...(values.version !== undefined ? { version: values.version } : {}),
    hints: {
      slot: 'set the "slot" input',
      'live-slot': 'set the "live-slot" input',
      version: 'set the "version" input',
      environment: 'verify-health knows no environment; write it out',
      address: 'verify-health has no "slots"; write the address out, or use canary-shift',
    },
    liveVersionHint: "verify-health does not know the live slot's version; write the query for {{slot}}",
  });
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
