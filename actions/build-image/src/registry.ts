import { errorMessage, OperationError, ProcessError, type RetryOptions, retry } from '@glidepath/core';

/** The registry refused the credentials (or asked for some): worth no retry. */
export class RegistryAuthError extends OperationError {
  override readonly name = 'RegistryAuthError';
  constructor(registry: string, detail: string, options: { cause?: unknown } = {}) {
    super(
      `Authentication failed for registry ${registry}: ${detail}. Check the username and password inputs ` +
        '(and that the token may push to this repository).',
      options,
    );
  }
}

export class RegistryUnreachableError extends OperationError {
  override readonly name = 'RegistryUnreachableError';
}

const AUTH =
  /\b401\b|unauthorized|authentication required|invalid username\/password|incorrect username or password|denied: requested access/i;
/** Network faults and server errors: the registry may answer a moment later. */
const TRANSIENT =
  /\b5\d\d\b|connection refused|connection reset|i\/o timeout|timed? ?out|no such host|network is unreachable|TLS handshake timeout|unexpected EOF|\bEOF\b|server misbehaving|temporary failure|broken pipe|too many requests|\b429\b/i;

/** What the builder said, reduced to the line that explains it. */
export function registryProblem(error: unknown): string {
  const text = error instanceof ProcessError ? error.tail : errorMessage(error);
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^Error: /, '').trim())
    .filter(Boolean);
  const line = lines.reverse().find((l) => AUTH.test(l) || TRANSIENT.test(l)) ?? lines[0] ?? text;
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

export function isAuthFailure(error: unknown): boolean {
  return AUTH.test(error instanceof ProcessError ? error.tail : errorMessage(error));
}

export function isTransient(error: unknown): boolean {
  if (isAuthFailure(error)) return false;
  return TRANSIENT.test(error instanceof ProcessError ? error.tail : errorMessage(error));
}

export interface RegistryCallOptions extends Pick<RetryOptions, 'sleep' | 'random' | 'signal'> {
  attempts?: number;
  baseDelayMs?: number;
  log?: (message: string) => void;
  /**
   * Whether a failure came from the registry at all. An operation that does
   * more than talk to a registry (a buildx build that also pushes) passes the
   * other failures through untouched: neither retried nor blamed on the registry.
   */
  fromRegistry?: (error: unknown) => boolean;
}

/**
 * Runs one registry operation (login, push) with backoff on 5xx and network
 * errors; a 401 fails at once with a message that names the registry. The
 * messages come from the builder's redacted output, so a secret never reaches them.
 */
export async function withRegistry<T>(
  registry: string,
  what: string,
  operation: () => Promise<T>,
  options: RegistryCallOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const fromRegistry = options.fromRegistry ?? (() => true);
  try {
    return await retry(operation, {
      attempts,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: 15_000,
      retryable: (error) => fromRegistry(error) && isTransient(error),
      signal: options.signal,
      sleep: options.sleep,
      random: options.random,
      onRetry: (error, attempt, delay) =>
        options.log?.(
          `${what} to ${registry} failed (attempt ${attempt} of ${attempts}): ${registryProblem(error)}; retrying in ${delay} ms.`,
        ),
    });
  } catch (error) {
    if (!fromRegistry(error)) throw error;
    if (isAuthFailure(error)) throw new RegistryAuthError(registry, registryProblem(error), { cause: error });
    if (isTransient(error))
      throw new RegistryUnreachableError(
        `Could not ${what.toLowerCase()} to registry ${registry} after ${attempts} attempts: ${registryProblem(error)}`,
        { cause: error },
      );
    throw new OperationError(`${what} to registry ${registry} failed: ${registryProblem(error)}`, {
      cause: error,
    });
  }
}
