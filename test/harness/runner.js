// Plain JavaScript (with runner.d.ts beside it) so the demo runs it with bare Node, no compiler.
/**
 * The runner-contract harness: runs an action's bundled `dist/` the way the
 * GitHub Actions runner does, and reads back everything the runner would.
 *
 * - Inputs: every input declared in `action.yml` is passed as `INPUT_<NAME>`
 *   (upper-cased, spaces as `_`, hyphens kept), defaults filled in from
 *   `action.yml` the way the runner fills them.
 * - File commands: fresh `GITHUB_OUTPUT`, `GITHUB_STATE`, `GITHUB_ENV`,
 *   `GITHUB_PATH` and `GITHUB_STEP_SUMMARY` files per step, parsed afterwards
 *   (both `name=value` and heredoc `name<<DELIM` forms).
 * - Context: `GITHUB_*`/`RUNNER_*` variables and an event payload file.
 * - Post: the `post` entry runs with `STATE_<name>` from main's state file.
 * - Cancellation: SIGINT, then SIGTERM after a grace period, then SIGKILL, as
 *   the runner escalates when a job is cancelled.
 * - Log: stdout/stderr with workflow commands (`::error::`, `::add-mask::`…)
 *   parsed into annotations and masks; `log` has the masks applied like the
 *   runner's log, `stdout` is raw.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export function actionDir(action) {
  // GLIDEPATH_ACTIONS_DIR runs the tests against another build of the actions
  // (e.g. the last commit's, extracted with git archive) to see a new test fail before its fix.
  const actions = process.env.GLIDEPATH_ACTIONS_DIR || path.join(repoRoot, 'actions');
  return path.isAbsolute(action) ? action : path.join(actions, action);
}
export function readActionYaml(action) {
  return parseYaml(readFileSync(path.join(actionDir(action), 'action.yml'), 'utf8'));
}
/** The runner's rule for the environment name of an input. */
export function inputEnvName(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}
/** Runs the main entry of an action. */
export function runMain(options) {
  return runEntry('main', options, {});
}
/** Runs the post entry with the state main left behind (as the runner does at the end of the job). */
export function runPost(main, options) {
  return runEntry('post', options, main.state);
}
/** Main, then post, as one job would. */
export async function runMainAndPost(options) {
  const main = await runMain(options);
  const yml = readActionYaml(options.action);
  const post = yml.runs.post ? await runPost(main, { ...options, cancel: undefined }) : undefined;
  return { main, post };
}
async function runEntry(entry, options, state) {
  const dir = actionDir(options.action);
  const yml = readActionYaml(options.action);
  const script = entry === 'main' ? yml.runs.main : yml.runs.post;
  if (!script) throw new Error(`${options.action} has no ${entry} entry`);
  if (!/^node\d+$/.test(yml.runs.using))
    throw new Error(`${options.action}: runs.using is ${yml.runs.using}, not a node runtime`);
  const stepDir = mkdtempSync(path.join(tmpdir(), `glidepath-step-${entry}-`));
  const files = {
    dir: stepDir,
    output: path.join(stepDir, 'output'),
    state: path.join(stepDir, 'state'),
    env: path.join(stepDir, 'env'),
    path: path.join(stepDir, 'path'),
    summary: path.join(stepDir, 'summary.md'),
  };
  for (const file of [files.output, files.state, files.env, files.path, files.summary])
    writeFileSync(file, '');
  const workspace = options.cwd ?? path.join(stepDir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const runnerTemp = path.join(stepDir, 'runner-temp');
  mkdirSync(runnerTemp, { recursive: true });
  const eventPath = path.join(stepDir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(options.event ?? {}));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: `__glidepath_${path.basename(dir).replace(/-/g, '_')}`,
    GITHUB_ACTION_PATH: dir,
    GITHUB_ACTOR: 'octocat',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_JOB: 'test',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_REPOSITORY: 'glidepath-test/service',
    GITHUB_REPOSITORY_OWNER: 'glidepath-test',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: 'ffac537e6cbbf934b08745a378932722df287a53',
    GITHUB_WORKFLOW: 'deploy',
    GITHUB_WORKSPACE: workspace,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: path.join(stepDir, 'tool-cache'),
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STEP_SUMMARY: files.summary,
    ...options.env,
  };
  for (const [name, spec] of Object.entries(yml.inputs ?? {})) {
    if (spec?.default !== undefined) env[inputEnvName(name)] = evaluateDefault(String(spec.default), env);
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    if (!(yml.inputs && name in yml.inputs)) {
      // The runner warns and still passes it; a test passing an undeclared input is a test bug.
      throw new Error(`${options.action}: input "${name}" is not declared in action.yml`);
    }
    env[inputEnvName(name)] = String(value);
  }
  for (const [name, value] of Object.entries(state)) env[`STATE_${name}`] = value;
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(dir, script)], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let cancelled = false;
  let timedOut = false;
  const timers = [];
  // Every signal sent, in order: a step that stops on the first one within the
  // grace period shows ['SIGINT'], one that needed the runner to escalate shows more.
  const signalsSent = [];
  const send = (signal) => {
    signalsSent.push(signal);
    child.kill(signal);
  };
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    const plan = options.cancel ?? {};
    const grace = plan.graceMs ?? 7500;
    send(plan.signal ?? 'SIGINT');
    timers.push(setTimeout(() => send('SIGTERM'), grace));
    timers.push(setTimeout(() => send('SIGKILL'), grace * 2));
  };
  if (entry === 'main' && options.cancel?.afterMs !== undefined)
    timers.push(setTimeout(cancel, options.cancel.afterMs));
  let exited = false;
  if (entry === 'main' && options.cancel?.when)
    options.cancel.when.then(
      () => {
        if (!exited) cancel();
      },
      () => {},
    );
  timers.push(
    setTimeout(() => {
      timedOut = true;
      send('SIGKILL');
    }, options.timeoutMs ?? 120_000),
  );
  child.stdout.on('data', (chunk) => {
    stdout += chunk.toString();
    if (options.echo) process.stdout.write(chunk);
    if (entry === 'main' && options.cancel?.whenLog?.test(stdout)) cancel();
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk.toString();
    if (options.echo) process.stderr.write(chunk);
  });
  const [exitCode, signal] = await new Promise((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig])),
  );
  exited = true;
  for (const timer of timers) clearTimeout(timer);
  const commands = parseCommands(stdout);
  return {
    entry,
    exitCode,
    signal,
    timedOut,
    cancelled,
    signalsSent,
    durationMs: Date.now() - started,
    outputs: parseKeyValueFile(readFileSync(files.output, 'utf8')),
    state: parseKeyValueFile(readFileSync(files.state, 'utf8')),
    env: parseKeyValueFile(readFileSync(files.env, 'utf8')),
    path: readFileSync(files.path, 'utf8').split('\n').filter(Boolean),
    summary: readFileSync(files.summary, 'utf8'),
    annotations: commands.annotations,
    masks: commands.masks,
    log: mask(commands.log, commands.masks) + mask(stderr, commands.masks),
    stdout,
    stderr,
    files,
  };
}
/**
 * The runner evaluates expressions in input defaults. The harness knows the
 * one actions use, `${{ github.token }}` (the job's token: GITHUB_TOKEN from
 * the step's environment here, empty when the test gives none), and refuses
 * any other rather than pass it through as literal text.
 */
