import { errorMessage, OperationError } from '../errors.js';
import type { Logger } from '../log.js';
import { retry } from '../retry.js';
import { allTo, formatWeights, type Router, sameWeights, type Weights } from './router.js';

/**
 * Sends all traffic to the live slot and reads it back, retrying with backoff
 * because the usual reason to be here is a router that just failed (a socket
 * that went away for a moment, a reload that raced). When the router already
 * has everything on the live slot, nothing is written — the upstream file stays
 * byte-identical — and the weights are only verified; when that verification
 * fails (nginx has not loaded its file), the weights are set again. Used by the shift, the
 * post step and a rerun that finds a split it cannot explain; idempotent.
 */
export async function restoreLive(
  router: Router,
  live: string,
  target: string,
  log: Pick<Logger, 'warning'>,
  options: { attempts?: number | undefined; baseDelayMs?: number | undefined } = {},
): Promise<'restored' | 'already-live'> {
  const weights = allTo(live, [live, target]);
  return retry(
    async () => {
      const now = await router.read();
      if (sameWeights(now, weights))
        return (await verifyOrSet(router, weights, (line) => log.warning(line)))
          ? 'restored'
          : 'already-live';
      await router.set(weights, undefined, 'settle');
      await router.verify(weights);
      return 'restored' as const;
    },
    {
      attempts: options.attempts ?? 5,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: 4000,
      onRetry: (error, attempt, delay) =>
        log.warning(
          `Returning traffic to ${live} failed (attempt ${attempt}): ${errorMessage(error)}; trying again in ${delay} ms.`,
        ),
    },
  );
}

/**
 * For a router whose own record already says `weights`: verifies that it
 * serves them, and when it cannot prove so (an nginx whose last reload failed
 * or was cut off) sets them again, which makes it apply them, and verifies.
 * Returns true when it had to set them.
 */
export async function verifyOrSet(
  router: Router,
  weights: Weights,
  warn: (line: string) => void,
): Promise<boolean> {
  const unproven = await router.verify(weights).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (unproven === undefined) return false;
  warn(
    `The router has ${formatWeights(weights)} but cannot prove it serves that (${errorMessage(unproven)}); setting it again.`,
  );
  await router.set(weights, undefined, 'settle');
  await router.verify(weights);
  return true;
}

/** Thrown by callers when the router could not be brought back to a known state. */
export class UnsettledTrafficError extends OperationError {
  override readonly name = 'UnsettledTrafficError';
}
