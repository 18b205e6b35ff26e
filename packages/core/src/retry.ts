export interface RetryOptions {
  /** Total attempts, the first included. */
  attempts?: number;
  /** Delay before the second attempt; doubled (by `factor`) after each. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** Whether an error is worth another attempt. Default: every error. */
  retryable?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  /** Injected for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * Calls `fn` until it succeeds or the attempts run out, waiting an exponentially
 * growing, jittered delay between attempts, which spreads retries from many
 * clients apart.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 10_000;
  const factor = options.factor ?? 2;
  const random = options.random ?? Math.random;
  const sleepFn = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || options.signal?.aborted || (options.retryable && !options.retryable(error)))
        throw error;
      const bound = Math.min(max, base * factor ** (attempt - 1));
      // "Equal jitter": half the bound fixed, half random, so a retry never fires at once.
      const delay = Math.round(bound / 2 + (random() * bound) / 2);
      options.onRetry?.(error, attempt, delay);
      await sleepFn(delay, options.signal);
    }
  }
}

/** Resolves after `ms`, or rejects with the abort reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
