/**
 * HAProxy's own view of real traffic: the per-server counters of `show stat`
 * over the runtime API, read at the start of a step and after every interval.
 * The difference between two readings is what each slot's server answered in
 * between, every user request included, and nothing else.
 *
 * Counters (cumulative): `req_tot` (HTTP requests), `hrsp_1xx` … `hrsp_5xx`,
 * `econ` (connection errors), `eresp` (response errors). `rtime` is not a
 * counter: it is HAProxy's average response time over the server's last 1,024
 * requests, so it serves only to compare the two slots, never as a latency of
 * the interval.
 */
import { errorMessage } from '../errors.js';
import { HaproxyRouter } from './haproxy.js';
import { RouterError, type SlotName } from './router.js';

/** One server's counters as `show stat` printed them. */
export interface ServerCounters {
  requests: number;
  byClass: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'other', number>;
  connectionErrors: number;
  responseErrors: number;
  /** Retries and redispatches away from this server (`wretr`, `wredis`): attempts it failed. */
  retries: number;
  /** `UP`, `DOWN`, `MAINT`, `NOLB`… as HAProxy reports the server. */
  status: string;
  /** Average response time of the last 1,024 requests, in ms (0 before any). */
  averageResponseMs: number;
}

/**
 * Parses the CSV of `show stat`: a `# ` header naming the columns, then one
 * line per proxy and server. Columns are found by name, so versions that add
 * columns still parse. Returns the servers of `backend` by name.
 */
export function parseShowStat(text: string, backend: string): Map<string, ServerCounters> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0];
  if (!header?.startsWith('# '))
    throw new RouterError(`unexpected answer to "show stat": ${JSON.stringify(text.slice(0, 200))}`);
  const columns = header.slice(2).split(',');
  const at = (name: string) => columns.indexOf(name);
  const need = ['pxname', 'svname', 'hrsp_5xx', 'econ', 'eresp', 'rtime'];
  const missing = need.filter((name) => at(name) < 0);
  if (missing.length)
    throw new RouterError(`"show stat" has no column ${missing.join(', ')} (is the backend in mode http?)`);
  const servers = new Map<string, ServerCounters>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (cells[at('pxname')] !== backend) continue;
    const name = cells[at('svname')]!;
    if (name === 'BACKEND' || name === 'FRONTEND') continue;
    const num = (column: string) => {
      const index = at(column);
      const value = index < 0 ? '' : (cells[index] ?? '');
      return value === '' ? 0 : Number(value);
    };
    const byClass = {
      '1xx': num('hrsp_1xx'),
      '2xx': num('hrsp_2xx'),
      '3xx': num('hrsp_3xx'),
      '4xx': num('hrsp_4xx'),
      '5xx': num('hrsp_5xx'),
      other: num('hrsp_other'),
    };
    const answered = Object.values(byClass).reduce((a, b) => a + b, 0);
    servers.set(name, {
      // req_tot counts a server's HTTP requests where the version has it; the
      // answers by class are the same number without it.
      requests: Math.max(num('req_tot'), answered),
      byClass,
      connectionErrors: num('econ'),
      responseErrors: num('eresp'),
      retries: num('wretr') + num('wredis'),
      status: at('status') < 0 ? '' : (cells[at('status')] ?? ''),
      averageResponseMs: num('rtime'),
    });
  }
  return servers;
}

export interface HaproxyStatsOptions {
  socket: string;
  backend: string;
  /** Slot → server name in the backend. */
  slots: ReadonlyMap<SlotName, string>;
  timeoutMs?: number;
}

/** Reads the counters of every slot's server; throws RouterError naming the socket when it cannot. */
export async function readHaproxyCounters(
  options: HaproxyStatsOptions,
  signal?: AbortSignal,
): Promise<Map<SlotName, ServerCounters>> {
  const router = new HaproxyRouter({ ...options });
  let text: string;
  try {
    text = await router.command('show stat', signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw error instanceof RouterError ? error : new RouterError(errorMessage(error));
  }
  const servers = parseShowStat(text, options.backend);
  const bySlot = new Map<SlotName, ServerCounters>();
  for (const [slot, server] of options.slots) {
    const counters = servers.get(server);
    if (!counters)
      throw new RouterError(
        `HAProxy backend "${options.backend}" has no server "${server}" (slot "${slot}") in "show stat"`,
      );
    bySlot.set(slot, counters);
  }
  return bySlot;
}
