import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DURATION_LIMITS, InputError, input, MAX_TIMER_MS, parseDuration, readInputs } from '../src/index.js';

const from = (values: Record<string, string>) => (name: string) => values[name] ?? '';

async function problemsOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problems;
}

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['2', 2000],
    ['1.5s', 1500],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['abc', '', '5 minutes', '-1s', '1d'])('%j is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('readInputs', () => {
  it('returns typed values keyed by the action.yml names', async () => {
    const values = await readInputs(
      {
        interval: input.duration({ default: 5000 }),
        steps: input.steps(),
        weight: input.percent(),
        dry: input.boolean({ default: false }),
        strategy: input.oneOf(['canary', 'blue-green'] as const, { default: 'canary' }),
        slots: input.keyValues(),
        tags: input.list(),
        threshold: input.integer({ min: 1 }),
      },
      from({
        steps: '5, 25,50 100',
        weight: '12.5%',
        slots: 'blue=127.0.0.1:8001\ngreen=127.0.0.1:8002',
        tags: 'a\nb,c',
        threshold: '2',
        dry: 'yes',
      }),
    );
    expect(values).toEqual({
      interval: 5000,
      steps: [5, 25, 50, 100],
      weight: 12.5,
      dry: true,
      strategy: 'canary',
      slots: new Map([
        ['blue', '127.0.0.1:8001'],
        ['green', '127.0.0.1:8002'],
      ]),
      tags: ['a', 'b', 'c'],
      threshold: 2,
    });
  });

  it('reports every bad input at once, naming the input, quoting the value and saying what is expected', async () => {
    const problems = await problemsOf(
      readInputs(
        {
          interval: input.duration(),
          'failure-threshold': input.integer({ min: 1 }),
          steps: input.steps(),
          url: input.url(),
        },
        from({ interval: 'abc', 'failure-threshold': '-1', steps: '50,25,100', url: 'ftp://example.test/x' }),
      ),
    );
    expect(problems.map((p) => p.input)).toEqual(['interval', 'failure-threshold', 'steps', 'url']);
    const error = new InputError(problems);
    expect(error.message).toContain(
      'Input "interval" got "abc": expected a duration such as 500ms, 30s or 5m.',
    );
    expect(error.message).toContain(
      'Input "failure-threshold" got "-1": expected a whole number of at least 1.',
    );
    expect(error.message).toContain(
      'Input "steps" got "50,25,100": expected strictly increasing whole percentages',
    );
    expect(error.message).toContain(
      'Input "url" got "ftp://example.test/x": expected an absolute http or https URL.',
    );
  });

  it.each(['', '0,100', '10,50,90', '10,200', '10,10,100', 'x'])(
    'rejects the shift plan %j',
    async (steps) => {
      const problems = await problemsOf(readInputs({ steps: input.steps() }, from({ steps })));
      expect(problems[0]?.input).toBe('steps');
    },
  );

  it('validates YAML blocks with a schema and names the offending entry and key', async () => {
    const checks = input.structured(async () =>
      z.array(z.strictObject({ name: z.string(), url: z.string() })),
    );
    const good = await readInputs({ checks }, from({ checks: '- name: a\n  url: http://x\n' }));
    expect(good.checks).toEqual([{ name: 'a', url: 'http://x' }]);
    const problems = await problemsOf(
      readInputs(
        { checks },
        from({ checks: '- name: a\n  url: http://x\n- name: b\n  url: http://y\n  stauts: 200\n' }),
      ),
    );
    expect(problems[0]?.expected).toContain('entry 2: unknown key "stauts"');
    const broken = await problemsOf(readInputs({ checks }, from({ checks: '- name: [' })));
    expect(broken[0]?.expected).toContain('YAML does not parse');
  });

  it('never quotes a secret input back', async () => {
    const problems = await problemsOf(
      readInputs({ token: input.secret(), n: input.integer() }, from({ token: '', n: 'x' })),
    );
    expect(problems.map((p) => p.value)).toEqual(['***', 'x']);
  });

  it('never quotes credentials back: a block is named, not repeated; URL passwords and auth values are masked', async () => {
    const checks = input.structured(async () =>
      z.array(z.strictObject({ url: z.string(), headers: z.record(z.string(), z.string()) })),
    );
    const problems = await problemsOf(
      readInputs(
        { checks, url: input.url(), 'database-url': input.url({ protocols: ['postgres:'] }) },
        from({
          checks:
            '- url: http://x\n  headers:\n    Authorization: Bearer sekr3t-token-value\n  stauts: 200\n',
          url: 'ftp://user:hunter2pass@example.test/x',
          'database-url': 'mysql://app:db-pa55word@db:3306/x token=abc123def',
        }),
      ),
    );
    const message = new InputError(problems).message;
    expect(message).toContain('Input "checks" got "(a block of 4 lines, not repeated here)"');
    expect(message).toContain('entry 1: unknown key "stauts"');
    expect(message).toContain('ftp://***@example.test/x');
    expect(message).not.toMatch(/sekr3t-token-value|hunter2pass|db-pa55word|abc123def/);
  });

  it('keeps a comma inside one key=value, and splits comma-separated pairs', async () => {
    const values = await readInputs(
      { args: input.keyValues(), labels: input.keyValues() },
      from({ args: 'FEATURES=a,b', labels: 'team=shop,tier=web' }),
    );
    expect(values.args).toEqual(new Map([['FEATURES', 'a,b']]));
    expect(values.labels).toEqual(
      new Map([
        ['team', 'shop'],
        ['tier', 'web'],
      ]),
    );
  });
});

