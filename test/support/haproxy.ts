import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, requireProgram } from './services.js';

export interface HaproxyServer {
  dir: string;
  /** The unix admin socket (`stats socket … level admin`). */
  socket: string;
  /** The same runtime API on loopback TCP, as `tcp://127.0.0.1:<port>`. */
  tcpSocket: string;
  backend: string;
  port: number;
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a real HAProxy (the Debian package) in the foreground with a frontend
 * on a free loopback port, a backend of the given servers (name → address),
 * and the runtime API on a unix socket and on a loopback TCP port, both at
 * admin level. `retries 0` and no `option redispatch` keep backend errors
 * visible to the client.
 */
export async function startHaproxy(options: {
  servers: Array<{ name: string; address: string; weight?: number }>;
  backend?: string;
  balance?: string;
}): Promise<HaproxyServer> {
  const binary = requireProgram('haproxy', 'haproxy');
  const dir = await mkdtemp(path.join(tmpdir(), 'glidepath-haproxy-'));
  const port = await freePort();
  const adminPort = await freePort();
  const backend = options.backend ?? 'app';
  const socket = path.join(dir, 'admin.sock');
  const conf = path.join(dir, 'haproxy.cfg');
  await writeFile(
    conf,
    `global
  stats socket ${socket} mode 600 level admin
  stats socket ipv4@127.0.0.1:${adminPort} level admin
  stats timeout 30s

defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  retries 0

frontend web
  bind 127.0.0.1:${port}
  default_backend ${backend}

backend ${backend}
  balance ${options.balance ?? 'roundrobin'}
${options.servers.map((s) => `  server ${s.name} ${s.address} weight ${s.weight ?? 1}`).join('\n')}
`,
  );
  const child = spawn(binary, ['-db', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const server: HaproxyServer = {
    dir,
    socket,
    tcpSocket: `tcp://127.0.0.1:${adminPort}`,
    backend,
    port,
    url: `http://127.0.0.1:${port}/`,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
    try {
      await fetch(server.url, { signal: AbortSignal.timeout(1000) });
      return server;
    } catch {
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`haproxy did not listen on ${server.url} within 15s: ${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
