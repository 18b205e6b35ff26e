import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShowStat } from '../../src/traffic/haproxy-stats.js';

// Recorded from HAProxy 2.6.12 (Debian 12): 20 requests to each server of
// backend "app", app_green answering 500 to every one of its own.
const recorded = readFileSync(path.join(import.meta.dirname, 'fixtures/haproxy-2.6-show-stat.csv'), 'utf8');

describe('parseShowStat', () => {
  it("reads each server's counters by column name, leaving out FRONTEND and BACKEND", () => {
    const servers = parseShowStat(recorded, 'app');
    expect([...servers.keys()]).toEqual(['app_blue', 'app_green']);
    expect(servers.get('app_green')).toMatchObject({
      requests: 20,
      connectionErrors: 0,
      responseErrors: 0,
      byClass: { '2xx': 0, '5xx': 20 },
    });
    expect(servers.get('app_blue')).toMatchObject({ requests: 20, byClass: { '2xx': 20, '5xx': 0 } });
    // The recording's rtime: 1 ms on both servers; no server is DOWN (no health checks).
    expect(servers.get('app_blue')).toMatchObject({ averageResponseMs: 1, status: 'no check', retries: 0 });
  });

  it('finds nothing of another backend, and refuses an answer that is not show stat', () => {
    expect(parseShowStat(recorded, 'other').size).toBe(0);
    expect(() => parseShowStat('Unknown command.\n', 'app')).toThrow(/unexpected answer to "show stat"/);
    expect(() => parseShowStat('# pxname,svname\napp,a\n', 'app')).toThrow(
      /no column hrsp_5xx, econ, eresp, rtime/,
    );
  });
});
