import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countMarkers, findLoadDependent, testFiles } from '../../.ci/check-timing.mjs';
import { repoRoot } from '../harness/runner.js';

const script = path.join(repoRoot, '.ci/check-timing.mjs');
const lines = (...source: string[]) => source.join('\n');
const flagged = (source: string) => findLoadDependent(source, 'sample.test.ts').map((f) => f.line);

describe('.ci/check-timing.mjs', () => {
  it('flags a comparison on a load-dependent value, naming the line', () => {
    const findings = findLoadDependent(
      lines(
        "it('promotes', async () => {",
        '  expect(report.failures).toEqual([]);',
        '  expect(report.retriedResets).toBeLessThan(report.requests / 100);',
        '});',
      ),
      'sample.test.ts',
    );
    expect(findings).toEqual([
      {
        file: 'sample.test.ts',
        line: 3,
        text: 'expect(report.retriedResets).toBeLessThan(report.requests / 100);',
        matcher: 'toBeLessThan',
        why: 'toBeLessThan on a timing value ("retriedResets")',
      },
    ]);
  });

  it.each([
    ['Date.now() arithmetic', 'expect(Date.now() - started).toBeLessThan(5000);'],
    ['a duration output', "expect(Number(result.outputs['duration-ms'])).toBeLessThan(2000);"],
    ['a durationMs field', 'expect(result.durationMs).toBeLessThan(20_000);'],
    ['a settle time', "expect(await untilServedOnlyBy(s.url, 'v2')).toBeLessThan(5000);"],
    ['a span', 'expect(span).toBeLessThan(2 * 1000 + 1000 + 2000);'],
    ['an elapsed time', 'expect(elapsed).toBeLessThan(30_000);'],
    ['a timestamp difference', 'expect(report.samples[0]!.at - started).toBeGreaterThanOrEqual(390);'],
    ['a rate', 'expect(report.rate).toBeGreaterThan(250);'],
    ['a step length', 'expect(step.endedAt - step.startedAt).toBeLessThan(1000);'],
    ['a duration against a named limit', 'expect(elapsed).toBeLessThan(timeoutMs);'],
    ['a latency with toBeCloseTo', 'expect(report.p95Ms).toBeCloseTo(40, 0);'],
    ['a negated or resolved expect', 'expect(tookMs).not.toBeGreaterThan(100);'],
    ['a message argument', "expect(span, 'the 500s (first to last)').toBeLessThan(5000);"],
  ])('flags %s', (_, line) => {
    expect(flagged(line)).toEqual([1]);
  });

  it('flags an assertion written over several lines, at its first line', () => {
    expect(
      flagged(lines('const a = 1;', 'expect(', '  result.durationMs,', ').toBeLessThan(20_000);')),
    ).toEqual([2]);
  });

  it('accepts the same line with a "// structural:" reason, on it or on the line before', () => {
    const offending = 'expect(report.durationMs).toBeGreaterThanOrEqual(950);';
    expect(flagged(offending)).toEqual([1]);
    expect(flagged(`${offending} // structural: 5 × 200 ms interval timers guarantee it`)).toEqual([]);
    expect(flagged(lines('// structural: 5 × 200 ms interval timers guarantee it', offending))).toEqual([]);
    // Two lines up is not "just before".
    expect(flagged(lines('// structural: too far away', 'const x = 1;', offending))).toEqual([3]);
  });

  it('counts only marker comments with a reason', () => {
    expect(
      countMarkers(
        lines('// structural: a reason', "const s = '// structural: in a string';", '// structural:'),
      ),
    ).toBe(1);
  });

  it('refuses a marker without a reason', () => {
    const [finding] = findLoadDependent(
      lines('// structural:', 'expect(result.ms).toBeGreaterThanOrEqual(140);'),
      'sample.test.ts',
    );
    expect(finding).toMatchObject({ line: 2, why: 'its "// structural:" marker gives no reason' });
  });

  it.each([
    ['a count from a fixed number of requests', 'expect(result.bySlot.blue).toBeGreaterThan(120);'],
    ['a share', 'expect(blueShare).toBeLessThan(0.15);'],
    ['a p-value', 'expect(result.pValue).toBeCloseTo(0.111, 6);'],
    ['a size', 'expect(outputs.report.length).toBeLessThan(10_000);'],
    ['an equality on a time', 'expect(report.durationMs).toBe(0);'],
    ['a measurement that exists at all', "expect(Number(result.outputs['duration-ms'])).toBeGreaterThan(0);"],
    ['an ordering of percentiles', 'expect(report.p99Ms).toBeGreaterThanOrEqual(report.p95Ms!);'],
    [
      'an ordering of timestamps',
      'expect(outcome.detection?.revertedAt).toBeGreaterThanOrEqual(outcome.detection!.verdictAt);',
    ],
    ['positions in a text', "expect(reasonAt).toBeLessThan(md.indexOf('| step |'));"],
    ['the array method at()', 'expect(report.timeline.at(-1)!.index).toBeGreaterThan(3);'],
    ['a matcher in a comment', '// expect(result.durationMs).toBeLessThan(20_000);'],
    ['a matcher in a string', "const doc = 'expect(result.durationMs).toBeLessThan(20_000)';"],
    ['a timing word in the bound only', 'expect(flips).toBeGreaterThanOrEqual(durationMs / 1000);'],
  ])('does not flag %s', (_, line) => {
    expect(flagged(line)).toEqual([]);
  });

  it('is not thrown off by regular expressions, templates and brackets in strings', () => {
    const source = lines(
      'expect(result.log).toMatch(/took \\d+ms \\(over ([0-9]+)/);',
      // A template literal with a placeholder and brackets in it.
      ['expect(`$', '{a})`).toBe(")(");'].join(''),
      'expect(failed.length).toBeGreaterThan(0);',
      'expect(result.durationMs).toBeLessThan(15_000);',
    );
    expect(flagged(source)).toEqual([4]);
  });

  it('passes on this repository, and its CLI fails with file:line and the fix on an offending file', () => {
    const files = testFiles(['actions', 'packages', 'test'].map((d) => path.join(repoRoot, d)));
    expect(files).toContain(path.join(repoRoot, 'test/ci/check-timing.test.ts'));
    expect(files.some((f) => f.includes('node_modules') || f.includes(`${path.sep}dist${path.sep}`))).toBe(
      false,
    );
    // This file's samples are strings, so it is clean too.
    expect(files.flatMap((f) => findLoadDependent(readText(f), f))).toEqual([]);

    const dir = mkdtempSync(path.join(tmpdir(), 'check-timing-'));
    writeFileSync(path.join(dir, 'ok.test.ts'), 'expect(result.exitCode).toBe(0);\n');
    const clean = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('1 test files: no load-dependent assertion');

    writeFileSync(
      path.join(dir, 'slow.test.ts'),
      'const a = 1;\nexpect(Date.now() - started).toBeLessThan(5000);\n',
    );
    const failing = spawnSync(process.execPath, [script, dir], { encoding: 'utf8', cwd: dir });
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain('slow.test.ts:2: toBeLessThan on a timing value ("Date.now")');
    expect(failing.stderr).toContain('expect(Date.now() - started).toBeLessThan(5000);');
    expect(failing.stderr).toContain('// structural: <reason>');
  });
});

function readText(file: string): string {
  return readFileSync(file, 'utf8');
}
