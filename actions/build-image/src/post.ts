import { rmSync } from 'node:fs';
import { PostState, runProcess } from '@glidepath/core';

/** Everything the post step must undo, owned here and nowhere else. Never a secret: paths and names only. */
export interface CleanupState extends Record<string, unknown> {
  /** buildah's credentials file of this run. */
  authFile: string;
  /** Registry docker logged in to (credentials in the user's Docker config). */
  dockerLogout: string;
  /** Scratch directories of this run (metadata files, a throw-away image store). */
  scratch: string[];
}

export const cleanupState = new PostState<CleanupState>();

/**
 * Removes what main left behind. Main cleans up too; this step covers a main
 * that was cancelled or killed before it could, because a credentials file must
 * not outlive the job on a self-hosted runner.
 */
export async function cleanup(state: PostState<CleanupState> = cleanupState): Promise<void> {
  const authFile = state.get('authFile');
  if (authFile) rmSync(authFile, { force: true });
  for (const dir of state.get('scratch') ?? []) rmSync(dir, { recursive: true, force: true });
  const registry = state.get('dockerLogout');
  if (registry) await runProcess('docker', ['logout', registry], { okExitCodes: [0, 1], timeoutMs: 30_000 });
}
