#!/usr/bin/env node
// Generates the inputs and outputs tables of each action's README from its
// action.yml, between the markers <!-- action-docs:inputs --> … <!-- /action-docs:inputs -->
// (and the same for outputs). With --check, fails when a README is stale.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const check = process.argv.includes('--check');
let stale = 0;

for (const name of readdirSync(path.join(root, 'actions')).sort()) {
  const dir = path.join(root, 'actions', name);
  if (!existsSync(path.join(dir, 'action.yml'))) continue;
  const action = parse(readFileSync(path.join(dir, 'action.yml'), 'utf8'));
  const readmePath = path.join(dir, 'README.md');
  const before = existsSync(readmePath)
    ? readFileSync(readmePath, 'utf8')
    : `# ${action.name}\n\n${action.description}\n\n## Inputs\n\n<!-- action-docs:inputs -->\n<!-- /action-docs:inputs -->\n\n## Outputs\n\n<!-- action-docs:outputs -->\n<!-- /action-docs:outputs -->\n`;
  let after = replaceBlock(before, 'inputs', inputsTable(action.inputs ?? {}));
  after = replaceBlock(after, 'outputs', outputsTable(action.outputs ?? {}));
  if (after !== before) {
    if (check) {
      stale++;
      console.error(`actions/${name}/README.md is stale: run npm run docs`);
    } else {
      writeFileSync(readmePath, after);
      console.log(`updated actions/${name}/README.md`);
    }
  }
}
if (check) {
  if (stale) process.exit(1);
  console.log('action READMEs are up to date');
}

function replaceBlock(text, kind, table) {
  const start = `<!-- action-docs:${kind} -->`;
  const end = `<!-- /action-docs:${kind} -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README is missing the ${start} … ${end} markers`);
  return `${text.slice(0, i + start.length)}\n${table}\n${text.slice(j)}`;
}

function cell(text) {
  return String(text ?? '')
    .trim()
    .replace(/\|/g, '\\|')
    .replace(/\r?\n\s*/g, ' ');
}

/**
 * An input's default: what action.yml gives the runner, or, for an input whose
 * default lives in the code (so that an analysis file can stand beneath it),
 * the one its description states as `Default: \`X\`.`.
 */
function defaultOf(spec) {
  if (spec.default !== undefined && spec.default !== '') return spec.default;
  return /Default: `([^`]*)`\.\s*$/.exec(String(spec.description ?? '').trim())?.[1] ?? '';
}

function inputsTable(inputs) {
  const rows = Object.entries(inputs).map(([name, spec]) => {
    const value = defaultOf(spec);
    return `| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${value === '' ? '' : `\`${cell(value)}\``} | ${cell(spec.description)} |`;
  });
  return ['| input | required | default | description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function outputsTable(outputs) {
  const rows = Object.entries(outputs).map(([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`);
  return ['| output | description |', '| --- | --- |', ...rows].join('\n');
}
