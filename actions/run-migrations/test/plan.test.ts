import { describe, expect, it } from 'vitest';
import { checksum, type MigrationFile } from '../src/files.js';
import { type HistoryRow, makePlan } from '../src/plan.js';

const file = (version: string, sql = `SELECT ${version};`): MigrationFile => ({
  version,
  name: `m${version}`,
  file: `migrations/${version}_m${version}.sql`,
  absolutePath: `/w/migrations/${version}_m${version}.sql`,
  sql,
  checksum: checksum(sql),
  directives: { noTransaction: false },
});
const row = (f: MigrationFile, success = true): HistoryRow => ({
  version: f.version,
  name: f.name,
  checksum: f.checksum,
  appliedAt: new Date(0),
  executionMs: 1,
  appliedBy: 'test',
  success,
});
const strict = { outOfOrder: 'fail' as const, allowChecksumChange: false };

describe('makePlan', () => {
  it('plans the files not yet applied, in order', () => {
    const [a, b, c] = [file('1'), file('2'), file('3')];
    const plan = makePlan([a, b, c], [row(a)], strict);
    expect(plan.pending.map((f) => f.version)).toEqual(['2', '3']);
    expect(plan.currentVersion).toBe('1');
  });

  it('fails on an applied file whose checksum changed, naming the file and both checksums', () => {
    const applied = file('1');
    const edited = file('1', 'SELECT 1; -- edited');
    expect(() => makePlan([edited], [row(applied)], strict)).toThrow(
      new RegExp(`migrations/1_m1.sql \\(applied ${applied.checksum}, on disk ${edited.checksum}\\)`),
    );
    const plan = makePlan([edited], [row(applied)], { ...strict, allowChecksumChange: true });
    expect(plan.changed).toHaveLength(1);
    expect(plan.pending).toEqual([]);
  });

  it('warns about applied versions missing on disk', () => {
    const [a, b] = [file('1'), file('2')];
    const plan = makePlan([b], [row(a), row(b)], strict);
    expect(plan.missing.map((r) => r.version)).toEqual(['1']);
    expect(plan.pending).toEqual([]);
  });

  it('applies the out-of-order policy to new files older than the newest applied one', () => {
    const [a, b, c] = [file('1'), file('2'), file('3')];
    expect(() => makePlan([a, b, c], [row(a), row(c)], strict)).toThrow(
      /older than the newest applied version 3: migrations\/2_m2.sql/,
    );
    const plan = makePlan([a, b, c], [row(a), row(c)], { ...strict, outOfOrder: 'allow' });
    expect(plan.pending.map((f) => f.version)).toEqual(['2']);
    expect(plan.outOfOrder.map((f) => f.version)).toEqual(['2']);
  });

  it('retries a version whose only record is a failure', () => {
    const [a, b] = [file('1'), file('2')];
    const plan = makePlan([a, b], [row(a), row(b, false)], strict);
    expect(plan.pending.map((f) => f.version)).toEqual(['2']);
    expect(plan.failed.map((r) => r.version)).toEqual(['2']);
    expect(plan.currentVersion).toBe('1');
  });
});
