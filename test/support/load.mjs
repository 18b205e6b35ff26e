// A bounded, steady HTTP load on loopback, shared by the canary-shift and end-to-end
// tests and bench/canary.mjs (types in load.d.mts).
//
// A fixed number of keep-alive workers, paced to a target rate, stopped by a
// request count or a time limit, whichever comes first. It records every
// failed request (status >= 500 or a transport error) with its time, and which
// version answered each request (the sample service's `x-version` header), so
// a caller can tell where traffic went and exactly when users saw errors.
//
// With `retries: 'resets'` (the default) one case is resent instead of
// counted: a GET whose connection to the router is reset before any byte of an
// answer. With `retries: 'off'` nothing is resent — every reset is a failure,
// as it is for a POST, which no browser resends; benches measure that way. nginx closes its idle client
// connections (kept-alive ones, and accepted ones whose request it has not read
// yet) whenever a graceful reload retires the old workers, so a request racing
// that close sees ECONNRESET. It never reached a backend (a failing or absent
// backend gives a 502 from nginx, not a reset), and HTTP lets a client resend
// an idempotent request after it (RFC 9110 §9.2.2); browsers do, and Node's own
// documentation (`request.reusedSocket`) shows the same retry. Such resends go
// on a new connection, are counted in `retriedResets` and reported; anything
// else (a 5xx, an error after an answer started, a second reset, a timeout) is
// a failure.
import http from 'node:http';
import { seededRandom } from './seeded.mjs';

export function startLoad(options) {
  const rate = options.rate ?? 300;
  const concurrency = options.concurrency ?? 8;
  const maxRequests = options.maxRequests ?? 60_000;
  const maxMs = options.maxMs ?? 120_000;
  const resendResets = (options.retries ?? 'resets') === 'resets';
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(options.url);
  const startedAt = Date.now();
  const failures = [];
  const byVersion = {};
  const answers = [];
  let requests = 0;
  let retriedResets = 0;
  let stopping = false;
  const period = (concurrency * 1000) / rate;
  // A path mix: each request takes one of `paths` at random (seeded, so runs
  // repeat), not in turn — a fixed cycle would line up with a router's round
  // robin and send one slot only some of the paths.
  const paths = options.paths ?? [target.pathname];
  const random = seededRandom(0x9e3779b9);
  const pick = () => paths[Math.floor(random() * paths.length)];

  const once = (retry = true, path = pick()) =>
    new Promise((resolve) => {
      const at = Date.now();
      let answered = false;
      const req = http.get(
        // A resend goes on a new connection: another pooled one may be closing too.
        {
          host: target.hostname,
          port: target.port,
          path,
          agent: retry ? agent : false,
          timeout: 10_000,
        },
        (res) => {
          answered = true;
          const version = String(res.headers['x-version'] ?? 'unknown');
          res.resume();
          res.on('end', () => {
            byVersion[version] = (byVersion[version] ?? 0) + 1;
            answers.push({ at, version, status: res.statusCode });
            if ((res.statusCode ?? 0) >= 500) failures.push({ at, status: res.statusCode, version, path });
            resolve();
          });
          res.on('error', (error) => {
            failures.push({ at, error: error.message, version });
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => {
        if (resendResets && retry && !answered && error.code === 'ECONNRESET') {
          retriedResets++;
          void once(false, path).then(resolve);
          return;
        }
        failures.push({ at, error: error.code ?? error.message, path });
        resolve();
      });
    });

  const worker = async (offset) => {
    let next = Date.now() + offset;
    while (!stopping && requests < maxRequests && Date.now() - startedAt < maxMs) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next += period;
      requests++;
      await once();
    }
  };
  const workers = Array.from({ length: concurrency }, (_, i) => worker((i * period) / concurrency));

  const snapshot = () => {
    const endedAt = Date.now();
    return {
      requests,
      failures: [...failures].sort((a, b) => a.at - b.at),
      startedAt,
      endedAt,
      byVersion: { ...byVersion },
      answers: [...answers],
      rate: requests / Math.max(0.001, (endedAt - startedAt) / 1000),
      retriedResets,
    };
  };
  return {
    snapshot,
    async stop() {
      stopping = true;
      await Promise.all(workers);
      agent.destroy();
      return snapshot();
    },
  };
}

/** The time from the first to the last failed request, in ms (0 with one or none). */
export function failureSpan(failures) {
  if (failures.length < 2) return 0;
  return failures[failures.length - 1].at - failures[0].at;
}
