/**
 * A real Alertmanager for one test file: Debian's `prometheus-alertmanager`
 * (0.25), a temporary config and storage directory, one free loopback port for
 * the API and gossip switched off (`--cluster.listen-address=` empty, so it
 * opens no cluster port). The route has a single receiver with no
 * integrations (nothing is sent anywhere), `group_wait: 1s`, and the inhibit
 * rules from the options; by default a firing `alertname="ClusterDown"`
 * inhibits every `service="shop"` alert (`equal: []`, accepted by 0.25).
 *
 * Verified against 0.25 (the facts the smoke test relies on):
 * - `POST /api/v2/alerts` stores the alerts before it answers: a fired alert
 *   is listed by `GET /api/v2/alerts?active=true&silenced=false&inhibited=false
 *   &filter=service="shop"` (each matcher its own `filter` parameter) on the
 *   very next request, as `status.state` "active" (or "unprocessed" before
 *   the dispatcher saw it; both count as active for the listing).
 * - Silences and inhibitions are worked out when the alerts are listed, not
 *   on a timer: the listing leaves a silenced alert out on the first request
 *   after `POST /api/v2/silences` answers, and shows it again right after
 *   `DELETE /api/v2/silence/{id}`; likewise an inhibited alert is left out
 *   right after the `ClusterDown` alert is posted. Without the
 *   `silenced=false`/`inhibited=false` filters the alert is listed with
 *   `status.state` "suppressed" and `silencedBy`/`inhibitedBy` set.
 * - A resolved alert (one posted again with `endsAt` now or earlier) is no
 *   longer listed by `GET /api/v2/alerts` at all. An alert posted without
 *   `endsAt` gets startsAt + resolve_timeout (5 m).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectOk, pollUntil, spawnServer } from './server-process.js';
import { freePort, requireProgram } from './services.js';

export type AlertLabels = Record<string, string>;

/** An inhibit rule as Alertmanager's config writes it (matchers in PromQL-like syntax). */
export interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal?: string[];
}

export interface SilenceMatcher {
  name: string;
  value: string;
  /** false by default. */
  isRegex?: boolean;
  /** true by default (`=`, `=~`); false for `!=`, `!~`. */
  isEqual?: boolean;
}

/** An alert as `GET /api/v2/alerts` lists it. */
export interface AlertmanagerAlert {
  labels: AlertLabels;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  receivers: Array<{ name: string }>;
  status: { state: 'unprocessed' | 'active' | 'suppressed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface AlertsQuery {
  /** Each defaults to true (Alertmanager's defaults); false leaves such alerts out. */
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  unprocessed?: boolean;
  /** Matchers such as `service="shop"`, each sent as its own `filter` parameter. */
  filter?: string[];
  receiver?: string;
}

export interface AlertmanagerServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Posts one firing alert (startsAt now unless given). */
  fire(
    labels: AlertLabels,
    options?: { annotations?: Record<string, string>; startsAt?: Date; endsAt?: Date },
  ): Promise<void>;
  /** Posts the alert with these labels again with endsAt now, which resolves it. */
  resolve(labels: AlertLabels): Promise<void>;
  /** Creates a silence (from now, for an hour unless told) and returns its id. */
  silence(
    matchers: SilenceMatcher[],
    options?: { startsAt?: Date; endsAt?: Date; createdBy?: string; comment?: string },
  ): Promise<string>;
  expireSilence(id: string): Promise<void>;
  /** `GET /api/v2/alerts`; with no query, every alert the server holds. */
  alerts(query?: AlertsQuery): Promise<AlertmanagerAlert[]>;
  stop(): Promise<void>;
  /** What Alertmanager printed, to show when something went wrong. */
  log(): string;
}

export interface AlertmanagerOptions {
  /** The config's `inhibit_rules`; by default ClusterDown inhibits `service="shop"`. */
  inhibitRules?: InhibitRule[];
  /** Readiness deadline, 30 s by default. */
  timeoutMs?: number;
}