describe('duration inputs are always bounded, and say the bound', () => {
  it('refuses 600h by default: 2^31 ms overflows setTimeout, which then fires at once', async () => {
    const problems = await problemsOf(readInputs({ wait: input.duration() }, from({ wait: '600h' })));
    expect(new InputError(problems).message).toBe(
      'Input "wait" got "600h": expected a duration such as 500ms, 30s or 5m, of at most 24h.',
    );
  });

  it.each([
    ['24h', '24h', 86_400_000],
    ['24h1ms', '24h1ms', undefined],
    ['86401 (bare seconds)', '86401', undefined],
    ['400 nines of hours', `${'9'.repeat(400)}h`, undefined],
  ])('%s against the default 24h', async (_, text, ms) => {
    const read = readInputs({ wait: input.duration() }, from({ wait: text }));
    if (ms !== undefined) expect((await read).wait).toBe(ms);
    else expect((await problemsOf(read))[0]?.expected).toContain('at most 24h');
  });

  it('says both ends of a range, and takes a tighter maximum', async () => {
    const field = input.duration({ min: 100, max: DURATION_LIMITS.interval });
    expect((await readInputs({ interval: field }, from({ interval: '1h' }))).interval).toBe(3_600_000);
    const problems = await problemsOf(readInputs({ interval: field }, from({ interval: '61m' })));
    expect(problems[0]?.expected).toBe('a duration such as 500ms, 30s or 5m, from 100ms to 1h');
    const short = await problemsOf(readInputs({ interval: field }, from({ interval: '50ms' })));
    expect(short[0]?.expected).toBe('a duration such as 500ms, 30s or 5m, from 100ms to 1h');
  });

  it('cannot be declared with a maximum a timer does not hold', () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
    expect(() => input.duration({ max: MAX_TIMER_MS + 1 })).toThrow(RangeError);
    expect(() => input.duration({ max: MAX_TIMER_MS })).not.toThrow();
  });
});

describe('workspace paths', () => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'glidepath-workspace-'));
  const outside = mkdtempSync(path.join(tmpdir(), 'glidepath-outside-'));
  symlinkSync(outside, path.join(workspace, 'link-out'));
  const field = input.workspacePath({ default: '.glidepath/ledger.json', workspace: () => workspace });
  const read = (value: string) => readInputs({ 'ledger-file': field }, from({ 'ledger-file': value }));

  it.each([
    'ledger.json',
    '.glidepath/ledger.json',
    'a/../ledger.json',
    './x/y/z.json',
    '/var/lib/glidepath/ledger.json',
  ])('keeps %s (inside the workspace, or absolute)', async (value) =>
    expect((await read(value))['ledger-file']).toBe(value),
  );

  it('uses the default when empty', async () =>
    expect((await read(''))['ledger-file']).toBe('.glidepath/ledger.json'));

  it.each(['../ledger.json', '../../tmp/x/ledger.json', 'a/../../ledger.json', '..'])(
    'refuses %s, which climbs out of the workspace, naming the input',
    async (value) => {
      const problems = await problemsOf(read(value));
      expect(problems).toEqual([
        {
          input: 'ledger-file',
          value,
          expected: expect.stringMatching(/^a path inside the workspace, or an absolute path: .*"\.\."/),
        },
      ]);
    },
  );

  it('refuses a relative path that leaves through a symbolic link in the workspace', async () => {
    const problems = await problemsOf(read('link-out/ledger.json'));
    expect(problems[0]?.expected).toContain('symbolic link');
  });

  it('refuses control characters', async () => {
    expect((await problemsOf(read('a\u0007b')))[0]?.expected).toContain('control characters');
  });
});

describe('secret URLs', () => {
  const field = input.secretUrl({ default: '' });
  it('keeps an http(s) URL as written, and empty as not set', async () => {
    const url = 'https://hooks.example.test/services/T0/B0/secret';
    expect((await readInputs({ 'webhook-url': field }, from({ 'webhook-url': url })))['webhook-url']).toBe(
      url,
    );
    expect((await readInputs({ 'webhook-url': field }, from({})))['webhook-url']).toBe('');
  });

  it.each(['not a url', 'ftp://hooks.example.test/x', 'hooks.example.test/x', 'http://'])(
    'refuses %j without quoting it',
    async (value) => {
      const problems = await problemsOf(readInputs({ 'webhook-url': field }, from({ 'webhook-url': value })));
      expect(problems).toEqual([
        { input: 'webhook-url', value: '***', expected: 'an absolute http or https URL' },
      ]);
    },
  );
});
