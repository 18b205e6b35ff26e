import { errorMessage, OperationError } from '../errors.js';
import { type GitHubClient, githubClient } from '../github.js';
import { runnerLog } from '../log.js';
import type {
  BeginRelease,
  FinishRelease,
  Ledger,
  RecordRollback,
  Release,
  ReleaseOwner,
  ReleaseStatus,
} from './ledger.js';
import {
  applyStatus,
  type HistoryEntry,
  newRelease,
  recordRollback,
  runLogUrl,
  type StatusRecord,
  selectCurrent,
  selectPreviousGood,
  selectSlots,
  selectVersion,
  truncateDescription,
} from './rules.js';

/**
 * The ledger on GitHub's Deployments API, where people already look: one
 * deployment per release, carrying `{version, slot, commit}` in its payload,
 * and its statuses (in_progress → success / failure / inactive) with the run's
 * log URL and the environment's URL.
 *
 * What the GitHub UI shows: the environment page lists the deployments newest
 * first; the one whose latest status is `success` is "Active", and the one it
 * replaced is marked "Inactive" (by GitHub's auto_inactive outside production,
 * by the ledger itself in production, where GitHub does not). A rollback leaves the
 * abandoned release as "Failure" (its description carries the reason) and adds
 * a new deployment of the restored version, which becomes "Active" — the
 * environment's history reads as what happened, in order.
 *
 * Only deployments whose payload has a string `version` and `slot` are read;
 * deployments made by other tools in the same environment are skipped.
 */

export interface GitHubLedgerOptions {
  token: string;
  /** `owner/name`. */
  repository: string;
  /** API base URL; default `GITHUB_API_URL`, then https://api.github.com. */
  baseUrl?: string;
  /**
   * The ref a deployment names when a release has no commit; default
   * `GITHUB_SHA`. GitHub refuses a ref it cannot resolve, so the version is
   * the last resort only (it works when versions are tags).
   */
  defaultRef?: string;
  /** Default log URL for statuses; default the current workflow run. */
  logUrl?: string;
  /** How many deployments a question reads at most (newest first); default 100. */
  scanLimit?: number;
  /** A client to use instead of `githubClient(token)` (one shared by an action, or a test's). */
  client?: GitHubClient | Promise<GitHubClient>;
  /** Where a problem that does not fail the operation is reported; default the job log's warning. */
  warn?: (message: string) => void;
}

/** How many of the newest deployments a new live release looks through to mark the earlier live ones inactive. */
const SUPERSEDE_SCAN = 20;

interface GlidepathPayload {
  version: string;
  slot: string;
  commit?: string;
  rollbackFrom?: string;
  owner?: ReleaseOwner;
  flip?: boolean;
}

type Deployment = Awaited<ReturnType<GitHubClient['rest']['repos']['getDeployment']>>['data'];
type DeploymentStatus = Awaited<ReturnType<GitHubClient['rest']['repos']['getDeploymentStatus']>>['data'];

export class GitHubLedger implements Ledger {
  readonly owner: string;
  readonly repo: string;
  readonly #options: GitHubLedgerOptions;
  #client: Promise<GitHubClient> | undefined;

  constructor(options: GitHubLedgerOptions) {
    const [owner, repo, ...rest] = options.repository.split('/');
    if (!owner || !repo || rest.length > 0)
      throw new OperationError(
        `The ledger repository must be "owner/name"; got ${JSON.stringify(options.repository)}.`,
      );
    this.owner = owner;
    this.repo = repo;
    this.#options = options;
  }

  describe(): string {
    return `GitHub Deployments of ${this.owner}/${this.repo}`;
  }

