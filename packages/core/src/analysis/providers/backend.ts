/**
 * One request to a metric backend, as every provider sends it: the
 * backend's own headers, JSON accepted, and a backend that limits the rate
 * (429, or 503 with Retry-After) waited for and asked again, with growing
 * pauses and as long as the interval allows. What the answer means is the
 * provider's business; this module only gets one.
 */
import { formatDuration } from '../../inputs/duration.js';
import { sleep } from '../../retry.js';
import { redact } from '../../secrets.js';
import type { BackendSettings, HttpOptions } from '../config.js';
import { ProviderError } from '../metric.js';
import { type HttpAnswer, httpRequest, RequestError } from '../request.js';

export interface BackendRequest {
  /** Relative to the backend's URL (its path prefix kept): `api/v1/query`; the URL itself when not given. */
  path?: string;
  method?: 'GET' | 'POST';
  params?: Array<[string, string]>;
  /** Form-encoded into the body of a POST. */
  form?: Array<[string, string]>;
  /** A body sent as it is (with its content-type in `headers`). */
  body?: string;
  headers?: Record<string, string>;
}

/** The first pause after a rate-limited answer without Retry-After; doubled after each. */
const FIRST_PAUSE_MS = 500;

/** Time left for an answer after a pause, for another attempt to be worth sending. */
const MIN_ANSWER_MS = 250;

/**
 * Sends one request, asking again while the backend answers "too many
 * requests" and the deadline leaves room for the pause and another answer.
 * Throws ProviderError when the backend cannot be reached or is still
 * limiting the rate at the deadline.
 */
export async function askBackend(
  backend: BackendSettings,
  request: BackendRequest,
  http: HttpOptions,
  options: { deadline: number; signal?: AbortSignal | undefined },
): Promise<HttpAnswer> {
  const url = request.path === undefined ? new URL(backend.url.href) : backendUrl(backend.url, request.path);
  for (const [name, value] of request.params ?? []) url.searchParams.append(name, value);
  const body = request.form ? new URLSearchParams(request.form).toString() : request.body;
  const headers: Record<string, string> = {
    ...backend.headers,
    accept: 'application/json',
    ...(request.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    ...request.headers,
  };
  let pause = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    let answer: HttpAnswer;
    // A second attempt has only what is left before the deadline.
    const left = Math.max(1, options.deadline - Date.now());
    try {
      answer = await httpRequest(url, {
        method: request.method ?? 'GET',
        headers,
        ...(body !== undefined ? { body } : {}),
        http: attempt === 1 ? http : { ...http, timeoutMs: Math.min(http.timeoutMs, left) },
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (error instanceof RequestError) throw new ProviderError(error.reason);
      throw error;
    }
    if (!rateLimited(answer)) return answer;
    const given = retryAfterMs(answer);
    // Never sooner than the growing pause: a reset of 0 would be asked again at once, hundreds of times a second.
    const wait = Math.max(given ?? 0, pause);
    const told = given !== undefined && given >= pause;
    pause *= 2;
    // Another attempt only when its pause ends, with time for an answer, before the deadline.
    if (Date.now() + wait + MIN_ANSWER_MS > options.deadline) {
      const header = answer.headers['retry-after'] !== undefined ? 'Retry-After' : 'X-RateLimit-Reset';
      throw new ProviderError(
        `answered ${answer.status} (too many requests) ${attempt === 1 ? 'once' : `${attempt} times`}; ${
          told ? `its ${header} of ${formatDuration(wait)}` : `another pause of ${formatDuration(wait)}`
        } does not fit in this interval (raise the entry's interval to ask less often)`,
      );
    }
    await sleep(wait, options.signal);
  }
}

/** `path` under the backend's URL, keeping a path prefix (`https://host/prometheus/`). */
export function backendUrl(base: URL, path: string): URL {
  return new URL(path, base.href.endsWith('/') ? base : `${base.href}/`);
}

function rateLimited(answer: HttpAnswer): boolean {
  return answer.status === 429 || (answer.status === 503 && answer.headers['retry-after'] !== undefined);
}

/**
 * Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3), or Datadog's
 * X-RateLimit-Reset (seconds until the limit resets); undefined when absent
 * or unreadable.
 */
function retryAfterMs(answer: HttpAnswer): number | undefined {
  const reset = answer.headers['x-ratelimit-reset'];
  if (answer.headers['retry-after'] === undefined && typeof reset === 'string' && /^\d+$/.test(reset.trim()))
    return Number(reset.trim()) * 1000;
  const value = answer.headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The answer parsed as JSON, or undefined when it is not JSON. */
export function jsonBody(answer: HttpAnswer): unknown {
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * What a backend said when it did not answer with a result: its own error
 * text when it gave one, else the start of its answer, on one line.
 */
export function answerText(answer: HttpAnswer, message?: unknown): string {
  const text =
    typeof message === 'string' && message.trim() ? message : answer.body.trim() || 'an empty answer';
  // Redacted before it is cut: a credential the backend echoes must not leave a prefix behind.
  const line = redact(text).replace(/\s+/g, ' ').trim();
  const shown = line.length > 300 ? `${line.slice(0, 300)}…` : line;
  const hint = answer.status === 401 || answer.status === 403 ? ' (check the credentials)' : '';
  return `answered ${answer.status}: ${shown}${hint}`;
}
