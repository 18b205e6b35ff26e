/**
 * The ledger: the history of releases per environment — which version runs in
 * which slot, which release was last known good, why one was rolled back. On
 * GitHub it is the Deployments API; outside GitHub it is a JSON file. Both
 * stores implement this interface.
 */

export type ReleaseStatus = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export interface Release {
  /** Store-specific identifier (the deployment id on GitHub). */
  id: string;
  environment: string;
  /** What was released: image reference, digest or any label. */
  version: string;
  slot: string;
  commit?: string;
  status: ReleaseStatus;
  /** Why it ended as it did (rollback reason, failing check…). */
  reason?: string;
  createdAt: string;
  updatedAt: string;
  /** The run that made it, for links in summaries. */
  logUrl?: string;
  environmentUrl?: string;
}

export interface BeginRelease {
  environment: string;
  version: string;
  slot: string;
  commit?: string;
  description?: string;
  logUrl?: string;
  environmentUrl?: string;
}

export interface FinishRelease {
  status: Exclude<ReleaseStatus, 'in_progress'>;
  reason?: string;
  logUrl?: string;
  environmentUrl?: string;
}

export interface Ledger {
  /** Human description for logs (`GitHub Deployments of owner/repo`, `ledger file ./x.json`). */
  describe(): string;
  /** Records a release that starts now (status in_progress). */
  begin(release: BeginRelease): Promise<Release>;
  /** Records how a release ended. */
  finish(release: Release, outcome: FinishRelease): Promise<Release>;
  /** Releases of an environment, newest first. */
  history(environment: string, limit?: number): Promise<Release[]>;
  /** The newest successful release of the environment (the one that is live), if any. */
  current(environment: string): Promise<Release | undefined>;
  /**
   * The last known good release before `current`: the newest successful release
   * other than the current one (what `rollback to: previous` returns to).
   */
  previousGood(environment: string): Promise<Release | undefined>;
  /** The newest release of the environment in each slot (what runs where). */
  slots(environment: string): Promise<Record<string, Release>>;
}
