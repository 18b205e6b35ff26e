import { PostState } from '@glidepath/core';

/**
 * Everything the post step needs, and nothing secret: the router itself is
 * rebuilt from the inputs (which the runner hands to the post step too), so
 * an inline kubeconfig never reaches the state file.
 */
export interface ShiftState extends Record<string, unknown> {
  live: string;
  target: string;
  /** The router main worked on, to check post rebuilt the same one. */
  router: string;
  /** Set just before the first weight change: until then post has nothing to undo. */
  shifting: boolean;
  /** Set once main left traffic where it meant to (promoted, rolled back, held), verified. */
  finished: boolean;
  /** The ledger entry of this release, so post can record how it ended. */
  releaseId?: string;
  environment: string;
}

export const state = new PostState<ShiftState>();
