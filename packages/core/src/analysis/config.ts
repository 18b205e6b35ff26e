/**
 * What an analysis measures and how it judges, as typed values. `fields.ts`
 * builds an AnalysisConfig from an action's inputs; the engine only ever sees
 * this shape, so another action (canary-shift) can build one too.
 */

import { formatDuration } from '../inputs/duration.js';

/** How an interval without evidence counts: a failed interval, a passing one, or neither. */
export type EvidencePolicy = 'fail' | 'inconclusive' | 'pass';

export interface StatusRange {
  from: number;
  to: number;
}

export interface JsonExpectation {
  /** As the user wrote it, for messages (`checks.db` or `$.items[0].id`). */
  path: string;
  /** Property names and array indexes, in order. */
  steps: Array<string | number>;
  expected: unknown;
}

/** An HTTP request sent a few times per interval, and what a good answer looks like. */
export interface ProbeCheck {
  name: string;
  url: URL;
  method: string;
  headers: Record<string, string>;
  status: StatusRange[];
  body?: RegExp;
  json: JsonExpectation[];
  maxLatencyMs?: number;
  /** A shadow check: evaluated and reported, never part of the verdict. */
  dryRun?: boolean;
}

/** The metric backends a query can run on (`provider:` of a `queries` entry). */
export const PROVIDER_KINDS = [
  'prometheus',
  'loki',
  'influxdb',
  'web',
  'alertmanager',
  'datadog',
  'cloudwatch',
] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/**
 * A query evaluated on its provider once per interval (or once per its own
 * `interval`); every series must stay within the bounds. `query` is already
 * expanded for the slot under analysis: PromQL, LogQL, InfluxQL, a URL (web),
 * label matchers (alertmanager), a Datadog query, or CloudWatch's metric data
 * queries as JSON.
 */
export interface QueryCheck {
  name: string;
  /** Which backend answers it; `prometheus` when not given. */
  provider?: ProviderKind;
  query: string;
  max?: number;
  min?: number;
  /** `compare: live`: the same query for the live slot, evaluated beside it and judged relatively. */
  compare?: LiveComparison;
  /** A shadow query: evaluated and reported, never part of the verdict. */
  dryRun?: boolean;
  /** Evaluate at most this often (a backend with 60 s resolution); the analysis interval when not given. */
  intervalMs?: number;
  /** Ask about the window ending this long ago (a backend that ingests late). */
  delayMs?: number;
  /** The window each evaluation covers, where the backend takes one (`{{lookback}}` in the query). */
  lookbackMs?: number;
  /** This query's own policies, over the analysis's `on-no-data` / `on-error`. */
  onNoData?: EvidencePolicy;
  onError?: EvidencePolicy;
  /** `provider: web`: how the URL in `query` is asked and where the number is in the answer. */
  web?: WebRequest;
}

export interface WebRequest {
  headers: Record<string, string>;
  /** A JSON body, sent with POST (GET without one). */
  body?: string;
  /** A JSONPath (`$.data.errors`) selecting one or more numbers in the answer. */
  jsonPath: string;
}

/** The relative bounds of a query compared with the live slot. */
export interface LiveComparison {
  /** The slot under analysis and the live slot, for messages. */
  slot: string;
  liveSlot: string;
  /** The query expanded for the live slot. */
  query: string;
  /** Largest tolerated `target - live`. */
  maxIncrease?: number;
  /** Largest tolerated `target / live`. */
  maxRatio?: number;
}

/** Where a provider's server is and what every request to it carries. */
export interface BackendSettings {
  url: URL;
  /** Authorization, a tenant and the like; values are registered as secrets. */
  headers: Record<string, string>;
}

/** The connection settings of every provider the queries use (the `providers` block, `prometheus-*` inputs). */
export interface ProviderSettings {
  prometheus?: BackendSettings;
  loki?: BackendSettings;
  influxdb?: BackendSettings & { database: string; retentionPolicy?: string };
  alertmanager?: BackendSettings;
  /** The site's API host, with the API and application keys as headers. */
  datadog?: BackendSettings;
  /** The region (and an endpoint); credentials come from the AWS SDK's standard chain. */
  cloudwatch?: { region: string; endpoint?: URL };
  /** Headers every web query sends (credentials named in the providers block). */
  web?: { headers: Record<string, string> };
}

