import { errorMessage, OperationError } from '../errors.js';
import type { Ledger, Release, ReleaseOwner } from './ledger.js';

/**
 * How the writers of one environment take turns: canary shifts and rollbacks,
 * which may run at the same time (rollbacks deliberately share no concurrency
 * group with deploys, so that none is dropped or kept waiting).
 *
 * Neither store offers a compare-and-swap, but both hand out increasing ids
 * and record an entry in one step, and that is enough. A writer first records
 * its own entry (in progress, with its `owner`), then reads the environment's
 * other entries in progress. Of two writers, the later one always sees the
 * earlier, because it records before it reads; so the rule "the earliest
 * living entry goes first" has one winner in every interleaving:
 *
 * - a shift goes on only when no earlier shift and no rollback is alive; it
 *   ends its own entry and refuses otherwise;
 * - a rollback waits for an earlier rollback that is alive, and takes over
 *   from any shift that is alive: it ends the shift's entry as `error`
 *   before it moves traffic. The shift checks its entry before and after
 *   every traffic change (`check`), and its heartbeat notices sooner: once its
 *   entry is ended it changes nothing more, except to put back the rollback's
 *   slot when its own last change may have landed after the rollback's.
 *
 * An entry is alive while its holder writes a heartbeat (a fresh in-progress
 * status) at least every `staleMs`; an entry left by an earlier attempt of the
 * same workflow run is abandoned at once (GitHub runs one attempt at a time).
 * Abandoned entries are closed as `error` by whoever finds them. A holder
 * paused for longer than `staleMs` can be taken over; it finds out at its
 * next check and stops, having made at most the one change it was making.
 */

export interface ClaimOptions {
  /** An entry whose holder has not written for this long is abandoned; default 5 minutes. */
  staleMs?: number;
  /** How often the holder writes its heartbeat; default a minute. */
  heartbeatMs?: number;
  /** For a rollback: how long to wait for an earlier rollback, default 10 minutes. */
  waitMs?: number;
  /** How often a waiting rollback reads the ledger again; default 2 s. */
  pollMs?: number;
  now?: () => number;
  log?: (line: string) => void;
  /** The reason a rollback gives the shift it takes over. */
  reason?: string;
  sleep?: (ms: number) => Promise<void>;
  /**
   * What a refused shift does with its own entry: `discard` (default) removes
   * it, for an entry recorded just now that changed nothing; `error` ends it,
   * for a resumed entry whose slot an earlier run did touch.
   */
  onRefusal?: 'discard' | 'error';
}

export const defaultStaleMs = 5 * 60_000;
export const defaultHeartbeatMs = 60_000;

/** This writer's owner record, from the run it belongs to. */
export function ownerOf(kind: ReleaseOwner['kind'], env: NodeJS.ProcessEnv = process.env): ReleaseOwner {
  const attempt = Number(env.GITHUB_RUN_ATTEMPT);
  return {
    kind,
    ...(env.GITHUB_RUN_ID ? { run: env.GITHUB_RUN_ID } : {}),
    ...(Number.isInteger(attempt) && attempt > 0 ? { attempt } : {}),
  };
}

/** An entry is in the way of another writer: it refused (a shift) or gave up waiting (a rollback). */
export class ClaimRefusedError extends OperationError {
  override readonly name = 'ClaimRefusedError';
  constructor(
    message: string,
    readonly holder: Release,
  ) {
    super(message);
  }
}

export type ClaimStanding = 'held' | 'lost' | 'unknown';

/** What a shift asks of its claim (see `ShiftDependencies.claim`). */
export interface TrafficClaim {
  /** Reads the entry: still in progress (`held`), ended by someone else (`lost`), or unreadable (`unknown`). */
  check(): Promise<ClaimStanding>;
  /** Aborted once the heartbeat or a check finds the entry ended by someone else. */
  readonly signal: AbortSignal;
  /** Why the claim was lost, once it was. */
  readonly lostReason: string | undefined;
  /**
   * The rollback that took over, once it has ended (waited for up to
   * `maxMs`): when it succeeded, its slot is where traffic belongs.
   * Undefined when the ledger shows none, or it has not ended by then.
   */
  takeover(maxMs?: number): Promise<Release | undefined>;
}

