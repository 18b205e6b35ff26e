import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * scripts/workflow-parser.mjs runs GitHub's own parser over the workflows, the callers'
 * examples, every action.yml and the workflows shown in Markdown; .ci/run calls it. These
 * cases prove it fails on what GitHub would refuse, at the right file and line.
 */
const repoRoot = path.resolve(import.meta.dirname, '../..');
const script = path.join(repoRoot, 'scripts/workflow-parser.mjs');
const fixtures = path.join(import.meta.dirname, 'fixtures');
const scratch = mkdtempSync(path.join(tmpdir(), 'glidepath-workflow-parser-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function parse(...files: string[]) {
  const result = spawnSync(process.execPath, [script, ...files], { cwd: repoRoot, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('GitHub workflow parser check', () => {
  it("passes the repository's own workflows, examples and action.yml files", () => {
    const result = parse();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /workflow-parser: [1-9]\d* workflow\(s\), 5 action\.yml, [1-9]\d* example\(s\)/,
    );
  });

  it('fails on a key GitHub rejects in a workflow, naming the file, line and column', () => {
    const result = parse(path.join(fixtures, 'broken-workflow.yml'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "test/workflows/fixtures/broken-workflow.yml:9:5: Unexpected value 'timeout-minute'",
    );
    expect(result.stderr).toContain(
      "test/workflows/fixtures/broken-workflow.yml:12:9: Unexpected value 'run'",
    );
  });

  it('fails on an action.yml whose runtime GitHub does not know', () => {
    const result = parse(path.join(fixtures, 'broken-action/action.yml'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("broken-action/action.yml:5:10: Unexpected value 'node99'");
  });

  it("checks a Markdown example's steps inside a workflow, at the Markdown file's own line", () => {
    const doc = path.join(scratch, 'example.md');
    writeFileSync(
      doc,
      [
        '# Using it',
        '',
        '```yaml',
        '- uses: ./actions/verify-health',
        '  with:',
        '    url: https://example.test/healthz',
        '  continue-on-eror: true',
        '```',
        '',
        'A block that is not a workflow is left alone:',
        '',
        '```yaml',
        'checks:',
        '  - url: https://example.test/',
        '```',
        '',
      ].join('\n'),
    );
    const result = parse(doc);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('1 example(s) from Markdown');
    expect(result.stderr).toMatch(/example\.md:7:\d+: Unexpected value 'continue-on-eror'/);
  });
});
