import { redact } from '../secrets.js';

/**
 * What every metric backend gives a query source: a query in, series of
 * numbers out, or a ProviderError saying why not. Each backend
 * (`providers/`) is one implementation of this.
 */

export interface Series {
  labels: Record<string, string>;
  value: number;
}

/** One evaluation of one query, as the query source asks it. */
export interface Evaluation {
  /** As sent: already expanded for one slot. */
  query: string;
  /** The moment the query asks about, in milliseconds since the epoch (now minus the entry's `delay`). */
  at: number;
  /** The window ending at `at` that the answer covers, where the backend takes one. */
  lookbackMs: number;
  /** A backend that limits the rate is waited for until then, no longer. */
  deadline: number;
  signal?: AbortSignal;
}

export interface MetricProvider {
  /** The backend as the report names it (`Loki http://…`), credentials left out. */
  readonly describe: string;
  /** Runs one query; throws ProviderError when the backend cannot answer it. */
  evaluate(evaluation: Evaluation): Promise<Series[]>;
}

/**
 * The backend answered something other than a result, or could not be
 * reached. The message is redacted as it is made: it may quote what the
 * backend answered, and a backend may echo a credential it was sent.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(message: string) {
    super(redact(message));
  }
}

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

export function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? ` {${entries.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : '';
}
