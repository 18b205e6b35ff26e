import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { statementKind } from '../src/engine/session.js';
import { acquireLock, advisoryLockKey, namedLock } from '../src/lock.js';

describe('lock keys', () => {
  it('derives a stable signed 64-bit key from the name', () => {
    // The key for the default name is documented in the README; pinned so it never changes by accident,
    // which would let an old and a new version of the action run migrations at the same time.
    const key = advisoryLockKey('glidepath');
    expect(key).toBe(-2906454007965256106n);
    expect(key).toBe(advisoryLockKey('glidepath'));
    expect(key).toBeGreaterThanOrEqual(-(2n ** 63n));
    expect(key).toBeLessThan(2n ** 63n);
    expect(advisoryLockKey('other')).not.toBe(key);
    expect(key).toBe(createHash('sha256').update('glidepath:glidepath').digest().readBigInt64BE(0));
  });

  it('names MySQL locks per database within 64 characters', () => {
    expect(namedLock('shop', 'glidepath')).toBe('glidepath:shop:glidepath');
    const long = namedLock('d'.repeat(60), 'glidepath');
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toBe(namedLock('d'.repeat(60), 'glidepath'));
  });
});

describe('acquireLock', () => {
  it('polls until the lock is free and reports the wait', async () => {
    let attempts = 0;
    let busy = 0;
    const waited = await acquireLock(async () => ++attempts >= 3, { waitMs: 5000, onBusy: () => busy++ });
    expect(attempts).toBe(3);
    expect(busy).toBe(1);
    expect(waited).toBeGreaterThan(0);
  });

  it('reports no wait when the first attempt succeeds', async () => {
    expect(await acquireLock(async () => true, { waitMs: 0 })).toBe(0);
  });

  it('gives up after lock-wait with a message that says so', async () => {
    // A clock that each attempt moves 100 ms, so how many attempts fit in lock-wait
    // does not depend on how fast this machine runs the polling.
    let attempts = 0;
    let clock = 0;
    await expect(
      acquireLock(
        async () => {
          attempts++;
          clock += 100;
          return false;
        },
        { waitMs: 300, maxIntervalMs: 50, now: () => clock },
      ),
    ).rejects.toThrow(
      /Another run holds the migration lock; gave up after waiting 300ms \(lock-wait: 300ms\)/,
    );
    // Attempts at 0, 100 and 200 ms; after the third, 300 ms have passed: lock-wait is over.
    expect(attempts).toBe(3);
  });

  it('names the holder when the server shows it, and says nothing of one it cannot see', async () => {
    let clock = 0;
    const busy: (string | undefined)[] = [];
    const attempt = (holder: () => Promise<string | undefined>) =>
      acquireLock(
        async () => {
          clock += 100;
          return false;
        },
        { waitMs: 100, maxIntervalMs: 1, now: () => clock, holder, onBusy: (h) => busy.push(h) },
      );
    await expect(attempt(async () => 'PostgreSQL session pid 42, idle for 3 s')).rejects.toThrow(
      'Another run holds the migration lock (held by PostgreSQL session pid 42, idle for 3 s); gave up',
    );
    // A holder query that fails (no privilege to see it) does not hide the lock-wait error.
    await expect(
      attempt(async () => {
        throw new Error('permission denied');
      }),
    ).rejects.toThrow(/^Another run holds the migration lock; gave up/);
    expect(busy).toEqual(['PostgreSQL session pid 42, idle for 3 s', undefined]);
  });

  it("names only the kind of the holder's statement, never its text", () => {
    expect(statementKind("ALTER USER app IDENTIFIED BY 'secret'")).toBe('ALTER');
    expect(statementKind('-- a comment\n/* another */\n  update t set x = 1')).toBe('UPDATE');
    expect(statementKind('  ')).toBe('a statement');
  });
});
