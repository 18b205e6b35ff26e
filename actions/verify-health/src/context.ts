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
  queryWindowProblems,
  type RawInputs,
  readInputs,
  requireInputs,
  routerFields,
  runnerInputs,
  type TrafficRouter,
  trafficConfig,
  trafficFields,
  withAnalysisFile,
} from '@glidepath/core';

export const fields = {
  ...analysisFields,
  duration: input.duration({ default: 60_000, min: 1 }),
  'initial-delay': input.duration({ default: 0, min: 0 }),
  'fail-on-inconclusive': input.boolean({ default: true }),
  // What the placeholders of checks and queries expand to; verify-health has no
  // router, so it knows only what these say.
  slot: optionalSlot(),
  'live-slot': optionalSlot(),
  version: input.optionalString(),
  // Real traffic through the router (post-deployment verification on what users got):
  // only the settings that read its view of traffic, never the ones that change it.
  router: {
    parse: (raw: string) => {
      const text = raw.trim();
      if (text === '') return { ok: true as const, value: undefined };
      return text === 'haproxy' || text === 'nginx'
        ? { ok: true as const, value: text as 'haproxy' | 'nginx' }
        : {
            ok: false as const,
            expected:
              '"haproxy" or "nginx" (the routers whose view of real traffic Glidepath reads), or empty',
          };
    },
  },
  slots: input.keyValues({ default: new Map() }),
  'haproxy-socket': input.optionalString(),
  // The same name rule as the routers': the name goes into admin-socket commands.
  'haproxy-backend': routerFields['haproxy-backend'],
  ...trafficFields,
};

/** What real traffic needs of the router, from verify-health's read-only router inputs. */
function routerOf(values: {
  router: 'haproxy' | 'nginx' | undefined;
  slots: Map<string, string>;
  'haproxy-socket': string | undefined;
  'haproxy-backend': string | undefined;
}): TrafficRouter | undefined {
  if (values.router === 'haproxy')
    return {
      router: 'haproxy',
      slots: values.slots,
      socket: values['haproxy-socket'] ?? '',
      backend: values['haproxy-backend'] ?? '',
    };
  return values.router === 'nginx' ? { router: 'nginx', slots: values.slots } : undefined;
}

/** A slot name as `slots` takes it (a DNS label), or empty. */
function optionalSlot() {
  return input.optional(
    input.string({
      pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
      patternHint: 'a slot name such as blue or green (lower-case letters, digits and "-")',
    }),
  );
}

export interface Context {
  analysis: AnalysisConfig;
  durationMs: number;
  initialDelayMs: number;
  failOnInconclusive: boolean;
}

export async function readContext(raw: RawInputs = runnerInputs): Promise<Context> {
  const values = await readInputs(
    fields,
    await withAnalysisFile(raw, fields, process.env.GITHUB_WORKSPACE ?? process.cwd()),
  );
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
  const router = routerOf(values);
  const traffic = trafficConfig(values, router, process.env.GITHUB_WORKSPACE ?? process.cwd());
  requireInputs([
    ...traffic.problems,
    router !== undefined &&
      (values.slot === undefined || values['live-slot'] === undefined) && {
        input: values.slot === undefined ? 'slot' : 'live-slot',
        value: '',
        expected: 'the slot to verify and the live slot, to judge real traffic through the router',
      },
    router !== undefined &&
      values.slot !== undefined &&
      values['live-slot'] !== undefined &&
      !(
        values.slots.has(values.slot) &&
        values.slots.has(values['live-slot']) &&
        values.slots.size === 2
      ) && {
        input: 'slots',
        value: [...values.slots].map(([k, v]) => `${k}=${v}`).join('\n'),
        expected: `two lines slot=${router.router === 'haproxy' ? 'server name' : 'address'}, for "${values.slot}" and "${values['live-slot']}"`,
      },
    router?.router === 'haproxy' &&
      (!values['haproxy-socket'] || !values['haproxy-backend']) && {
        input: values['haproxy-socket'] ? 'haproxy-backend' : 'haproxy-socket',
        value: '',
        expected: "the admin socket and the backend, to read HAProxy's counters",
      },
  ]);
  const real =
    router && values.slot !== undefined && values['live-slot'] !== undefined
      ? traffic.forSlots(values.slot, values['live-slot'])
      : undefined;
  const analysis = analysisConfig(
    values,
    {
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
    },
    real,
  );
  requireInputs([
    baselineWindowProblem(analysis, values.duration, 'duration', formatDuration(values.duration)),
    ...queryWindowProblems(analysis, values.duration, 'duration', formatDuration(values.duration)),
  ]);
  return {
    analysis,
    durationMs: values.duration,
    initialDelayMs: values['initial-delay'],
    failOnInconclusive: values['fail-on-inconclusive'],
  };
}