export interface HttpOptions {
  timeoutMs: number;
  followRedirects: boolean;
  /** PEM text of extra certificate authorities to trust. */
  ca?: string;
  /** Accept any certificate: only for test environments, and said so in the log. */
  insecureTls: boolean;
}

/** The side-by-side comparison of each probe check against the same request to the baseline. */
export interface BaselineSettings {
  url: URL;
  /** Answers needed on each side before the tests decide anything. */
  minSamples: number;
  /** Relative increase of the median latency that is tolerated (0.25 = 25% slower). */
  latencyTolerance: number;
  /** Latency differences below this many milliseconds never count, however significant. */
  latencyFloorMs: number;
  /** Increase of the error rate that is tolerated, as a fraction (0.05 = 5 percentage points). */
  errorTolerance: number;
  /** Significance level of both one-sided tests (0.01 = 99% confidence). */
  alpha: number;
}

/**
 * Real traffic through the router: where its view comes from, which slot is
 * judged against which, and what counts as an error.
 */
export interface TrafficSettings {
  router:
    | { kind: 'haproxy'; socket: string; backend: string; servers: ReadonlyMap<string, string> }
    | { kind: 'nginx'; log: string; addresses: ReadonlyMap<string, string> };
  slot: string;
  liveSlot: string;
  /** Answers that count as errors (connection errors always do). */
  errorStatus: StatusRange[];
  /** An absolute bound on the new slot's error rate (0..1), only when set. */
  maxErrorRate?: number;
  /** Requests the new slot must serve in an interval for it to carry evidence. */
  minRequests: number;
  /** The tolerances and confidence of the comparison with the live slot (the baseline-* inputs). */
  comparison: Omit<BaselineSettings, 'url' | 'minSamples'>;
  /**
   * What the live slot served in the last step that gave it enough traffic,
   * filled in as the shift runs: the reference of a step where it takes none.
   */
  liveReference?: { requests: number; errors: number };
}

export interface AnalysisConfig {
  probes: ProbeCheck[];
  queries: QueryCheck[];
  providers: ProviderSettings;
  baseline?: BaselineSettings;
  traffic?: TrafficSettings;
  intervalMs: number;
  /** Consecutive failed intervals that fail a check (and the analysis). */
  failureThreshold: number;
  requestsPerInterval: number;
  /** Share of a probe check's requests in one interval that may fail before the interval fails (0 = none). */
  maxErrorRate: number;
  onNoData: EvidencePolicy;
  onError: EvidencePolicy;
  http: HttpOptions;
}

/** The default status ranges: any 2xx answer. */
export const SUCCESS_STATUS: StatusRange[] = [{ from: 200, to: 299 }];

/**
 * Parses one status specification: `200`, `"200-299"`, `"2xx"`, or a list of
 * those. Returns undefined when something is not a status code or range.
 */
export function parseStatusRanges(spec: unknown): StatusRange[] | undefined {
  const items = Array.isArray(spec) ? spec : [spec];
  if (items.length === 0) return undefined;
  const ranges: StatusRange[] = [];
  for (const item of items) {
    const range = parseOneStatus(item);
    if (!range) return undefined;
    ranges.push(range);
  }
  return ranges;
}

function parseOneStatus(item: unknown): StatusRange | undefined {
  const valid = (n: number) => Number.isInteger(n) && n >= 100 && n <= 599;
  if (typeof item === 'number') return valid(item) ? { from: item, to: item } : undefined;
  if (typeof item !== 'string') return undefined;
  const text = item.trim().toLowerCase();
  let match = /^([1-5])xx$/.exec(text);
  if (match) return { from: Number(match[1]) * 100, to: Number(match[1]) * 100 + 99 };
  match = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(text);
  if (!match) return undefined;
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  return valid(from) && valid(to) && from <= to ? { from, to } : undefined;
}

export function statusMatches(ranges: readonly StatusRange[], status: number): boolean {
  return ranges.some((r) => status >= r.from && status <= r.to);
}

export function formatStatusRanges(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(', ');
}

