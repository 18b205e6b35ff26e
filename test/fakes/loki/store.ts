/**
 * What the Loki fake keeps: streams of log lines per tenant, written as
 * Loki's distributor writes them (pkg/distributor, pkg/loghttp/push, defaults
 * of pkg/validation/limits.go):
 *
 * - a stream needs at least one label, with Prometheus label names;
 * - `service_name` is added when absent, from the first of Loki's
 *   `discover_service_name` labels that the stream has (`app`, `service`,
 *   `job`, …), or `unknown_service` — so a series of `count_over_time` carries
 *   it, as on a real Loki 3;
 * - each entry gets the structured metadata `detected_level`
 *   (`discover_log_levels`, on by default), found as Loki finds it: a level
 *   label, or a `level=`/`"level":` field of a logfmt or JSON line, or the
 *   first level word in the line, else `unknown`. Structured metadata are
 *   labels of a metric query's series (`count_over_time({app="shop"}[1m])`
 *   is one series per level), not stream labels a selector can match;
 * - an entry older than `reject_old_samples_max_age` (7 days) or more than
 *   `creation_grace_period` (10 minutes) in the future is refused with Loki's
 *   message, the others of the same push are kept.
 *
 * Not modelled: rate and size limits, line length, out-of-order windows,
 * retention.
 */

export interface Entry {
  /** Nanoseconds since the epoch. */
  ns: bigint;
  line: string;
  metadata: Record<string, string>;
}

export interface Stream {
  labels: Record<string, string>;
  entries: Entry[];
}

export interface IncomingEntry {
  ns: bigint;
  line: string;
  metadata?: Record<string, string>;
}

/** validation.reject-old-samples.max-age and validation.create-grace-period defaults. */
const MAX_AGE_NS = 7n * 24n * 3600n * 1_000_000_000n;
const GRACE_NS = 10n * 60n * 1_000_000_000n;

/** validation.discover-service-name default. */
const SERVICE_NAME_LABELS = [
  'service',
  'app',
  'application',
  'app_name',
  'name',
  'app_kubernetes_io_name',
  'container',
  'container_name',
  'k8s_container_name',
  'component',
  'workload',
  'job',
  'k8s_job_name',
];

