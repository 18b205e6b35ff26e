import http from 'node:http';
import { errorMessage } from '../errors.js';
import {
  formatWeights,
  type Router,
  RouterError,
  type SlotName,
  sameWeights,
  type Weights,
} from './router.js';
import { weightsProblem } from './weights.js';

/** Where the control endpoint of `nginx/glidepath.lua` listens: loopback TCP or a unix socket. */
export type ControlEndpoint =
  | { kind: 'tcp'; host: string; port: number; path: string }
  | { kind: 'unix'; socket: string; path: string };

/** The major version of nginx/glidepath.lua this router speaks to. */
export const NGINX_LUA_MODULE_VERSION = '1';

const LOOPBACK_V4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses `nginx-control-url`: `http://127.0.0.1:9901/glidepath` (any
 * 127.0.0.0/8 address, or `[::1]`), or `unix:/run/nginx/glidepath.sock`
 * (optionally `unix:/run/nginx/glidepath.sock:/glidepath`, as nginx writes a
 * socket with a path). Anything else — another host, a name to look up,
 * https — is refused: the endpoint changes where every user goes, so it must
 * never be reachable from outside the host.
 */
export function parseControlEndpoint(text: string): ControlEndpoint | undefined {
  const unix = /^unix:(\/[^:\s]*[^:\s/])(?::(\/\S*))?$/.exec(text);
  if (unix) return { kind: 'unix', socket: unix[1]!, path: unix[2] ?? '/glidepath' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || url.username || url.password || url.search || url.hash) return undefined;
  const v4 = LOOPBACK_V4.exec(url.hostname);
  const loopback = v4 ? v4.slice(1).every((octet) => Number(octet) <= 255) : url.hostname === '[::1]';
  if (!loopback) return undefined;
  return {
    kind: 'tcp',
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 80 : Number(url.port),
    path: url.pathname === '/' ? '/glidepath' : url.pathname,
  };
}

export function describeControlEndpoint(endpoint: ControlEndpoint): string {
  return endpoint.kind === 'unix'
    ? `unix:${endpoint.socket}:${endpoint.path}`
    : `http://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}${endpoint.path}`;
}

export interface NginxDynamicRouterOptions {
  control: ControlEndpoint;
  /** The route declared in `glidepath.setup({ routes = { <route> = … } })`. */
  route: string;
  /** Slot → the server address of the slot's upstream block (what the access log names). */
  slots: ReadonlyMap<SlotName, string>;
  /** How long one exchange with the control endpoint may take (default 10 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** What the control endpoint answers for a route. */
interface RouteState {
  module: string;
  route: string;
  slots: Record<SlotName, string>;
  weights: Record<SlotName, number>;
  generation: number;
  source: 'initial' | 'file' | 'set' | 'invalid';
  persisted: boolean;
}

/**
 * Splits traffic without reloading nginx (`nginx-mode: dynamic`): the weights
 * live in a shared dictionary that `nginx/glidepath.lua` reads on every
 * request, and are changed through its control endpoint on loopback or a unix
 * socket. No worker is retired and no client connection is closed, so a
 * change drops nothing. `read` and `verify` ask nginx what its workers use
 * now, not a file.
 */
export class NginxDynamicRouter implements Router {
  readonly kind = 'nginx' as const;
  readonly #options: NginxDynamicRouterOptions;

  constructor(options: NginxDynamicRouterOptions) {
    this.#options = options;
  }

  describe(): string {
    return `nginx route "${this.#options.route}" via ${describeControlEndpoint(this.#options.control)}`;
  }

  async read(signal?: AbortSignal): Promise<Weights> {
    return this.#weightsOf(await this.#exchange('GET', undefined, signal));
  }

