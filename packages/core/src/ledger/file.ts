import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomically } from '../atomic-write.js';
import { OperationError } from '../errors.js';
import type { LedgerFile, ReleaseRecord } from './file-schema.js';
import type { BeginRelease, FinishRelease, Ledger, RecordRollback, Release } from './ledger.js';
import { type LockOptions, withFileLock } from './lock.js';
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
} from './rules.js';

/**
 * The ledger as a JSON file, for local runs and the demo. Every change is a
 * read-modify-write under a lock file, and the new content replaces the old
 * in one rename after an fsync, so a reader sees the old file or the new one,
 * never half of one, and a crash cannot corrupt it. Readers take no lock.
 */

/** The format version this code writes and reads; a newer file is refused. */
export const formatVersion = 1;

export interface FileLedgerOptions extends Pick<LockOptions, 'timeoutMs' | 'staleMs'> {
  /** Clock for timestamps (tests). */
  now?: () => Date;
}

export class FileLedger implements Ledger {
  readonly file: string;
  readonly #options: FileLedgerOptions;
  /** Writers of this instance queue here, so they do not compete for the lock file among themselves. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: string, options: FileLedgerOptions = {}) {
    this.file = path.resolve(file);
    this.#options = options;
  }

  describe(): string {
    return `ledger file ${path.relative(process.cwd(), this.file) || this.file}`;
  }

  async begin(release: BeginRelease): Promise<Release> {
    const logUrl = release.logUrl ?? runLogUrl();
    const record = await this.#update((data) => {
      const record: ReleaseRecord = {
        id: String(data.nextId++),
        environment: release.environment,
        version: release.version,
        slot: release.slot,
        ...(release.commit ? { commit: release.commit } : {}),
        ...(release.rollbackFrom ? { rollbackFrom: release.rollbackFrom } : {}),
        ...(release.owner ? { owner: release.owner } : {}),
        ...(release.flip ? { flip: true } : {}),
        createdAt: this.#now(),
        statuses: [],
      };
      record.statuses.push({
        status: 'in_progress',
        reason: release.description ?? `${release.version} to slot ${release.slot}`,
        ...(logUrl ? { logUrl } : {}),
        ...(release.environmentUrl ? { environmentUrl: release.environmentUrl } : {}),
        at: record.createdAt,
      });
      data.releases.push(record);
      return record;
    });
    return toRelease(record);
  }

  async heartbeat(release: Release): Promise<Release | undefined> {
    const record = await this.#update((data) => {
      const record = data.releases.find((r) => r.id === release.id && r.environment === release.environment);
      const last = record?.statuses.at(-1);
      // An entry someone ended stays ended; the caller sees its status.
      if (last?.status === 'in_progress') record!.statuses.push({ ...last, at: this.#now() });
      return record;
    });
    return record && toRelease(record);
  }

  async reload(release: Release): Promise<Release | undefined> {
    const data = await this.#read();
    const record = data.releases.find((r) => r.id === release.id && r.environment === release.environment);
    return record ? toRelease(record) : undefined;
  }

  async discard(release: Release): Promise<void> {
    await this.#update((data) => {
      data.releases = data.releases.filter(
        (r) => !(r.id === release.id && r.environment === release.environment),
      );
    });
  }

  #record(data: LedgerFile, release: Release, purpose: string): ReleaseRecord {
    const record = data.releases.find((r) => r.id === release.id && r.environment === release.environment);
    if (!record)
      throw new OperationError(
        `${this.describe()} has no release ${release.id} (${release.version}) ${purpose}.`,
      );
    return record;
  }

  async finish(release: Release, outcome: FinishRelease): Promise<Release> {
    const record = await this.#update((data) => {
      const record = this.#record(data, release, 'to finish');
      const at = this.#now();
      const logUrl = outcome.logUrl ?? release.logUrl;
      const environmentUrl = outcome.environmentUrl ?? release.environmentUrl;
      record.statuses.push({
        status: outcome.status,
        ...(outcome.reason ? { reason: outcome.reason } : {}),
        ...(logUrl ? { logUrl } : {}),
        ...(environmentUrl ? { environmentUrl } : {}),
        at,
      });
      // GitHub's auto_inactive, mirrored: a new live release supersedes the
      // earlier live ones of its environment.
      if (outcome.status === 'success') {
        for (const other of data.releases) {
          if (
            other.environment === record.environment &&
            Number(other.id) < Number(record.id) &&
            other.statuses.at(-1)?.status === 'success'
          )
            other.statuses.push({ status: 'inactive', at });
        }
      }
      return record;
    });
    return toRelease(record);
  }

  async history(environment: string, limit = 20): Promise<Release[]> {
    return (await this.#newestFirst(environment)).slice(0, limit).map(toRelease);
  }

  async current(environment: string): Promise<Release | undefined> {
    return selectCurrent(await this.#entries(environment));
  }

  async previousGood(environment: string): Promise<Release | undefined> {
    const entries = await this.#entries(environment);
    return selectPreviousGood(entries, await selectCurrent(entries));
  }

  async slots(environment: string): Promise<Record<string, Release>> {
    return selectSlots(await this.#entries(environment));
  }

  async find(environment: string, version: string): Promise<Release | undefined> {
    return selectVersion(await this.#entries(environment), version);
  }

  rollback(rollback: RecordRollback): Promise<Release> {
    return recordRollback(this, rollback);
  }

  #now(): string {
    return (this.#options.now?.() ?? new Date()).toISOString();
  }

  async #newestFirst(environment: string): Promise<ReleaseRecord[]> {
    const data = await this.#read();
    return data.releases
      .filter((r) => r.environment === environment)
      .sort((a, b) => Number(b.id) - Number(a.id));
  }

  /** One read of the file, served as a history (an array is an async iterable to `for await`). */
  async #entries(environment: string): Promise<HistoryEntry[]> {
    return (await this.#newestFirst(environment)).map((record) => ({
      version: record.version,
      slot: record.slot,
      ...(record.flip ? { flip: true } : {}),
      load: async () => toRelease(record),
    }));
  }

  async #read(): Promise<LedgerFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { version: formatVersion, nextId: 1, releases: [] };
      throw new OperationError(`Cannot read ${this.describe()}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new OperationError(
        `${this.describe()} is not valid JSON (${(error as Error).message}); it was left untouched: fix it or move it away.`,
      );
    }
    const version = (json as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && version > formatVersion)
      throw new OperationError(
        `${this.describe()} has format version ${version}, written by a newer Glidepath; this one reads version ${formatVersion}.`,
      );
    // zod is loaded when a ledger file is first read, not when every action starts.
    const { fileSchema } = await import('./file-schema.js');
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success)
      throw new OperationError(
        `${this.describe()} is not a Glidepath ledger: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')}. It was left untouched.`,
      );
    return parsed.data;
  }

  /** Read-modify-write under the lock; the change is written atomically. */
  #update<T>(change: (data: LedgerFile) => T): Promise<T> {
    const run = async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      return withFileLock(
        `${this.file}.lock`,
        async (held) => {
          const data = await this.#read();
          const result = change(data);
          // A writer stopped long enough to lose the lock must not overwrite the next one's change.
          await held();
          await writeAtomically(this.file, `${JSON.stringify(data, null, 2)}\n`);
          return result;
        },
        this.#options,
      );
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

function toRelease(record: ReleaseRecord): Release {
  return record.statuses.reduce(
    (release: Release, status: StatusRecord) => applyStatus(release, status),
    newRelease(record),
  );
}
