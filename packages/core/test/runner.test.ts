import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { plainText, runnerLog, setFailed } from '../src/log.js';
import { appendSummary, getInput, getState, issueCommand, saveState, setOutput } from '../src/runner.js';
import { registerSecret, resetSecretsForTest } from '../src/secrets.js';

/** What the step wrote to standard output while `fn` ran. */
async function stdoutOf(fn: () => unknown): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return lines.join('');
}

/** The runner's reading of a GITHUB_OUTPUT / GITHUB_STATE file: `name<<DELIMITER` blocks. */
function readBlocks(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const header = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!header) continue;
    const end = lines.indexOf(header[2]!, i + 1);
    values[header[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return values;
}

describe('the runner contract', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'glidepath-runner-'));
    resetSecretsForTest();
  });
  afterEach(() => {
    process.env = { ...saved };
    process.exitCode = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads an input as the runner names it (spaces as _, upper-cased), untrimmed, and state by STATE_', () => {
    process.env.INPUT_MY_SETTING = '  kept as given \n';
    process.env.STATE_isPost = 'true';
    expect(getInput('my setting')).toBe('  kept as given \n');
    expect(getInput('absent')).toBe('');
    expect(getState('isPost')).toBe('true');
  });

  it('writes outputs and state as delimited blocks that a value cannot end early', () => {
    process.env.GITHUB_OUTPUT = path.join(dir, 'output');
    process.env.GITHUB_STATE = path.join(dir, 'state');
    writeFileSync(process.env.GITHUB_OUTPUT, '');
    writeFileSync(process.env.GITHUB_STATE, '');
    const tricky = 'line one\nEOF\nreason<<EOF\ninjected\nEOF';
    setOutput('reason', tricky);
    setOutput('weight', '25');
    saveState('live', 'blue');
    const output = readFileSync(process.env.GITHUB_OUTPUT, 'utf8');
    expect(readBlocks(output)).toEqual({ reason: tricky, weight: '25' });
    expect(output).toMatch(/^reason<<ghadelimiter_[0-9a-f-]{36}\n/);
    expect(readBlocks(readFileSync(process.env.GITHUB_STATE, 'utf8'))).toEqual({ live: 'blue' });
  });

  it('refuses to write into a runner file that is not there', () => {
    process.env.GITHUB_OUTPUT = path.join(dir, 'missing');
    expect(() => setOutput('x', 'y')).toThrow(/GITHUB_OUTPUT file does not exist/);
  });

  it('escapes command data and properties as the runner reads them', async () => {
    const out = await stdoutOf(() =>
      issueCommand(
        'error',
        { title: 'a: b, c', file: 'x.yml', line: 3, col: undefined },
        '100% done\r\nnext',
      ),
    );
    expect(out).toBe('::error title=a%3A b%2C c,file=x.yml,line=3::100%25 done%0D%0Anext\n');
  });

  it('appends the summary to GITHUB_STEP_SUMMARY, and does nothing without one', () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    appendSummary('ignored');
    process.env.GITHUB_STEP_SUMMARY = path.join(dir, 'summary');
    appendSummary('# one\n');
    appendSummary('two\n');
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY, 'utf8')).toBe('# one\ntwo\n');
  });
});

describe('runnerLog', () => {
  afterEach(() => {
    resetSecretsForTest();
    process.exitCode = undefined;
  });

  it('never lets text it logs start a workflow command, and redacts it', async () => {
    registerSecret('s3cret-value');
    const server = 'bad query\n::stop-commands::zzz\n  ::add-mask::x\n::warning title=Injected::s3cret-value';
    const out = await stdoutOf(() => runnerLog.info(server));
    expect(out.split('\n').filter((line) => /^\s*::/.test(line))).toEqual([]);
    expect(out).not.toContain('s3cret-value');
    expect(out.replace(/\u200b/g, '')).toBe(
      'bad query\n::stop-commands::zzz\n  ::add-mask::x\n::warning title=Injected::***\n',
    );
    expect(plainText('a :: b')).toBe('a :: b');
    // The runner's legacy form anywhere in a line, and a line that starts after U+0085.
    const legacy = await stdoutOf(() => runnerLog.info('x ##[error]boom\n\u0085::warning::y'));
    expect(legacy).not.toContain('##[');
    expect(legacy.split('\n').filter((line) => /^[\s\u0085]*::/.test(line))).toEqual([]);
  });

  it('writes warnings and errors as annotations on one line, and setFailed sets exit code 1', async () => {
    const out = await stdoutOf(() => {
      runnerLog.warning('two\nlines', { file: 'migrations/1.sql', startLine: 4, title: 'Lint' });
      setFailed('it failed');
    });
    expect(out).toBe('::warning title=Lint,file=migrations/1.sql,line=4::two%0Alines\n::error::it failed\n');
    expect(process.exitCode).toBe(1);
  });

  it('keeps groups balanced: sections close each other, and nothing nests inside a group', async () => {
    const out = await stdoutOf(async () => {
      runnerLog.section('Step 1');
      runnerLog.section('Step 2');
      await runnerLog.group('Deploy', async () => {
        runnerLog.section('inside');
        await runnerLog.group('inner', async () => runnerLog.info('work'));
      });
      runnerLog.section(undefined);
    });
    expect(out).toBe(
      '::group::Step 1\n::endgroup::\n::group::Step 2\n::endgroup::\n::group::Deploy\ninside\ninner\nwork\n::endgroup::\n',
    );
  });
});
