import { describeProblem, errorMessage, GlidepathError, InputError } from './errors.js';
import { runnerLog, setFailed } from './log.js';
import { isPostEntry, markMainStarted } from './state.js';

export interface RunContext {
  /** Aborted when the runner cancels the job (SIGINT, then SIGTERM). */
  signal: AbortSignal;
}

export type Entry = (context: RunContext) => Promise<void>;

/**
 * The entry point every action's bundle calls. It tells main from post (the
 * runner runs the same file twice; main leaves a marker in the state file),
 * turns cancellation signals into an AbortSignal, and owns `setFailed`: errors
 * thrown by main become one failure message with annotations, while errors in
 * post only warn, because a post step must never hide the main step's result.
 */
export async function run(main: Entry, post?: Entry): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      runnerLog.warning(`Received ${signal}: the job is being cancelled; stopping safely.`);
      controller.abort(new CancelledError(signal));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const context: RunContext = { signal: controller.signal };

  try {
    if (isPostEntry()) {
      if (post) await post(context);
    } else {
      markMainStarted();
      await main(context);
    }
  } catch (error) {
    if (isPostEntry()) runnerLog.warning(`Post step: ${errorMessage(error)}`);
    else reportFailure(error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export class CancelledError extends GlidepathError {
  override readonly name = 'CancelledError';
  constructor(signal: string) {
    super(`Cancelled by ${signal}.`);
  }
}

function reportFailure(error: unknown): void {
  if (error instanceof InputError) {
    // One annotation per bad input, titled with its name, and no extra failure
    // annotation repeating them.
    for (const problem of error.problems) {
      runnerLog.error(describeProblem(problem), { title: `Invalid input: ${problem.input}` });
    }
    runnerLog.info(
      `${error.problems.length === 1 ? 'An input is' : `${error.problems.length} inputs are`} invalid; nothing was done.`,
    );
    process.exitCode = 1;
    return;
  }
  if (error instanceof GlidepathError) {
    for (const a of error.annotations) {
      const { message, ...target } = a;
      runnerLog.error(message, target);
    }
    if (error.target) {
      runnerLog.error(errorMessage(error), error.target);
      process.exitCode = 1;
      return;
    }
    setFailed(errorMessage(error));
    return;
  }
  if (error instanceof Error && error.stack) runnerLog.debug(error.stack);
  setFailed(errorMessage(error));
}
