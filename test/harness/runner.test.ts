import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  everythingVisible,
  inputEnvName,
  parseCommands,
  parseKeyValueFile,
  runMain,
  runMainAndPost,
} from './runner.js';

const fixture = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures/contract-action');

describe('the runner-contract harness', () => {
  it('names inputs the way the runner does', () => {
    expect(inputEnvName('failure-threshold')).toBe('INPUT_FAILURE-THRESHOLD');
    expect(inputEnvName('multi word')).toBe('INPUT_MULTI_WORD');
  });

  it('runs main then post, passing defaults, outputs, state, env, path, summary and annotations', async () => {
    const { main, post } = await runMainAndPost({
      action: fixture,
      inputs: { 'multi word': 'a b' },
      env: { GITHUB_TOKEN: 'ghs_fixture' },
    });
    expect(main.exitCode).toBe(1);
    expect(main.outputs).toEqual({
      greeting: 'hello',
      multi: 'line one\nline two',
      spaced: 'a b',
      token: 'ghs_fixture',
      event: 'push:glidepath-test/service',
    });
    expect(main.state).toEqual({ phase: 'main-done', counter: '41' });
    expect(main.env).toEqual({ FROM_ACTION: 'yes' });
    expect(main.path).toEqual(['/opt/fixture/bin']);
    expect(main.summary.trim()).toBe('## Fixture summary');
    expect(main.annotations).toEqual([
      {
        level: 'warning',
        message: 'something\non two lines',
        file: 'app/main.ts',
        line: 12,
        title: 'Heads up',
      },
      { level: 'error', message: 'done badly' },
    ]);
    expect(main.log).toContain('▶ a group');
    expect(post?.exitCode).toBe(0);
    expect(post?.outputs).toEqual({ 'post-saw': '41' });
  });

  it('applies masks to the log like the runner, while stdout keeps the raw bytes', async () => {
    const result = await runMain({ action: fixture, inputs: { 'secret-value': 's3cr3t-value' } });
    expect(result.masks).toEqual(['s3cr3t-value']);
    expect(result.log).toContain('secret is ***');
    expect(result.log).not.toContain('s3cr3t-value');
    expect(everythingVisible(result)).toContain('secret is s3cr3t-value');
  });

  it('cancels like the runner: SIGINT first', async () => {
    const result = await runMain({
      action: fixture,
      inputs: { 'wait-ms': 20_000 },
      cancel: { whenLog: /waiting/ },
    });
    expect(result.cancelled).toBe(true);
    // It stopped on SIGINT, inside the 7.5 s grace: the runner never had to escalate
    // (it would send SIGTERM, then SIGKILL, before the 20 s wait could end).
    expect(result.signalsSent).toEqual(['SIGINT']);
    expect(result.exitCode).toBe(1);
    expect(result.outputs.cancelled).toBe('yes');
    expect(result.log).toContain('got SIGINT');
  });

  it('cancels once a promise resolves, with the signal asked for', async () => {
    let release!: () => void;
    const when = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = runMain({
      action: fixture,
      inputs: { 'wait-ms': 20_000 },
      cancel: { when, signal: 'SIGKILL' },
    });
    // Not cancelled before the promise resolves: the step is still waiting after it logged so.
    setTimeout(release, 300);
    const result = await running;
    expect(result.cancelled).toBe(true);
    expect(result.signalsSent).toEqual(['SIGKILL']);
    expect(result.signal).toBe('SIGKILL');
  });

  it('refuses inputs that action.yml does not declare', async () => {
    await expect(runMain({ action: fixture, inputs: { nope: 'x' } })).rejects.toThrow(/not declared/);
  });
});

describe('file command and workflow command parsing', () => {
  it('reads both forms and rejects an unterminated heredoc', () => {
    expect(parseKeyValueFile('a=1\nb<<X\nline\nX\nc=x=y\n')).toEqual({ a: '1', b: 'line', c: 'x=y' });
    expect(() => parseKeyValueFile('b<<X\nline\n')).toThrow(/closing delimiter/);
  });

  it('unescapes annotation properties and data', () => {
    const { annotations } = parseCommands('::error file=a%2Cb.ts,line=3,title=T%3A1::50%25 done%0Anext');
    expect(annotations).toEqual([
      { level: 'error', file: 'a,b.ts', line: 3, title: 'T:1', message: '50% done\nnext' },
    ]);
  });
});
