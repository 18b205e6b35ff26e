// In-memory doubles for unit tests of the shift state machine's own logic.
// The ledger is the real file ledger; the acceptance tests of canary-shift use real nginx and HAProxy.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BeginRelease, Release, Router, Weights } from '@glidepath/core';
import { FileLedger, RouterError, sameWeights } from '@glidepath/core';
import type { StepAnalysisRequest, StepAnalyst, StepVerdict } from '../../src/rollout/index.js';

export class MemoryRouter implements Router {
  readonly kind = 'nginx' as const;
  readonly sets: Weights[] = [];
  /** Makes the nth set call (1-based) and, when `sticky`, every later one fail. */
  failOnSet?: { call: number; sticky?: boolean; times?: number };
  private setCalls = 0;
  private failures = 0;

  constructor(public weights: Weights) {}

  describe(): string {
    return 'memory router';
  }

  async read(): Promise<Weights> {
    return { ...this.weights };
  }

  async set(weights: Weights): Promise<void> {
    this.setCalls++;
    const f = this.failOnSet;
    if (f && this.setCalls >= f.call && (f.sticky || this.setCalls === f.call)) {
      if (f.times === undefined || this.failures < f.times) {
        this.failures++;
        throw new RouterError(`set #${this.setCalls} refused`);
      }
    }
    this.sets.push({ ...weights });
    this.weights = { ...weights };
  }

  async verify(weights: Weights): Promise<void> {
    if (!sameWeights(this.weights, weights)) throw new RouterError('weights differ');
  }
}

type Script = (request: StepAnalysisRequest) => Partial<StepVerdict> & { afterMs?: number };

/**
 * An analyst that answers each step from a script after `afterMs` (default: the
 * whole step), emitting one interval point, and rejects promptly on abort the
 * way the real engine does.
 */
export function scriptedAnalyst(script: Script): StepAnalyst & { requests: StepAnalysisRequest[] } {
  const requests: StepAnalysisRequest[] = [];
  const analyst = async (request: StepAnalysisRequest): Promise<StepVerdict> => {
    requests.push(request);
    const { afterMs, ...answer } = script(request);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, afterMs ?? request.durationMs);
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(request.signal.reason);
      });
    });
    const verdict: StepVerdict = {
      verdict: 'pass',
      reason: 'all checks passed',
      samples: 5,
      p95Ms: 12,
      errorRate: 0,
      ...answer,
    };
    request.onInterval({ at: Date.now(), errorRate: verdict.errorRate });
    return verdict;
  };
  return Object.assign(analyst, { requests });
}

/** A real file ledger in a fresh temporary directory. */
export function tempLedger(): FileLedger {
  return new FileLedger(path.join(mkdtempSync(path.join(tmpdir(), 'glidepath-rollout-')), 'ledger.json'));
}

/**
 * An entry begun by a run that died ten minutes ago: in progress, its holder
 * silent for twice the default staleness, so another writer may carry it on or close it.
 */
export function beginByDeadRun(ledger: FileLedger, release: BeginRelease): Promise<Release> {
  return new FileLedger(ledger.file, { now: () => new Date(Date.now() - 10 * 60_000) }).begin(release);
}

export function silentLog() {
  const lines: string[] = [];
  return {
    lines,
    info: (m: string) => void lines.push(m),
    warning: (m: string) => void lines.push(`WARNING ${m}`),
    section: (title: string | undefined) => void lines.push(title === undefined ? '<end>' : `<${title}>`),
  };
}
