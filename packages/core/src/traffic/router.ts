import { OperationError } from '../errors.js';

/** A slot name (`blue`, `green`…), as given in the `slots` input. */
export type SlotName = string;

/** Share of traffic per slot, in whole percent, summing to 100. */
export type Weights = Record<SlotName, number>;

/** Why weights change: a step forward (`step`, the default) or a return to safety (`settle`). */
export type ChangePurpose = 'step' | 'settle';

export type RouterKind = 'nginx' | 'haproxy' | 'gateway-api' | 'ingress-nginx';

/**
 * Whatever splits traffic between the slots. Every router implements these
 * three operations and nothing else; the router's own state (the upstream
 * file, HAProxy's runtime weights, the HTTPRoute) is the source of truth for
 * where traffic goes, so `read` asks it rather than remembering.
 */
export interface Router {
  readonly kind: RouterKind;
  /** One line for logs and summaries, e.g. `nginx upstream "app" in /etc/nginx/app-upstream.conf`. */
  describe(): string;
  /** The weights actually in force now. */
  read(signal?: AbortSignal): Promise<Weights>;
  /**
   * Applies the weights as one change (never half-applied), or throws and leaves the previous weights.
   * `settle` marks a change that returns traffic somewhere safe (a revert, a rollback): a router
   * that cannot tell whether a failed change applied (nginx after a failed reload) keeps such a
   * change for its next reload instead of putting the previous weights back.
   */
  set(weights: Weights, signal?: AbortSignal, purpose?: ChangePurpose): Promise<void>;
  /** Reads back and throws RouterError unless the weights in force are `weights`. */
  verify(weights: Weights, signal?: AbortSignal): Promise<void>;
}

export class RouterError extends OperationError {
  override readonly name = 'RouterError';
}

/** All traffic to one slot. */
export function allTo(slot: SlotName, slots: Iterable<SlotName>): Weights {
  const weights: Weights = {};
  for (const s of slots) weights[s] = s === slot ? 100 : 0;
  return weights;
}

/** `percent` to `target`, the rest to `live`. */
export function split(target: SlotName, live: SlotName, percent: number): Weights {
  return { [live]: 100 - percent, [target]: percent };
}

export function sameWeights(a: Weights, b: Weights): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? 0) !== (b[key] ?? 0)) return false;
  return true;
}

export function formatWeights(weights: Weights): string {
  return Object.entries(weights)
    .map(([slot, w]) => `${slot} ${w}%`)
    .join(' / ');
}