  async begin(release: BeginRelease): Promise<Release> {
    const payload: GlidepathPayload = {
      version: release.version,
      slot: release.slot,
      ...(release.commit ? { commit: release.commit } : {}),
      ...(release.rollbackFrom ? { rollbackFrom: release.rollbackFrom } : {}),
      ...(release.owner ? { owner: release.owner } : {}),
      ...(release.flip ? { flip: true } : {}),
    };
    const description = truncateDescription(
      release.description ?? `${release.version} to slot ${release.slot}`,
    );
    const deployment = await this.#call(
      `record the release of ${release.version} in ${release.environment}`,
      async (client) => {
        const created = await client.rest.repos.createDeployment({
          owner: this.owner,
          repo: this.repo,
          ref: release.commit ?? this.#options.defaultRef ?? process.env.GITHUB_SHA ?? release.version,
          task: 'deploy',
          environment: release.environment,
          auto_merge: false,
          // No commit status checks: the pipeline has already decided to release.
          required_contexts: [],
          payload: { ...payload },
          description,
          transient_environment: false,
        });
        if (created.status !== 201 || !('id' in created.data))
          throw new Error(
            `GitHub answered ${created.status} without creating a deployment: ${JSON.stringify(created.data)}`,
          );
        return created.data as Deployment;
      },
    );
    const started = newRelease({
      id: String(deployment.id),
      environment: deployment.environment,
      ...payload,
      createdAt: deployment.created_at,
    });
    return this.#addStatus(started, {
      status: 'in_progress',
      reason: description,
      logUrl: release.logUrl ?? this.#defaultLogUrl(),
      environmentUrl: release.environmentUrl,
    });
  }

  async finish(release: Release, outcome: FinishRelease): Promise<Release> {
    if (outcome.status === 'success') {
      // A release someone else ended (a rollback that took over) is not made
      // live by a success that comes after; the reading rule says the same.
      const now = await this.reload(release);
      if (now && (now.status === 'failure' || now.status === 'error')) return now;
    }
    const finished = await this.#addStatus(release, {
      status: outcome.status,
      reason: outcome.reason,
      logUrl: outcome.logUrl ?? release.logUrl ?? this.#defaultLogUrl(),
      environmentUrl: outcome.environmentUrl ?? release.environmentUrl,
    });
    if (finished.status === 'success') await this.#supersede(finished);
    return finished;
  }

  async heartbeat(release: Release): Promise<Release | undefined> {
    // GitHub has no compare-and-swap: read first so an ended entry is not
    // given another status, and let the reading rule (an in-progress status
    // after an ended one changes nothing) settle the race that remains.
    const now = await this.reload(release);
    if (now?.status !== 'in_progress') return now;
    return this.#addStatus(now, {
      status: 'in_progress',
      reason: now.reason,
      logUrl: now.logUrl,
      environmentUrl: now.environmentUrl,
    });
  }

  async discard(release: Release): Promise<void> {
    await this.#call(`remove deployment ${release.id}`, async (client) => {
      try {
        // GitHub deletes only a deployment that is not active; made inactive
        // first, this one is not, whichever way GitHub reads "active".
        await client.rest.repos.createDeploymentStatus({
          owner: this.owner,
          repo: this.repo,
          deployment_id: Number(release.id),
          state: 'inactive',
          description: 'Withdrawn: it changed nothing',
        });
        await client.rest.repos.deleteDeployment({
          owner: this.owner,
          repo: this.repo,
          deployment_id: Number(release.id),
        });
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    });
  }

  async reload(release: Release): Promise<Release | undefined> {
    const deployment = await this.#call(`read deployment ${release.id}`, async (client) => {
      try {
        return (
          await client.rest.repos.getDeployment({
            owner: this.owner,
            repo: this.repo,
            deployment_id: Number(release.id),
          })
        ).data;
      } catch (error) {
        if ((error as { status?: number }).status === 404) return undefined;
        throw error;
      }
    });
    const payload = deployment ? readPayload(deployment.payload) : undefined;
    return deployment && payload ? this.#load(deployment, payload) : undefined;
  }

  /**
   * Marks the earlier live releases of the environment inactive. GitHub's
   * `auto_inactive` does this only outside production (its description: "all
   * prior non-transient, non-production environment deployments"), and
   * production is where "which release is live" matters most, so the ledger
   * does it itself: the newest earlier live release among the SUPERSEDE_SCAN
   * newest deployments (each success leaves one live release, so that is the
   * only one, and the cost is a list and a few status reads). The release is
   * already recorded as live; a failure here is a warning, not a failed release.
   */
  async #supersede(live: Release): Promise<void> {
    // The ledger never sets production_environment, so GitHub's default holds:
    // only the environment named production is one auto_inactive skips.
    if (live.environment !== 'production') return;
    let scanned = 0;
    try {
      for await (const entry of this.#entries(live.environment, new Map(), SUPERSEDE_SCAN)) {
        if (++scanned > SUPERSEDE_SCAN) break;
        const earlier = await entry.load();
        if (
          !earlier ||
          earlier.id === live.id ||
          Number(earlier.id) > Number(live.id) ||
          earlier.status !== 'success'
        )
          continue;
        await this.#addStatus(earlier, {
          status: 'inactive',
          logUrl: earlier.logUrl,
          environmentUrl: earlier.environmentUrl,
        });
        // Each success leaves one live release, so the newest earlier one is the only one.
        return;
      }
    } catch (error) {
      (this.#options.warn ?? runnerLog.warning)(
        `${live.version} is recorded as live in ${live.environment}, but an earlier live release could not be marked inactive, so GitHub may show two active deployments: ${errorMessage(error)}`,
      );
    }
  }

  async history(environment: string, limit = 20): Promise<Release[]> {
    const entries: HistoryEntry[] = [];
    for await (const entry of this.#entries(environment, new Map(), Math.min(limit, 100))) {
      if (entries.length >= limit) break;
      entries.push(entry);
    }
    // A few status reads at a time: parallel enough to be quick, few enough
    // not to trip GitHub's secondary rate limit.
    const releases: Release[] = [];
    for (let i = 0; i < entries.length; i += 4)
      for (const release of await Promise.all(entries.slice(i, i + 4).map((e) => e.load())))
        if (release) releases.push(release);
    return releases;
  }

  current(environment: string): Promise<Release | undefined> {
    return selectCurrent(this.#entries(environment, new Map()));
  }

  async previousGood(environment: string): Promise<Release | undefined> {
    const loaded = new Map<number, Promise<Release | undefined>>();
    const current = await selectCurrent(this.#entries(environment, loaded));
    return selectPreviousGood(this.#entries(environment, loaded), current);
  }

  slots(environment: string): Promise<Record<string, Release>> {
    return selectSlots(this.#entries(environment, new Map()));
  }

  find(environment: string, version: string): Promise<Release | undefined> {
    return selectVersion(this.#entries(environment, new Map()), version);
  }

  rollback(rollback: RecordRollback): Promise<Release> {
    return recordRollback(this, rollback);
  }

  #defaultLogUrl(): string | undefined {
    return this.#options.logUrl ?? runLogUrl();
  }

  async #addStatus(
    release: Release,
    fields: {
      status: ReleaseStatus;
      reason?: string | undefined;
      logUrl?: string | undefined;
      environmentUrl?: string | undefined;
    },
  ): Promise<Release> {
    const status = await this.#call(
      `record status ${fields.status} of ${release.version} in ${release.environment}`,
      async (client) =>
        (
          await client.rest.repos.createDeploymentStatus({
            owner: this.owner,
            repo: this.repo,
            deployment_id: Number(release.id),
            state: fields.status,
            description: truncateDescription(fields.reason ?? ''),
            ...(fields.logUrl ? { log_url: fields.logUrl } : {}),
            ...(fields.environmentUrl ? { environment_url: fields.environmentUrl } : {}),
            // Outside production GitHub makes the release this one replaces
            // inactive; in production #supersede does.
            ...(fields.status === 'success' ? { auto_inactive: true } : {}),
          })
        ).data,
    );
    return applyStatus(release, statusRecord(status));
  }

  /**
   * Glidepath's deployments of an environment, newest first, at most
   * `scanLimit`; each loads its statuses on demand (memoised in `loaded`).
   */
  async *#entries(
    environment: string,
    loaded: Map<number, Promise<Release | undefined>>,
    perPage = 100,
  ): AsyncGenerator<HistoryEntry> {
    const client = await this.#clientOnce();
    const limit = this.#options.scanLimit ?? 100;
    const pages = client.paginate.iterator(client.rest.repos.listDeployments, {
      owner: this.owner,
      repo: this.repo,
      environment,
      task: 'deploy',
      per_page: perPage,
    });
    let seen = 0;
    const iterator = pages[Symbol.asyncIterator]();
    while (seen < limit) {
      let page: IteratorResult<{ data: Deployment[] }>;
      try {
        page = (await iterator.next()) as IteratorResult<{ data: Deployment[] }>;
      } catch (error) {
        throw this.#error(`read the deployments of ${environment}`, error);
      }
      if (page.done) return;
      for (const deployment of page.value.data) {
        if (seen++ >= limit) return;
        const payload = readPayload(deployment.payload);
        if (!payload) continue;
        yield {
          version: payload.version,
          slot: payload.slot,
          ...(payload.flip ? { flip: true } : {}),
          load: () => {
            let release = loaded.get(deployment.id);
            if (!release) {
              release = this.#load(deployment, payload);
              loaded.set(deployment.id, release);
            }
            return release;
          },
        };
      }
    }
  }

  /** The release with its statuses; undefined when the deployment was deleted since it was listed. */
  async #load(deployment: Deployment, payload: GlidepathPayload): Promise<Release | undefined> {
    const statuses = await this.#call(`read the statuses of deployment ${deployment.id}`, async (client) => {
      try {
        return (
          await client.rest.repos.listDeploymentStatuses({
            owner: this.owner,
            repo: this.repo,
            deployment_id: deployment.id,
            per_page: 100,
          })
        ).data;
      } catch (error) {
        if ((error as { status?: number }).status === 404) return undefined;
        throw error;
      }
    });
    if (!statuses) return undefined;
    const start = newRelease({
      id: String(deployment.id),
      environment: deployment.environment,
      ...payload,
      createdAt: deployment.created_at,
    });
    // GitHub lists statuses newest first; they add up oldest first.
    return [...statuses].reverse().map(statusRecord).reduce(applyStatus, start);
  }

  #clientOnce(): Promise<GitHubClient> {
    this.#client ??= this.#options.client
      ? Promise.resolve(this.#options.client)
      : githubClient(this.#options.token, {
          ...(this.#options.baseUrl ? { baseUrl: this.#options.baseUrl } : {}),
        });
    return this.#client;
  }

  async #call<T>(what: string, request: (client: GitHubClient) => Promise<T>): Promise<T> {
    const client = await this.#clientOnce();
    try {
      return await request(client);
    } catch (error) {
      throw this.#error(what, error);
    }
  }

  #error(what: string, error: unknown): OperationError {
    const status = (error as { status?: number }).status;
    const hint =
      status === 401
        ? ' The token was refused.'
        : status === 403 || status === 404
          ? ` The token needs the "deployments: write" permission on ${this.owner}/${this.repo}.`
          : '';
    return new OperationError(`${this.describe()}: could not ${what}: ${errorMessage(error)}.${hint}`, {
      cause: error,
    });
  }
}

