/**
 * nginx's own view of real traffic: a JSON access log in the format below,
 * read incrementally from the start of a step. Every upstream attempt of every
 * request is attributed to the slot whose address served it; with
 * `proxy_next_upstream`, `$upstream_addr` and `$upstream_status` are lists
 * (`10.0.0.12:8080, 10.0.0.11:8080` / `502, 200`), so a failure of the new slot
 * hidden from the user by a retry on the live one still counts against the new
 * slot.
 *
 * Rotation: the file is read through a descriptor kept open from the start,
 * so a file renamed away is read to its end (nginx writes there until it
 * reopens its logs), then the new file at the path is read from its start. A
 * file truncated in place (copytruncate) is read again from its start.
 */
import { lookup } from 'node:dns/promises';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { OperationError } from '../errors.js';
import type { SlotName } from './router.js';

/** The log format Glidepath reads (documented in canary-shift's README). */
export const NGINX_LOG_FORMAT =
  'log_format glidepath escape=json \'{"msec":"$msec","status":"$status","request_uri":"$request_uri",' +
  '"upstream_addr":"$upstream_addr","upstream_status":"$upstream_status",' +
  '"upstream_response_time":"$upstream_response_time","request_time":"$request_time",' +
  '"user_agent":"$http_user_agent"}\';';

const REQUIRED = ['msec', 'status', 'upstream_addr', 'upstream_status', 'upstream_response_time'] as const;

/** One upstream attempt of one request, as the log recorded it. */
export interface UpstreamAttempt {
  slot: SlotName;
  /** The upstream's status; nginx writes 502 (or 504) for a connection that failed. */
  status: number;
  /** The upstream's response time in ms, when it answered. */
  ms?: number;
  /** The request's path, without the query. */
  path: string;
  /** Epoch ms of the request's end. */
  at: number;
}

export interface LogReading {
  attempts: UpstreamAttempt[];
  /** Lines of the interval: all, in the wrong format, and whose upstream was neither slot. */
  lines: number;
  malformed: number;
  unmatched: number;
  /** Requests left out because their User-Agent is Glidepath's own probes'. */
  probes: number;
  /** Something the reader did that a user should know: a rotation followed. */
  events: string[];
}

/** One open file of the log, read from an offset, with the start of a line not yet complete. */
interface Tail {
  handle: FileHandle;
  inode: number;
  offset: number;
  partial: string;
}

export class AccessLogError extends OperationError {
  override readonly name = 'AccessLogError';
}