function evaluateDefault(text, env) {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expression) => {
    if (expression === 'github.token') return env.GITHUB_TOKEN ?? '';
    throw new Error(`the harness cannot evaluate \${{ ${expression} }} in an input default`);
  });
}

/** Parses a file written by `GITHUB_OUTPUT`-style file commands. */
export function parseKeyValueFile(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value = [];
      i++;
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++]);
      if (i >= lines.length)
        throw new Error(`file command for "${name}" has no closing delimiter ${delimiter}`);
      out[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`invalid file command line: ${JSON.stringify(line)}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
function unescapeData(s) {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
function unescapeProperty(s) {
  return unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');
}
/** Reads workflow commands from stdout like the runner: annotations, masks, and the visible log. */
export function parseCommands(stdout) {
  const annotations = [];
  const masks = [];
  const log = [];
  for (const line of stdout.split('\n')) {
    const match = /^::([a-z-]+)( [^:]*)?::(.*)$/.exec(line);
    if (!match) {
      log.push(line);
      continue;
    }
    const [, command, rawProps, data] = match;
    const props = {};
    for (const pair of (rawProps ?? '').trim().split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0) props[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    const message = unescapeData(data);
    switch (command) {
      case 'add-mask':
        if (message) masks.push(message);
        break;
      case 'error':
      case 'warning':
      case 'notice': {
        const annotation = { level: command, message };
        if (props.file) annotation.file = props.file;
        if (props.line) annotation.line = Number(props.line);
        if (props.title) annotation.title = props.title;
        annotations.push(annotation);
        log.push(`${command.toUpperCase()}: ${message}`);
        break;
      }
      case 'group':
        log.push(`▶ ${message}`);
        break;
      case 'endgroup':
        break;
      case 'debug':
        break;
      default:
        log.push(line);
    }
  }
  return { annotations, masks, log: log.join('\n') };
}
function mask(text, masks) {
  let out = text;
  for (const m of [...masks].sort((a, b) => b.length - a.length)) out = out.split(m).join('***');
  return out;
}
/** Every place a secret could leak from a step, for tests that plant one and search. */
export function everythingVisible(result) {
  const rawLogWithoutMaskCommands = result.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  return [
    rawLogWithoutMaskCommands,
    result.stderr,
    result.summary,
    JSON.stringify(result.outputs),
    JSON.stringify(result.state),
    JSON.stringify(result.env),
    JSON.stringify(result.annotations),
  ].join('\n');
}
