import { createConnection, type Socket } from 'node:net';
import { errorMessage } from '../errors.js';
import {
  formatWeights,
  type Router,
  RouterError,
  type SlotName,
  sameWeights,
  type Weights,
} from './router.js';
import { toPercents, weightsProblem } from './weights.js';

export interface HaproxyRouterOptions {
  /** The admin socket: a unix socket path, or `tcp://host:port`. */
  socket: string;
  backend: string;
  /** Slot → server name in the backend. */
  slots: ReadonlyMap<SlotName, string>;
  /** How long one runtime API exchange may take. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** One server's line of `show servers state`, by the column names HAProxy prints in its header. */
export interface ServerState {
  name: string;
  /** The weight in force (`srv_uweight`), 0..256. */
  weight: number;
  /** `srv_admin_state` bit field: maintenance or drain take the server out of rotation whatever its weight. */
  adminState: number;
}

// From HAProxy's include/haproxy/server-t.h (enum srv_admin): maintenance
// forced (0x01), inherited (0x02), from the configuration (0x04) or from a
// failed address resolution (0x20); drain forced (0x08) or inherited (0x10).
// Any of them takes the server out of rotation whatever its weight.
const ADMIN_OUT_OF_ROTATION = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20;

/**
 * Splits traffic with server weights over HAProxy's runtime API (the admin
 * socket): both weights are set in one exchange and take effect at once, with
 * no reload. HAProxy weights are relative and run from 0 to 256, so the percent
 * is used as the weight directly; 0 takes a server out of rotation.
 */
export class HaproxyRouter implements Router {
  readonly kind = 'haproxy' as const;
  readonly #options: HaproxyRouterOptions;

  constructor(options: HaproxyRouterOptions) {
    this.#options = options;
  }

  describe(): string {
    return `HAProxy backend "${this.#options.backend}" via ${this.#options.socket}`;
  }

  async read(signal?: AbortSignal): Promise<Weights> {
    const states = await this.serverStates(signal);
    const relative = new Map<SlotName, number>();
    for (const [slot, server] of this.#options.slots) {
      const state = states.get(server);
      if (!state) throw new RouterError(`${this.describe()} has no server "${server}" (slot "${slot}")`);
      relative.set(slot, state.adminState & ADMIN_OUT_OF_ROTATION ? 0 : state.weight);
    }
    const weights = toPercents(relative);
    if (Object.values(weights).every((w) => w === 0))
      throw new RouterError(
        `${this.describe()}: every slot server has weight 0 or is in maintenance/drain; no slot receives traffic`,
      );
    return weights;
  }

  async set(weights: Weights, signal?: AbortSignal): Promise<void> {
    const problem = weightsProblem(weights, [...this.#options.slots.keys()]);
    if (problem)
      throw new RouterError(`${this.describe()}: cannot set ${formatWeights(weights)}: expected ${problem}`);
    // Read first: every slot server must exist before anything is changed,
    // and the weights in force now are what a failed change goes back to.
    const before = await this.serverStates(signal);
    for (const [slot, server] of this.#options.slots)
      if (!before.has(server))
        throw new RouterError(`${this.describe()} has no server "${server}" (slot "${slot}")`);
    const answer = await this.#setWeights(
      new Map([...this.#options.slots].map(([slot, server]) => [server, weights[slot]!])),
      signal,
    );
    if (answer !== '') {
      // Put the previous weights back, and say plainly if even that failed:
      // the caller must never believe nothing changed when something did.
      const restore = await this.#setWeights(
        new Map([...this.#options.slots.values()].map((s) => [s, before.get(s)!.weight])),
        signal,
      ).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
      throw new RouterError(
        `${this.describe()} refused ${formatWeights(weights)}: ${answer.split('\n').join(' ')}` +
          (restore === ''
            ? ''
            : `; the previous weights could NOT be restored: ${restore.split('\n').join(' ')}`),
      );
    }
    this.#options.log?.(`${this.describe()}: ${formatWeights(weights)} set`);
  }

  async verify(weights: Weights, signal?: AbortSignal): Promise<void> {
    const actual = await this.read(signal);
    if (!sameWeights(actual, weights))
      throw new RouterError(
        `${this.describe()} holds ${formatWeights(actual)}, not ${formatWeights(weights)}`,
      );
  }

  /**
   * One line, commands separated by ";": HAProxy runs them back to back in one
   * exchange, so no request in between sees one weight changed and not the
   * other for longer than the processing of the line. Each successful `set
   * server … weight` answers nothing; the trimmed answer is the error text.
   */
  async #setWeights(byServer: Map<string, number>, signal?: AbortSignal): Promise<string> {
    const commands = [...byServer].map(
      ([server, w]) => `set server ${this.#options.backend}/${server} weight ${w}`,
    );
    return (await this.command(commands.join('; '), signal)).trim();
  }

  /** The servers of the backend as HAProxy reports them now. */
  async serverStates(signal?: AbortSignal): Promise<Map<string, ServerState>> {
    const text = await this.command(`show servers state ${this.#options.backend}`, signal);
    return parseServersState(text, this.describe());
  }

  /** Sends one line to the runtime API and returns the whole answer (HAProxy closes the connection after it). */
  command(line: string, signal?: AbortSignal): Promise<string> {
    const socket = this.#options.socket;
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const tcp = /^tcp:\/\/(.+):(\d+)$/.exec(socket);
      const connection: Socket = tcp
        ? createConnection({ host: tcp[1]!, port: Number(tcp[2]) })
        : createConnection({ path: socket });
      const chunks: Buffer[] = [];
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        connection.destroy();
        signal?.removeEventListener('abort', onAbort);
        reject(
          error instanceof RouterError
            ? error
            : new RouterError(`HAProxy admin socket ${socket} is not reachable: ${errorMessage(error)}`, {
                cause: error,
              }),
        );
      };
      const onAbort = () => fail(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      connection.setTimeout(timeoutMs, () =>
        fail(
          new RouterError(`HAProxy admin socket ${socket} did not answer "${line}" within ${timeoutMs}ms`),
        ),
      );
      connection.on('connect', () => connection.end(`${line}\n`));
      connection.on('data', (chunk: Buffer) => chunks.push(chunk));
      connection.on('error', fail);
      connection.on('close', () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
  }
}

/**
 * Parses the answer to `show servers state <backend>`: a format version line
 * (`1`), a `#` header naming the columns, then one line per server. Columns are
 * looked up by name, so versions that add columns still parse.
 */
export function parseServersState(text: string, what = 'HAProxy'): Map<string, ServerState> {
  const lines = text.split('\n').map((l) => l.trim());
  if (lines[0] !== '1')
    throw new RouterError(
      `${what}: unexpected answer to "show servers state": ${JSON.stringify(text.slice(0, 200))}`,
    );
  const header = lines.find((l) => l.startsWith('#'));
  if (!header) throw new RouterError(`${what}: "show servers state" has no header line`);
  const columns = header.slice(1).trim().split(/\s+/);
  const col = (name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new RouterError(`${what}: "show servers state" has no column ${name}`);
    return index;
  };
  const nameAt = col('srv_name');
  const weightAt = col('srv_uweight');
  const adminAt = col('srv_admin_state');
  const states = new Map<string, ServerState>();
  for (const line of lines.slice(1)) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const name = fields[nameAt];
    const weight = Number(fields[weightAt]);
    const adminState = Number(fields[adminAt]);
    if (name === undefined || !Number.isInteger(weight) || !Number.isInteger(adminState))
      throw new RouterError(`${what}: cannot read the server line ${JSON.stringify(line)}`);
    states.set(name, { name, weight, adminState });
  }
  return states;
}
