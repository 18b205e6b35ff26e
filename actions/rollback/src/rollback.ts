import {
  allTo,
  type ClaimOptions,
  type Clock,
  EnvironmentClaim,
  errorMessage,
  formatWeights,
  GlidepathError,
  type Ledger,
  type Logger,
  ownerOf,
  type Release,
  type Router,
  restoreLive,
  systemClock,
  verifyOrSet,
  type Weights,
} from '@glidepath/core';

/** What the rollback needs from the outside world, passed in so it can be tested without the runner. */
export interface RollbackDependencies {
  router: Router;
  ledger: Ledger;
  slotNames: readonly [string, string];
  /**
   * Starts `version` in the idle `slot` (redeploy-command or slot-deployments),
   * given the weights just read; resolves to a line saying what it did.
   * Undefined when neither was given.
   */
  redeploy?: (version: string, slot: string, live: string, weights: Weights) => Promise<string>;
  /**
   * Probes the slot about to take traffic (running `version`, taking over from
   * `live`); undefined when no URL was given. Resolves to a failure text or undefined.
   */
  probe?: (slot: string, version: string, live: string) => Promise<string | undefined>;
  /**
   * Asks the slot which version it runs (`version-field` in the probe's
   * answer); undefined when no such field was given. Resolves to the version,
   * or to why it could not be read.
   */
  slotVersion?: (
    slot: string,
    version: string,
    live: string,
  ) => Promise<{ version?: string; problem?: string }>;
  log: Pick<Logger, 'info' | 'warning'>;
  clock?: Clock;
  /** How this rollback takes turns with other writers of the environment. */
  claim?: ClaimOptions;
}

export interface RollbackRequest {
  environment: string;
  to: string;
  reason: string;
  force: boolean;
}

export interface RollbackOutcome {
  /** The release traffic left, when the ledger knew one. */
  from?: Release;
  /** Shifts in progress that this rollback stopped before it moved traffic. */
  preempted: Release[];
  /** The release recorded as restored. */
  restored: Release;
  slot: string;
  before: Weights;
  after: Weights;
  /** What started the release in the slot first, when it had to be; undefined for a flip. */
  redeployed: string | undefined;
  /** True when traffic already went to that release and nothing changed. */
  alreadyLive: boolean;
  /** From the start to the verified flip (ledger recording not included). */
  durationMs: number;
  flipMs: number;
}

/**
 * Returns the environment to a known good release. The fast path — the
 * release still runs in the other slot — is one verified router change and no
 * staged analysis: when things are bad, speed is what matters. Every check that
 * can refuse (no earlier good release, a release that no longer runs and no
 * way to redeploy it, a failing probe) runs before traffic moves, so a refused
 * rollback leaves traffic exactly as it was.
 */
export async function rollBack(
  request: RollbackRequest,
  deps: RollbackDependencies,
): Promise<RollbackOutcome> {
  const now = () => (deps.clock ?? systemClock).now();
  const started = now();
  // A rollback that had to wait for an earlier one, or that stopped a shift,
  // decides again from what they left; a few rounds, and one bound on all the
  // waiting, keep a stream of rollbacks finite.
  const rounds: Rounds = { preempted: [], waitUntil: started + (deps.claim?.waitMs ?? 10 * 60_000) };
  for (let round = 1; ; round++) {
    const outcome = await attempt(request, deps, started, round < 5, rounds);
    if (outcome) return outcome;
    deps.log.info('Another writer changed the environment before this rollback acted: deciding again.');
  }
}

interface Rounds {
  /** Shifts stopped in earlier rounds. */
  preempted: Release[];
  /** When waiting for earlier rollbacks ends, whatever the round. */
  waitUntil: number;
}

