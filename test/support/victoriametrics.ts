/**
 * A real VictoriaMetrics (single node) for one test file: Debian's
 * `victoria-metrics` (1.79), a temporary storage directory, one free loopback
 * port, and its own Prometheus-style scraper (`-promscrape.config`) scraping
 * the given targets every second. It answers the Prometheus query API, so it
 * has the shape of `PrometheusServer`, plus `importPrometheus` to write
 * samples directly.
 *
 * What 1.79 needs before a just-written sample answers `/api/v1/query`
 * (measured here):
 * - `-search.latencyOffset=0s`. By default (30 s) an instant query without
 *   `time` is evaluated 30 s in the past, so a new series shows up about 30 s
 *   after its first scrape.
 * - A flush. Scraped and imported rows are buffered and the series index is
 *   refreshed on a ~10 s cycle: without `GET /internal/force_flush` a sample
 *   imported now is seen after several seconds, and a selector that was
 *   queried before its series existed stays empty for up to ~10 s (the
 *   lookup is cached). `query()` (and so `waitFor`) calls force_flush first,
 *   which makes a scraped sample visible within about a second of the scrape.
 *   Code under test that queries VictoriaMetrics itself gets no such flush.
 * - `-search.disableCache`, so that a range query over samples imported with
 *   old timestamps is never answered from the response cache.
 * `-promscrape.config.strictParse` stays on (the generated config is plain
 * Prometheus): an unsupported field fails the start instead of being dropped.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PrometheusServer } from './prometheus.js';
import { expectOk, pollUntil, spawnServer } from './server-process.js';
import { freePort, requireProgram } from './services.js';

export interface VictoriaMetricsServer extends PrometheusServer {
  /**
   * Writes samples in the Prometheus text format (`name{label="v"} value [timestamp ms]`,
   * one a line) through `/api/v1/import/prometheus`, then flushes. The import is handed to
   * storage asynchronously: read the samples back with `waitFor` (about a second here), not a
   * single `query`.
   */
  importPrometheus(text: string): Promise<void>;
  /** `GET /internal/force_flush`: makes everything received so far searchable. */
  flush(): Promise<void>;
}

export interface VictoriaMetricsOptions {
  /** Scrape targets (`host:port`), all under the job name `job`; may be empty. */
  targets: string[];
  job?: string;
  scrapeInterval?: string;
  /** Readiness deadline, 30 s by default. */
  timeoutMs?: number;
}

export async function startVictoriaMetrics(options: VictoriaMetricsOptions): Promise<VictoriaMetricsServer> {
  const binary = requireProgram('victoria-metrics', 'victoria-metrics');
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-victoriametrics-'));
  const port = await freePort();
  const interval = options.scrapeInterval ?? '1s';
  const scrapeArgs: string[] = [];
  if (options.targets.length > 0) {
    // JSON is YAML.
    const config = {
      global: { scrape_interval: interval },
      scrape_configs: [
        {
          job_name: options.job ?? 'service',
          scrape_interval: interval,
          scrape_timeout: interval,
          static_configs: [{ targets: options.targets }],
        },
      ],
    };
    writeFileSync(path.join(dir, 'scrape.yml'), `${JSON.stringify(config, null, 2)}\n`);
    scrapeArgs.push(`-promscrape.config=${path.join(dir, 'scrape.yml')}`);
  }
  const proc = spawnServer(
    'VictoriaMetrics',
    binary,
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${path.join(dir, 'data')}`,
      '-retentionPeriod=1d',
      '-loggerLevel=WARN',
      '-search.latencyOffset=0s',
      '-search.disableCache',
      ...scrapeArgs,
    ],
    dir,
  );
  const url = `http://127.0.0.1:${port}`;

  const flush = async () => {
    await expectOk('VictoriaMetrics', 'force_flush', await fetch(`${url}/internal/force_flush`));
  };
  const query = async (promql: string): Promise<number | undefined> => {
    await flush();
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      data?: { resultType: string; result: Array<{ value: [number, string] }> | [number, string] };
      error?: string;
    };
    if (body.status !== 'success') throw new Error(`VictoriaMetrics query ${promql} failed: ${body.error}`);
    if (body.data?.resultType === 'scalar') return Number((body.data.result as [number, string])[1]);
    const first = ((body.data?.result ?? []) as Array<{ value: [number, string] }>)[0];
    return first ? Number(first.value[1]) : undefined;
  };

  const server: VictoriaMetricsServer = {
    url,
    query,
    async waitFor(promql, accept, timeoutMs = 30_000) {
      let last: unknown;
      return pollUntil(
        'VictoriaMetrics',
        proc,
        () => `${promql} reaching the expected value (last: ${String(last)})`,
        async () => {
          const value = await query(promql);
          last = value;
          return value !== undefined && accept(value) ? value : undefined;
        },
        timeoutMs,
      );
    },
    async importPrometheus(text) {
      await expectOk(
        'VictoriaMetrics',
        'import',
        await fetch(`${url}/api/v1/import/prometheus`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: text.endsWith('\n') ? text : `${text}\n`,
        }),
      );
      await flush();
    },
    flush,
    stop: () => proc.stop(),
    log: () => proc.log(),
  };

  try {
    await pollUntil(
      'VictoriaMetrics',
      proc,
      `GET ${url}/health answering 200`,
      async () => ((await fetch(`${url}/health`)).ok ? true : undefined),
      options.timeoutMs,
    );
    await server.waitFor('vector(1)', (v) => v === 1, options.timeoutMs);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return server;
}
