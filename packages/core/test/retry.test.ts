import { describe, expect, it } from 'vitest';
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
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('cancelled')), 20);
    await expect(sleep(10_000, controller.signal)).rejects.toThrow('cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
