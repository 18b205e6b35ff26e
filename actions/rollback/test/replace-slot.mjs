#!/usr/bin/env node
// A deploy command for tests: replaces the sample-service of one slot with a
// new one running $IMAGE on the same port, as a host deploy script would, and
// then exits with the given code (1: "the smoke test after the deploy failed").
// Usage: replace-slot.mjs <pid-file> <port> <exit-code>
// The pid file holds the pid of the slot's process; the new pid replaces it.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [pidFile, port, exitCode] = process.argv.slice(2);
const service = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../examples/sample-service/server.mjs',
);
const listening = () =>
  new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
const until = async (ready, what) => {
  for (let i = 0; i < 200; i++) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} within 10 s`);
};

try {
  process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
} catch {
  // Already gone.
}
await until(async () => !(await listening()), `port ${port} was not freed`);
const child = spawn(process.execPath, [service], {
  env: { ...process.env, PORT: port, HOST: '127.0.0.1', VERSION: process.env.IMAGE, SLOT: process.env.SLOT },
  detached: true,
  stdio: 'ignore',
});
child.unref();
writeFileSync(pidFile, String(child.pid));
await until(listening, `${process.env.IMAGE} did not listen on ${port}`);
console.log(`${process.env.SLOT} now runs ${process.env.IMAGE} (pid ${child.pid})`);
if (exitCode !== '0') console.error('the smoke test after the deploy failed');
process.exit(Number(exitCode));
