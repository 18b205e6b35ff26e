/**
 * The ledger: the history of releases per environment — which version runs in
 * which slot, which release was last known good, why one was rolled back. On
 * GitHub it is the Deployments API; outside GitHub it is a JSON file. Both
 * stores implement this interface and give the same answers (one contract
 * test suite runs against both).
 *
 * Status follows GitHub's deployment statuses. When a release succeeds, the
 * earlier successful releases of its environment become `inactive` (the
 * GitHub store marks them itself, since GitHub's `auto_inactive` skips
 * production environments; the file store does the same), so an environment has one
 * live release. `inactive` therefore means "superseded", and `good` tells a
 * superseded release that was fine from one that was abandoned.
 */

export type ReleaseStatus = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

/**
 * Who holds an entry while it is in progress: the kind of writer (a canary
 * shift or a rollback) and the workflow run and attempt it belongs to, so an
 * entry left by an earlier attempt of the same run is known to be abandoned.
 * See `claim.ts` for how writers of one environment take turns.
 */
export interface ReleaseOwner {
  kind: 'shift' | 'rollback';
  /** `GITHUB_RUN_ID`, when the writer runs in Actions. */
  run?: string;
  /** `GITHUB_RUN_ATTEMPT`. */
  attempt?: number;
}

export interface Release {
  /** Store-specific identifier (the deployment id on GitHub). */
  id: string;
  environment: string;
  /** What was released: image reference, digest or any label. */
  version: string;
  slot: string;
  commit?: string;
  status: ReleaseStatus;
  /**
   * Whether the release went live and nothing since said it was bad: its last
   * status other than `inactive` is `success`. A release superseded by a newer
   * one stays good; one marked `failure` by a rollback does not.
   */
  good: boolean;
  /** Why it ended as it did (rollback reason, failing check…); at most 140 characters on GitHub. */
  reason?: string;
  /** For a release recorded by a rollback: the version it replaced. */
  rollbackFrom?: string;
  /** The writer that holds the entry while it is in progress; absent on entries of older versions. */
  owner?: ReleaseOwner;
  /**
   * True for an entry that moves traffic to a slot without changing what the
   * slot runs (a rollback's flip). Unless it succeeded, it says nothing about
   * the slot: what runs there is what the entry before it says.
   */
  flip?: boolean;
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
  /** Short text shown with the deployment; default `<version> to slot <slot>`. */
  description?: string;
  /** Default: the current workflow run (`GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID`). */
  logUrl?: string;
  environmentUrl?: string;
  /** Set when this release restores an earlier version: the version it replaces. */
  rollbackFrom?: string;
  owner?: ReleaseOwner;
  /** The entry only moves traffic; the slot already runs the version (see `Release.flip`). */
  flip?: boolean;
}

export interface FinishRelease {
  status: Exclude<ReleaseStatus, 'in_progress'>;
  reason?: string;
  /** Default: the release's own log URL. */
  logUrl?: string;
  /** Default: the release's own environment URL. */
  environmentUrl?: string;
}

export interface RecordRollback {
  environment: string;
  /**
   * The release traffic leaves (usually `current()`): marked `failure` with the
   * reason, so it is no longer good. Omit it when nothing live is abandoned.
   */
  from?: Release;
  /** What traffic returns to, and the slot it runs in now (it may have been redeployed). */
  to: { version: string; slot: string; commit?: string };
  /**
   * The entry begun for `to` in its slot before it was redeployed there (so
   * the ledger never claimed the slot still ran what it replaced); finished as
   * the restored release instead of beginning another.
   */
  recorded?: Release;
  reason: string;
  logUrl?: string;
  environmentUrl?: string;
}

export interface Ledger {
  /** Human description for logs (`GitHub Deployments of owner/repo`, `ledger file ./x.json`). */
  describe(): string;
  /** Records a release that starts now (status in_progress). */
  begin(release: BeginRelease): Promise<Release>;
  /** Records how a release ended; `success` makes the earlier live release `inactive`. */
  finish(release: Release, outcome: FinishRelease): Promise<Release>;
  /**
   * Adds another in-progress status to a release in progress, so other writers
   * see that its holder is alive (`updatedAt` moves on). Resolves to the
   * release as recorded — ended, if someone ended it, which a heartbeat never
   * undoes — or undefined when the entry is gone.
   */
  heartbeat(release: Release): Promise<Release | undefined>;
  /** The release as recorded now (its newest status), or undefined when the store has no such entry. */
  reload(release: Release): Promise<Release | undefined>;
  /**
   * Removes an entry that changed nothing (a writer that recorded itself,
   * then found the environment busy), so it says nothing about its slot.
   * Never for an entry that went live or touched a slot.
   */
  discard(release: Release): Promise<void>;
  /** Releases of an environment, newest first (default limit 20). */
  history(environment: string, limit?: number): Promise<Release[]>;
  /** The newest successful release of the environment (the one that is live), if any. */
  current(environment: string): Promise<Release | undefined>;
  /**
   * The last known good release before `current`: the newest good release
   * with a version other than the current one (what `rollback to: previous`
   * returns to).
   */
  previousGood(environment: string): Promise<Release | undefined>;
  /** The newest release of the environment in each slot (what runs where), keyed by slot. */
  slots(environment: string): Promise<Record<string, Release>>;
  /** The newest release of `version` in the environment, whatever its status (check `good`). */
  find(environment: string, version: string): Promise<Release | undefined>;
  /**
   * Records a rollback, in this order: `from` becomes `failure` with the
   * reason; then a new release of `to` is recorded (with `rollbackFrom`) and
   * marked `success`, which makes it current. Returns that new release.
   */
  rollback(rollback: RecordRollback): Promise<Release>;
}
