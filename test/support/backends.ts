import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './services.js';

const sampleService = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../examples/sample-service/server.mjs',
);

export interface Backend {
  slot: string;
  version: string;
  port: number;
  /** `127.0.0.1:<port>`, as an nginx server or HAProxy server address. */
  address: string;
  process: ChildProcess;
}

export interface BackendSpec {
  slot: string;
  version?: string;
  latencyMs?: number;
  errorRate?: number;
  /** Paths the error rate applies to (`/checkout`); default every path but /healthz. */
  failPaths?: string[];
  /** Status of a failed answer (default 500). */
  errorStatus?: number;
  /** A given port (a redeploy into the same slot); a free one by default. */
  port?: number;
  /** Log a line per failed answer on stderr (`level=error …`), for a test's log shipper. */
  logErrors?: boolean;
}

/**
 * Starts one sample-service process per spec on free loopback ports and waits
 * until each answers. Every process is a real HTTP server, so a router test
 * sees exactly the split a user's nginx or HAProxy would produce.
 */
export async function startBackends(specs: BackendSpec[]): Promise<Backend[]> {
  const backends: Backend[] = [];
  try {
    for (const spec of specs) backends.push(await startBackend(spec));
    return backends;
  } catch (error) {
    await stopBackends(backends);
    throw error;
  }
}

async function startBackend(spec: BackendSpec): Promise<Backend> {
  const port = spec.port ?? (await freePort());
  const version = spec.version ?? `v-${spec.slot}`;
  const child = spawn(process.execPath, [sampleService], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      VERSION: version,
      SLOT: spec.slot,
      LATENCY_MS: String(spec.latencyMs ?? 0),
      ERROR_RATE: String(spec.errorRate ?? 0),
      FAIL_PATHS: (spec.failPaths ?? []).join(','),
      ERROR_STATUS: String(spec.errorStatus ?? 500),
      ...(spec.logErrors ? { LOG_ERRORS: '1' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const backend = { slot: spec.slot, version, port, address: `127.0.0.1:${port}`, process: child };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sample-service for ${spec.slot} exited: ${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return backend;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sample-service for ${spec.slot} did not answer on port ${port} within 20s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stopBackends(backends: Backend[]): Promise<void> {
  await Promise.all(
    backends.map(
      (b) =>
        new Promise<void>((resolve) => {
          if (b.process.exitCode !== null || b.process.signalCode !== null) return resolve();
          const timer = setTimeout(() => b.process.kill('SIGKILL'), 5000);
          b.process.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          b.process.kill('SIGTERM');
        }),
    ),
  );
}

export interface LoadResult {
  total: number;
  failed: number;
  /** Answers per slot (from the JSON body's `slot`). */
  bySlot: Record<string, number>;
  /** The first few failures, for the assertion message. */
  failures: string[];
  /**
   * Requests sent again because the server closed an idle keep-alive
   * connection just as the request went out (only with `retryClosedConnection`).
   */
  retried: number;
}

/**
 * Sends `count` GET requests to `url`, `concurrency` at a time, each on a
 * fresh connection (as independent clients do), and counts which slot
 * answered. A request fails when it errors, times out or answers other than
 * 200. Bounded in count and, through `timeoutMs`, in time; `signal` ends it sooner.
 */
export async function sendRequests(
  url: string,
  options: {
    count: number;
    concurrency?: number;
    timeoutMs?: number;
    keepAlive?: boolean;
    /** A pause after each request per worker, to spread a load over time. */
    paceMs?: number;
    /**
     * Send a GET once more when the connection closed under it, as RFC 9112
     * §9.3.1 allows for idempotent requests and as browsers and most HTTP
     * client libraries do: a server may close an idle keep-alive connection at
     * any moment, and a request crossing that close never reached it.
     */
    retryClosedConnection?: boolean;
    /**
     * Stop sending once this aborts (requests in flight finish): a load that
     * lasts exactly as long as what the test does under it, however fast the
     * machine, rather than a fixed count that some number of actions must fit in.
     */
    signal?: AbortSignal;
  },
): Promise<LoadResult> {
  const { Agent, request } = await import('undici');
  const dispatcher = new Agent({ keepAliveTimeout: 4000 });
  const result: LoadResult = { total: 0, failed: 0, bySlot: {}, failures: [], retried: 0 };
  const once = async () => {
    const response = await request(url, {
      dispatcher,
      headers: options.keepAlive ? {} : { connection: 'close' },
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    return { statusCode: response.statusCode, body: await response.body.text() };
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let next = 0;
  const worker = async () => {
    while (next < options.count && Date.now() < deadline && !options.signal?.aborted) {
      next++;
      result.total++;
      try {
        let response: { statusCode: number; body: string };
        try {
          response = await once();
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (!options.retryClosedConnection || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET'))
            throw error;
          result.retried++;
          response = await once();
        }
        const body = response.body;
        if (response.statusCode !== 200)
          throw new Error(`HTTP ${response.statusCode}: ${body.slice(0, 100)}`);
        const slot = (JSON.parse(body) as { slot?: string }).slot ?? '?';
        result.bySlot[slot] = (result.bySlot[slot] ?? 0) + 1;
      } catch (error) {
        result.failed++;
        if (result.failures.length < 5) result.failures.push((error as Error).message);
      }
      if (options.paceMs) await new Promise((r) => setTimeout(r, options.paceMs));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  await dispatcher.close();
  return result;
}