  async set(weights: Weights, signal?: AbortSignal): Promise<void> {
    const problem = weightsProblem(weights, [...this.#options.slots.keys()]);
    if (problem)
      throw new RouterError(`${this.describe()}: cannot set ${formatWeights(weights)}: expected ${problem}`);
    // Read first: the route must declare exactly these slots before anything
    // changes, and the change applies only if nobody else changed the route
    // in between (the generation read).
    const before = await this.#exchange('GET', undefined, signal);
    this.#weightsOf(before);
    const body = [...this.#options.slots.keys()].map((slot) => `${slot}=${weights[slot]}`).join(',');
    const state = await this.#exchange('PUT', body, signal, before.generation);
    const applied = this.#weightsOf(state);
    if (!sameWeights(applied, weights))
      throw new RouterError(
        `${this.describe()} answered ${formatWeights(applied)} after being set to ${formatWeights(weights)}`,
      );
    this.#options.log?.(
      `${this.describe()}: ${formatWeights(weights)} in force (generation ${state.generation}${state.persisted ? ', saved' : ', not saved: setup() has no state_file'}), no reload`,
    );
  }

  async verify(weights: Weights, signal?: AbortSignal): Promise<void> {
    const actual = await this.read(signal);
    if (!sameWeights(actual, weights))
      throw new RouterError(
        `${this.describe()} serves ${formatWeights(actual)}, not ${formatWeights(weights)}`,
      );
  }

  #weightsOf(state: RouteState): Weights {
    if (state.source === 'invalid')
      throw new RouterError(
        `${this.describe()}: the weights nginx holds do not fit the slots glidepath.setup() now declares (its slots changed since they were set), so nginx sends every request to the initial slot "${(state as { initial?: string }).initial}"; set the weights again`,
      );
    const mine = [...this.#options.slots.keys()].sort();
    const theirs = Object.keys(state.slots).sort();
    if (mine.join(',') !== theirs.join(','))
      throw new RouterError(
        `${this.describe()}: nginx declares the slots ${theirs.join(', ') || '(none)'} for this route, not ${mine.join(', ')}; make glidepath.setup() and the slots input agree`,
      );
    const weights: Weights = {};
    for (const slot of mine) weights[slot] = state.weights[slot]!;
    if (Object.values(weights).every((w) => w === 0))
      throw new RouterError(`${this.describe()}: no slot receives traffic`);
    return weights;
  }

  #exchange(
    method: 'GET' | 'PUT',
    body: string | undefined,
    signal?: AbortSignal,
    generation?: number,
  ): Promise<RouteState> {
    const control = this.#options.control;
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const where = this.describe();
    const path = `${control.path}?route=${encodeURIComponent(this.#options.route)}${generation === undefined ? '' : `&generation=${generation}`}`;
    return new Promise<RouteState>((resolve, reject) => {
      if (signal?.aborted) {
        reject(unreachable(where, signal.reason));
        return;
      }
      const request = http.request(
        {
          method,
          path,
          ...(control.kind === 'unix'
            ? { socketPath: control.socket }
            : { host: control.host, port: control.port }),
          headers: {
            host: 'localhost',
            ...(body === undefined
              ? {}
              : { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }),
          },
          agent: false,
          signal,
          timeout: timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => reject(unreachable(where, error)));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              reject(
                new RouterError(
                  `${where} answered HTTP ${response.statusCode} that is not Glidepath's (is the control location "content_by_lua_block { require("glidepath").control() }"?): ${text.slice(0, 200)}`,
                ),
              );
              return;
            }
            const record = (parsed ?? {}) as Record<string, unknown>;
            if (response.statusCode !== 200) {
              reject(
                new RouterError(
                  `${where} refused ${method === 'PUT' ? `the weights ${body}` : 'to answer'} (HTTP ${response.statusCode}): ${String(record.error ?? text.slice(0, 200))}`,
                ),
              );
              return;
            }
            const problem = stateProblem(record);
            if (problem) {
              reject(new RouterError(`${where}: ${problem}`));
              return;
            }
            resolve(record as unknown as RouteState);
          });
        },
      );
      request.on('timeout', () =>
        request.destroy(new RouterError(`${where} did not answer a ${method} within ${timeoutMs}ms`)),
      );
      request.on('error', (error) =>
        reject(error instanceof RouterError ? error : unreachable(where, error)),
      );
      request.end(body);
    });
  }
}

function unreachable(where: string, error: unknown): RouterError {
  if ((error as Error)?.name === 'AbortError')
    return new RouterError(`${where}: cancelled`, { cause: error });
  return new RouterError(
    `${where} is not reachable: ${errorMessage(error)} (is nginx running with the Glidepath control server block? see docs/nginx-dynamic.md)`,
    { cause: error },
  );
}

function stateProblem(record: Record<string, unknown>): string | undefined {
  if (typeof record.module !== 'string')
    return 'the answer has no "module" version; is this nginx/glidepath.lua?';
  if (record.module.split('.')[0] !== NGINX_LUA_MODULE_VERSION)
    return `nginx runs glidepath.lua version ${record.module}; this Glidepath speaks version ${NGINX_LUA_MODULE_VERSION}: install the glidepath.lua of this release`;
  const slots = record.slots;
  const weights = record.weights;
  if (typeof slots !== 'object' || slots === null || typeof weights !== 'object' || weights === null)
    return 'the answer has no "slots" or "weights"';
  for (const slot of Object.keys(slots)) {
    const w = (weights as Record<string, unknown>)[slot];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 100)
      return `the answer gives slot "${slot}" the weight ${JSON.stringify(w)}`;
  }
  if (typeof record.generation !== 'number') return 'the answer has no "generation"';
  return undefined;
}
