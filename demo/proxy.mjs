#!/usr/bin/env node
// A minimal weighted HTTP proxy that exists only for the demo, on machines
// without nginx. It reads the same `upstream NAME { server … weight=N; }` file
// that Glidepath's nginx router writes, with the router's own parser, and
// behaves like nginx where the demo relies on it:
//
//   proxy.mjs serve  --upstream-file F --upstream NAME --listen 127.0.0.1:PORT --pid-file P
//   proxy.mjs test   --upstream-file F --upstream NAME     (like `nginx -t`: exit 1 on a bad file)
//   proxy.mjs reload --pid-file P                          (like `nginx -s reload`: SIGHUP, graceful)
//
// Balancing is nginx's smooth weighted round-robin; `down` servers take nothing;
// a reload swaps the server list between requests, so none is dropped.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { parseUpstream, serverWeight } from '@glidepath/core';

const [command, ...rest] = process.argv.slice(2);
const args = {};
for (let i = 0; i < rest.length; i += 2) args[rest[i].replace(/^--/, '')] = rest[i + 1];

function load() {
  const block = parseUpstream(readFileSync(args['upstream-file'], 'utf8'), args.upstream);
  const servers = block.servers.map((s) => ({ address: s.address, weight: serverWeight(s), current: 0 }));
  if (!servers.some((s) => s.weight > 0))
    throw new Error(`upstream "${args.upstream}" has no server taking traffic`);
  return servers;
}

if (command === 'test') {
  try {
    const servers = load();
    console.log(
      `demo proxy: ${args['upstream-file']} is valid (${servers.map((s) => `${s.address} w=${s.weight}`).join(', ')})`,
    );
  } catch (error) {
    console.error(`demo proxy: ${args['upstream-file']}: ${error.message}`);
    process.exit(1);
  }
} else if (command === 'reload') {
  process.kill(Number(readFileSync(args['pid-file'], 'utf8')), 'SIGHUP');
} else if (command === 'serve') {
  let servers = load();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  // Smooth weighted round-robin, as nginx does it: every pick adds each
  // server's weight to its score, takes the highest, and subtracts the total.
  const pick = () => {
    let best;
    let total = 0;
    for (const s of servers) {
      if (s.weight <= 0) continue;
      s.current += s.weight;
      total += s.weight;
      if (!best || s.current > best.current) best = s;
    }
    best.current -= total;
    return best;
  };
  process.on('SIGHUP', () => {
    try {
      servers = load();
    } catch (error) {
      console.error(`demo proxy: reload refused, keeping the previous servers: ${error.message}`);
    }
  });
  const server = http.createServer((req, res) => {
    const target = pick();
    const [host, port] = target.address.split(':');
    const upstream = http.request(
      { host, port: Number(port ?? 80), method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-upstream': target.address });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway\n');
    });
    req.pipe(upstream);
  });
  const [host, port] = args.listen.split(':');
  server.listen(Number(port), host, () => {
    writeFileSync(args['pid-file'], String(process.pid));
    console.log(`demo proxy listening on http://${args.listen}`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  console.error(
    'usage: proxy.mjs serve|test|reload --upstream-file F --upstream NAME --listen HOST:PORT --pid-file P',
  );
  process.exit(2);
}