export const DEFAULT_INHIBIT_RULES: InhibitRule[] = [
  { source_matchers: ['alertname="ClusterDown"'], target_matchers: ['service="shop"'], equal: [] },
];

export async function startAlertmanager(options: AlertmanagerOptions = {}): Promise<AlertmanagerServer> {
  const binary = requireProgram('prometheus-alertmanager', 'prometheus-alertmanager');
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-alertmanager-'));
  const port = await freePort();
  // JSON is YAML: no quoting rules to get wrong for the matchers.
  const config = {
    route: {
      receiver: 'nowhere',
      group_by: ['alertname'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [{ name: 'nowhere' }],
    inhibit_rules: options.inhibitRules ?? DEFAULT_INHIBIT_RULES,
  };
  writeFileSync(path.join(dir, 'alertmanager.yml'), `${JSON.stringify(config, null, 2)}\n`);
  const proc = spawnServer(
    'Alertmanager',
    binary,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    dir,
  );
  const url = `http://127.0.0.1:${port}`;
  const json = { 'content-type': 'application/json' };
  const postAlerts = async (alerts: unknown[], what: string) => {
    await expectOk(
      'Alertmanager',
      what,
      await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: json, body: JSON.stringify(alerts) }),
    );
  };

  const server: AlertmanagerServer = {
    url,
    async fire(labels, fireOptions = {}) {
      await postAlerts(
        [
          {
            labels,
            annotations: fireOptions.annotations ?? {},
            startsAt: (fireOptions.startsAt ?? new Date()).toISOString(),
            ...(fireOptions.endsAt ? { endsAt: fireOptions.endsAt.toISOString() } : {}),
          },
        ],
        `fire ${JSON.stringify(labels)}`,
      );
    },
    async resolve(labels) {
      await postAlerts([{ labels, endsAt: new Date().toISOString() }], `resolve ${JSON.stringify(labels)}`);
    },
    async silence(matchers, silenceOptions = {}) {
      const startsAt = silenceOptions.startsAt ?? new Date();
      const body = {
        matchers: matchers.map((m) => ({
          name: m.name,
          value: m.value,
          isRegex: m.isRegex ?? false,
          isEqual: m.isEqual ?? true,
        })),
        startsAt: startsAt.toISOString(),
        endsAt: (silenceOptions.endsAt ?? new Date(startsAt.getTime() + 3_600_000)).toISOString(),
        createdBy: silenceOptions.createdBy ?? 'glidepath-tests',
        comment: silenceOptions.comment ?? 'silenced by a test',
      };
      const text = await expectOk(
        'Alertmanager',
        `silence ${JSON.stringify(matchers)}`,
        await fetch(`${url}/api/v2/silences`, { method: 'POST', headers: json, body: JSON.stringify(body) }),
      );
      return (JSON.parse(text) as { silenceID: string }).silenceID;
    },
    async expireSilence(id) {
      await expectOk(
        'Alertmanager',
        `expire silence ${id}`,
        await fetch(`${url}/api/v2/silence/${encodeURIComponent(id)}`, { method: 'DELETE' }),
      );
    },
    async alerts(query = {}) {
      const params = new URLSearchParams();
      for (const key of ['active', 'silenced', 'inhibited', 'unprocessed'] as const)
        if (query[key] !== undefined) params.set(key, String(query[key]));
      if (query.receiver) params.set('receiver', query.receiver);
      for (const matcher of query.filter ?? []) params.append('filter', matcher);
      const text = await expectOk(
        'Alertmanager',
        'list alerts',
        await fetch(`${url}/api/v2/alerts?${params}`),
      );
      return JSON.parse(text) as AlertmanagerAlert[];
    },
    stop: () => proc.stop(),
    log: () => proc.log(),
  };

  try {
    await pollUntil(
      'Alertmanager',
      proc,
      `GET ${url}/-/ready answering 200`,
      async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
      options.timeoutMs,
    );
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return server;
}
