/**
 * What users copy must be safe to copy. Every YAML file in the repository and
 * every ```yaml block of its Markdown (READMEs, docs, examples, workflows) is
 * parsed with the `yaml` package, and:
 *
 * - no `run:` script may contain a `${{ }}` expression. The runner pastes an
 *   expanded expression into the script before the shell reads it, so a value
 *   holding `'; curl … | sh; '` (a step output, a PR title, a branch name)
 *   runs as code. An expression goes into `env:` and the script reads `"$VAR"`.
 * - no reusable-workflow call may pass `secrets: inherit`, which hands every
 *   repository and organisation secret to the called workflow whatever it
 *   needs. Named secrets, from an environment with deployment-branch rules,
 *   say what crosses and keep a branch without review from reaching them.
 *
 * A usage example written as YAML comments (the header of a reusable
 * workflow) is copied as often as real YAML, so its lines are checked too.
 * Workflow files are also checked step by step in workflows.test.ts; this test
 * covers every other place a `run:` can hide (composite actions, Markdown,
 * comments).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import { repoRoot } from '../harness/runner.js';

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.turbo', 'lib', 'out']);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : walk(path.join(dir, entry.name));
    return entry.isFile() ? [path.join(dir, entry.name)] : [];
  });
}

/** One piece of YAML and where it starts in its file (1-based), for messages. */
interface Source {
  file: string;
  line: number;
  text: string;
}

/** Each ```yaml / ```yml fence of a Markdown file, its indentation (a fence inside a list) removed. */
function yamlBlocks(file: string, markdown: string): Source[] {
  const blocks: Source[] = [];
  const lines = markdown.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*ya?ml\b/i.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence!); j++)
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!);
    blocks.push({ file, line: i + 2, text: body.join('\n') });
    i = j;
  }
  return blocks;
}

function sources(): Source[] {
  return walk(repoRoot).flatMap((file): Source[] => {
    const rel = path.relative(repoRoot, file);
    if (/\.ya?ml$/i.test(file)) return [{ file: rel, line: 1, text: readFileSync(file, 'utf8') }];
    if (/\.md$/i.test(file)) return yamlBlocks(rel, readFileSync(file, 'utf8'));
    return [];
  });
}

interface Finding {
  where: string;
  problem: string;
}

/** `${{`, spelled so that no linter takes it for a template placeholder. */
const OPEN = '$' + '{{';
const RUN_PROBLEM = 'run: expands an expression into the script; pass it through env: and read "$VAR"';
const INHERIT_PROBLEM = 'secrets: inherit passes every secret; pass the named secrets the workflow declares';

/** Parse errors, `run:` values with an expression, and `secrets: inherit`, with file:line. */
function findings(source: Source): Finding[] {
  const lineCounter = new LineCounter();
  const out: Finding[] = [];
  const at = (offset: number | undefined) =>
    `${source.file}:${source.line + (offset === undefined ? 0 : lineCounter.linePos(offset).line - 1)}`;
  // An example in comments: `#   secrets: inherit`, `# - run: echo ${{ … }}`.
  source.text.split(/\r?\n/).forEach((text, i) => {
    const comment = /^\s*#+(.*)$/.exec(text)?.[1];
    if (comment === undefined) return;
    const where = `${source.file}:${source.line + i}`;
    if (/^\s*(?:-\s+)?secrets:\s*inherit\b/.test(comment)) out.push({ where, problem: INHERIT_PROBLEM });
    if (/^\s*(?:-\s+)?run:.*\$\{\{/.test(comment)) out.push({ where, problem: RUN_PROBLEM });
  });
  for (const doc of parseAllDocuments(source.text, { lineCounter })) {
    for (const error of doc.errors)
      out.push({ where: at(error.pos[0]), problem: `does not parse: ${error.message.split('\n')[0]}` });
    const visit = (node: Node | null | undefined): void => {
      if (isMap(node)) {
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? pair.key.value : undefined;
          const value = pair.value as Node | null;
          if (key === 'run' && isScalar(value) && String(value.value).includes(OPEN))
            out.push({ where: at(value.range?.[0]), problem: RUN_PROBLEM });
          if (key === 'secrets' && isScalar(value) && value.value === 'inherit')
            out.push({ where: at(value.range?.[0]), problem: INHERIT_PROBLEM });
          visit(value);
        }
      } else if (isSeq(node)) {
        for (const item of node.items) visit(item as Node);
      }
    };
    visit(doc.contents as Node | null);
  }
  return out;
}

describe('YAML users copy (files and Markdown examples)', () => {
  const all = sources();

  it('finds the workflows, the action READMEs and the docs', () => {
    const files = new Set(all.map((s) => s.file));
    for (const expected of [
      '.github/workflows/deploy.yml',
      'actions/run-migrations/action.yml',
      'actions/run-migrations/README.md',
    ])
      expect(files).toContain(expected);
    expect([...files].some((f) => f.startsWith('docs/'))).toBe(true);
    expect([...files].some((f) => f.startsWith('examples/'))).toBe(true);
    expect([...files].some((f) => f.includes('node_modules') || f.split('/').includes('dist'))).toBe(false);
  });

  it('parses, expands no expression inside a run: script, and never passes secrets: inherit', () => {
    const problems = all.flatMap(findings).map((f) => `${f.where}: ${f.problem}`);
    expect(problems).toEqual([]);
  });

  it('catches what it is there to catch (checked on planted examples)', () => {
    const markdown = [
      'Some prose.',
      '',
      '- a list item:',
      '  ```yaml',
      '  - run: echo "$PLAN" | jq .',
      '    env:',
      `      PLAN: ${OPEN} steps.plan.outputs.plan }}`,
      '  ```',
      '',
      '```yml',
      `- run: echo '${OPEN} steps.plan.outputs.plan }}' | jq`,
      '```',
      '',
      '```yaml',
      'jobs:',
      '  deploy:',
      '    uses: o/glidepath/.github/workflows/deploy.yml@v1',
      '    secrets: inherit',
      '```',
    ].join('\n');
    const blocks = yamlBlocks('x.md', markdown);
    expect(blocks.map((b) => b.line)).toEqual([5, 11, 15]);
    expect(blocks.flatMap(findings).map((f) => f.where)).toEqual(['x.md:11', 'x.md:18']);
    expect(
      findings({
        file: 'a.yml',
        line: 1,
        text: `steps:\n  - run: |\n      echo ${OPEN} github.head_ref }}\n`,
      }),
    ).toEqual([{ where: 'a.yml:2', problem: expect.stringContaining('env:') }]);
    expect(findings({ file: 'b.yml', line: 1, text: 'a: [\n' })[0]?.problem).toMatch(/^does not parse/);
    // A usage example in comments is copied too; prose about it is not an example.
    const commented =
      '# Usage:\n#   jobs:\n#     d:\n#       secrets: inherit\n# Never write `secrets: inherit`.\nx: 1\n';
    expect(findings({ file: 'c.yml', line: 1, text: commented })).toEqual([
      { where: 'c.yml:4', problem: expect.stringContaining('named secrets') },
    ]);
  });
});
