/**
 * A real Prometheus server for one test file: Debian's `prometheus` binary,
 * a temporary config and storage directory, a free loopback port, and a 1 s
 * scrape interval so that tests see fresh values within seconds.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, requireProgram } from './services.js';

export interface PrometheusServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Runs an instant query and returns the value of the first series (undefined when empty). */
  query(promql: string): Promise<number | undefined>;
  /** Resolves once `promql` returns a value satisfying `accept`; rejects after `timeoutMs`. */
  waitFor(promql: string, accept: (value: number) => boolean, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
  /** What Prometheus printed, to show when something went wrong. */
  log(): string;
}

export interface PrometheusOptions {
  /** Scrape targets (`host:port`), all under the job name `job`. */
  targets: string[];
  job?: string;
  scrapeInterval?: string;
  /** Require HTTP basic authentication (Prometheus's web config, bcrypt hash made by htpasswd). */
  basicAuth?: { username: string; password: string };
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const binary = requireProgram('prometheus', 'prometheus');
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-prometheus-'));
  const port = await freePort();
  const interval = options.scrapeInterval ?? '1s';
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    `  - job_name: ${options.job ?? 'service'}`,
    `    scrape_interval: ${interval}`,
    `    scrape_timeout: ${interval}`,
    '    static_configs:',
    `      - targets: [${options.targets.map((t) => `"${t}"`).join(', ')}]`,
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'prometheus.yml'), config);
  const webConfig: string[] = [];
  if (options.basicAuth) {
    const htpasswd = requireProgram('htpasswd', 'apache2-utils');
    const line = execFileSync(
      htpasswd,
      ['-nbB', '-C', '5', options.basicAuth.username, options.basicAuth.password],
      {
        encoding: 'utf8',
      },
    ).trim();
    const hash = line.slice(line.indexOf(':') + 1);
    writeFileSync(
      path.join(dir, 'web.yml'),
      `basic_auth_users:\n  ${JSON.stringify(options.basicAuth.username)}: ${JSON.stringify(hash)}\n`,
    );
    webConfig.push(`--web.config.file=${path.join(dir, 'web.yml')}`);
  }
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
      ...webConfig,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const authorization = options.basicAuth
    ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`
    : undefined;
  const query = async (promql: string): Promise<number | undefined> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, {
      headers: authorization ? { authorization } : {},
    });
    const body = (await response.json()) as {
      status: string;
      data?: { resultType: string; result: Array<{ value: [number, string] }> | [number, string] };
      error?: string;
    };
    if (body.status !== 'success') throw new Error(`Prometheus query ${promql} failed: ${body.error}`);
    if (body.data?.resultType === 'scalar') return Number((body.data.result as [number, string])[1]);
    const first = ((body.data?.result ?? []) as Array<{ value: [number, string] }>)[0];
    return first ? Number(first.value[1]) : undefined;
  };

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const server: PrometheusServer = {
    url,
    query,
    async waitFor(promql, accept, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`Prometheus exited (${child.exitCode}):\n${output}`);
        try {
          const value = await query(promql);
          if (value !== undefined && accept(value)) return value;
          last = value;
        } catch (error) {
          last = error;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(
        `Prometheus: ${promql} did not reach the expected value in ${timeoutMs} ms (last: ${String(last)})\n${output}`,
      );
    },
    stop,
    log: () => output,
  };

  try {
    await server.waitFor('vector(1)', (v) => v === 1, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return server;
}