async function attempt(
  request: RollbackRequest,
  deps: RollbackDependencies,
  started: number,
  mayRetry: boolean,
  rounds: Rounds,
): Promise<RollbackOutcome | undefined> {
  const now = () => (deps.clock ?? systemClock).now();
  const { router, ledger, log } = deps;
  const [before, current, slotReleases] = await Promise.all([
    router.read(),
    ledger.current(request.environment),
    ledger.slots(request.environment),
  ]);
  const live = liveSlot(before, deps.slotNames);
  log.info(`Traffic now: ${formatWeights(before)} (${router.describe()}).`);
  log.info(
    current
      ? `Current release: ${current.version} in ${current.slot}.`
      : 'The ledger has no current release.',
  );

  const target = await chooseTarget(request, ledger, current);
  log.info(`Rolling back to ${target.version} (recorded ${target.createdAt}, status ${target.status}).`);

  // Where does that release run? If the newest release recorded in a slot is
  // that version, it still runs there: no newer release replaced it.
  // Only an entry whose deploy is known to have finished counts: an `error` or
  // `in_progress` entry is a deploy (or redeploy) that failed or was cut off,
  // after which the slot may run part of anything.
  let runningIn = deps.slotNames.find((slot) => {
    const newest = slotReleases[slot];
    return newest?.version === target.version && newest.status !== 'error' && newest.status !== 'in_progress';
  });
  const unsettled = deps.slotNames.find(
    (slot) => slotReleases[slot]?.version === target.version && slot !== runningIn,
  );
  if (runningIn === undefined && unsettled !== undefined)
    log.info(
      `The ledger's last entry for ${unsettled} is ${target.version}, but ${slotReleases[unsettled]!.status === 'error' ? 'its deploy failed' : 'its deploy never finished'}: ${unsettled} is not trusted to run it.`,
    );
  // The ledger's word is checked against the slot itself when it can say which
  // version it runs: someone may have deployed there outside Glidepath.
  if (runningIn !== undefined && deps.slotVersion && !(runningIn === live && before[live] === 100)) {
    const reported = await deps.slotVersion(runningIn, target.version, live);
    if (reported.version === undefined) {
      if (!request.force)
        throw new GlidepathError(
          `The ledger says ${target.version} runs in ${runningIn}, but ${runningIn} did not say which version it runs (${reported.problem}). Traffic was not changed; set force: true to flip anyway.`,
        );
      log.info(
        `${runningIn} did not say which version it runs (${reported.problem}); going on because force is true.`,
      );
    } else if (reported.version !== target.version) {
      log.info(
        `The ledger says ${target.version} runs in ${runningIn}, but ${runningIn} answers ${reported.version}: it is not trusted to run ${target.version}.`,
      );
      if (runningIn === live || (before[runningIn] ?? 0) > 0 || !deps.redeploy)
        throw new GlidepathError(
          `${runningIn} runs ${reported.version}, not ${target.version} as the ledger says` +
            ((before[runningIn] ?? 0) > 0
              ? `, and it takes ${before[runningIn]}% of traffic, so it cannot be redeployed now`
              : ', and neither redeploy-command nor slot-deployments was given to start it there') +
            '. Traffic was not changed.',
        );
      runningIn = undefined;
    } else log.info(`${runningIn} answers ${reported.version}, as the ledger says.`);
  }
  /** Ends an entry of this rollback as `error`; a ledger that refuses is logged, not thrown over the cause. */
  const recordError = (release: Release, reason: string) =>
    ledger.finish(release, { status: 'error', reason }).then(
      () => undefined,
      (failure: unknown) =>
        log.warning(`Could not record in the ledger (${reason}): ${errorMessage(failure)}`),
    );
  const alreadyLive = runningIn !== undefined && runningIn === live && before[live] === 100;
  const slot = runningIn ?? deps.slotNames.find((s) => s !== live)!;
  if (runningIn === undefined) {
    const there = slotReleases[slot];
    if ((before[slot] ?? 0) > 0)
      throw new GlidepathError(
        `${target.version} no longer runs in either slot, and the other slot (${slot}) still takes ${before[slot]}% of traffic ` +
          `(${formatWeights(before)}): redeploying it would replace what those users are served. Traffic was not changed; ` +
          'return all traffic to one slot first (rollback to: current), then roll back again.',
      );
    if (!deps.redeploy)
      throw new GlidepathError(
        `${target.version} no longer runs in either slot (${slot} runs ${there?.version ?? 'nothing the ledger knows'}${there && (there.status === 'error' || there.status === 'in_progress') ? `, whose deploy ${there.status === 'error' ? 'failed' : 'never finished'}` : ''}), ` +
          'and neither redeploy-command nor slot-deployments was given to start it there. Traffic was not changed.',
      );
  }

  // This rollback's turn: its entry is recorded before anything changes — a
  // flip when the release still runs in its slot, else the redeploy (so if it
  // fails halfway, the ledger says the slot runs part of this version, not
  // what it ran before). Taking the environment waits for an earlier rollback
  // and stops any shift in progress, so no shift moves traffic after this.
  const entry = await ledger.begin({
    environment: request.environment,
    version: target.version,
    slot,
    ...(target.commit ? { commit: target.commit } : {}),
    ...(current && current.version !== target.version ? { rollbackFrom: current.version } : {}),
    description:
      runningIn === undefined
        ? `rollback: redeploying ${target.version} into ${slot}`
        : `rollback: traffic to ${target.version} in ${slot}`,
    owner: ownerOf('rollback'),
    ...(runningIn !== undefined ? { flip: true } : {}),
  });
  /** Removes this rollback's entry, which changed nothing; a store that refuses gets it ended instead. */
  const withdraw = (why: string) =>
    ledger.discard(entry).catch(() => recordError(entry, `Not started: ${why}`));
  let claim: EnvironmentClaim;
  try {
    claim = await EnvironmentClaim.take(ledger, entry, {
      ...deps.claim,
      waitMs: Math.max(0, rounds.waitUntil - now()),
      log: (line) => log.info(line),
      reason: request.reason,
    });
  } catch (error) {
    await withdraw(errorMessage(error));
    throw error;
  }
  rounds.preempted.push(...claim.preempted);
  try {
    if (claim.waited || claim.preempted.length > 0) {
      // What was read before may be out of date (an earlier rollback acted, a
      // stopped shift was deploying or moving traffic); nothing was touched yet.
      await withdraw('another writer changed the environment first');
      if (mayRetry) return undefined;
      throw new GlidepathError(
        `Other writers kept changing ${request.environment} while this rollback waited; it gave up without changing traffic. Run it again.`,
      );
    }
    return await act(claim, entry);
  } catch (error) {
    await settleStopped(error);
    throw error;
  } finally {
    await claim.stop();
  }

  /**
   * A rollback that fails after it stopped a shift must not leave that
   * shift's split unwatched: traffic returns to the slot the shift was moving
   * it from (what the stopped shift itself settles on when the rollback fails).
   */
  async function settleStopped(cause: unknown): Promise<void> {
    const shift = rounds.preempted.at(-1);
    if (!shift) return;
    const back = deps.slotNames.find((s) => s !== shift.slot);
    const weights = await router.read().catch(() => undefined);
    if (!back || !weights || (weights[back] ?? 0) >= 100) return;
    // The slot being redeployed into is no place to send users.
    if (!entry.flip && entry.slot === back) return;
    log.info(
      `The rollback failed (${errorMessage(cause)}) after it stopped the shift of ${shift.version}: returning all traffic to ${back}, where that shift started from.`,
    );
    await restoreLive(router, back, shift.slot, log).catch((error: unknown) =>
      log.warning(`Returning traffic to ${back} failed: ${errorMessage(error)}`),
    );
  }

  async function act(claim: EnvironmentClaim, entry: Release): Promise<RollbackOutcome> {
    // Traffic leaves the current release — or, when returning to the current
    // release itself (`to: current`), the newer release that was being shifted
    // in: the one this rollback stopped, or one whose run died.
    const abandoned =
      current && current.version !== target.version
        ? current
        : [...rounds.preempted, ...claim.closed].find((r) => r.version !== target.version);
    const from = abandoned ?? current;
    if (alreadyLive) {
      log.info(`${target.version} already takes all traffic in ${live}; nothing to flip.`);
      await verifyOrSet(router, before, (line) => log.warning(line));
      // Nothing moved: the entry made to hold the environment says nothing.
      await ledger
        .discard(entry)
        .catch(() =>
          ledger.finish(entry, { status: 'inactive', reason: 'Nothing to flip' }).catch(() => undefined),
        );
      return {
        ...(from ? { from } : {}),
        preempted: rounds.preempted,
        restored: current?.version === target.version ? current : target,
        slot: live,
        before,
        after: before,
        redeployed: undefined,
        alreadyLive: true,
        durationMs: now() - started,
        flipMs: 0,
      };
    }
    let redeployed: string | undefined;
    if (runningIn !== undefined)
      log.info(`${target.version} still runs in ${slot}: the rollback is a traffic flip.`);
    else {
      log.info(`${target.version} no longer runs in a slot; redeploying it into ${slot} first.`);
      try {
        // Read again now that this rollback holds the environment: the
        // deployer replaces the slot only once the router proves it is idle.
        redeployed = await deps.redeploy!(target.version, slot, live, await router.read());
        log.info(redeployed);
      } catch (error) {
        await recordError(
          entry,
          `The redeploy of ${target.version} into ${slot} failed, so ${slot} may run part of it: ${errorMessage(error)}`,
        );
        throw error;
      }
      // The version check is not a health probe: force does not override it.
      if (deps.slotVersion) {
        const reported = await deps.slotVersion(slot, target.version, live);
        if (reported.version !== target.version) {
          const what =
            reported.version === undefined
              ? `did not say which version it runs (${reported.problem})`
              : `answers ${reported.version}`;
          await recordError(entry, `${target.version} was redeployed into ${slot}, but ${slot} ${what}`);
          throw new GlidepathError(
            `${target.version} was redeployed into ${slot}, but ${slot} ${what}. Traffic was not changed.`,
          );
        }
        log.info(`${slot} answers ${reported.version} after the redeploy.`);
      }
    }

    let flipStarted: number;
    let after: Weights;
    try {
      if (deps.probe) {
        const failure = await deps.probe(slot, target.version, live);
        if (failure && !request.force)
          throw new GlidepathError(
            `The probe of slot ${slot} failed before the flip: ${failure}. Traffic was not changed; set force: true to flip anyway.`,
          );
        if (failure)
          log.warning(
            `The probe of slot ${slot} failed (${failure}); flipping anyway because force is true.`,
          );
        else log.info(`Slot ${slot} answered its probe.`);
      }

      after = allTo(slot, deps.slotNames);
      flipStarted = now();
      await router.set(after, undefined, 'settle');
      await router.verify(after);
    } catch (error) {
      await recordError(
        entry,
        redeployed
          ? `${target.version} was redeployed into ${slot}, but traffic was not moved there: ${errorMessage(error)}`
          : `Traffic was not moved to ${slot}: ${errorMessage(error)}`,
      );
      throw error;
    }
    const flipMs = now() - flipStarted;
    // The duration a user cares about ends here, when traffic is verified on the
    // restored release; recording it in the ledger comes after.
    const durationMs = now() - started;
    log.info(`Traffic now: ${formatWeights(after)} (verified by reading the router back).`);

    const restored = await ledger.rollback({
      environment: request.environment,
      ...(abandoned ? { from: abandoned } : {}),
      to: { version: target.version, slot, ...(target.commit ? { commit: target.commit } : {}) },
      recorded: entry,
      reason: request.reason,
    });
    return {
      ...(from ? { from } : {}),
      preempted: rounds.preempted,
      restored,
      slot,
      before,
      after,
      redeployed,
      alreadyLive: false,
      durationMs,
      flipMs,
    };
  }
}