/** `host:port` of each slot, resolved to the `ip:port` forms a log can show. */
export async function slotAddresses(
  slots: ReadonlyMap<SlotName, string>,
): Promise<{ bySlot: Map<string, SlotName>; matched: string[] }> {
  const bySlot = new Map<string, SlotName>();
  const matched: string[] = [];
  for (const [slot, address] of slots) {
    // A unix socket is logged as written (`unix:/run/app.sock`).
    if (address.startsWith('unix:')) {
      bySlot.set(address, slot);
      continue;
    }
    const at = address.lastIndexOf(':');
    const host = at > 0 && !address.endsWith(']') ? address.slice(0, at) : address;
    const port = at > 0 && !address.endsWith(']') ? address.slice(at + 1) : '80';
    const bare = host.replace(/^\[|\]$/g, '');
    const ips = isIP(bare) ? [bare] : (await lookup(bare, { all: true })).map((a) => a.address);
    for (const ip of ips) {
      const key = `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
      bySlot.set(key, slot);
      if (!isIP(bare)) matched.push(`${address} → ${key}`);
    }
    bySlot.set(address, slot);
  }
  return { bySlot, matched };
}

export class NginxAccessLog {
  #current: Tail | undefined;
  /**
   * Files renamed away by a rotation. nginx writes to a renamed file until it
   * is told to reopen its logs, so they are read on every read until the end.
   */
  #retired: Tail[] = [];

  constructor(
    readonly path: string,
    private readonly addresses: Map<string, SlotName>,
  ) {}

  /** Starts at the end of the file as it is now: only what is written from here on is read. */
  async begin(): Promise<void> {
    await this.close();
    this.#current = await this.#open(true);
  }

  /** Everything written since the last read, as upstream attempts per slot. */
  async read(): Promise<LogReading> {
    const events: string[] = [];
    this.#current ??= await this.#open(true);
    let text = '';
    for (const tail of this.#retired) text += await this.#drain(tail, events);
    text += await this.#drain(this.#current, events);
    const now = await stat(this.path).catch(() => undefined);
    if (now && now.ino !== this.#current.inode) {
      events.push(
        `${this.path} was rotated; reading the new file from its start, and the old one to its end`,
      );
      this.#retired.push(this.#current);
      // A few rotations in one step at most are kept open.
      while (this.#retired.length > 4) await this.#retired.shift()!.handle.close();
      this.#current = await this.#open(false);
      text += await this.#drain(this.#current, events);
    }
    return this.#parse(text, events);
  }

  async close(): Promise<void> {
    for (const tail of [...this.#retired, ...(this.#current ? [this.#current] : [])])
      await tail.handle.close().catch(() => undefined);
    this.#retired = [];
    this.#current = undefined;
  }

  async #open(atEnd: boolean): Promise<Tail> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AccessLogError(
        code === 'ENOENT'
          ? `nginx access log ${this.path} does not exist`
          : code === 'EACCES'
            ? `nginx access log ${this.path} is not readable by this runner (EACCES)`
            : `nginx access log ${this.path} cannot be opened (${code ?? String(error)})`,
      );
    }
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw new AccessLogError(`nginx access log ${this.path} is not a file`);
    }
    return { handle, inode: info.ino, offset: atEnd ? info.size : 0, partial: '' };
  }

  /** What a file has beyond its offset, in whole lines (a partial last line waits for the next read). */
  async #drain(tail: Tail, events: string[]): Promise<string> {
    const { size } = await tail.handle.stat();
    if (size < tail.offset) {
      events.push(`${this.path} was truncated; reading it again from its start`);
      tail.offset = 0;
      tail.partial = '';
    }
    const chunks: Buffer[] = [];
    while (tail.offset < size) {
      const buffer = Buffer.alloc(Math.min(1 << 20, size - tail.offset));
      const { bytesRead } = await tail.handle.read(buffer, 0, buffer.length, tail.offset);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      tail.offset += bytesRead;
    }
    const text = tail.partial + Buffer.concat(chunks).toString('utf8');
    const end = text.lastIndexOf('\n');
    tail.partial = text.slice(end + 1);
    return text.slice(0, end + 1);
  }

  #parse(text: string, events: string[]): LogReading {
    const reading: LogReading = { attempts: [], lines: 0, malformed: 0, unmatched: 0, probes: 0, events };
    let firstBad: string | undefined;
    let firstUnmatched: string | undefined;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      reading.lines++;
      const entry = parseLine(line);
      if (!entry) {
        reading.malformed++;
        firstBad ??= line.slice(0, 120);
        continue;
      }
      // Glidepath's own probes judge the slot on their own; real traffic is what users sent.
      if (/^glidepath/i.test(entry.user_agent ?? '')) {
        reading.probes++;
        continue;
      }
      const attempts = attemptsOf(entry, this.addresses);
      const servers = upstreamList(entry.upstream_addr);
      if (
        !servers.some((a) => this.addresses.has(a)) &&
        entry.upstream_addr !== '-' &&
        entry.upstream_addr !== ''
      ) {
        reading.unmatched++;
        firstUnmatched ??= entry.upstream_addr;
      }
      reading.attempts.push(...attempts);
    }
    if (reading.lines > 0 && reading.malformed === reading.lines)
      throw new AccessLogError(
        `nginx access log ${this.path} is not in Glidepath's JSON log format (log_format glidepath in canary-shift's README); first line: ${firstBad}`,
      );
    // Requests went upstream, but never to an address of the slots: the log belongs to another
    // upstream, or `slots` does not say the addresses nginx logs. Blind, not quiet.
    if (reading.unmatched > 0 && reading.attempts.length === 0)
      throw new AccessLogError(
        `none of the ${reading.unmatched} requests in nginx access log ${this.path} went to a slot's address (the log names ${firstUnmatched}; slots are ${[...this.addresses.keys()].join(', ')})`,
      );
    return reading;
  }
}

interface LogEntry {
  msec: string;
  status: string;
  request_uri?: string;
  upstream_addr: string;
  upstream_status: string;
  upstream_response_time: string;
  user_agent?: string;
}

function parseLine(line: string): LogEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  return REQUIRED.every((key) => typeof record[key] === 'string')
    ? (record as unknown as LogEntry)
    : undefined;
}

/** One item per upstream tried: `$upstream_*` lists are comma separated, with ` : ` between redirect groups. */
function upstreamList(text: string): string[] {
  return text.split(/\s*,\s*|\s+:\s+/).map((item) => item.trim());
}

/**
 * The attempts of one request: `$upstream_addr` lists the servers tried, comma
 * separated, with ` : ` between the groups of an internal redirect; the status
 * and time lists have one item per server, in the same order.
 */
function attemptsOf(entry: LogEntry, addresses: Map<string, SlotName>): UpstreamAttempt[] {
  const servers = upstreamList(entry.upstream_addr);
  const statuses = upstreamList(entry.upstream_status);
  const times = upstreamList(entry.upstream_response_time);
  const at = Math.round(Number(entry.msec) * 1000);
  const path = (entry.request_uri ?? '').split('?')[0] || '/';
  const attempts: UpstreamAttempt[] = [];
  servers.forEach((server, i) => {
    const slot = addresses.get(server);
    if (!slot) return;
    const status = statuses[i] ?? '';
    // 499: the client gave up before the upstream answered; that says nothing of the slot.
    if (status === '-' && entry.status === '499') return;
    const seconds = times[i] ?? '';
    attempts.push({
      slot,
      // `-` (no answer recorded) counts as a failed connection.
      status: /^\d{3}$/.test(status) ? Number(status) : 502,
      ...(/^\d+(\.\d+)?$/.test(seconds) ? { ms: Number(seconds) * 1000 } : {}),
      path,
      at,
    });
  });
  return attempts;
}
