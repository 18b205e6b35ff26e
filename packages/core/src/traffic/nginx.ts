import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomically } from '../atomic-write.js';
import { errorMessage } from '../errors.js';
import { ProcessError, runProcess } from '../process.js';
import {
  parseUpstream,
  renderUpstream,
  rewriteServers,
  sameAddress,
  serverWeight,
  type UpstreamBlock,
  UpstreamSyntaxError,
  withWeight,
} from './nginx-upstream.js';
import {
  type ChangePurpose,
  formatWeights,
  type Router,
  RouterError,
  type SlotName,
  sameWeights,
  type Weights,
} from './router.js';
import { toPercents, weightsProblem } from './weights.js';

export interface NginxRouterOptions {
  /** The file that holds the complete `upstream <name> { … }` block, included by the user's nginx config. */
  upstreamFile: string;
  upstream: string;
  /** Slot → the server address written in the block. */
  slots: ReadonlyMap<SlotName, string>;
  /** Program and arguments; default `nginx -t`. */
  testCommand?: string[];
  /** Program and arguments; default `nginx -s reload`. */
  reloadCommand?: string[];
  /**
   * How long the test or the reload command may run before it is stopped
   * (default 30 s). A hung command must not hold a revert, or the post step
   * that restores the live slot, for the rest of the job.
   */
  commandTimeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * Splits traffic with the weights of an nginx upstream block. The router owns
 * one file holding the block; a shift rewrites the slots' `server` lines,
 * replaces the file atomically, asks nginx to test the whole configuration,
 * and reloads it gracefully (old workers finish the requests they hold). If the
 * config test fails, the previous file is put back byte for byte and nginx is
 * untouched. If the reload fails, a step forward is put back the same way, but
 * a change made to settle traffic (`purpose: 'settle'`: a revert, a rollback)
 * stays on disk, so that whatever reloads nginx next loads the revert, not the
 * split it replaced.
 *
 * The file alone does not prove what nginx serves: a reload that applied and
 * then exited non-zero, or a run killed between the write and the reload,
 * leaves nginx on other weights than the file. So before the file changes the
 * router leaves a marker beside it (`.<file>.unapplied`), and removes it only
 * once a config test and a reload of exactly that file succeeded. While the
 * marker is there, `verify` refuses: nginx may be serving anything the file
 * held since the last good reload, and the next `set` reloads it.
 */
export class NginxRouter implements Router {
  readonly kind = 'nginx' as const;
  readonly #options: Required<Omit<NginxRouterOptions, 'log'>> & Pick<NginxRouterOptions, 'log'>;

  constructor(options: NginxRouterOptions) {
    this.#options = {
      testCommand: ['nginx', '-t'],
      reloadCommand: ['nginx', '-s', 'reload'],
      ...options,
      // An explicit undefined in the options keeps the default.
      commandTimeoutMs: options.commandTimeoutMs ?? 30_000,
    };
  }

  describe(): string {
    return `nginx upstream "${this.#options.upstream}" in ${this.#options.upstreamFile}`;
  }

  async read(): Promise<Weights> {
    const source = await this.#readFile();
    if (source === undefined)
      throw new RouterError(`${this.describe()}: the file does not exist (the first shift creates it)`);
    return this.#weightsIn(source.toString('utf8'));
  }

