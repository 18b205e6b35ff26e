import { isDeepStrictEqual } from 'node:util';
/**
 * Active HTTP probes: one request of a check, judged against what a good
 * answer looks like (status, body, JSON values, latency).
 */
import { formatDuration } from '../inputs/duration.js';
import { redact } from '../secrets.js';
import {
  formatStatusRanges,
  type HttpOptions,
  type ProbeCheck,
  statusMatches,
  valueAtPath,
} from './config.js';
import { httpRequest, RequestError } from './request.js';

/** The version under test, or the version it is compared with. */
export type Side = 'target' | 'baseline';

/** Why a request counted as failed; the reason text has the details. */
export type FailureKind = 'connection' | 'timeout' | 'tls' | 'status' | 'body' | 'json' | 'latency';

/** One request of one check, as the report keeps it. */
export interface Sample {
  check: string;
  side: Side;
  /** Index of the interval the request belongs to (0-based). */
  interval: number;
  /** When the request was sent, in milliseconds since the epoch. */
  at: number;
  /** Time to the complete answer (or to the failure), in milliseconds. */
  ms: number;
  /** The HTTP status, when there was an answer. */
  status?: number;
  ok: boolean;
  kind?: FailureKind;
  failure?: string;
}

export type ProbeResult = Omit<Sample, 'check' | 'side' | 'interval'>;

/** Sends one request of `check` to `url` (the check's own, or its baseline twin) and judges the answer. */
export async function probe(
  check: ProbeCheck,
  url: URL,
  settings: HttpOptions,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const at = Date.now();
  try {
    const answer = await httpRequest(url, {
      method: check.method,
      headers: check.headers,
      http: settings,
      ...(signal ? { signal } : {}),
    });
    const ms = round(answer.ms);
    const problem = judge(check, answer.status, answer.body, ms);
    // A failure can quote the answer (a JSON value), and an answer can echo a
    // credential back; samples travel to logs and reports, so redact here.
    if (problem) problem.failure = redact(problem.failure);
    return { at, ms, status: answer.status, ok: !problem, ...problem };
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    const kind: FailureKind =
      error.code === 'TIMEOUT' ? 'timeout' : error.reason.startsWith('TLS') ? 'tls' : 'connection';
    return { at, ms: round(error.ms), ok: false, kind, failure: error.message };
  }
}

function judge(
  check: ProbeCheck,
  status: number,
  body: string,
  ms: number,
): { kind: FailureKind; failure: string } | undefined {
  if (!statusMatches(check.status, status))
    return { kind: 'status', failure: `answered ${status}, expected ${formatStatusRanges(check.status)}` };
  if (check.body && !check.body.test(body))
    return { kind: 'body', failure: `body does not match /${check.body.source}/` };
  if (check.json.length) {
    let document: unknown;
    try {
      document = JSON.parse(body);
    } catch {
      return { kind: 'json', failure: 'body is not JSON' };
    }
    for (const expectation of check.json) {
      const found = valueAtPath(document, expectation.steps);
      if (!found.found) return { kind: 'json', failure: `JSON ${expectation.path} is missing` };
      if (!isDeepStrictEqual(found.value, expectation.expected))
        return {
          kind: 'json',
          failure: `JSON ${expectation.path} is ${brief(found.value)}, expected ${brief(expectation.expected)}`,
        };
    }
  }
  if (check.maxLatencyMs !== undefined && ms > check.maxLatencyMs)
    return {
      kind: 'latency',
      failure: `took ${formatDuration(ms)}, over max-latency ${formatDuration(check.maxLatencyMs)}`,
    };
  return undefined;
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * The baseline twin of a check's URL: the same path and query on the
 * baseline's origin. A path in the baseline URL is put in front of the
 * check's path unless the check's path already starts with it, so both
 * `http://blue:8080` and `http://blue:8080/healthz` pair with
 * `http://green:8080/healthz`, and `http://gateway/blue` turns `/healthz`
 * into `http://gateway/blue/healthz`.
 */
export function baselineUrlFor(checkUrl: URL, baseline: URL): URL {
  const url = new URL(baseline.href);
  const prefix = baseline.pathname.replace(/\/+$/, '');
  const path = checkUrl.pathname;
  url.pathname = prefix && path !== prefix && !path.startsWith(`${prefix}/`) ? `${prefix}${path}` : path;
  url.search = checkUrl.search;
  return url;
}
