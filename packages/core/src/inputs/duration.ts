const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest delay a Node.js timer can hold: `setTimeout` takes a signed
 * 32-bit count of milliseconds and fires after 1 ms for anything longer, so an
 * unbounded `interval: 600h` once ended a window after a fraction of a second.
 * No duration input may exceed it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The bounds of duration inputs, by kind. Each is far below MAX_TIMER_MS
 * (about 24.8 days) and above anything a deploy job sensibly waits: GitHub
 * stops a hosted job after 6 h, and a self-hosted one after 5 days.
 */
export const DURATION_LIMITS = {
  /** How often something repeats, or how long one request may take (analysis interval, probe timeout, a latency bound). */
  interval: 3_600_000,
  /** How long something runs or is waited for (an analysis window, a step, a whole shift, a deploy, a lock). */
  window: 86_400_000,
} as const;

/**
 * Parses `500ms`, `30s`, `5m`, `1h`, `1m30s` or a bare number of seconds into
 * milliseconds. Returns undefined when the text is not a duration. It does not
 * bound the value: an input field does (see `input.duration`).
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const part of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(part[1]) * UNITS[part[2]!]!;
  }
  return Math.round(total);
}

/** `1500` → `1.5s`, `90000` → `1m30s`: the way a human writes it back. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1))}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
}

/** A bound as an input would be written: `24h`, `1h`, `90m`, `500ms`. */
export function formatBound(ms: number): string {
  return ms >= 3_600_000 && ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : formatDuration(ms);
}