async function chooseTarget(
  request: RollbackRequest,
  ledger: Ledger,
  current: Release | undefined,
): Promise<Release> {
  if (request.to === 'current') {
    if (!current)
      throw new GlidepathError(
        `The ledger has no successful release of ${request.environment} to return traffic to. Traffic was not changed.`,
      );
    return current;
  }
  if (request.to === 'previous') {
    const previous = await ledger.previousGood(request.environment);
    if (!previous)
      throw new GlidepathError(
        `There is no earlier successful release of ${request.environment} to roll back to` +
          `${current ? ` (the current one, ${current.version}, is the only good release the ledger knows)` : ' (the ledger has no successful release)'}. ` +
          'Traffic was not changed.',
      );
    return previous;
  }
  const named = await ledger.find(request.environment, request.to);
  if (!named)
    throw new GlidepathError(
      `The ledger has no release ${request.to} in ${request.environment}; give a version canary-shift recorded, or "previous". Traffic was not changed.`,
    );
  if (named.status === 'failure' || named.status === 'error') {
    if (!request.force)
      throw new GlidepathError(
        `${request.to} was recorded as ${named.status}${named.reason ? ` (${named.reason})` : ''}; set force: true to return to it anyway. Traffic was not changed.`,
      );
  }
  return named;
}

/** The slot taking most traffic now (the first listed on a tie). */
function liveSlot(weights: Weights, slots: readonly [string, string]): string {
  return (weights[slots[1]] ?? 0) > (weights[slots[0]] ?? 0) ? slots[1] : slots[0];
}
