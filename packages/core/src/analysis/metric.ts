/**
 * What every metric backend gives a query source: a query in, series of
 * numbers out, or a ProviderError saying why not. Prometheus is the first
 * provider; each further backend is one more implementation of this.
 */

export interface Series {
  labels: Record<string, string>;
  value: number;
}

export interface MetricProvider {
  /** The backend as the report names it (`Prometheus http://…`), credentials left out. */
  readonly describe: string;
  /** Runs one instant query; throws ProviderError when the backend cannot answer it. */
  evaluate(query: string, signal?: AbortSignal): Promise<Series[]>;
}

/** The backend answered something other than a result, or could not be reached. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
}

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

export function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? ` {${entries.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : '';
}