/**
 * Parses a JSON path as users write it: `status`, `checks.db.ok`,
 * `items[0].id`, `["odd key"]`, with an optional leading `$` or `$.`.
 * Returns undefined when the path does not parse.
 */
export function parseJsonPath(path: string): Array<string | number> | undefined {
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  // One step at a time: `[0]`, `["key"]` / `['key']`, or `.key` (the dot optional on the first step).
  const step = /^(?:\[(\d+)\]|\[(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\]|(\.)?([^.[\]]+))/;
  const steps: Array<string | number> = [];
  while (rest.length > 0) {
    const match = step.exec(rest);
    if (!match) return undefined;
    const [whole, index, doubleQuoted, singleQuoted, dot, name] = match;
    if (index !== undefined) steps.push(Number(index));
    else if (doubleQuoted !== undefined) steps.push(JSON.parse(`"${doubleQuoted}"`) as string);
    else if (singleQuoted !== undefined) steps.push(singleQuoted);
    else if (dot || steps.length === 0) steps.push(name!);
    else return undefined;
    rest = rest.slice(whole.length);
  }
  return steps.length ? steps : undefined;
}

/** The value at a parsed path, or `missing` when the path leads nowhere. */
export function valueAtPath(
  value: unknown,
  steps: ReadonlyArray<string | number>,
): { found: true; value: unknown } | { found: false } {
  let current = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return { found: false };
      current = current[step];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return { found: false };
      if (!Object.hasOwn(current, step)) return { found: false };
      current = (current as Record<string, unknown>)[step];
    }
  }
  return { found: true, value: current };
}

/**
 * A query evaluated only every so often (its own `interval`) must be asked
 * `failure-threshold` times within the window, or it could never fail it:
 * a bad input naming the window's input, before anything runs.
 */
export function queryWindowProblems(
  config: AnalysisConfig,
  windowMs: number,
  input: string,
  value: string,
): Array<{ input: string; value: string; expected: string }> {
  // As the engine runs it: the window's intervals, and every k-th of them evaluates the query
  // (k = its interval in whole analysis intervals, rounded up; the first one always).
  const rounds = Math.max(1, Math.ceil(windowMs / config.intervalMs));
  return config.queries.flatMap((query) => {
    if (query.intervalMs === undefined || query.intervalMs <= config.intervalMs) return [];
    const k = Math.ceil(query.intervalMs / config.intervalMs);
    const evaluations = Math.floor((rounds - 1) / k) + 1;
    if (evaluations >= config.failureThreshold) return [];
    const needed = (config.failureThreshold - 1) * k * config.intervalMs + config.intervalMs;
    return [
      {
        input,
        value,
        expected: `at least ${formatDuration(needed)}: query "${query.name}" is evaluated every ${formatDuration(k * config.intervalMs)} (its interval in whole analysis intervals), so this window asks it ${evaluations} time${evaluations > 1 ? 's' : ''}, fewer than failure-threshold ${config.failureThreshold}, and it could never fail (lengthen the window, or give the query a shorter interval)`,
      },
    ];
  });
}

/**
 * A window too short for the baseline comparison ever to reach its minimum
 * sample count would end `inconclusive` every time, which a shift treats as a
 * failure. That is a configuration mistake, so it is reported as a bad input
 * (naming the window's input) before anything runs.
 */
export function baselineWindowProblem(
  config: AnalysisConfig,
  windowMs: number,
  input: string,
  value: string,
): { input: string; value: string; expected: string } | undefined {
  if (!config.baseline || config.probes.length === 0) return undefined;
  const intervals = Math.floor(windowMs / config.intervalMs);
  const samples = intervals * config.requestsPerInterval;
  const needed = config.baseline.minSamples;
  if (samples >= needed) return undefined;
  const windowNeeded = Math.ceil(needed / config.requestsPerInterval) * config.intervalMs;
  return {
    input,
    value,
    expected:
      `at least ${windowNeeded / 1000}s: the baseline comparison needs ${needed} requests on each side ` +
      `(baseline-min-samples) and this window gives ${samples} (${intervals} interval(s) of ${config.intervalMs / 1000}s × ` +
      `requests-per-interval ${config.requestsPerInterval}); lengthen it, or lower baseline-min-samples`,
  };
}
