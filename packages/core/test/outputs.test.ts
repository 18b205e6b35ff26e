import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostState, registerSecret, setOutputs } from '../src/index.js';

describe('outputs and post state', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'glidepath-core-'));
    for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE']) {
      process.env[name] = path.join(dir, name);
      writeFileSync(process.env[name]!, '');
    }
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('writes objects as JSON and redacts a secret that slipped into an output', () => {
    registerSecret('tok-ABCDEF-123');
    setOutputs({ result: 'pass', report: { n: 1 }, leaked: 'url?token=tok-ABCDEF-123', skipped: undefined });
    const text = readFileSync(process.env.GITHUB_OUTPUT!, 'utf8');
    expect(text).toContain('{"n":1}');
    expect(text).toContain('url?token=***');
    expect(text).not.toContain('tok-ABCDEF-123');
    expect(text).not.toContain('skipped');
  });

  it('refuses to save a secret into post state', () => {
    registerSecret('state-secret-999');
    const state = new PostState<{ live: string; auth: string }>();
    state.save('live', 'blue');
    expect(() => state.save('auth', 'Bearer state-secret-999')).toThrow(/contains a secret/);
    const text = readFileSync(process.env.GITHUB_STATE!, 'utf8');
    expect(text).toContain('"blue"');
    expect(text).not.toContain('state-secret-999');
  });
});