  async set(weights: Weights, signal?: AbortSignal, purpose: ChangePurpose = 'step'): Promise<void> {
    const slots = [...this.#options.slots.keys()];
    const problem = weightsProblem(weights, slots);
    if (problem)
      throw new RouterError(`${this.describe()}: cannot set ${formatWeights(weights)}: expected ${problem}`);
    signal?.throwIfAborted();

    const previous = await this.#readFile();
    const next =
      previous === undefined ? this.#fresh(weights) : this.#rewrite(previous.toString('utf8'), weights);
    const changed = previous === undefined || next !== previous.toString('utf8');
    const unsettled = await this.#unapplied();
    if (changed) {
      // The marker first: from the moment the file changes until a reload of
      // it succeeds, nginx and the file may disagree.
      if (unsettled === undefined) {
        try {
          await writeAtomically(
            this.#markerFile,
            `${formatWeights(weights)} written at ${new Date().toISOString()}\n`,
          );
        } catch (error) {
          throw new RouterError(
            `${this.describe()}: cannot write ${this.#markerFile} (the marker that a change is not loaded yet), so the file was not changed: ${errorMessage(error)}`,
            { cause: error },
          );
        }
      }
      try {
        await writeAtomically(this.#options.upstreamFile, next);
      } catch (error) {
        throw new RouterError(`${this.describe()}: cannot write the file: ${errorMessage(error)}`, {
          cause: error,
        });
      }
    }
    // The test and reload run even when the file did not change: a shift that
    // was cut off between its write and its reload leaves nginx behind the file.
    try {
      await this.#run(
        'config test',
        'nginx-test-command',
        this.#options.testCommand,
        changed ? 'the previous upstream file was put back' : '',
      );
    } catch (error) {
      if (changed) await this.#restore(previous);
      // nginx was not asked to load anything: it serves what it served before.
      if (changed && unsettled === undefined) await this.#settle();
      throw error;
    }
    // What stays on disk when the reload fails is what the next reload —
    // ours, or anyone's: an operator's, a certificate renewal's — will load.
    // A change that settles traffic (a revert, a rollback) stays: putting the
    // split back would let that next reload send users to the release being
    // reverted. A step forward is put back: the caller reverts next.
    const keep = changed && purpose === 'settle';
    try {
      await this.#run(
        'reload',
        'nginx-reload-command',
        this.#options.reloadCommand,
        `${changed ? (keep ? `the upstream file keeps ${formatWeights(weights)} for the next reload, and ` : 'the previous upstream file was put back, but ') : ''}nginx may have loaded ${formatWeights(weights)} or still serve what it served before, so nothing is verified until a reload succeeds`,
      );
    } catch (error) {
      // The reload may have applied before it failed: the marker stays, so
      // nothing verifies these weights until a later reload succeeds.
      if (changed && !keep) await this.#restore(previous);
      throw error;
    }
    await this.#settle();
    this.#options.log?.(
      `${this.describe()}: ${formatWeights(weights)} written, configuration tested, nginx reloaded`,
    );
  }

  /**
   * Reads the file back and checks that the last change to it was followed by
   * a config test and a reload command that both succeeded. `nginx -s reload`
   * returns once the master is signalled, and the master applies the file a
   * moment later; a reload the master rejects after a passing `nginx -t` (rare:
   * a bind that fails only at load) is not seen here.
   */
  async verify(weights: Weights): Promise<void> {
    const actual = await this.read();
    if (!sameWeights(actual, weights))
      throw new RouterError(
        `${this.describe()} holds ${formatWeights(actual)}, not ${formatWeights(weights)}`,
      );
    const unsettled = await this.#unapplied();
    if (unsettled !== undefined)
      throw new RouterError(
        `${this.describe()} holds ${formatWeights(actual)}, but nginx has not loaded it: a reload after the change ` +
          `(${unsettled}) failed or was cut off, so nginx may serve other weights (${this.#markerFile} says so ` +
          'until a config test and reload succeed; the next shift or revert reloads)',
      );
  }

  get #markerFile(): string {
    const file = this.#options.upstreamFile;
    return path.join(path.dirname(file), `.${path.basename(file)}.unapplied`);
  }

  /** What the marker says, or undefined when nginx has loaded the file as it is. */
  async #unapplied(): Promise<string | undefined> {
    try {
      return (await readFile(this.#markerFile, 'utf8')).trim() || 'a change';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new RouterError(`${this.describe()}: cannot read ${this.#markerFile}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  async #settle(): Promise<void> {
    try {
      await unlink(this.#markerFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new RouterError(`${this.describe()}: cannot remove ${this.#markerFile}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  async #readFile(): Promise<Buffer | undefined> {
    try {
      return await readFile(this.#options.upstreamFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new RouterError(`${this.describe()}: cannot read the file: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  #parse(source: string): UpstreamBlock {
    try {
      return parseUpstream(source, this.#options.upstream);
    } catch (error) {
      if (error instanceof UpstreamSyntaxError)
        throw new RouterError(`${this.describe()}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  /** Each slot's server directive; every other server must be out of normal rotation (`down` or `backup`). */
  #slotServers(block: UpstreamBlock) {
    const found = new Map<SlotName, UpstreamBlock['servers'][number]>();
    for (const [slot, address] of this.#options.slots) {
      const matches = block.servers.filter((s) => sameAddress(s.address, address));
      if (matches.length === 0)
        throw new RouterError(`${this.describe()} has no "server ${address}" line for slot "${slot}"`);
      if (matches.length > 1)
        throw new RouterError(
          `${this.describe()} has "server ${address}" on lines ${matches.map((m) => m.line).join(' and ')}; slot "${slot}" needs exactly one`,
        );
      found.set(slot, matches[0]!);
    }
    const slotServers = new Set(found.values());
    for (const server of block.servers) {
      if (!slotServers.has(server) && serverWeight(server) > 0)
        throw new RouterError(
          `${this.describe()} sends traffic to "server ${server.address}" (line ${server.line}), which is not a slot; mark it down or backup, or remove it`,
        );
    }
    return found;
  }

  #weightsIn(source: string): Weights {
    const servers = this.#slotServers(this.#parse(source));
    const relative = new Map<SlotName, number>();
    for (const [slot, server] of servers) {
      const weight = serverWeight(server);
      if (!Number.isFinite(weight))
        throw new RouterError(`${this.describe()}: line ${server.line} has a weight that is not a number`);
      relative.set(slot, weight);
    }
    const weights = toPercents(relative);
    if (Object.values(weights).every((w) => w === 0))
      throw new RouterError(`${this.describe()}: every slot is down or backup; no slot receives traffic`);
    return weights;
  }

  #rewrite(source: string, weights: Weights): string {
    const servers = this.#slotServers(this.#parse(source));
    return rewriteServers(
      source,
      [...servers].map(([slot, server]) => ({ server, params: withWeight(server.params, weights[slot]!) })),
    );
  }

  #fresh(weights: Weights): string {
    return renderUpstream(
      this.#options.upstream,
      [...this.#options.slots].map(([slot, address]) => ({
        address,
        params: withWeight([], weights[slot]!),
      })),
    );
  }

  async #run(what: string, input: string, argv: string[], after: string): Promise<void> {
    const [program, ...args] = argv;
    try {
      // No cancellation signal: a revert runs to its end even while the job is cancelled.
      await runProcess(program!, args, {
        silent: true,
        label: input,
        timeoutMs: this.#options.commandTimeoutMs,
        timeoutInput: 'nginx-command-timeout',
      });
    } catch (error) {
      const detail =
        error instanceof ProcessError ? error.tail || `exit code ${error.exitCode}` : errorMessage(error);
      throw new RouterError(
        `${this.describe()}: the nginx ${what} (${argv.join(' ')}) failed${after ? `; ${after}` : ''}:\n${detail}`,
        { cause: error },
      );
    }
  }

  async #restore(previous: Buffer | undefined): Promise<void> {
    try {
      if (previous === undefined) await unlink(this.#options.upstreamFile);
      else await writeAtomically(this.#options.upstreamFile, previous);
    } catch (error) {
      throw new RouterError(
        `${this.describe()}: the shift failed and the previous file could not be put back: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }
}