function readPayload(payload: unknown): GlidepathPayload | undefined {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!value || typeof value !== 'object') return undefined;
  const { version, slot, commit, rollbackFrom, owner, flip } = value as Record<string, unknown>;
  if (typeof version !== 'string' || typeof slot !== 'string') return undefined;
  const holder = readOwner(owner);
  return {
    version,
    slot,
    ...(typeof commit === 'string' && commit ? { commit } : {}),
    ...(typeof rollbackFrom === 'string' && rollbackFrom ? { rollbackFrom } : {}),
    ...(holder ? { owner: holder } : {}),
    ...(flip === true ? { flip: true } : {}),
  };
}

function readOwner(value: unknown): ReleaseOwner | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { kind, run, attempt } = value as Record<string, unknown>;
  if (kind !== 'shift' && kind !== 'rollback') return undefined;
  return {
    kind,
    ...(typeof run === 'string' && run ? { run } : {}),
    ...(typeof attempt === 'number' && Number.isInteger(attempt) && attempt > 0 ? { attempt } : {}),
  };
}

function statusRecord(status: DeploymentStatus): StatusRecord {
  const state = status.state;
  return {
    status: state === 'queued' || state === 'pending' ? 'in_progress' : state,
    ...(status.description ? { reason: status.description } : {}),
    ...(status.log_url || status.target_url ? { logUrl: status.log_url || status.target_url } : {}),
    ...(status.environment_url ? { environmentUrl: status.environment_url } : {}),
    at: status.created_at,
  };
}
