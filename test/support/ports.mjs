// A free TCP port on loopback, for a server that something else binds later
// (nginx, HAProxy, a slot's service started by a deploy script seconds from
// now). Plain JavaScript so the demo and the benchmarks share it with the tests.
//
// "Ask the OS for port 0, close, hand the number out" races: until the real
// server binds, any `listen(0)` or outgoing connection on the machine may be
// given the same port by the kernel, and another test file running at the same
// time may be handed it too. A CI run lost a test to exactly that (a slot's
// port taken by another test's nginx, which then answered 502). So ports come
// from below the kernel's ephemeral range (32768–60999 on Linux), which the
// kernel never hands out by itself; each vitest worker (VITEST_POOL_ID) has its
// own block, so two files running at once never share a port; and a process
// hands a port out once. A second test run on the same machine (a developer
// running one file while another run goes on) sets PORT_BLOCK_OFFSET, e.g. 6,
// so its workers take other blocks.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const FIRST = 20_000;
const BLOCK = 1_000;
const BLOCKS = 12; // 20000–31999, below the ephemeral range

const handedOut = new Set();
let cursor;

export async function freePort() {
  checkEphemeralRange();
  const pool = Number(process.env.VITEST_POOL_ID ?? 0) + Number(process.env.PORT_BLOCK_OFFSET ?? 0);
  if (!Number.isInteger(pool) || pool < 0 || pool >= BLOCKS)
    throw new Error(
      `VITEST_POOL_ID=${process.env.VITEST_POOL_ID} (PORT_BLOCK_OFFSET=${process.env.PORT_BLOCK_OFFSET ?? 0}): freePort has port blocks 0-${BLOCKS - 1}`,
    );
  const base = FIRST + pool * BLOCK;
  // A random start, so a rerun does not begin where a leftover process may still listen.
  cursor ??= Math.floor(Math.random() * BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    const port = base + ((cursor + i) % BLOCK);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    cursor = (cursor + i + 1) % BLOCK;
    return port;
  }
  throw new Error(`no free port left in 127.0.0.1:${base}-${base + BLOCK - 1}`);
}

let rangeChecked = false;

/** The blocks are safe only while the kernel never picks their ports itself (Linux; elsewhere nothing to read). */
function checkEphemeralRange() {
  if (rangeChecked) return;
  rangeChecked = true;
  let text;
  try {
    text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return;
  }
  const [low, high] = text.trim().split(/\s+/).map(Number);
  const last = FIRST + BLOCKS * BLOCK - 1;
  if (low <= last && high >= FIRST)
    throw new Error(
      `the kernel's ephemeral port range ${low}-${high} overlaps freePort's ${FIRST}-${last}: ports handed out could be taken by any connection`,
    );
}

function canListen(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
