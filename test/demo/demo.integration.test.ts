/**
 * `npm run demo` is the first command a newcomer runs, so CI runs it too: with
 * the demo proxy (what a machine without nginx gets; the e2e tests cover nginx)
 * it must end with one release promoted and one rolled back by itself.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/runner.js';

describe('npm run demo', () => {
  it('promotes a good release and rolls a bad one back by itself, on the demo proxy', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'demo/run.mjs')], {
      env: { ...process.env, GLIDEPATH_DEMO_ROUTER: 'proxy', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output).toBe(0);
    expect(output).toContain('Router: the demo proxy');
    expect(output).toMatch(/✓ run-migrations exit 0/);
    expect(output).toContain('output result = promoted');
    expect(output).toContain('output result = rolled-back');
    expect(output).toContain('20 requests through the router now: 20 × shop:v2');
    expect(output).toMatch(/0 before the bad release/);
    expect(output).toMatch(/Done in [\d.]+s: one release promoted, one rolled back by itself/);
  }, 180_000);
});
