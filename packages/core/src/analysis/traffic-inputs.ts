/**
 * The inputs of real-traffic evidence (`traffic-metrics` and its settings),
 * for actions that know the router: canary-shift and verify-health. They are
 * read with the router inputs and the analysis inputs, and turned into
 * TrafficSettings once the slot under analysis is known.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { InputProblem } from '../errors.js';
import type { Field } from '../inputs/fields.js';
import * as input from '../inputs/fields.js';
import type { Parsed } from '../inputs/read.js';
import type { RouterKind } from '../traffic/router.js';
import { formatStatusRanges, parseStatusRanges, type StatusRange, type TrafficSettings } from './config.js';
import type { AnalysisInputs } from './inputs.js';

const errorStatus: Field<StatusRange[]> = {
  parse: (raw) => {
    const text = raw.trim() || '5xx';
    const ranges = parseStatusRanges(text.split(/[\s,]+/).filter(Boolean));
    return ranges
      ? { ok: true, value: ranges }
      : { ok: false, expected: 'status codes or classes that count as errors, such as 5xx or "5xx, 429"' };
  },
};

export const trafficFields = {
  'traffic-metrics': input.oneOf(['auto', 'router', 'off'] as const, { default: 'auto' }),
  'nginx-access-log': input.optionalString(),
  'traffic-max-error-rate': input.optional(input.percent()),
  'traffic-error-status': errorStatus,
  'min-requests': input.integer({ default: 10, min: 1, max: 1_000_000 }),
};

export type TrafficInputs = Parsed<typeof trafficFields>;

/**
 * What real traffic needs to know of the router: which one, its slots, and
 * for HAProxy how to reach its counters. RouterSettings is one; verify-health,
 * which only reads the router, builds one from fewer inputs.
 */
export type TrafficRouter =
  | { router: 'haproxy'; slots: ReadonlyMap<string, string>; socket: string; backend: string }
  | { router: 'nginx'; slots: ReadonlyMap<string, string> }
  | { router: Exclude<RouterKind, 'haproxy' | 'nginx'> };

/** Routers that see which slot served each request, and what each needs. */
const CAPABLE = 'haproxy (always), or nginx with nginx-access-log';

/**
 * Checks the traffic inputs against the router (problems, all at once) and
 * returns the settings for a given pair of slots, or undefined when real
 * traffic is off (or `auto` and the router cannot provide it).
 */
export function trafficConfig(
  values: TrafficInputs &
    Pick<
      AnalysisInputs,
      | 'baseline-latency-tolerance'
      | 'baseline-latency-floor'
      | 'baseline-error-tolerance'
      | 'baseline-confidence'
    >,
  router: TrafficRouter | undefined,
  workspace: string,
): { problems: InputProblem[]; forSlots: (slot: string, liveSlot: string) => TrafficSettings | undefined } {
  const problems: InputProblem[] = [];
  const mode = values['traffic-metrics'];
  const logText = values['nginx-access-log'];
  const log = logText === undefined ? undefined : path.resolve(workspace, logText);
  if (log !== undefined && router?.router !== 'nginx')
    problems.push({
      input: 'nginx-access-log',
      value: logText!,
      expected: `nothing unless the router is nginx (the router is ${router?.router ?? 'not given'})`,
    });
  if (log !== undefined && router?.router === 'nginx') {
    const info = (() => {
      try {
        return statSync(log);
      } catch {
        return undefined;
      }
    })();
    // A log that does not exist yet is a fault of the run (named by on-error), not of the input.
    if (info && !info.isFile())
      problems.push({
        input: 'nginx-access-log',
        value: logText!,
        expected: "the path of nginx's JSON access log file, not a directory",
      });
  }
  const capable = router?.router === 'haproxy' || (router?.router === 'nginx' && log !== undefined);
  if (mode === 'router' && !capable)
    problems.push({
      input: 'traffic-metrics',
      value: mode,
      expected: `a router that sees which slot served each request — ${CAPABLE} — or "off" (the router is ${
        router
          ? `${router.router}${router.router === 'nginx' ? ' without nginx-access-log' : ''}`
          : 'not given'
      })`,
    });
  const status = values['traffic-error-status'];
  const wholeClasses = status.every((r) => r.from % 100 === 0 && r.to === r.from + 99);
  if (router?.router === 'haproxy' && !wholeClasses)
    problems.push({
      input: 'traffic-error-status',
      value: formatStatusRanges(status),
      expected: 'whole classes such as 5xx or 4xx: HAProxy counts answers per class, not per code',
    });
  const on = mode !== 'off' && capable;
  const forSlots = (slot: string, liveSlot: string): TrafficSettings | undefined => {
    if (!on || !router || (router.router !== 'haproxy' && router.router !== 'nginx')) return undefined;
    const max = values['traffic-max-error-rate'];
    return {
      router:
        router.router === 'haproxy'
          ? { kind: 'haproxy', socket: router.socket, backend: router.backend, servers: router.slots }
          : { kind: 'nginx', log: log!, addresses: router.slots },
      slot,
      liveSlot,
      errorStatus: status,
      ...(max !== undefined ? { maxErrorRate: max / 100 } : {}),
      minRequests: values['min-requests'],
      comparison: {
        latencyTolerance: values['baseline-latency-tolerance'] / 100,
        latencyFloorMs: values['baseline-latency-floor'],
        errorTolerance: values['baseline-error-tolerance'] / 100,
        alpha: 1 - values['baseline-confidence'] / 100,
      },
    };
  };
  return { problems, forSlots };
}
