import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';

/**
 * The runner contract as every action speaks it on every run: inputs and post-step state
 * from the environment (`INPUT_<NAME>`, `STATE_<name>`), outputs and state appended to the
 * files the runner names (`GITHUB_OUTPUT`, `GITHUB_STATE`, `GITHUB_STEP_SUMMARY`), and
 * workflow commands (`::error file=…::message`) on standard output, as GitHub documents them
 * under "Workflow commands for GitHub Actions".
 *
 * It is the protocol `@actions/core` speaks, written out here because importing
 * `@actions/core` also loads its OIDC client and with it undici: a bundle of `@actions/core`
 * alone started 33–34 ms slower than one making the same calls without it (median of 21 spawns,
 * three runs), on every run of every action, before it read its first input. Nothing here redacts: `log.ts` does, for every
 * line an action writes.
 */

/** The raw value of an input as the runner passes it: `INPUT_<NAME>` with spaces as `_`, upper-cased, untrimmed. */
export function getInput(name: string): string {
  return process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '';
}

/** A value the main entry saved for the post entry; empty when none was saved. */
export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? '';
}

export function saveState(name: string, value: string): void {
  writeKeyValue('GITHUB_STATE', 'save-state', name, value);
}

export function setOutput(name: string, value: string): void {
  writeKeyValue('GITHUB_OUTPUT', 'set-output', name, value);
}

/** Asks the runner to mask a value wherever it appears in the job's log from now on. */
export function addMask(value: string): void {
  issueCommand('add-mask', {}, value);
}

/** Appends markdown to the step summary; outside a runner (no `GITHUB_STEP_SUMMARY`) it does nothing. */
export function appendSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  appendFileSync(file, markdown, { encoding: 'utf8' });
}

/** Where an annotation points, in the names the runner's `::error` and `::warning` commands take. */
export interface AnnotationTarget {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

/** Writes one workflow command line: `::name key=value,…::message`, escaped as the runner reads them. */
export function issueCommand(
  name: string,
  properties: Readonly<Record<string, string | number | undefined>>,
  message: string,
): void {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  process.stdout.write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`);
}

/** The command properties of an annotation target (`line`, `col` are the runner's names). */
export function annotationProperties(
  target: AnnotationTarget = {},
): Record<string, string | number | undefined> {
  return {
    title: target.title,
    file: target.file,
    line: target.startLine,
    endLine: target.endLine,
    col: target.startColumn,
    endColumn: target.endColumn,
  };
}

/**
 * A `name<<delimiter` block in the runner's file, or the old stdout command where the
 * runner names no file (local runs). The delimiter is random, and a name or value that
 * contains it is refused, so a value cannot end its block early and set another output.
 */
function writeKeyValue(variable: string, command: string, name: string, value: string): void {
  const file = process.env[variable];
  if (!file) {
    process.stdout.write(EOL);
    issueCommand(command, { name }, value);
    return;
  }
  if (!existsSync(file)) throw new Error(`The runner's ${variable} file does not exist: ${file}`);
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`Refusing to write "${name}" to ${variable}: it contains the block's delimiter.`);
  }
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
