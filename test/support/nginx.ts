import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { NGINX_LOG_FORMAT } from '../../packages/core/src/traffic/nginx-access-log.js';
import { freePort, requireProgram } from './services.js';

const execFile = promisify(execFileCb);

export interface NginxServer {
  /** The temporary prefix holding nginx.conf, the upstream file, logs and the pid file. */
  dir: string;
  conf: string;
  /** A second file nginx.conf includes, standing for the rest of the user's configuration. */
  extraFile: string;
  /** The file the router owns; nginx.conf includes it. */
  upstreamFile: string;
  upstream: string;
  port: number;
  url: string;
  /** The JSON access log in Glidepath's format, when asked for. */
  accessLog?: string;
  /** `nginx -s reopen` for this instance (after a rotation). */
  reopenCommand: string[];
  binary: string;
  /** `nginx -t` and `nginx -s reload` for this instance, as the router's command inputs take them. */
  testCommand: string[];
  reloadCommand: string[];
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts a real nginx (the Debian package) in a temporary prefix: a main
 * config that includes the upstream file and proxies a free loopback port to
 * it. `proxy_next_upstream off` makes every backend error visible to the
 * client instead of being retried on the other slot, so a test counts what a
 * user would see.
 */
export async function startNginx(options: {
  upstreamContent: string;
  upstream?: string;
  /** Write the JSON access log Glidepath reads (log_format glidepath). */
  accessLog?: boolean;
  /** `proxy_next_upstream` (default off): e.g. `error timeout http_502` to retry on the other slot. */
  nextUpstream?: string;
}): Promise<NginxServer> {
  const binary = requireProgram('nginx', 'nginx');
  const dir = await mkdtemp(path.join(tmpdir(), 'glidepath-nginx-'));
  const port = await freePort();
  const upstream = options.upstream ?? 'app';
  const upstreamFile = path.join(dir, 'upstream.conf');
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(upstreamFile, options.upstreamContent);
  await writeFile(path.join(dir, 'extra.conf'), '# nothing yet\n');
  await writeFile(
    conf,
    `worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  ${
    options.accessLog
      ? `${NGINX_LOG_FORMAT}
  access_log ${dir}/access.log glidepath;`
      : 'access_log off;'
  }
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${upstreamFile};
  # Stands for the rest of a user's configuration; a test may break it.
  include ${dir}/extra.conf;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream ${options.nextUpstream ?? 'off'};
    }
  }
}
`,
  );
  const base = [binary, '-c', conf, '-p', `${dir}/`];
  const testCommand = [...base, '-t'];
  const reloadCommand = [...base, '-s', 'reload'];
  // Daemon mode with a pid file, as nginx runs on a host: `-s reload` finds the master through the pid file.
  await execFile(binary, ['-c', conf, '-p', `${dir}/`]);
  const server: NginxServer = {
    dir,
    conf,
    extraFile: path.join(dir, 'extra.conf'),
    upstreamFile,
    upstream,
    port,
    url: `http://127.0.0.1:${port}/`,
    ...(options.accessLog ? { accessLog: path.join(dir, 'access.log') } : {}),
    reopenCommand: [...base, '-s', 'reopen'],
    binary,
    testCommand,
    reloadCommand,
    errorLog: () => readFile(path.join(dir, 'error.log'), 'utf8').catch(() => ''),
    stop: async () => {
      // Signal the master directly: `nginx -s quit` parses the configuration
      // first and refuses when a test has left it broken.
      const pid = Number(await readFile(path.join(dir, 'nginx.pid'), 'utf8').catch(() => ''));
      if (pid && alive(pid)) {
        process.kill(pid, 'SIGQUIT');
        const deadline = Date.now() + 10_000;
        while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  await waitForPort(server.url);
  return server;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForPort(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not listen on ${url} within 15s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The pids of the nginx worker processes (children of the master), to see when a reload has taken effect. */
export async function nginxWorkers(server: NginxServer): Promise<number[]> {
  const master = Number(await readFile(path.join(server.dir, 'nginx.pid'), 'utf8'));
  const { stdout } = await execFile('ps', ['-o', 'pid=,args=', '--ppid', String(master)]).catch(() => ({
    stdout: '',
  }));
  return stdout
    .split('\n')
    .filter((l) => l.includes('worker process') && !l.includes('shutting down'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/**
 * Waits until nginx runs a new set of workers after a reload: `nginx -s
 * reload` only signals the master, which starts new workers a moment later.
 */
export async function waitForReload(
  server: NginxServer,
  before: number[],
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await nginxWorkers(server);
    if (now.length > 0 && now.every((pid) => !before.includes(pid))) return;
    if (Date.now() > deadline) throw new Error(`nginx did not start new workers within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
