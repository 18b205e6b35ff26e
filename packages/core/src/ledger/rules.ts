import type { Ledger, RecordRollback, Release, ReleaseOwner, ReleaseStatus } from './ledger.js';

/**
 * What both stores share: how a release's statuses add up to its state, and
 * how the questions of the ledger (what is live, what was good before it, what
 * runs in each slot) are answered from a history read newest first. Keeping
 * this in one place is what makes the two stores give the same answers.
 */

/** GitHub's limit on a deployment status description. */
export const descriptionLimit = 140;

/** `text` cut to GitHub's 140 characters (code points), ending with an ellipsis when cut. */
export function truncateDescription(text: string): string {
  const chars = [...text];
  return chars.length <= descriptionLimit ? text : `${chars.slice(0, descriptionLimit - 1).join('')}…`;
}

/** The URL of the running workflow run, if this runs in GitHub Actions. */
export function runLogUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: run } = env;
  return server && repository && run ? `${server}/${repository}/actions/runs/${run}` : undefined;
}

/** One status as both stores keep it. */
export interface StatusRecord {
  status: ReleaseStatus;
  reason?: string;
  logUrl?: string;
  environmentUrl?: string;
  at: string;
}

/**
 * Adds one status to a release. An in-progress status after the release
 * ended changes nothing, nor does a success after a failure or error (a
 * writer whose entry was ended by another, racing it). `good` follows the last status other than
 * `inactive`; an `inactive` status without a description (what GitHub's
 * auto_inactive writes) keeps the reason of the verdict before it.
 */
export function applyStatus(release: Release, record: StatusRecord): Release {
  // An ended entry stays ended: a holder's heartbeat that crossed the status
  // which ended it (a rollback taking over) must not make it look alive again.
  if (record.status === 'in_progress' && release.status !== 'in_progress') return release;
  // Nor does a verdict of success undo a failure or error recorded first.
  if (record.status === 'success' && (release.status === 'failure' || release.status === 'error'))
    return release;
  const next: Release = {
    ...release,
    status: record.status,
    updatedAt: record.at,
    good: record.status === 'success' ? true : record.status === 'inactive' ? release.good : false,
  };
  if (record.reason) next.reason = record.reason;
  else if (record.status !== 'inactive') delete next.reason;
  if (record.logUrl) next.logUrl = record.logUrl;
  if (record.environmentUrl) next.environmentUrl = record.environmentUrl;
  return next;
}

/** A release as recorded, before any status: in progress, not (yet) good. */
export function newRelease(fields: {
  id: string;
  environment: string;
  version: string;
  slot: string;
  commit?: string | undefined;
  rollbackFrom?: string | undefined;
  owner?: ReleaseOwner | undefined;
  flip?: boolean | undefined;
  createdAt: string;
}): Release {
  return {
    id: fields.id,
    environment: fields.environment,
    version: fields.version,
    slot: fields.slot,
    ...(fields.commit ? { commit: fields.commit } : {}),
    ...(fields.rollbackFrom ? { rollbackFrom: fields.rollbackFrom } : {}),
    ...(fields.owner ? { owner: fields.owner } : {}),
    ...(fields.flip ? { flip: true } : {}),
    status: 'in_progress',
    good: false,
    createdAt: fields.createdAt,
    updatedAt: fields.createdAt,
  };
}

/**
 * A release in a history read newest first. Version and slot are known from
 * the listing; the full release (statuses included) may cost a request, so it
 * is loaded only when a question needs it.
 */
export interface HistoryEntry {
  version: string;
  slot: string;
  /** A rollback's flip (see `Release.flip`). */
  flip?: boolean;
  /** Undefined when the entry was removed since it was listed (a refused writer's, see `Ledger.discard`). */
  load(): Promise<Release | undefined>;
}

/**
 * A flip that did not succeed (cut off, refused, taken over) changed nothing
 * in its slot, so the questions of what runs where and how a version was last
 * recorded pass over it.
 */
async function unsettledFlip(entry: HistoryEntry): Promise<boolean> {
  if (!entry.flip) return false;
  const release = await entry.load();
  return !release?.good;
}

/** A history to read with `for await`: an array (the file) or pages fetched as needed (GitHub). */
export type History = AsyncIterable<HistoryEntry> | Iterable<HistoryEntry>;

export async function selectCurrent(entries: History): Promise<Release | undefined> {
  for await (const entry of entries) {
    const release = await entry.load();
    if (release?.status === 'success') return release;
  }
  return undefined;
}

export async function selectPreviousGood(
  entries: History,
  current: Release | undefined,
): Promise<Release | undefined> {
  for await (const entry of entries) {
    // Returning to the version that is live already would not be a rollback.
    if (current && entry.version === current.version) continue;
    const release = await entry.load();
    if (release?.good) return release;
  }
  return undefined;
}

export async function selectSlots(entries: History): Promise<Record<string, Release>> {
  const slots: Record<string, Release> = {};
  for await (const entry of entries) {
    if (entry.slot in slots || (await unsettledFlip(entry))) continue;
    const release = await entry.load();
    if (release) slots[entry.slot] = release;
  }
  return slots;
}

export async function selectVersion(entries: History, version: string): Promise<Release | undefined> {
  for await (const entry of entries) {
    if (entry.version !== version || (await unsettledFlip(entry))) continue;
    const release = await entry.load();
    if (release) return release;
  }
  return undefined;
}

/** The rollback recording both stores share, through the ledger's own begin/finish. */
export async function recordRollback(ledger: Ledger, rollback: RecordRollback): Promise<Release> {
  const { from, to, reason } = rollback;
  const links = {
    ...(rollback.logUrl ? { logUrl: rollback.logUrl } : {}),
    ...(rollback.environmentUrl ? { environmentUrl: rollback.environmentUrl } : {}),
  };
  // The abandoned release first: marked failure before the restored one
  // succeeds, so GitHub's auto_inactive never touches it and the environment
  // shows the restored release as the only active one.
  if (from && from.status !== 'failure' && from.status !== 'error')
    await ledger.finish(from, { status: 'failure', reason: `Rolled back: ${reason}`, ...links });
  const restored =
    rollback.recorded ??
    (await ledger.begin({
      environment: rollback.environment,
      version: to.version,
      slot: to.slot,
      ...(to.commit ? { commit: to.commit } : {}),
      ...(from ? { rollbackFrom: from.version } : {}),
      description: `Rollback to ${to.version}${from ? ` from ${from.version}` : ''}`,
      ...links,
    }));
  return ledger.finish(restored, {
    status: 'success',
    reason: `Rollback${from ? ` from ${from.version}` : ''}: ${reason}`,
    ...links,
  });
}
