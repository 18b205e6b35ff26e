import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLedger, OperationError } from '../../src/index.js';
import { ledgerContract } from './contract.js';

let dir: string;
let count = 0;
const nextFile = () => path.join(dir, `ledger-${++count}.json`);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'glidepath-ledger-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

ledgerContract('FileLedger', { open: async () => new FileLedger(nextFile()) });

describe('FileLedger file', () => {
  it('writes a versioned JSON file and leaves no temporary or lock file behind', async () => {
    const file = path.join(dir, 'nested', 'dir', 'ledger.json');
    const ledger = new FileLedger(file);
    const begun = await ledger.begin({ environment: 'production', version: 'v1', slot: 'blue' });
    await ledger.finish(begun, { status: 'success' });
    const json = JSON.parse(await readFile(file, 'utf8'));
    expect(json.version).toBe(1);
    expect(json.releases).toHaveLength(1);
    expect(json.releases[0].statuses.map((s: { status: string }) => s.status)).toEqual([
      'in_progress',
      'success',
    ]);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(path.dirname(file))).toEqual(['ledger.json']);
  });

  it('refuses a corrupt or foreign file with a clear error and does not overwrite it', async () => {
    const file = nextFile();
    await writeFile(file, '{"version": 1, "releases": [');
    const ledger = new FileLedger(file);
    await expect(ledger.begin({ environment: 'production', version: 'v1', slot: 'blue' })).rejects.toThrow(
      /is not valid JSON .* left untouched/,
    );
    expect(await readFile(file, 'utf8')).toBe('{"version": 1, "releases": [');
    await writeFile(file, JSON.stringify({ version: 7, releases: [] }));
    await expect(ledger.current('production')).rejects.toThrow(
      /format version 7, written by a newer Glidepath/,
    );
    await writeFile(file, JSON.stringify({ version: 1, nextId: 1, releases: [{ id: 1 }] }));
    await expect(ledger.history('production')).rejects.toThrow(/is not a Glidepath ledger: releases\.0\.id/);
  });
});

describe('FileLedger with two writers', () => {
  it('loses no update when many writers in this process and two other processes write at once', async () => {
    const file = nextFile();
    const perProcess = 15;
    const worker = path.join(dir, 'writer.mjs');
    const module = path.resolve(fileURLToPath(import.meta.url), '../../../dist/ledger/file.js');
    await requireFreshBuild(module);
    await writeFile(
      worker,
      `import { FileLedger } from ${JSON.stringify(module)};
const [file, name, count] = process.argv.slice(2);
const ledger = new FileLedger(file);
for (let i = 0; i < Number(count); i++) {
  const release = await ledger.begin({ environment: 'production', version: name + '-' + i, slot: 'blue' });
  await ledger.finish(release, { status: i % 2 ? 'success' : 'failure', reason: name });
}
`,
    );
    const run = promisify(execFile);
    const inProcess = Array.from({ length: 4 }, () => new FileLedger(file)).map(async (ledger, w) => {
      // Each instance fires its writes at once: they race for the lock file with each other and the children.
      await Promise.all(
        Array.from({ length: perProcess }, async (_, i) => {
          const release = await ledger.begin({
            environment: 'production',
            version: `w${w}-${i}`,
            slot: 'green',
          });
          await ledger.finish(release, { status: 'failure', reason: `w${w}` });
        }),
      );
    });
    await Promise.all([
      run(process.execPath, [worker, file, 'p1', String(perProcess)], { timeout: 60_000 }),
      run(process.execPath, [worker, file, 'p2', String(perProcess)], { timeout: 60_000 }),
      ...inProcess,
    ]);

    const total = perProcess * 6;
    const json = JSON.parse(await readFile(file, 'utf8')) as {
      nextId: number;
      releases: Array<{ id: string; version: string; statuses: unknown[] }>;
    };
    expect(json.releases).toHaveLength(total);
    expect(new Set(json.releases.map((r) => r.id)).size).toBe(total);
    expect(new Set(json.releases.map((r) => r.version)).size).toBe(total);
    expect(json.nextId).toBe(total + 1);
    // Every begin was followed by its finish: no status was lost either.
    expect(json.releases.filter((r) => r.statuses.length < 2)).toEqual([]);
  });
});

describe('FileLedger lock', () => {
  it('breaks a lock left by a process that died', async () => {
    const file = nextFile();
    const exited = await new Promise<number>((resolve) => {
      const child = execFile(process.execPath, ['-e', '']);
      child.on('exit', () => resolve(child.pid ?? 0));
    });
    await writeFile(
      `${file}.lock`,
      JSON.stringify({
        pid: exited,
        host: (await import('node:os')).hostname(),
        createdAt: new Date().toISOString(),
        token: 'x',
      }),
    );
    const ledger = new FileLedger(file, { timeoutMs: 5_000 });
    const release = await ledger.begin({ environment: 'production', version: 'v1', slot: 'blue' });
    expect(release.status).toBe('in_progress');
    await expect(stat(`${file}.lock`)).rejects.toThrow(/ENOENT/);
  });

  it('waits a bounded time for a live holder, then says who holds the lock', async () => {
    const file = nextFile();
    await writeFile(
      `${file}.lock`,
      JSON.stringify({
        pid: process.pid,
        host: (await import('node:os')).hostname(),
        createdAt: '2026-01-01T00:00:00.000Z',
        token: 'x',
      }),
    );
    const ledger = new FileLedger(file, { timeoutMs: 300 });
    const error = await ledger
      .begin({ environment: 'production', version: 'v1', slot: 'blue' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect(error.message).toMatch(
      new RegExp(
        `locked by process ${process.pid} .*gave up after 0 s\\. If no Glidepath run is using it, delete .*\\.lock`,
      ),
    );
    // A lock older than the stale age is broken even when its holder lives.
    const patient = new FileLedger(file, { timeoutMs: 5_000, staleMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await patient.begin({ environment: 'production', version: 'v1', slot: 'blue' })).version).toBe(
      'v1',
    );
  });
});

/** The child processes run the built module: it must exist and be newer than the sources. */
async function requireFreshBuild(module: string): Promise<void> {
  const sources = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/ledger');
  const built = await stat(module).catch(() => undefined);
  const newest = Math.max(
    ...(await Promise.all(
      ['file.ts', 'file-schema.ts', 'lock.ts', 'rules.ts'].map(
        async (f) => (await stat(path.join(sources, f))).mtimeMs,
      ),
    )),
  );
  if (!built || built.mtimeMs < newest)
    throw new Error(
      `${module} is missing or older than its sources: run npm run build -w @glidepath/core first.`,
    );
}
