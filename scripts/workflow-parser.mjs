#!/usr/bin/env node
// Checks every workflow, caller example and action.yml with GitHub's own parser
// (@actions/workflow-parser, the one behind the Actions language service), beside
// actionlint: a key or value GitHub would refuse fails here with file:line:column.
// Workflows and steps shown in the Markdown docs are checked too: a ```yaml block that is
// a whole workflow as it stands, a block that is a list of steps inside a one-job workflow.
//
// The parser imports its JSON schema without an import attribute, which Node 20 refuses,
// so it is bundled with esbuild first (into node_modules/.cache, once per version).
//
// Usage: node scripts/workflow-parser.mjs [FILE ...]   (no files: the repository's own)
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSeq, parseDocument } from 'yaml';
import { workflowFiles } from './workflow-files.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const parser = await loadParser();
const given = process.argv.slice(2);
const targets = (given.length ? given : repositoryFiles()).flatMap(fileTargets);

let problems = 0;
for (const target of targets) {
  for (const problem of await check(target)) {
    problems++;
    console.error(problem);
  }
}
const count = (kind) => targets.filter((t) => t.kind === kind).length;
console.log(
  `workflow-parser: ${count('workflow')} workflow(s), ${count('action')} action.yml, ${count('markdown')} example(s) from Markdown; ${problems} problem(s)`,
);
process.exit(problems ? 1 : 0);

/** The parser bundled for Node 20: ESM, with a `require` for the CommonJS `yaml` inside it. */
async function loadParser() {
  const version = JSON.parse(
    readFileSync(path.join(root, 'node_modules', '@actions', 'workflow-parser', 'package.json'), 'utf8'),
  ).version;
  const cache = path.join(root, 'node_modules', '.cache', 'glidepath');
  const out = path.join(cache, `workflow-parser-${version}.mjs`);
  if (!existsSync(out)) {
    const { build } = await import('esbuild');
    mkdirSync(cache, { recursive: true });
    // Written beside and renamed, so that two checks started at once never read half a bundle.
    const entry = path.join(cache, `workflow-parser-entry-${process.pid}.mjs`);
    const partial = `${out}.${process.pid}.tmp`;
    writeFileSync(
      entry,
      [
        "export { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from '@actions/workflow-parser';",
        "export { parseAction, convertActionTemplate } from '@actions/workflow-parser/actions/index';",
      ].join('\n'),
    );
    await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile: partial,
      logLevel: 'error',
      nodePaths: [path.join(root, 'node_modules')],
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    renameSync(partial, out);
    rmSync(entry, { force: true });
  }
  return import(pathToFileURL(out).href);
}

/** What one file is: an action's metadata, a workflow, or Markdown with examples in it. */
function fileTargets(file) {
  const absolute = path.resolve(file);
  const rel = path.relative(root, absolute);
  if (rel.endsWith('.md')) return markdownTargets(absolute);
  const content = readFileSync(absolute, 'utf8');
  if (/(^|\/)action\.ya?ml$/.test(rel)) return [{ kind: 'action', name: rel, content }];
  return [{ kind: 'workflow', name: rel, content }];
}

/** The repository's own: workflows, caller examples, every action.yml, and the Markdown that shows workflows. */
function repositoryFiles() {
  const workflows = workflowFiles(root).map((f) => path.join(root, f));
  const actions = readdirSync(path.join(root, 'actions'))
    .map((name) => path.join(root, 'actions', name, 'action.yml'))
    .filter((f) => existsSync(f));
  const markdown = ['README.md', ...['docs', 'actions', 'examples'].flatMap(markdownUnder)].map((f) =>
    path.join(root, f),
  );
  return [...workflows, ...actions, ...markdown];
}

function markdownUnder(dir) {
  const found = [];
  const walk = (rel) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const next = path.join(rel, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist') walk(next);
      else if (entry.isFile() && entry.name.endsWith('.md')) found.push(next);
    }
  };
  if (existsSync(path.join(root, dir))) walk(dir);
  return found;
}

