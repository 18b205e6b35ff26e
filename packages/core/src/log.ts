import { type AnnotationTarget, annotationProperties, issueCommand } from './runner.js';
import { redact } from './secrets.js';

export type { AnnotationTarget } from './runner.js';

/**
 * What every action and every part of core writes its log through. Actions pass
 * `runnerLog`; tests pass their own and read what was said.
 */
export interface Logger {
  info(message: string): void;
  /** A line of the log, shown only when the run has debug logging on. */
  debug(message: string): void;
  /** A warning annotation, on a file and line when given. */
  warning(message: string, target?: AnnotationTarget): void;
  /** An error annotation; it does not fail the step by itself. */
  error(message: string, target?: AnnotationTarget): void;
  /** One collapsible section of the log around a phase. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Starts a collapsible section that stays open until the next one starts or undefined
   * ends it: for a phase that is a loop's iteration (a shift's steps) rather than a call.
   */
  section(title: string | undefined): void;
}

let sectionOpen = false;
let groupDepth = 0;

/**
 * Plain log text that cannot be read as a workflow command. The runner takes a line that
 * starts with `::` (after leading white space, U+0085 included) for one, and, in its legacy
 * form, `##[name]` anywhere in a line; so text a server or a user wrote (an error message with
 * `\n::stop-commands::x` in it) could otherwise end masking or annotations for the rest of the
 * step. A zero-width space goes between the colons, and between `##` and `[`; it reads the same.
 */
export function plainText(text: string): string {
  return text.replace(/^([\s\u0085]*):(?=:)/gm, '$1:\u200b').replace(/##\[/g, '##\u200b[');
}

/**
 * The runner's log. Every line is redacted of the secrets the action has registered:
 * the runner masks them in its own log, but local runs and the demo have no runner.
 */
export const runnerLog: Logger = {
  info: (message) => {
    process.stdout.write(`${plainText(redact(message))}\n`);
  },
  debug: (message) => issueCommand('debug', {}, redact(message)),
  warning: (message, target) => issueCommand('warning', annotationProperties(target), redact(message)),
  error: (message, target) => issueCommand('error', annotationProperties(target), redact(message)),
  group: async (name, fn) => {
    // The runner does not nest groups: an inner one is written as a plain line.
    if (groupDepth > 0) {
      runnerLog.info(name);
      return fn();
    }
    runnerLog.section(undefined);
    issueCommand('group', {}, redact(name));
    groupDepth++;
    try {
      return await fn();
    } finally {
      groupDepth--;
      issueCommand('endgroup', {}, '');
    }
  },
  section: (title) => {
    // Inside a group a section would close that group early: its title is a plain line there.
    if (groupDepth > 0) {
      if (title !== undefined) runnerLog.info(title);
      return;
    }
    if (sectionOpen) issueCommand('endgroup', {}, '');
    sectionOpen = title !== undefined;
    if (title !== undefined) issueCommand('group', {}, redact(title));
  },
};

/** Fails the step with one error annotation; the process exits 1 when it is done. */
export function setFailed(message: string, target?: AnnotationTarget): void {
  process.exitCode = 1;
  runnerLog.error(message, target);
}
