export interface LoadOptions {
  url: string;
  /** Requests per second across all workers (default 300). */
  rate?: number;
  /** Keep-alive workers (default 8). */
  concurrency?: number;
  maxRequests?: number;
  maxMs?: number;
  /** A path mix: each request takes one at random (seeded); default: the URL's own path. */
  paths?: string[];
  /**
   * `resets` (default): a GET whose connection is reset before any answer is
   * resent once on a new connection and counted in `retriedResets`. `off`:
   * nothing is resent; every reset is a failure (what a POST would see).
   */
  retries?: 'resets' | 'off';
}

export interface Failure {
  /** When the request was sent (epoch ms). */
  at: number;
  status?: number;
  error?: string;
  version?: string;
  path?: string;
}

export interface LoadReport {
  requests: number;
  /** Sorted by time. */
  failures: Failure[];
  startedAt: number;
  endedAt: number;
  /** Requests answered per version label. */
  byVersion: Record<string, number>;
  /** Every answer, in completion order. */
  answers: Array<{ at: number; version: string; status: number | undefined }>;
  /** Achieved requests per second. */
  rate: number;
  /** GETs resent once because the connection to the router was reset before any answer. */
  retriedResets: number;
}

export interface Load {
  stop(): Promise<LoadReport>;
  snapshot(): LoadReport;
}

export function startLoad(options: LoadOptions): Load;
export function failureSpan(failures: Failure[]): number;
