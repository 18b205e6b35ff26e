import { describe, expect, it, vi } from 'vitest';
import { retry, sleep } from '../src/index.js';

describe('retry', () => {
  it('retries with growing, jittered delays and returns the first success', async () => {
    const delays: number[] = [];
    let calls = 0;
    const value = await retry(
      async () => {
        calls++;
        if (calls < 4) throw new Error(`try ${calls}`);
        return 'ok';
      },
      { attempts: 5, baseDelayMs: 100, random: () => 1, sleep: async (ms) => void delays.push(ms) },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(4);
    expect(delays).toEqual([100, 200, 400]);
  });

  it('keeps every delay between half and all of its exponential bound', async () => {
    const delays: number[] = [];
    await expect(
      retry(
        async () => {
          throw new Error('down');
        },
        {
          attempts: 4,
          baseDelayMs: 100,
          maxDelayMs: 250,
          random: () => 0,
          sleep: async (ms) => void delays.push(ms),
        },
      ),
    ).rejects.toThrow('down');
    expect(delays).toEqual([50, 100, 125]);
  });

  it('stops at once on an error that is not retryable', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw Object.assign(new Error('unauthorized'), { status: 401 });
        },
        { attempts: 5, retryable: (e) => (e as { status: number }).status >= 500, sleep: async () => {} },
      ),
    ).rejects.toThrow('unauthorized');
    expect(calls).toBe(1);
  });

  it('sleep rejects as soon as the signal aborts', async () => {
    // Fake timers: the clock moves only when told, so "as soon as" is exact, not a race with the machine.
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      const outcome = sleep(10_000, controller.signal).then(
        () => 'slept the whole 10 s',
        (error: unknown) => (error as Error).message,
      );
      vi.advanceTimersByTime(20);
      controller.abort(new Error('cancelled'));
      // 20 ms into the 10 s sleep its timer is gone, so running the clock past 10 s changes nothing.
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(10_000);
      expect(await outcome).toBe('cancelled');
    } finally {
      vi.useRealTimers();
    }
  });
});