interface Judged {
  alive: Release[];
  abandoned: { release: Release; why: string }[];
}

function describeEntry(release: Release): string {
  const who = release.owner?.kind ?? 'release';
  const run = release.logUrl ? `, ${release.logUrl}` : release.owner?.run ? `, run ${release.owner.run}` : '';
  return `${who} of ${release.version} into ${release.slot} (ledger entry ${release.id}${run})`;
}

export class EnvironmentClaim implements TrafficClaim {
  readonly #ledger: Ledger;
  readonly #options: ClaimOptions;
  readonly #controller = new AbortController();
  #release: Release;
  #timer: NodeJS.Timeout | undefined;
  #lostReason: string | undefined;
  #warned = false;
  #beating: Promise<void> = Promise.resolve();
  /** Shifts this claim (a rollback's) ended before moving traffic. */
  readonly preempted: Release[];
  /** True when a rollback waited for an earlier one: what it read before may have changed. */
  waited = false;
  /** Abandoned entries this claim closed. */
  closed: Release[] = [];

  private constructor(ledger: Ledger, release: Release, options: ClaimOptions, preempted: Release[]) {
    this.#ledger = ledger;
    this.#release = release;
    this.#options = options;
    this.preempted = preempted;
    const every = options.heartbeatMs ?? defaultHeartbeatMs;
    this.#timer = setInterval(() => {
      this.#beating = this.#beat();
    }, every);
    this.#timer.unref();
  }

  /**
   * Takes the environment for `mine`, an entry this writer has just recorded
   * (or, for a resumed shift, the abandoned entry it carries on). Closes
   * abandoned entries; a shift refuses (its entry ended as `error`) when an
   * earlier shift or any rollback is alive; a rollback waits for an earlier
   * rollback and takes over from any shift. Starts the heartbeat.
   */
  static async take(ledger: Ledger, mine: Release, options: ClaimOptions = {}): Promise<EnvironmentClaim> {
    const kind = mine.owner?.kind ?? 'shift';
    const now = options.now ?? Date.now;
    const log = options.log ?? (() => undefined);
    const waitUntil = now() + (options.waitMs ?? 10 * 60_000);
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    let announced = false;
    const closed: Release[] = [];
    // A resumed entry was silent until now: alive again before anyone judges it.
    if (now() - Date.parse(mine.updatedAt) >= (options.heartbeatMs ?? defaultHeartbeatMs)) {
      const revived = await ledger.heartbeat(mine);
      if (revived?.status !== 'in_progress')
        throw new ClaimRefusedError(`Ledger entry ${mine.id} was ended by another writer.`, revived ?? mine);
      mine = revived;
    }
    for (;;) {
      const judged = await judge(ledger, mine, options);
      for (const { release, why } of judged.abandoned) {
        const ended = await end(ledger, release, `Abandoned: ${why}.`, log);
        if (ended) {
          closed.push(ended);
          log(`Closed ${describeEntry(release)}: ${why}.`);
        }
      }
      const earlier = (r: Release) => Number(r.id) < Number(mine.id);
      if (kind === 'shift') {
        const blocker =
          judged.alive.find((r) => r.owner?.kind === 'rollback') ??
          judged.alive.find((r) => r.owner?.kind !== 'rollback' && earlier(r));
        if (blocker) {
          const message =
            blocker.owner?.kind === 'rollback'
              ? `A rollback of ${mine.environment} is in progress: ${describeEntry(blocker)}. This shift does not start while it runs.`
              : `Another release of ${mine.environment} is in progress: ${describeEntry(blocker)}, last heard from ${blocker.updatedAt}. Only one shift changes an environment's traffic at a time.`;
          await refuse(ledger, mine, message, options.onRefusal ?? 'discard', log);
          throw new ClaimRefusedError(message, blocker);
        }
        const claim = new EnvironmentClaim(ledger, mine, options, []);
        claim.closed = closed;
        return claim;
      }
      const waitingFor = judged.alive.find((r) => r.owner?.kind === 'rollback' && earlier(r));
      if (waitingFor) {
        if (now() >= waitUntil)
          throw new ClaimRefusedError(
            `An earlier rollback of ${mine.environment} is still in progress: ${describeEntry(waitingFor)}; gave up waiting for it.`,
            waitingFor,
          );
        if (!announced) log(`Waiting for an earlier rollback to finish: ${describeEntry(waitingFor)}.`);
        announced = true;
        // The waiting entry must stay alive, or the rollbacks after it would pass it.
        const alive = await ledger.heartbeat(mine);
        if (alive?.status !== 'in_progress')
          throw new ClaimRefusedError(
            `This rollback's ledger entry ${mine.id} was ended by another writer while it waited.`,
            alive ?? mine,
          );
        mine = alive;
        await sleep(Math.max(0, Math.min(options.pollMs ?? 2000, waitUntil - now())));
        continue;
      }
      const preempted: Release[] = [];
      for (const shift of judged.alive.filter((r) => r.owner?.kind !== 'rollback')) {
        // Ended before traffic moves: from this status on, the shift changes nothing.
        // `error`: the shift may have been deploying into its slot, which now runs part of anything.
        const ended = await end(
          ledger,
          shift,
          `Taken over by a rollback (ledger entry ${mine.id}): ${options.reason ?? 'rolled back'}`,
          log,
        );
        if (ended) {
          log(`Took over from ${describeEntry(shift)}: it moves no more traffic.`);
          preempted.push(ended);
        }
      }
      const claim = new EnvironmentClaim(ledger, mine, options, preempted);
      claim.waited = announced;
      claim.closed = closed;
      return claim;
    }
  }

  get release(): Release {
    return this.#release;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get lostReason(): string | undefined {
    return this.#lostReason;
  }

  async check(): Promise<ClaimStanding> {
    if (this.#lostReason !== undefined) return 'lost';
    let now: Release | undefined;
    try {
      now = await this.#ledger.reload(this.#release);
    } catch (error) {
      this.#options.log?.(`Could not read ledger entry ${this.#release.id}: ${errorMessage(error)}`);
      return 'unknown';
    }
    return this.#judgeOwn(now);
  }

  async takeover(maxMs = 15 * 60_000): Promise<Release | undefined> {
    const now = this.#options.now ?? Date.now;
    const until = now() + maxMs;
    const sleep =
      this.#options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (;;) {
      const recent = await this.#ledger.history(this.#release.environment, 20);
      const rollback = recent.find(
        (r) => r.owner?.kind === 'rollback' && Number(r.id) > Number(this.#release.id),
      );
      if (!rollback) return undefined;
      if (rollback.status !== 'in_progress') return rollback;
      if (now() >= until) return undefined;
      await sleep(Math.min(this.#options.pollMs ?? 2000, Math.max(0, until - now())));
    }
  }

  /**
   * Stops the heartbeat and waits for one already on its way, so that no
   * heartbeat lands after the caller finishes the entry.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#beating;
  }

  #judgeOwn(now: Release | undefined): ClaimStanding {
    if (now?.status === 'in_progress') {
      this.#release = now;
      return 'held';
    }
    this.#lostReason = now
      ? `ledger entry ${now.id} was ended by another writer (${now.status}${now.reason ? `: ${now.reason}` : ''})`
      : `ledger entry ${this.#release.id} is gone`;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#controller.abort(new OperationError(this.#lostReason));
    return 'lost';
  }

  async #beat(): Promise<void> {
    if (this.#timer === undefined) return;
    try {
      this.#judgeOwn(await this.#ledger.heartbeat(this.#release));
      this.#warned = false;
    } catch (error) {
      if (!this.#warned)
        this.#options.log?.(
          `Could not write the heartbeat of ledger entry ${this.#release.id}: ${errorMessage(error)}`,
        );
      this.#warned = true;
    }
  }
}

/**
 * Ends another writer's entry as `error`. An entry removed meanwhile (its
 * writer was refused) needs nothing; any other failure is logged, and the
 * caller goes on: a rollback is not held up by a ledger that will not write.
 */
async function end(
  ledger: Ledger,
  release: Release,
  reason: string,
  log: (line: string) => void,
): Promise<Release | undefined> {
  try {
    return await ledger.finish(release, { status: 'error', reason });
  } catch (error) {
    const now = await ledger.reload(release).catch(() => release);
    if (now === undefined) return undefined;
    log(`Could not end ${describeEntry(release)}: ${errorMessage(error)}`);
    return undefined;
  }
}

/** Removes or ends a refused shift's own entry; a store that refuses both is logged. */
async function refuse(
  ledger: Ledger,
  mine: Release,
  message: string,
  how: 'discard' | 'error',
  log: (line: string) => void,
): Promise<void> {
  if (how === 'discard') {
    try {
      await ledger.discard(mine);
      return;
    } catch (error) {
      log(`Could not remove ledger entry ${mine.id}: ${errorMessage(error)}; ending it instead.`);
    }
  }
  await ledger
    .finish(mine, { status: 'error', reason: `Not started: ${message}` })
    .catch((error) => log(`Could not end ledger entry ${mine.id}: ${errorMessage(error)}`));
}

/**
 * Why an entry in progress is abandoned — left by an earlier attempt of the
 * writer's own run, or silent for `staleMs` — or undefined while its holder lives.
 */
export function abandonment(
  other: Release,
  me: ReleaseOwner | undefined,
  options: Pick<ClaimOptions, 'staleMs' | 'now'> = {},
): string | undefined {
  if (earlierAttempt(other, me))
    return `left by attempt ${other.owner?.attempt ?? 1} of run ${other.owner?.run}, which is over`;
  const staleMs = options.staleMs ?? defaultStaleMs;
  const silentMs = (options.now ?? Date.now)() - Date.parse(other.updatedAt);
  if (!(silentMs < staleMs))
    return `its holder has not written since ${other.updatedAt} (more than ${Math.round(staleMs / 1000)} s)`;
  return undefined;
}

/**
 * True when `other` was left by an earlier attempt of this writer's own run:
 * GitHub runs one attempt at a time, so its writer is gone for certain.
 */
export function earlierAttempt(other: Release, me: ReleaseOwner | undefined): boolean {
  return (
    other.owner?.run !== undefined &&
    other.owner.run === me?.run &&
    (other.owner.attempt ?? 1) < (me?.attempt ?? 1)
  );
}

/**
 * The environment's other entries in progress, alive or abandoned. Silence is
 * measured on the store's own clock — from this writer's entry, written just
 * before — so a runner whose clock is off does not take living entries for
 * abandoned ones.
 */
async function judge(ledger: Ledger, mine: Release, options: ClaimOptions): Promise<Judged> {
  const written = Date.parse(mine.updatedAt);
  const local = Date.now();
  const now = options.now ?? (() => written + (Date.now() - local));
  const recent = await ledger.history(mine.environment, 20);
  const judged: Judged = { alive: [], abandoned: [] };
  for (const other of recent) {
    if (other.id === mine.id || other.status !== 'in_progress') continue;
    const why = abandonment(other, mine.owner, { ...options, now });
    if (why) judged.abandoned.push({ release: other, why });
    else judged.alive.push(other);
  }
  return judged;
}
