// The router the demo shifts traffic with: a real nginx when one is installed,
// otherwise demo/proxy.mjs, which reads the same upstream file and answers to
// the same test/reload commands. Either way canary-shift and rollback drive it
// through their nginx router, the code path a user on nginx runs.
import { execFile as execFileCb, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);
const here = path.dirname(new URL(import.meta.url).pathname);

function findNginx() {
  for (const candidate of [
    '/usr/sbin/nginx',
    '/usr/local/sbin/nginx',
    '/usr/bin/nginx',
    '/usr/local/bin/nginx',
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Starts the router in `dir` listening on `port`, with `upstreamContent` as the upstream file. */
export async function startRouter({ dir, port, upstream, upstreamContent, useNginx = true }) {
  const upstreamFile = path.join(dir, 'upstream.conf');
  await writeFile(upstreamFile, upstreamContent);
  const nginx = useNginx ? findNginx() : undefined;
  if (nginx) {
    const conf = path.join(dir, 'nginx.conf');
    await writeFile(
      conf,
      `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${upstreamFile};
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream off;
    }
  }
}
`,
    );
    const base = [nginx, '-e', `${dir}/nginx-error.log`, '-c', conf, '-p', `${dir}/`];
    await execFile(base[0], base.slice(1));
    return {
      kind: `nginx (${nginx})`,
      upstreamFile,
      testCommand: [...base, '-t'].join(' '),
      reloadCommand: [...base, '-s', 'reload'].join(' '),
      stop: async () => {
        const pid = Number(await readFile(path.join(dir, 'nginx.pid'), 'utf8').catch(() => ''));
        if (pid) process.kill(pid, 'SIGQUIT');
      },
    };
  }
  const proxy = path.join(here, 'proxy.mjs');
  const pidFile = path.join(dir, 'proxy.pid');
  const common = ['--upstream-file', upstreamFile, '--upstream', upstream];
  const child = spawn(
    process.execPath,
    [proxy, 'serve', ...common, '--listen', `127.0.0.1:${port}`, '--pid-file', pidFile],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    kind: 'the demo proxy (nginx is not installed)',
    upstreamFile,
    testCommand: [process.execPath, proxy, 'test', ...common].join(' '),
    reloadCommand: [process.execPath, proxy, 'reload', '--pid-file', pidFile].join(' '),
    stop: async () => child.kill('SIGTERM'),
  };
}
