/**
 * The analysis inputs, shared by every action that analyses a version
 * (verify-health, canary-shift). Each action spreads `analysisFields` into
 * its own fields, declares the same names in its action.yml, and turns the
 * parsed values into an AnalysisConfig with `analysisConfig`, which also
 * checks what spans several inputs.
 */
import { readFileSync } from 'node:fs';
import { validateHeaderValue } from 'node:http';
import type { InputProblem } from '../errors.js';
import { DURATION_LIMITS, formatDuration } from '../inputs/duration.js';
import type { Field } from '../inputs/fields.js';
import * as input from '../inputs/fields.js';
import { type Parsed, requireInputs } from '../inputs/read.js';
import {
  displayUrl,
  isSecretHeader,
  registerSecret,
  registerSecretVariable,
  registerUrlSecrets,
} from '../secrets.js';
import {
  type AnalysisConfig,
  type JsonExpectation,
  type ProbeCheck,
  type ProviderKind,
  type ProviderSettings,
  parseJsonPath,
  parseStatusRanges,
  type QueryCheck,
  SUCCESS_STATUS,
  type TrafficSettings,
} from './config.js';
import type { MetricDataQuery } from './providers/cloudwatch.js';
import { datadogUrl } from './providers/datadog.js';
import { influxString } from './providers/influxdb.js';
import type { CheckEntry, EnvReference, ProvidersEntry, QueryEntry } from './schemas.js';
import {
  expand,
  expandDeep,
  isPlaceholder,
  placeholdersIn,
  promqlString,
  regexLiteral,
  type SlotScope,
  sideValues,
  stringsIn,
  templateProblem,
  withStandIns,
} from './templates.js';

const policies = ['fail', 'inconclusive', 'pass'] as const;

/**
 * URLs that may hold placeholders (`http://{{address}}/healthz`), one per
 * line, kept as written: they are expanded once the slot is known. Each is
 * checked for form now, with a stand-in for every placeholder.
 */
