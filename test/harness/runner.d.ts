export declare const repoRoot: string;
export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  title?: string;
}
export interface CancelPlan {
  /** Send the first signal this long after start… */
  afterMs?: number;
  /** …or as soon as the log matches this (checked as output arrives)… */
  whenLog?: RegExp;
  /** …or once this promise resolves (e.g. when the server shows the step's statement running). */
  when?: Promise<unknown>;
  /** First signal; the runner sends SIGINT. */
  signal?: NodeJS.Signals;
  /** Wait before escalating to SIGTERM (runner: 7.5 s), then SIGKILL after as long again. */
  graceMs?: number;
}
export interface StepOptions {
  /** Action folder name under `actions/`, or an absolute path to a folder holding `action.yml`. */
  action: string;
  inputs?: Record<string, string | number | boolean>;
  /** Extra environment (e.g. `GITHUB_TOKEN` passed through `env:`). */
  env?: Record<string, string>;
  /** Event payload written to `GITHUB_EVENT_PATH`. */
  event?: unknown;
  cwd?: string;
  /** Kill the step after this long (it then counts as timed out). Default 120 s. */
  timeoutMs?: number;
  cancel?: CancelPlan;
  /** Echo the step's output while it runs (debugging). */
  echo?: boolean;
}
export interface StepResult {
  entry: 'main' | 'post';
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /**
   * Signals the runner sent, in order (cancellation plan, then a timeout's SIGKILL).
   * `['SIGINT']` after a cancel means the step stopped within the grace period,
   * before the runner escalated to SIGTERM.
   */
  signalsSent: NodeJS.Signals[];
  durationMs: number;
  outputs: Record<string, string>;
  state: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  summary: string;
  annotations: Annotation[];
  masks: string[];
  /** The log as the runner would show it: commands consumed, masks applied. */
  log: string;
  /** Everything the process wrote, untouched (to prove a secret never left it). */
  stdout: string;
  stderr: string;
  /** Files of this step, for tests that need to read them directly. */
  files: {
    output: string;
    state: string;
    env: string;
    path: string;
    summary: string;
    dir: string;
  };
}
interface ActionYaml {
  name?: string;
  inputs?: Record<
    string,
    {
      default?: string;
      required?: boolean;
    }
  >;
  runs: {
    using: string;
    main: string;
    post?: string;
    pre?: string;
  };
}
export declare function actionDir(action: string): string;
export declare function readActionYaml(action: string): ActionYaml;
/** The runner's rule for the environment name of an input. */
export declare function inputEnvName(name: string): string;
/** Runs the main entry of an action. */
export declare function runMain(options: StepOptions): Promise<StepResult>;
/** Runs the post entry with the state main left behind (as the runner does at the end of the job). */
export declare function runPost(main: StepResult, options: StepOptions): Promise<StepResult>;
/** Main, then post, as one job would. */
export declare function runMainAndPost(options: StepOptions): Promise<{
  main: StepResult;
  post: StepResult | undefined;
}>;
/** Parses a file written by `GITHUB_OUTPUT`-style file commands. */
export declare function parseKeyValueFile(text: string): Record<string, string>;
/** Reads workflow commands from stdout like the runner: annotations, masks, and the visible log. */
export declare function parseCommands(stdout: string): {
  annotations: Annotation[];
  masks: string[];
  log: string;
};
/** Every place a secret could leak from a step, for tests that plant one and search. */
export declare function everythingVisible(result: StepResult): string;
