// A real nginx (Debian's nginx-light with libnginx-mod-http-lua) running
// Glidepath's nginx/glidepath.lua for `nginx-mode: dynamic`, shared by the
// tests and bench/canary.mjs (types in nginx-dynamic.d.mts).
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './ports.mjs';

const execFile = promisify(execFileCb);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The Lua module Glidepath ships for `nginx-mode: dynamic`, loaded from the repository as a user installs it. */
export const GLIDEPATH_LUA_DIR = path.join(root, 'nginx');
const MODULES = '/usr/lib/nginx/modules';

/**
 * A real nginx (Debian's nginx-light with libnginx-mod-http-lua) configured
 * as docs/nginx-dynamic.md says: one upstream block per slot, the route
 * declared in glidepath.setup(), `pick()` choosing the upstream per request,
 * and the control endpoint on loopback and a unix socket.
 */
export async function startNginxDynamic(options) {
  const binary = nginxBinary();
  const dir = await mkdtemp(path.join(tmpdir(), 'glidepath-nginx-dynamic-'));
  // Workers run as an unprivileged user when the master is root; they write the state file.
  const stateDir = path.join(dir, 'state');
  await mkdir(stateDir);
  await chmod(dir, 0o755);
  await chmod(stateDir, 0o777);
  const stateFile = path.join(stateDir, 'nginx-weights');
  const [port, controlPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
  const route = options.route ?? 'app';
  const socket = path.join(dir, 'control.sock');
  const conf = path.join(dir, 'nginx.conf');
  const control = `content_by_lua_block { require("glidepath").control() }`;
  await writeFile(
    conf,
    `load_module ${MODULES}/ndk_http_module.so;
load_module ${MODULES}/ngx_http_lua_module.so;
worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 1024; }
http {
  ${options.accessLog ? `${options.accessLog}\n  access_log ${dir}/access.log glidepath;` : 'access_log off;'}
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  lua_package_path "${GLIDEPATH_LUA_DIR}/?.lua;;";
  lua_shared_dict glidepath 1m;
  init_by_lua_block {
    require("glidepath").setup({
      state_file = "${stateFile}",
      routes = { ${route} = { initial = "blue", slots = { blue = "${route}_blue", green = "${route}_green" } } },
    })
  }
  upstream ${route}_blue { server ${options.blue}; keepalive 16; }
  upstream ${route}_green { server ${options.green}; keepalive 16; }
  server {
    listen 127.0.0.1:${port};
    location / {
      set_by_lua_block $glidepath_upstream { return require("glidepath").pick("${route}") }
      proxy_pass http://$glidepath_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream off;
      ${options.location ?? ''}
    }
  }
  server {
    listen 127.0.0.1:${controlPort};
    listen unix:${socket};
    access_log off;
    client_body_buffer_size 4k;
    location = /glidepath { ${control} }
  }
  server {
    listen 127.0.0.1:${proxyPort};
    access_log off;
    set_real_ip_from 127.0.0.0/8;
    real_ip_header X-Forwarded-For;
    location = /glidepath { ${control} }
  }
}
`,
  );
  const base = ['-c', conf, '-p', `${dir}/`];
  const start = async () => {
    await execFile(binary, base);
    await waitFor(`http://127.0.0.1:${controlPort}/glidepath?route=${route}`);
  };
  const masterPid = async () => Number(await readFile(path.join(dir, 'nginx.pid'), 'utf8').catch(() => ''));
  const quit = async () => {
    const pid = await masterPid();
    if (pid && alive(pid)) {
      process.kill(pid, 'SIGQUIT');
      const deadline = Date.now() + 10_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  };
  const workers = async () => {
    const { stdout } = await execFile('ps', ['-o', 'pid=,args=', '--ppid', String(await masterPid())]).catch(
      () => ({ stdout: '' }),
    );
    return stdout
      .split('\n')
      .filter((l) => l.includes('worker process') && !l.includes('shutting down'))
      .map((l) => Number(l.trim().split(/\s+/)[0]))
      .sort();
  };
  await start();
  return {
    dir,
    url: `http://127.0.0.1:${port}/`,
    control: `http://127.0.0.1:${controlPort}/glidepath`,
    controlUnix: `unix:${socket}`,
    controlBehindProxy: `http://127.0.0.1:${proxyPort}/glidepath`,
    stateFile,
    ...(options.accessLog ? { accessLog: path.join(dir, 'access.log') } : {}),
    workers,
    reload: async () => {
      const before = await workers();
      await execFile(binary, [...base, '-s', 'reload']);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const now = await workers();
        if (now.length > 0 && now.every((pid) => !before.includes(pid))) return;
        if (Date.now() > deadline) throw new Error('nginx did not start new workers after the reload');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    restart: async () => {
      await quit();
      await start();
    },
    errorLog: () => readFile(path.join(dir, 'error.log'), 'utf8').catch(() => ''),
    stop: async () => {
      await quit();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function nginxBinary() {
  try {
    return execFileSync('bash', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' })
      .trim()
      .split('\n')[0];
  } catch {
    throw new Error('nginx is not installed; run: sudo bash scripts/services.sh install');
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(url) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not answer on ${url} within 15s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