function templatedUrls(options: { default: string[] }): Field<string[]> {
  const what =
    'one or more absolute http or https URLs, one per line (placeholders such as {{address}} allowed)';
  return {
    parse: (raw) => {
      const lines = raw
        .split(/[\r\n]+/)
        .map((line) => line.trim())
        .filter(Boolean);
      if (lines.length === 0) return { ok: true, value: options.default };
      for (const line of lines) if (!isHttpUrl(withStandIns(line))) return { ok: false, expected: what };
      return { ok: true, value: lines };
    },
  };
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/**
 * Input fields of an analysis, keyed by their action.yml names. The defaults
 * here are the ones the action.yml files state; they are tuned so that a
 * version failing every request fails the analysis within two intervals
 * (about four seconds).
 */
export const analysisFields = {
  'analysis-file': input.optionalString(),
  url: templatedUrls({ default: [] }),
  checks: input.structured(async () => (await import('./schemas.js')).checksSchema, {
    default: [],
    what: 'a YAML list of checks, each with url and optionally name, method, headers, status, body, json, max-latency',
  }),
  'baseline-url': input.optional(
    input.string({
      pattern: /^https?:\/\/\S+$/,
      patternHint: 'an absolute http or https URL (placeholders such as {{live-slot}} allowed)',
    }),
  ),
  'prometheus-url': input.optional(input.url()),
  'prometheus-token': input.secret({ default: '' }),
  'prometheus-username': input.optionalString(),
  'prometheus-password': input.secret({ default: '' }),
  queries: input.structured(async () => (await import('./schemas.js')).queriesSchema, {
    default: [],
    what: 'a YAML list of queries, each with name, query (or url and json-path for provider: web) and max and/or min (or compare: live with max-increase and/or max-ratio)',
  }),
  providers: input.structured(async () => (await import('./schemas.js')).providersSchema, {
    default: {},
    what: 'a YAML block of metric providers (prometheus, loki, influxdb, alertmanager, web), each with its url and credentials named by environment variable ({ env: NAME })',
  }),
  // Bounded by kind (inputs/duration.ts): an interval and a request's timeout at 1 h.
  interval: input.duration({ default: 2000, min: 100, max: DURATION_LIMITS.interval }),
  'failure-threshold': input.integer({ default: 2, min: 1, max: 1000 }),
  'requests-per-interval': input.integer({ default: 5, min: 1, max: 100 }),
  'max-error-rate': input.percent({ default: 0 }),
  timeout: input.duration({ default: 5000, min: 1, max: DURATION_LIMITS.interval }),
  'follow-redirects': input.boolean({ default: false }),
  'ca-file': input.optionalString(),
  'insecure-tls': input.boolean({ default: false }),
  'on-no-data': input.oneOf(policies, { default: 'inconclusive' }),
  'on-error': input.oneOf(policies, { default: 'fail' }),
  'baseline-min-samples': input.integer({ default: 20, min: 5, max: 100_000 }),
  'baseline-latency-tolerance': input.percent({ default: 25 }),
  'baseline-latency-floor': input.duration({ default: 5, min: 0, max: DURATION_LIMITS.interval }),
  'baseline-error-tolerance': input.percent({ default: 5 }),
  'baseline-confidence': input.percent({ default: 99 }),
};

export type AnalysisFields = typeof analysisFields;

/** The parsed analysis inputs, as `readInputs(analysisFields)` returns them. */
export type AnalysisInputs = Parsed<AnalysisFields>;

/**
 * Turns the parsed inputs into an AnalysisConfig, after the checks that span
 * inputs (all problems at once, as an InputError naming each input). Every
 * placeholder in `url`, `baseline-url`, `checks` and `queries` is expanded
 * with what `scope` knows of the slot under analysis; an unknown or
 * unresolvable one is a bad input. Also registers credentials found in URLs
 * and headers as secrets, so they are masked from the first line of output.
 */
export function analysisConfig(
  values: AnalysisInputs,
  scope: SlotScope = {},
  traffic?: TrafficSettings,
): AnalysisConfig {
  const problems: Array<InputProblem | undefined> = [];
  const shown = (name: string, value: unknown) => ({ input: name, value: String(value ?? '') });
  const target = sideValues(scope, 'target');
  const live = sideValues(scope, 'live');
  const hints = scope.hints ?? {};

  const entries = values.queries.map((q) => withLookback(q, values.interval));
  const templated: Array<[string, string[], string]> = [
    ['url', values.url, values.url.join('\n')],
    ['baseline-url', values['baseline-url'] ? [values['baseline-url']] : [], values['baseline-url'] ?? ''],
    ['checks', stringsIn(values.checks), '(the checks block)'],
    ['queries', entries.map((q) => q.text), '(the queries block)'],
  ];
  for (const [name, texts, value] of templated) {
    const problem = templateProblem(texts, target, hints);
    if (problem) problems.push({ input: name, value, expected: problem });
  }
  problems.push(...entries.flatMap((q) => compareProblems(q, scope, live)));
  problems.push(...entries.flatMap(webTemplateProblems));
  problems.push(
    ...entries.flatMap((q) => providerValueProblems(q, target, q.compare === 'live' ? live : {})),
  );
  const baselineUses = placeholdersIn(values['baseline-url'] ?? '').filter(
    (p) => p === 'slot' || p === 'address',
  );
  if (baselineUses.length)
    problems.push({
      input: 'baseline-url',
      value: values['baseline-url']!,
      expected: `the live slot's URL: ${baselineUses.map((p) => `{{${p}}}`).join(' and ')} name${baselineUses.length > 1 ? '' : 's'} the slot under analysis, which would be compared with itself (write {{live-slot}}, or use slot-urls)`,
    });
  requireInputs(problems);

  // Placeholders were checked with stand-ins; a value can still make a URL that does not parse.
  const urlProblems = [
    ...values.url.map((url) => ['url', expand(url, target)] as const),
    ...values.checks.map((entry) => ['checks', expand(entry.url, target)] as const),
  ].filter(([, text]) => !isHttpUrl(text));
  requireInputs(
    urlProblems.map(([name, text]) => ({
      input: name,
      // The checks block may carry credentials anywhere: it is never quoted.
      value: name === 'checks' ? '(the checks block)' : displayText(text),
      expected: 'an absolute http or https URL once its placeholders are expanded',
    })),
  );
  const probes: ProbeCheck[] = [
    ...values.url.map((url) => probeFromUrl(new URL(expand(url, target)))),
    ...values.checks.map((entry) =>
      probeFromEntry({
        ...expandDeep(entry, target),
        // The body is a regular expression: a value in it is matched literally.
        ...(entry.body !== undefined ? { body: expand(entry.body, target, regexLiteral) } : {}),
      }),
    ),
  ];
  const queries: QueryCheck[] = entries.map((q) => queryFromEntry(q, scope, target, live));
  const baselineText =
    values['baseline-url'] === undefined ? undefined : expand(values['baseline-url'], target);
  const baselineUrl =
    baselineText !== undefined && isHttpUrl(baselineText) ? new URL(baselineText) : undefined;
  if (baselineText !== undefined && !baselineUrl)
    problems.push({ ...shown('baseline-url', baselineText), expected: 'an absolute http or https URL' });

  const names = new Map<string, number>();
  for (const name of [...probes.map((p) => p.name), ...queries.map((q) => q.name)])
    names.set(name, (names.get(name) ?? 0) + 1);
  const repeated = [...names].filter(([, count]) => count > 1).map(([name]) => name);

  if (probes.length === 0 && queries.length === 0 && !traffic)
    problems.push({
      ...shown('url', ''),
      expected: 'something to check: set "url", "checks" or "queries" (with "prometheus-url")',
    });
  if (repeated.length)
    problems.push({
      ...shown(values.checks.length ? 'checks' : 'url', repeated.join(', ')),
      expected: `each check named once (give the checks distinct "name"s; ${repeated.map((n) => `"${n}"`).join(', ')} repeats)`,
    });
  const providers = providerSettings(values, problems);
  for (const query of queries) {
    const kind = query.provider ?? 'prometheus';
    if (kind === 'web' || providers[kind]) continue;
    problems.push(
      kind === 'prometheus'
        ? {
            ...shown('prometheus-url', ''),
            expected: `the Prometheus server to run query "${query.name}" against (or providers: prometheus: url)`,
          }
        : {
            ...shown('providers', '(the providers block)'),
            expected: `providers.${kind} with ${NEEDS[kind]}, since query "${query.name}" has provider: ${kind}`,
          },
    );
  }
  if (values['prometheus-url'] && !queries.some((q) => (q.provider ?? 'prometheus') === 'prometheus'))
    problems.push({
      ...shown('queries', ''),
      expected:
        'at least one Prometheus query when "prometheus-url" is set (a query with name, query and max and/or min)',
    });
  const username = values['prometheus-username'];
  const password = values['prometheus-password'];
  const token = values['prometheus-token'];
  if (token && (username || password))
    problems.push({
      ...shown('prometheus-token', '***'),
      expected: 'either a bearer token or a username and password, not both',
    });
  if (username && !password)
    problems.push({
      ...shown('prometheus-password', ''),
      expected: 'a password, since "prometheus-username" is set',
    });
  if (password && !username)
    problems.push({
      ...shown('prometheus-username', ''),
      expected: 'a user name, since "prometheus-password" is set',
    });
  // A header value is checked again once its placeholders hold the release's
  // values, with Node's own rule, so the first probe cannot be the one to refuse it.
  for (const [index, probe] of probes.entries())
    for (const [name, value] of Object.entries(probe.headers))
      if (!isHeaderValue(name, value))
        problems.push({
          input: 'checks',
          value: '(the checks block)',
          expected: `a value for header "${name}" of check ${index + 1} that HTTP allows once its placeholders are expanded (no CR, LF or other control characters, nothing beyond U+00FF)`,
        });
  for (const [name, value] of [
    ['prometheus-token', token],
    ['prometheus-username', username],
    ['prometheus-password', password],
  ] as const)
    if (value && !isHeaderValue('authorization', value))
      problems.push({
        ...shown(name, '***'),
        expected: 'a value that can travel in an HTTP header (no CR, LF or other control characters)',
      });
  if (baselineUrl && probes.length === 0)
    problems.push({
      ...shown('baseline-url', baselineUrl.href),
      expected: 'probe checks ("url" or "checks") to send to the baseline as well',
    });
  const confidence = values['baseline-confidence'];
  if (confidence < 50 || confidence >= 100)
    problems.push({
      ...shown('baseline-confidence', confidence),
      expected: 'a confidence from 50% to 99.99%',
    });

  let ca: string | undefined;
  const caFile = values['ca-file'];
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
        problems.push({
          ...shown('ca-file', caFile),
          expected: 'a file of PEM certificates (BEGIN CERTIFICATE)',
        });
      }
    } catch (error) {
      problems.push({
        ...shown('ca-file', caFile),
        expected: `a readable file of PEM certificates (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      });
    }
  }
  requireInputs(problems);

  for (const probe of probes) registerProbeSecrets(probe);
  for (const query of queries) {
    if (query.provider !== 'web') continue;
    for (const [name, value] of Object.entries(query.web?.headers ?? {}))
      if (isSecretHeader(name)) registerHeaderSecret(value);
    // A web query's URL may carry credentials (user:password@, ?api_key=): sent, never shown.
    for (const text of [query.query, query.compare?.query])
      if (text && URL.canParse(text)) {
        const url = new URL(text);
        registerUrlSecrets(url);
        if (url.username || url.password)
          registerSecret(
            Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString(
              'base64',
            ),
          );
      }
  }

  return {
    probes,
    queries,
    providers,
    ...(traffic ? { traffic } : {}),
    ...(baselineUrl
      ? {
          baseline: {
            url: baselineUrl,
            minSamples: values['baseline-min-samples'],
            latencyTolerance: values['baseline-latency-tolerance'] / 100,
            latencyFloorMs: values['baseline-latency-floor'],
            errorTolerance: values['baseline-error-tolerance'] / 100,
            alpha: 1 - confidence / 100,
          },
        }
      : {}),
    intervalMs: values.interval,
    failureThreshold: values['failure-threshold'],
    requestsPerInterval: values['requests-per-interval'],
    maxErrorRate: values['max-error-rate'] / 100,
    onNoData: values['on-no-data'],
    onError: values['on-error'],
    http: {
      timeoutMs: values.timeout,
      followRedirects: values['follow-redirects'],
      ...(ca ? { ca } : {}),
      insecureTls: values['insecure-tls'],
    },
  };
}

/**
 * A `compare: live` query must differ between the two sides (else it
 * compares the slot with itself), and needs a live slot to compare with.
 */
function compareProblems(
  entry: PreparedQuery,
  scope: SlotScope,
  live: ReturnType<typeof sideValues>,
): InputProblem[] {
  if (entry.compare !== 'live') return [];
  const value = `(query "${entry.name}")`;
  const used = placeholdersIn(entry.text);
  if (!used.includes('slot') && !used.includes('address'))
    return [
      {
        input: 'queries',
        value,
        expected: `a query written for {{slot}} when it has compare: live (as written, the live slot's query would be the same as the target's: ${entry.text})`,
      },
    ];
  if (scope.slot === undefined || scope.liveSlot === undefined)
    return [
      {
        input: 'queries',
        value,
        expected: `a live slot to compare with (compare: live${scope.hints?.['live-slot'] ? `; ${scope.hints['live-slot']}` : ''})`,
      },
    ];
  const problem = templateProblem([entry.text], live, {
    version: scope.liveVersionHint ?? 'the ledger has no release recorded in the live slot',
  });
  return problem
    ? [{ input: 'queries', value, expected: `for the live slot ${scope.liveSlot}: ${problem}` }]
    : [];
}

/** A `queries` entry with its provider resolved and `{{lookback}}` written out. */
type PreparedQuery = QueryEntry & { provider: ProviderKind; text: string; lookbackMs: number };

/**
 * What a SaaS backend's entry gets when it gives no interval or lookback of
 * its own: Datadog ingests within seconds to a minute and keeps a point per
 * 10 s or more, so asking every 2 s would only see the same empty end of
 * the window.
 */
const PROVIDER_DEFAULTS: Partial<Record<ProviderKind, { intervalMs: number; lookbackMs: number }>> = {
  datadog: { intervalMs: 30_000, lookbackMs: 300_000 },
  // CloudWatch keeps a datapoint per minute (standard resolution) and publishes it a minute or more late.
  cloudwatch: { intervalMs: 60_000, lookbackMs: 300_000 },
};

/**
 * The entry's query text (a web query's URL) with `{{lookback}}` replaced by
 * its window: the entry's `lookback`, else its `interval`, else the
 * analysis's, in a form PromQL, LogQL and InfluxQL all read (`30s`, `1500ms`);
 * and its provider's defaults filled in.
 */
function withLookback(entry: QueryEntry, analysisIntervalMs: number): PreparedQuery {
  const provider = entry.provider ?? 'prometheus';
  const defaults = PROVIDER_DEFAULTS[provider];
  const interval = entry.interval ?? defaults?.intervalMs;
  // An entry asked more often than the analysis interval is still asked once per interval.
  const lookbackMs = entry.lookback ?? defaults?.lookbackMs ?? Math.max(interval ?? 0, analysisIntervalMs);
  const written = lookbackMs % 1000 === 0 ? `${lookbackMs / 1000}s` : `${lookbackMs}ms`;
  const source = provider === 'cloudwatch' ? cloudwatchQueries(entry) : (entry.query ?? entry.url ?? '');
  const text = source.replace(/\{\{\s*lookback\s*\}\}/g, written);
  return {
    ...entry,
    provider,
    text,
    lookbackMs,
    ...(interval !== undefined ? { interval } : {}),
    ...(defaults ? { lookback: lookbackMs } : {}),
  };
}

/**
 * A CloudWatch entry as the API's MetricDataQueries, in JSON (placeholders
 * kept, expanded later as JSON string content): its `metrics`, or its one
 * `query` expression (metric math or Metrics Insights). Only the last query
 * is returned unless some say `return`.
 */
function cloudwatchQueries(entry: QueryEntry): string {
  const period = entry.period ?? 60;
  if (entry.metrics === undefined)
    return JSON.stringify([{ Id: 'q', Expression: entry.query ?? '', Period: period, ReturnData: true }]);
  const chosen = entry.metrics.some((m) => m.return !== undefined);
  const queries: MetricDataQuery[] = entry.metrics.map((m, index) => ({
    Id: m.id,
    ...(m.expression !== undefined
      ? { Expression: m.expression, Period: m.period ?? period }
      : {
          MetricStat: {
            Metric: {
              Namespace: m.namespace!,
              MetricName: m.metric!,
              ...(m.dimensions
                ? {
                    Dimensions: Object.entries(m.dimensions).map(([Name, value]) => ({
                      Name,
                      Value: String(value),
                    })),
                  }
                : {}),
            },
            Period: m.period ?? period,
            Stat: m.stat!,
            ...(m.unit ? { Unit: m.unit } : {}),
          },
        }),
    ...(m.label !== undefined ? { Label: m.label } : {}),
    ...(m['account-id'] ? { AccountId: m['account-id'] } : {}),
    ReturnData: chosen ? m.return === true : index === entry.metrics!.length - 1,
  }));
  return JSON.stringify(queries);
}

/** What a provider's entry in the `providers` block must give, for the message that asks for one. */
const NEEDS: Record<ProviderKind, string> = {
  prometheus: 'its url',
  loki: 'its url',
  influxdb: 'its url and database',
  alertmanager: 'its url',
  datadog: 'its api-key and application-key, and site',
  cloudwatch: 'its region',
  web: 'its headers, if any',
};

/** How a placeholder's value is written into each provider's query language. */
const QUOTING: Record<ProviderKind, (value: string) => string> = {
  prometheus: promqlString,
  loki: promqlString,
  alertmanager: promqlString,
  influxdb: influxString,
  // Tags are written bare in a Datadog query (`{slot:green}`).
  datadog: (value) => value,
  // Inside a JSON string of the metric data queries.
  cloudwatch: (value) => JSON.stringify(value).slice(1, -1),
  // A URL, as a probe's: an address is a host:port, written as it is.
  web: (value) => value,
};

/** A tag value Datadog reads as one value: no spaces, braces, commas or operators to change the query. */
const DATADOG_VALUE = /^[A-Za-z0-9_.:/-]+$/;

/**
 * Values that cannot be written safely into a query language without
 * quoting (Datadog's tags are bare), and a CloudWatch period longer than
 * the window asked about (no datapoint could ever fall in it).
 */
function providerValueProblems(
  entry: PreparedQuery,
  ...sides: Array<ReturnType<typeof sideValues>>
): InputProblem[] {
  const value = `(query "${entry.name}")`;
  const problems: InputProblem[] = [];
  if (entry.provider === 'datadog') {
    const used = placeholdersIn(entry.text).filter(isPlaceholder);
    for (const side of sides)
      for (const name of used) {
        const text = side[name];
        if (text !== undefined && !DATADOG_VALUE.test(text))
          problems.push({
            input: 'queries',
            value,
            expected: `placeholder values a Datadog tag can hold as they are (letters, digits, _ . : / -): {{${name}}} is ${JSON.stringify(text)}`,
          });
      }
  }
  if (entry.provider === 'cloudwatch') {
    const periods = [entry.period ?? 60, ...(entry.metrics ?? []).map((m) => m.period ?? entry.period ?? 60)];
    const longest = Math.max(...periods) * 1000;
    if (longest > entry.lookbackMs)
      problems.push({
        input: 'queries',
        value,
        expected: `a lookback of at least one period: the period is ${formatDuration(longest)} and the lookback ${formatDuration(entry.lookbackMs)}, so no datapoint could fall in the window`,
      });
  }
  return problems;
}

/** A web query's body and headers are sent as written: placeholders belong in its URL. */
function webTemplateProblems(entry: PreparedQuery): InputProblem[] {
  const texts = [entry.body ?? '', ...Object.values(entry.headers ?? {}).map(String)];
  return texts.some((text) => placeholdersIn(text).length)
    ? [
        {
          input: 'queries',
          value: `(query "${entry.name}")`,
          expected: 'placeholders only in the url of a web query (its body and headers are sent as written)',
        },
      ]
    : [];
}

function queryFromEntry(
  q: PreparedQuery,
  scope: SlotScope,
  target: ReturnType<typeof sideValues>,
  live: ReturnType<typeof sideValues>,
): QueryCheck {
  const quote = QUOTING[q.provider];
  // A gate counts firing alerts: none is the bound unless the entry gives one.
  const gate = q.provider === 'alertmanager' && q.max === undefined && q.min === undefined;
  return {
    name: q.name,
    ...(q.provider !== 'prometheus' ? { provider: q.provider } : {}),
    query: expand(q.text, target, quote),
    ...(q.max !== undefined ? { max: q.max } : gate ? { max: 0 } : {}),
    ...(q.min !== undefined ? { min: q.min } : {}),
    ...(q.interval !== undefined ? { intervalMs: q.interval } : {}),
    ...(q.delay !== undefined ? { delayMs: q.delay } : {}),
    ...(q.lookback !== undefined || q.interval !== undefined ? { lookbackMs: q.lookbackMs } : {}),
    ...(q['on-no-data'] ? { onNoData: q['on-no-data'] } : {}),
    ...(q['on-error'] ? { onError: q['on-error'] } : {}),
    ...(q.provider === 'web'
      ? {
          web: {
            headers: Object.fromEntries(
              Object.entries(q.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
            ),
            ...(q.body !== undefined ? { body: q.body } : {}),
            jsonPath: q['json-path']!,
          },
        }
      : {}),
    ...(q.compare === 'live'
      ? {
          compare: {
            slot: scope.slot!,
            liveSlot: scope.liveSlot!,
            query: expand(q.text, live, quote),
            ...(q['max-increase'] !== undefined ? { maxIncrease: q['max-increase'] } : {}),
            ...(q['max-ratio'] !== undefined ? { maxRatio: q['max-ratio'] } : {}),
          },
        }
      : {}),
    ...(q['dry-run'] ? { dryRun: true } : {}),
  };
}

/**
 * The connection settings of every provider: the `providers` block, with the
 * `prometheus-*` inputs as the Prometheus entry. Each credential is read from
 * the environment variable the block names and registered as a secret (and
 * that variable kept from child processes); a variable that is not set is a
 * bad input.
 */
function providerSettings(
  values: AnalysisInputs,
  problems: Array<InputProblem | undefined>,
): ProviderSettings {
  const block: ProvidersEntry = values.providers;
  const where = { input: 'providers', value: '(the providers block)' };
  const fromEnv = (reference: EnvReference, key: string): string => {
    const value = process.env[reference.env];
    if (!value) {
      problems.push({
        ...where,
        expected: `the environment variable ${reference.env} set, since ${key} names it (e.g. env: ${reference.env}: \${{ secrets.${reference.env} }} on the step)`,
      });
      return '';
    }
    registerSecretVariable(reference.env);
    registerSecret(value);
    return value;
  };
  type Entry = NonNullable<ProvidersEntry['prometheus']>;
  const headersOf = (entry: Omit<Entry, 'url'>, kind: string): Record<string, string> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(entry.headers ?? {}))
      headers[name.toLowerCase()] =
        typeof value === 'object' ? fromEnv(value, `providers.${kind}.headers.${name}`) : String(value);
    if (entry.token) headers.authorization = `Bearer ${fromEnv(entry.token, `providers.${kind}.token`)}`;
    if (entry.username && entry.password) {
      const basic = Buffer.from(
        `${entry.username}:${fromEnv(entry.password, `providers.${kind}.password`)}`,
      ).toString('base64');
      registerSecret(basic);
      headers.authorization = `Basic ${basic}`;
    }
    for (const [name, value] of Object.entries(headers))
      if (isSecretHeader(name)) registerHeaderSecret(value);
    return headers;
  };
  const server = (entry: Entry, kind: string) => {
    const url = new URL(entry.url);
    registerUrlSecrets(url);
    return { url, headers: headersOf(entry, kind) };
  };

  const settings: ProviderSettings = {};
  const prometheusUrl = values['prometheus-url'];
  if (block.prometheus && prometheusUrl)
    problems.push({
      ...where,
      expected: `one Prometheus: "prometheus-url" (${displayUrl(prometheusUrl)}) or providers: prometheus, not both`,
    });
  if (block.prometheus) settings.prometheus = server(block.prometheus, 'prometheus');
  else if (prometheusUrl) {
    const headers: Record<string, string> = {};
    const {
      'prometheus-token': token,
      'prometheus-username': username,
      'prometheus-password': password,
    } = values;
    if (token) headers.authorization = `Bearer ${token}`;
    if (username) {
      const basic = Buffer.from(`${username}:${password}`).toString('base64');
      registerSecret(basic);
      headers.authorization = `Basic ${basic}`;
    }
    registerUrlSecrets(prometheusUrl);
    settings.prometheus = { url: prometheusUrl, headers };
  }
  if (block.loki) {
    const loki = server(block.loki, 'loki');
    if (block.loki.tenant) loki.headers['x-scope-orgid'] = block.loki.tenant;
    settings.loki = loki;
  }
  if (block.influxdb)
    settings.influxdb = {
      ...server(block.influxdb, 'influxdb'),
      database: block.influxdb.database,
      ...(block.influxdb['retention-policy'] ? { retentionPolicy: block.influxdb['retention-policy'] } : {}),
    };
  if (block.alertmanager) settings.alertmanager = server(block.alertmanager, 'alertmanager');
  if (block.datadog) {
    const url = block.datadog.url
      ? new URL(block.datadog.url)
      : datadogUrl(block.datadog.site ?? 'datadoghq.com');
    registerUrlSecrets(url);
    settings.datadog = {
      url,
      headers: {
        'dd-api-key': fromEnv(block.datadog['api-key'], 'providers.datadog.api-key'),
        'dd-application-key': fromEnv(block.datadog['application-key'], 'providers.datadog.application-key'),
      },
    };
  }
  if (block.cloudwatch)
    settings.cloudwatch = {
      region: block.cloudwatch.region,
      ...(block.cloudwatch.endpoint ? { endpoint: new URL(block.cloudwatch.endpoint) } : {}),
    };
  if (block.web) settings.web = { headers: headersOf(block.web, 'web') };
  return settings;
}

/** A secret header's value, and its credential alone (`Bearer abc` → `abc` too): a backend may echo either. */
function registerHeaderSecret(value: string): void {
  registerSecret(value);
  const credential = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(value.trim())?.[1];
  if (credential) registerSecret(credential);
}

function probeFromUrl(url: URL): ProbeCheck {
  return { name: checkNameOf(url), url, method: 'GET', headers: {}, status: SUCCESS_STATUS, json: [] };
}

function probeFromEntry(entry: CheckEntry): ProbeCheck {
  const url = new URL(entry.url);
  const json: JsonExpectation[] = Object.entries(entry.json ?? {}).map(([path, expected]) => ({
    path,
    steps: parseJsonPath(path)!,
    expected,
  }));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  const maxLatency = entry['max-latency'];
  return {
    name: entry.name ?? checkNameOf(url),
    url,
    method: (entry.method ?? 'GET').toUpperCase(),
    headers,
    status: entry.status === undefined ? SUCCESS_STATUS : parseStatusRanges(entry.status)!,
    ...(entry.body !== undefined ? { body: new RegExp(entry.body) } : {}),
    json,
    ...(maxLatency !== undefined ? { maxLatencyMs: latencyMs(maxLatency) } : {}),
    ...(entry['dry-run'] ? { dryRun: true } : {}),
  };
}

/** `300`, `300ms`, `1.5s` → milliseconds (the schema has already checked the form). */
function latencyMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim())!;
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

/** A URL that did not parse, as it may be shown: anything after an `@` could be a password. */
function displayText(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/, '//***@');
}

/** A check given only by URL is named by its host and path, which is what a reader recognises. */
function checkNameOf(url: URL): string {
  return displayUrl(url).replace(/^https?:\/\//, '');
}

function registerProbeSecrets(probe: ProbeCheck): void {
  for (const [name, value] of Object.entries(probe.headers)) if (isSecretHeader(name)) registerSecret(value);
  registerUrlSecrets(probe.url);
}

/** Whether Node's HTTP client would send this header value (it throws at the request otherwise). */
function isHeaderValue(name: string, value: string): boolean {
  try {
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}