/** validation.log-level-fields default. */
const LEVEL_FIELDS = [
  'level',
  'LEVEL',
  'Level',
  'log.level',
  'severity',
  'SEVERITY',
  'Severity',
  'SeverityText',
  'lvl',
  'LVL',
  'Lvl',
  'severity_text',
  'Severity_Text',
];

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus's labels.String(): sorted, `{a="1", b="2"}`. */
export function labelsText(labels: Record<string, string>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${pairs.join(', ')}}`;
}

export class LogStore {
  readonly #tenants = new Map<string, Map<string, Stream>>();

  /**
   * Stores what Loki would of one pushed stream; returns Loki's error messages
   * for what it refused (the caller answers 400 with them, as Loki does).
   */
  write(tenant: string, labels: Record<string, string>, entries: IncomingEntry[], nowMs: number): string[] {
    const names = Object.keys(labels);
    if (names.length === 0) return ['error at least one label pair is required per stream'];
    const bad = names.find((n) => !LABEL_NAME.test(n));
    if (bad !== undefined)
      return [
        `error parsing labels '${labelsText(labels)}' with error: invalid label name ${JSON.stringify(bad)}`,
      ];
    const stored = withServiceName(labels);
    const key = labelsText(stored);
    const now = BigInt(nowMs) * 1_000_000n;
    const errors: string[] = [];
    const accepted: Entry[] = [];
    for (const entry of entries) {
      if (entry.ns < now - MAX_AGE_NS) {
        errors.push(
          `entry for stream '${key}' has timestamp too old: ${rfc3339(entry.ns)}, oldest acceptable timestamp is: ${rfc3339(now - MAX_AGE_NS)}`,
        );
        continue;
      }
      if (entry.ns > now + GRACE_NS) {
        errors.push(`entry for stream '${key}' has timestamp too new: ${rfc3339(entry.ns)}`);
        continue;
      }
      const metadata = { ...(entry.metadata ?? {}) };
      metadata.detected_level ??= detectLevel(stored, metadata, entry.line);
      accepted.push({ ns: entry.ns, line: entry.line, metadata });
    }
    if (accepted.length > 0) {
      const streams = this.#tenants.get(tenant) ?? new Map<string, Stream>();
      this.#tenants.set(tenant, streams);
      const stream = streams.get(key) ?? { labels: stored, entries: [] };
      streams.set(key, stream);
      stream.entries.push(...accepted);
      stream.entries.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
    }
    return errors;
  }

  streams(tenant: string): Stream[] {
    return [...(this.#tenants.get(tenant)?.values() ?? [])];
  }
}

/** Loki's GroupedErrors: each distinct message once, counted when it repeats or there are several. */
export function groupedErrors(errors: string[]): string {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts].map(([e, n]) => (counts.size > 1 || n > 1 ? `${n} errors like: ${e}` : e)).join('; ');
}

function withServiceName(labels: Record<string, string>): Record<string, string> {
  if (labels.service_name !== undefined) return { ...labels };
  const from = SERVICE_NAME_LABELS.find((n) => (labels[n] ?? '') !== '');
  return { ...labels, service_name: from ? labels[from]! : 'unknown_service' };
}

function rfc3339(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------- detected_level

function normalizeLevel(value: string): string {
  switch (value.toLowerCase()) {
    case 'trace':
    case 'trc':
      return 'trace';
    case 'debug':
    case 'dbg':
      return 'debug';
    case 'info':
    case 'inf':
    case 'information':
      return 'info';
    case 'warn':
    case 'wrn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'err':
      return 'error';
    case 'critical':
      return 'critical';
    case 'fatal':
      return 'fatal';
    default:
      return value;
  }
}

function detectLevel(labels: Record<string, string>, metadata: Record<string, string>, line: string): string {
  const fromLabel = LEVEL_FIELDS.find((f) => labels[f] !== undefined);
  if (fromLabel) return normalizeLevel(labels[fromLabel]!);
  const fromMetadata = LEVEL_FIELDS.find((f) => metadata[f] !== undefined);
  if (fromMetadata) return normalizeLevel(metadata[fromMetadata]!);
  let value: string | undefined;
  const trimmed = line.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) value = jsonLevel(trimmed);
  else if (line.includes('=')) value = logfmtLevel(line);
  else return levelWord(line);
  const known = value === undefined ? undefined : normalizeLevel(value);
  return known !== undefined &&
    ['trace', 'debug', 'info', 'warn', 'error', 'critical', 'fatal'].includes(known)
    ? known
    : levelWord(line);
}

/** The first string field named like a level, at most two objects deep (log-level-from-json-max-depth). */
function jsonLevel(line: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const find = (value: unknown, depth: number): string | undefined => {
    if (depth >= 2 || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && LEVEL_FIELDS.includes(k)) return v;
      const nested = find(v, depth + 1);
      if (nested !== undefined) return nested;
    }
    return undefined;
  };
  return find(parsed, 0);
}

/** The value of the first level field in a logfmt line (the earliest in LEVEL_FIELDS wins, case-insensitive). */
function logfmtLevel(line: string): string | undefined {
  let best: { rank: number; value: string } | undefined;
  for (const m of line.matchAll(/([^\s="]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const rank = LEVEL_FIELDS.findIndex((f) => f.toLowerCase() === m[1]!.toLowerCase());
    if (rank === -1 || (best && best.rank <= rank)) continue;
    const raw = m[2]!;
    best = { rank, value: raw.startsWith('"') ? raw.slice(1, -1) : raw };
  }
  return best?.value;
}

const LEVEL_WORDS: Array<[string, string]> = [
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['fatal', 'fatal'],
  ['critical', 'critical'],
  ['error', 'error'],
  ['err', 'error'],
  ['warning', 'warn'],
  ['warn', 'warn'],
  ['info', 'info'],
];
const LEFT = new Set([' ', '\t', '\n', '[', '(', '{', '"', "'", '=', '|']);
const RIGHT = new Set([' ', '\t', '\n', '[', ']', '(', ')', '{', '}', ':', ',', '!', '"', "'", '=', '|']);

/** The level word that comes first in the line, standing as a word (field_detection.go detectLevelFromLogLine). */
function levelWord(line: string): string {
  const lower = line.toLowerCase();
  let best = { at: lower.length, level: 'unknown' };
  for (const [word, level] of LEVEL_WORDS) {
    let from = 0;
    for (;;) {
      const at = lower.indexOf(word, from);
      if (at === -1 || at >= best.at) break;
      const left = at === 0 || LEFT.has(lower[at - 1]!);
      const right = at + word.length >= lower.length || RIGHT.has(lower[at + word.length]!);
      if (left && right) {
        best = { at, level };
        break;
      }
      from = at + 1;
    }
    if (best.at === 0) break;
  }
  return best.level;
}
