/**
 * One HTTP(S) request with precise timing, on Node's own `http`/`https`
 * modules: no HTTP library to load at start-up, full control of TLS
 * (extra CAs, an explicit opt-out of verification), and a fresh connection
 * per request so a probe measures what a new client sees and never trips
 * over a keep-alive connection the server is closing.
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { formatDuration } from '../inputs/duration.js';
import { displayUrl, headersForRedirect } from '../secrets.js';
import type { HttpOptions } from './config.js';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as text, at most `maxBodyBytes` of it. */
  body: string;
  /** From sending the request to the last byte of the answer, redirects included. */
  ms: number;
  /** The URL that answered (differs from the request's when redirects were followed). */
  url: URL;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  http: HttpOptions;
  signal?: AbortSignal;
  /** Keep at most this much of the body (the rest is read and dropped, so timing stays complete). */
  maxBodyBytes?: number;
}

/** A request that got no HTTP answer: refused, reset, timed out, TLS rejected… */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  /** A short, stable description of the cause (`connection refused (ECONNREFUSED)`). */
  readonly reason: string;
  readonly code: string;
  /** How long it took to fail. */
  readonly ms: number;
  constructor(method: string, url: URL, cause: string, code: string, ms: number) {
    super(`${method} ${displayUrl(url)}: ${cause}`);
    this.reason = cause;
    this.code = code;
    this.ms = ms;
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export async function httpRequest(url: URL, options: RequestOptions): Promise<HttpAnswer> {
  const started = performance.now();
  let method = (options.method ?? 'GET').toUpperCase();
  let body = options.body;
  let current = url;
  let headers = options.headers ?? {};
  for (let hop = 0; ; hop++) {
    const answer = await once(current, method, body, { ...options, headers }, started);
    const location = answer.headers.location;
    if (!options.http.followRedirects || !REDIRECTS.has(answer.status) || !location || hop >= MAX_REDIRECTS)
      return { ...answer, ms: performance.now() - started, url: current };
    const next = new URL(location, current);
    headers = headersForRedirect(headers, current, next);
    current = next;
    // As browsers and curl do: 303 always, and 301/302 after a POST, continue as GET.
    if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
      method = method === 'HEAD' ? 'HEAD' : 'GET';
      body = undefined;
    }
  }
}

function once(
  url: URL,
  method: string,
  body: string | undefined,
  options: RequestOptions,
  started: number,
): Promise<Omit<HttpAnswer, 'ms' | 'url'>> {
  const { http: settings, signal } = options;
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = { 'user-agent': 'glidepath-analysis', ...options.headers };
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.authorization ??= `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const requestOptions: https.RequestOptions = {
      method,
      headers,
      agent: false,
      ...(secure
        ? { rejectUnauthorized: !settings.insecureTls, ...(settings.ca ? { ca: settings.ca } : {}) }
        : {}),
    };
    const target = new URL(url.href);
    target.username = '';
    target.password = '';
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      request.destroy();
      if (signal?.aborted) reject(signal.reason);
      else reject(toRequestError(method, url, error, settings.timeoutMs, performance.now() - started));
    };
    const request = (secure ? https : http).request(target, requestOptions, (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        if (kept < limit) {
          chunks.push(chunk.subarray(0, limit - kept));
          kept += Math.min(chunk.length, limit - kept);
        }
      });
      response.on('error', fail);
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    const timer = setTimeout(
      () => fail(new TimeoutError()),
      Math.max(1, settings.timeoutMs - (performance.now() - started)),
    );
    const onAbort = () => fail(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', fail);
    request.end(body);
  });
}

class TimeoutError extends Error {
  readonly code = 'TIMEOUT';
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL|EPROTO/;

/** Turns a socket-level failure into the sentence a user needs: what failed and why. */
function toRequestError(
  method: string,
  url: URL,
  error: unknown,
  timeoutMs: number,
  ms: number,
): RequestError {
  const code = String((error as { code?: unknown })?.code ?? 'EUNKNOWN');
  const message = error instanceof Error ? error.message : String(error);
  let cause: string;
  switch (code) {
    case 'TIMEOUT':
      cause = `no complete answer within ${formatDuration(timeoutMs)} (timeout)`;
      break;
    case 'ECONNREFUSED':
      cause = 'connection refused (ECONNREFUSED)';
      break;
    case 'ECONNRESET':
      cause =
        message === 'socket hang up'
          ? 'connection closed before an answer (ECONNRESET)'
          : 'connection reset (ECONNRESET)';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      cause = `host ${url.hostname} not found (${code})`;
      break;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      cause = `host unreachable (${code})`;
      break;
    default:
      cause = TLS_CODES.test(code) ? `TLS handshake failed: ${message} (${code})` : `${message} (${code})`;
  }
  return new RequestError(method, url, cause, code, ms);
}