/**
 * The ```yaml blocks of a Markdown file that GitHub would run, each checked inside the
 * smallest workflow that holds it, with lines shifted so that reported lines are the
 * Markdown file's own:
 * - a whole workflow (`jobs:`; `on: push` added when it has no `on:`);
 * - jobs by id (`deploy: { uses: …/deploy.yml@v1, with: … }`), or one job (`runs-on:`/`steps:`);
 * - a list of steps (any item with `uses:` or `run:`; so a misspelt key in another item is caught).
 * A block that does not parse as YAML is a problem; other YAML (an analysis file, a kubeconfig)
 * is not a workflow and is left alone. Fences may be indented (inside a list item).
 */
function markdownTargets(file) {
  const rel = path.relative(root, file);
  const text = readFileSync(file, 'utf8');
  const targets = [];
  const problems = [];
  // CommonMark: the closing fence may be indented differently from the opening one.
  const fence = /^([ \t]*)```ya?ml[^\n]*\n([\s\S]*?)^[ \t]*```[ \t]*$/gm;
  for (const match of text.matchAll(fence)) {
    const indent = match[1].length;
    const body = match[2]
      .split('\n')
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join('\n');
    const firstLine = text.slice(0, match.index).split('\n').length + 1;
    const doc = parseDocument(body);
    if (doc.errors.length) {
      const [error] = doc.errors;
      problems.push(
        `${rel}:${firstLine - 1 + (error.linePos?.[0]?.line ?? 1)}: not YAML: ${error.message.split('\n')[0]}`,
      );
      continue;
    }
    const value = doc.toJS();
    const wrapped = workflowAround(doc, value, body);
    if (wrapped)
      targets.push({
        kind: 'markdown',
        name: rel,
        content: wrapped.content,
        lineOffset: firstLine - 1 - wrapped.added,
        // Columns too are the Markdown file's: less the indent added, plus the fence's own.
        columnOffset: indent - wrapped.indent,
        linesAdded: wrapped.added,
      });
  }
  if (problems.length) targets.push({ kind: 'problems', name: rel, problems });
  return targets;
}

function isJob(v) {
  return v && typeof v === 'object' && !Array.isArray(v) && ('runs-on' in v || 'steps' in v || 'uses' in v);
}
function indented(body, by) {
  return body
    .split('\n')
    .map((line) => (line ? `${' '.repeat(by)}${line}` : line))
    .join('\n');
}

/** The workflow a Markdown block is checked in, and how many lines were added above it; undefined: not a workflow. */
function workflowAround(doc, value, body) {
  if (isSeq(doc.contents)) {
    if (
      !Array.isArray(value) ||
      !value.some((step) => step && typeof step === 'object' && ('uses' in step || 'run' in step))
    )
      return undefined;
    const header = 'on: push\njobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n';
    return { content: header + indented(body, 6), added: 5, indent: 6 };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if ('jobs' in value)
    return 'on' in value
      ? { content: body, added: 0, indent: 0 }
      : { content: `on: push\n${body}`, added: 1, indent: 0 };
  if (isJob(value))
    return { content: `on: push\njobs:\n  example:\n${indented(body, 4)}`, added: 3, indent: 4 };
  const entries = Object.values(value);
  if (entries.length && entries.every(isJob))
    return { content: `on: push\njobs:\n${indented(body, 2)}`, added: 2, indent: 2 };
  return undefined;
}

/** The parser's errors for one target, as file:line:column: message. */
async function check(target) {
  if (target.kind === 'problems') return target.problems;
  const trace = new parser.NoOperationTraceWriter();
  const file = { name: target.name, content: target.content };
  const isAction = target.kind === 'action';
  const result = isAction ? parser.parseAction(file, trace) : parser.parseWorkflow(file, trace);
  if (result.value) {
    if (isAction) parser.convertActionTemplate(result.context, result.value);
    else await parser.convertWorkflowTemplate(result.context, result.value);
  }
  return result.context.errors.getErrors().map((error) => {
    const at = error.range?.start;
    const line = at ? at.line + (target.lineOffset ?? 0) : 0;
    // A problem on a line of the wrapper itself (a job without runs-on) points at the block's first line.
    const inBlock = at && at.line > (target.linesAdded ?? 0);
    const column = at ? (inBlock ? at.column + (target.columnOffset ?? 0) : 1) : 0;
    const shown = inBlock || !at ? line : line + ((target.linesAdded ?? 0) - at.line + 1);
    return `${target.name}:${shown}:${column}: ${error.rawMessage ?? error.message}`;
  });
}
