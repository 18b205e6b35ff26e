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

  it("checks a Markdown example inside the smallest workflow that holds it, at the Markdown file's own lines", () => {
    const doc = path.join(scratch, 'example.md');
    writeFileSync(
      doc,
      [
        '# Using it', // 1
        '',
        '```yaml', // 3
        '- uses: ./actions/verify-health',
        '  with:',
        '    url: https://example.test/healthz',
        '  continue-on-eror: true', // 7: a step key GitHub does not know
        '```',
        '',
        'A job of its own, inside a list item:',
        '',
        '1. Then:',
        '   ```yaml', // 13
        '   permissions:',
        '     contents: read',
        '   steps:', // 16: a job without runs-on
        '     - run: echo hi',
        '   ```',
        '',
        '```yaml', // 20
        'jobs:',
        '  deploy:',
        '    uses: glidepath-dev/glidepath/.github/workflows/deploy.yml@v1',
        '    with:',
        '      environment: production',
        '    secret: {}', // 26: misspelt secrets
        '```',
        '',
        '```yaml', // 29
        'checks: [unclosed', // 30: not YAML at all
        '```',
        '',
        'Not a workflow, left alone:',
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
    expect(result.stdout).toContain('3 example(s) from Markdown');
    expect(result.stderr).toContain("example.md:7:3: Unexpected value 'continue-on-eror'");
    expect(result.stderr).toContain('example.md:14:4: Required property is missing: runs-on');
    expect(result.stderr).toContain("example.md:26:5: Unexpected value 'secret'");
    expect(result.stderr).toMatch(/example\.md:3[01]: not YAML/);
  });
});
