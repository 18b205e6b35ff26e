export const id = 990;
export const ids = [990];
export const modules = {

/***/ 3990:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  analyse: () => (/* reexport */ analyse)
});

// EXTERNAL MODULE: ../../packages/core/dist/retry.js
var retry = __webpack_require__(7480);
;// CONCATENATED MODULE: ../../packages/core/dist/analysis/source.js
/**
 * What the sources of one analysis share: every probe request and every query
 * evaluation, in one place, for the report's charts and for a source that
 * judges evidence another collected (the baseline comparison reads the
 * probes' samples).
 */
class Evidence {
    samples = [];
    measurements = [];
}

// EXTERNAL MODULE: ../../packages/core/dist/secrets.js
var secrets = __webpack_require__(5231);
// EXTERNAL MODULE: ../../packages/core/dist/analysis/baseline.js
var baseline = __webpack_require__(6818);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
// EXTERNAL MODULE: ../../packages/core/dist/inputs/duration.js
var duration = __webpack_require__(7036);
// EXTERNAL MODULE: ../../packages/core/dist/analysis/config.js
var config = __webpack_require__(2535);
// EXTERNAL MODULE: ../../packages/core/dist/analysis/request.js + 1 modules
var request = __webpack_require__(5620);
;// CONCATENATED MODULE: ../../packages/core/dist/analysis/probe.js

/**
 * Active HTTP probes: one request of a check, judged against what a good
 * answer looks like (status, body, JSON values, latency).
 */




/** Sends one request of `check` to `url` (the check's own, or its baseline twin) and judges the answer. */
async function probe(check, url, settings, signal) {
    const at = Date.now();
    try {
        const answer = await (0,request/* httpRequest */.a)(url, {
            method: check.method,
            headers: check.headers,
            http: settings,
            ...(signal ? { signal } : {}),
        });
        const ms = round(answer.ms);
        const problem = judge(check, answer.status, answer.body, ms);
        // A failure can quote the answer (a JSON value), and an answer can echo a
        // credential back; samples travel to logs and reports, so redact here.
        if (problem)
            problem.failure = (0,secrets/* redact */.E$)(problem.failure);
        return { at, ms, status: answer.status, ok: !problem, ...problem };
    }
    catch (error) {
        if (!(error instanceof request/* RequestError */.G))
            throw error;
        const kind = error.code === 'TIMEOUT' ? 'timeout' : error.reason.startsWith('TLS') ? 'tls' : 'connection';
        return { at, ms: round(error.ms), ok: false, kind, failure: error.message };
    }
}
function judge(check, status, body, ms) {
    if (!(0,config/* statusMatches */.W_)(check.status, status))
        return { kind: 'status', failure: `answered ${status}, expected ${(0,config/* formatStatusRanges */.cO)(check.status)}` };
    if (check.body && !check.body.test(body))
        return { kind: 'body', failure: `body does not match /${check.body.source}/` };
    if (check.json.length) {
        let document;
        try {
            document = JSON.parse(body);
        }
        catch {
            return { kind: 'json', failure: 'body is not JSON' };
        }
        for (const expectation of check.json) {
            const found = (0,config/* valueAtPath */.WS)(document, expectation.steps);
            if (!found.found)
                return { kind: 'json', failure: `JSON ${expectation.path} is missing` };
            if (!(0,external_node_util_.isDeepStrictEqual)(found.value, expectation.expected))
                return {
                    kind: 'json',
                    failure: `JSON ${expectation.path} is ${brief(found.value)}, expected ${brief(expectation.expected)}`,
                };
        }
    }
    if (check.maxLatencyMs !== undefined && ms > check.maxLatencyMs)
        return {
            kind: 'latency',
            failure: `took ${(0,duration/* formatDuration */.a3)(ms)}, over max-latency ${(0,duration/* formatDuration */.a3)(check.maxLatencyMs)}`,
        };
    return undefined;
}
function brief(value) {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
function round(ms) {
    return Math.round(ms * 100) / 100;
}
/**
 * The baseline twin of a check's URL: the same path and query on the
 * baseline's origin. A path in the baseline URL is put in front of the
 * check's path unless the check's path already starts with it, so both
 * `http://blue:8080` and `http://blue:8080/healthz` pair with
 * `http://green:8080/healthz`, and `http://gateway/blue` turns `/healthz`
 * into `http://gateway/blue/healthz`.
 */
function baselineUrlFor(checkUrl, baseline) {
    const url = new URL(baseline.href);
    const prefix = baseline.pathname.replace(/\/+$/, '');
    const path = checkUrl.pathname;
    url.pathname = prefix && path !== prefix && !path.startsWith(`${prefix}/`) ? `${prefix}${path}` : path;
    url.search = checkUrl.search;
    return url;
}

// EXTERNAL MODULE: ../../packages/core/dist/analysis/verdicts.js
var verdicts = __webpack_require__(1243);
// EXTERNAL MODULE: ../../packages/core/dist/analysis/sources/latency.js
var latency = __webpack_require__(3714);
;// CONCATENATED MODULE: ../../packages/core/dist/analysis/sources/baseline.js
/**
 * The side-by-side comparison of each probe check with the baseline, as a
 * source of its own. Its requests are the probe check's target requests and
 * their twins (sent by the probe source at the same moments); this source only
 * judges them, over everything collected so far, with the tests of
 * `../baseline.ts`.
 */





class BaselineSource {
    check;
    settings;
    evidence;
    kind = 'baseline';
    name;
    dryRun;
    twin;
    comparison;
    constructor(check, settings, evidence) {
        this.check = check;
        this.settings = settings;
        this.evidence = evidence;
        this.name = `${check.name} vs baseline`;
        this.dryRun = check.dryRun ?? false;
        this.twin = baselineUrlFor(check.url, settings.url);
    }
    /** The probe source of the same check sends both sides' requests. */
    async collect() { }
    judge() {
        const comparison = (0,baseline/* compareToBaseline */.W)(this.side('target'), this.side('baseline'), this.settings);
        this.comparison = comparison;
        return {
            outcome: comparison.outcome,
            ...(comparison.outcome === 'fail' ? { note: comparison.detail ?? '' } : {}),
            failure: () => `check "${this.check.name}" vs baseline: ${comparison.detail}`,
        };
    }
    conclude(tracker) {
        const comparison = this.comparison;
        const what = `check "${this.check.name}" vs baseline`;
        const subject = `${(0,secrets/* displayUrl */.Qy)(this.check.url)} vs ${(0,secrets/* displayUrl */.Qy)(this.twin)}`;
        const target = (0,verdicts/* summarise */.fS)(this.side('target'));
        const baseline = (0,verdicts/* summarise */.fS)(this.side('baseline'));
        const decided = (0,verdicts/* settledVerdict */.rm)(tracker, what) ??
            (!comparison || comparison.outcome === 'pending'
                ? {
                    verdict: 'inconclusive',
                    reason: `${what}: too few samples to compare (${comparison?.detail ?? 'no interval was completed'})`,
                }
                : { verdict: 'pass', reason: `${what}: ${comparison.detail}` });
        return {
            ...(0,verdicts/* checkIdentity */.Z0)(this, tracker, subject),
            target,
            baseline,
            ...(comparison ? { comparison } : {}),
            ...decided,
            table: (0,latency/* latencyTable */.n)(subject, [
                { label: 'target', summary: target },
                { label: 'baseline', summary: baseline },
            ], decided.reason, comparison),
        };
    }
    side(side) {
        return this.evidence.samples.filter((s) => s.check === this.check.name && s.side === side);
    }
}
const baselineSources = (config, evidence) => {
    const settings = config.baseline;
    return settings ? config.probes.map((check) => new BaselineSource(check, settings, evidence)) : [];
};

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/sources/probe.js
/**
 * Active HTTP probes as evidence: each probe check sends
 * `requests-per-interval` requests spread evenly over every interval, and an
 * interval fails when more than `max-error-rate` of them failed. With a
 * baseline, each request has a twin sent to the baseline at the same moment,
 * so that the comparison source sees both sides under the same conditions.
 */




class ProbeSource {
    check;
    config;
    evidence;
    twin;
    kind = 'probe';
    name;
    dryRun;
    constructor(check, config, evidence, 
    /** The same request on the baseline's origin, when there is a baseline. */
    twin) {
        this.check = check;
        this.config = config;
        this.evidence = evidence;
        this.twin = twin;
        this.name = check.name;
        this.dryRun = check.dryRun ?? false;
    }
    async collect(round) {
        const n = this.config.requestsPerInterval;
        const send = async (side, url) => {
            const result = await probe(this.check, url, this.config.http, round.signal);
            this.evidence.samples.push({ check: this.name, side, interval: round.index, ...result });
        };
        const requests = [];
        for (let i = 0; i < n; i++) {
            const offset = Math.floor((i * round.intervalMs) / n);
            requests.push((async () => {
                if (offset > 0)
                    await round.sleep(offset, round.signal);
                // The target and its baseline twin are asked at the same moment, so that
                // both see the same conditions (load, network, the time of the minute).
                await Promise.all(this.twin
                    ? [send('target', this.check.url), send('baseline', this.twin)]
                    : [send('target', this.check.url)]);
            })());
        }
        await Promise.all(requests);
    }
    judge(index) {
        const own = this.targetSamples().filter((s) => s.interval === index);
        const failed = own.filter((s) => !s.ok);
        const outcome = own.length && failed.length / own.length > this.config.maxErrorRate ? 'fail' : 'pass';
        return {
            outcome,
            ...(failed.length ? { note: `${failed.length}/${own.length} failed: ${(0,verdicts/* causes */.ps)(failed)}` } : {}),
            // The evidence is every request of the intervals in the failing run.
            failure: (streak) => {
                const run = this.targetSamples().filter((s) => s.interval > index - streak);
                const bad = run.filter((s) => !s.ok);
                return `check "${this.name}": ${bad.length}/${run.length} requests failed in the last ${streak === 1 ? 'interval' : `${streak} intervals`}: ${(0,verdicts/* causes */.ps)(bad)}`;
            },
        };
    }
    conclude(tracker) {
        const target = (0,verdicts/* summarise */.fS)(this.targetSamples());
        const subject = `${this.check.method} ${(0,secrets/* displayUrl */.Qy)(this.check.url)}`;
        const what = `check "${this.name}"`;
        const threshold = tracker.threshold;
        const failedNote = target.failures
            ? `, ${target.failures} failed (never ${threshold} failed interval${threshold > 1 ? 's' : ''} in a row)`
            : '';
        const decided = (0,verdicts/* settledVerdict */.rm)(tracker, what) ?? {
            verdict: 'pass',
            reason: `${what}: ${target.requests} requests in ${tracker.intervals} intervals${failedNote}, p95 ${target.p95Ms === null ? 'n/a' : `${target.p95Ms}ms`}`,
        };
        return {
            ...(0,verdicts/* checkIdentity */.Z0)(this, tracker, subject),
            target,
            ...decided,
            table: (0,latency/* latencyTable */.n)(subject, [{ label: 'target', summary: target }], decided.reason),
        };
    }
    targetSamples() {
        return this.evidence.samples.filter((s) => s.check === this.name && s.side === 'target');
    }
    samplesOf(side) {
        return this.evidence.samples.filter((s) => s.check === this.name && s.side === side);
    }
}
/** One source per probe check; each has a baseline twin when the analysis has a baseline. */
const probeSources = (config, evidence) => config.probes.map((check) => new ProbeSource(check, config, evidence, config.baseline ? baselineUrlFor(check.url, config.baseline.url) : undefined));

// EXTERNAL MODULE: ../../packages/core/dist/analysis/metric.js
var metric = __webpack_require__(1365);
// EXTERNAL MODULE: ../../packages/core/dist/analysis/providers/alertmanager.js
var alertmanager = __webpack_require__(6631);
;// CONCATENATED MODULE: ../../packages/core/dist/analysis/providers/cloudwatch.js

/** Pages of one evaluation, at most: a window of a few minutes fits in one; this bounds a runaway. */
const MAX_PAGES = 10;
function cloudwatchProvider(settings, http) {
    let client;
    const connect = async () => {
        const sdk = await __webpack_require__.e(/* import() */ 793).then(__webpack_require__.t.bind(__webpack_require__, 5793, 19));
        return {
            client: new sdk.CloudWatchClient({
                region: settings.region,
                ...(settings.endpoint ? { endpoint: settings.endpoint.href } : {}),
                // The SDK backs off and retries throttled calls itself (standard mode).
                maxAttempts: 3,
                requestHandler: { requestTimeout: http.timeoutMs, connectionTimeout: http.timeoutMs },
            }),
            command: (input) => new sdk.GetMetricDataCommand(input),
        };
    };
    return {
        describe: `CloudWatch ${settings.endpoint ? settings.endpoint.host : settings.region}`,
        async evaluate({ query, at, lookbackMs, signal }) {
            const queries = JSON.parse(query);
            client ??= connect();
            const { client: cloudwatch, command } = await client;
            const results = new Map();
            let nextToken;
            for (let page = 0; page < MAX_PAGES; page++) {
                let output;
                try {
                    output = (await cloudwatch.send(command({
                        MetricDataQueries: queries,
                        StartTime: new Date(at - lookbackMs),
                        EndTime: new Date(at),
                        ...(nextToken ? { NextToken: nextToken } : {}),
                    }), signal ? { abortSignal: signal } : {}));
                }
                catch (error) {
                    if (signal?.aborted)
                        throw error;
                    throw new metric/* ProviderError */.mZ(sdkError(error));
                }
                for (const result of output.MetricDataResults ?? []) {
                    if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError')
                        throw new metric/* ProviderError */.mZ(`answered ${result.StatusCode} for "${result.Id}"${messages(result.Messages)}`);
                    const entry = results.get(result.Id ?? '') ?? {
                        label: result.Label ?? result.Id ?? '',
                        points: [],
                    };
                    const timestamps = result.Timestamps ?? [];
                    (result.Values ?? []).forEach((value, i) => {
                        const time = timestamps[i];
                        if (time !== undefined)
                            entry.points.push([new Date(time).getTime(), value]);
                    });
                    results.set(result.Id ?? '', entry);
                }
                nextToken = output.NextToken;
                if (!nextToken)
                    break;
            }
            if (nextToken)
                throw new metric/* ProviderError */.mZ(`answered more than ${MAX_PAGES} pages; shorten the lookback or lengthen the period`);
            return [...results.entries()].map(([id, { label, points }]) => {
                // Datapoints come newest first by default, but the order is the API's: take the newest by time.
                const newest = points.reduce((latest, point) => (latest === undefined || point[0] > latest[0] ? point : latest), undefined);
                const labels = results.size > 1 ? { id } : {};
                if (label && label !== id && results.size > 1)
                    labels.label = label;
                return { labels, value: newest ? newest[1] : Number.NaN };
            });
        },
    };
}
function messages(list) {
    return list?.length ? `: ${list.map((m) => [m.Code, m.Value].filter(Boolean).join(' ')).join('; ')}` : '';
}
/** What the SDK's error says: the service's error code and message, or why no request was sent. */
function sdkError(error) {
    const e = error;
    const status = e.$metadata?.httpStatusCode;
    if (e.name === 'CredentialsProviderError')
        return `found no AWS credentials (${e.message}): set them for the step, e.g. with aws-actions/configure-aws-credentials`;
    return `${status ? `answered ${status} ` : ''}${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}

// EXTERNAL MODULE: ../../packages/core/dist/analysis/providers/datadog.js
var datadog = __webpack_require__(2730);
// EXTERNAL MODULE: ../../packages/core/dist/analysis/providers/influxdb.js
var influxdb = __webpack_require__(7356);
// EXTERNAL MODULE: ../../packages/core/dist/analysis/providers/backend.js
var providers_backend = __webpack_require__(6340);
;// CONCATENATED MODULE: ../../packages/core/dist/analysis/providers/prometheus.js
/**
 * Prometheus, and every server with its HTTP API (VictoriaMetrics, Thanos,
 * Mimir): PromQL instant queries over `/api/v1/query` at the evaluation's
 * moment, each answer turned into series of numbers.
 */



function prometheusProvider(backend, http) {
    return {
        describe: `Prometheus ${(0,secrets/* displayUrl */.Qy)(backend.url)}`,
        async evaluate({ query, at, deadline, signal }) {
            // POST keeps long queries out of URL length limits; Prometheus accepts both.
            const answer = await (0,providers_backend/* askBackend */.yN)(backend, {
                path: 'api/v1/query',
                method: 'POST',
                form: [
                    ['query', query],
                    ['time', (at / 1000).toFixed(3)],
                ],
            }, http, { deadline, signal });
            return instantSeries(answer, (0,providers_backend/* jsonBody */.J9)(answer), 'Prometheus', {
                matrix: 'returned a range vector; write an instant query (e.g. wrap it in rate() or max_over_time())',
            });
        },
    };
}
/**
 * The series of an instant query's answer (a scalar is one series without
 * labels). `unlike` says what to write instead of a result type that is not
 * a number.
 */
function instantSeries(answer, parsed, api, unlike) {
    const result = parsed;
    if (!result || typeof result !== 'object' || !('status' in result))
        throw new metric/* ProviderError */.mZ(answer.status >= 400
            ? (0,providers_backend/* answerText */.yy)(answer)
            : `answered ${answer.status} with something that is not a ${api} API response`);
    if (result.status !== 'success' || answer.status >= 400)
        throw new metric/* ProviderError */.mZ(`answered ${answer.status}: ${result.errorType ?? 'error'}: ${result.error ?? 'no error message'}`);
    const data = result.data;
    switch (data?.resultType) {
        case 'vector':
            return data.result.map((s) => ({
                labels: s.metric ?? {},
                value: parseValue(s.value[1]),
            }));
        case 'scalar':
            return [{ labels: {}, value: parseValue(data.result[1]) }];
        default: {
            const type = String(data?.resultType);
            throw new metric/* ProviderError */.mZ(unlike[type] ?? `returned a result of type ${type}, not a number`);
        }
    }
}
/** Prometheus writes +Inf, -Inf and NaN as text; Number() reads Infinity only when spelled so. */
function parseValue(text) {
    if (text === '+Inf')
        return Number.POSITIVE_INFINITY;
    if (text === '-Inf')
        return Number.NEGATIVE_INFINITY;
    return Number(text);
}

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/providers/loki.js
/**
 * Loki: LogQL metric queries (`sum(rate({app="shop"} |= "ERROR" [1m]))`)
 * over `/loki/api/v1/query` at the evaluation's moment, so teams with logs
 * but no metrics can judge a release by its error lines. A log query (a
 * stream selector alone) returns lines, not numbers (Loki 3.2 and later
 * refuse it on this endpoint; earlier versions answer its lines): either way
 * it is an error saying what to write instead.
 */




const EXAMPLE = 'sum(count_over_time({app="shop"} |= "ERROR" [1m]))';
function lokiProvider(backend, http) {
    return {
        describe: `Loki ${(0,secrets/* displayUrl */.Qy)(backend.url)}`,
        async evaluate({ query, at, deadline, signal }) {
            const answer = await (0,providers_backend/* askBackend */.yN)(backend, {
                path: 'loki/api/v1/query',
                params: [
                    ['query', query],
                    // Nanoseconds since the epoch, as Loki reads a bare number.
                    ['time', `${Math.round(at)}000000`],
                ],
            }, http, { deadline, signal });
            // Loki 3.2 and later refuse a log query on the instant endpoint, advising a range query:
            // not what a check needs, so say what to write instead.
            if (answer.status === 400 &&
                answer.body.includes('log queries are not supported as an instant query type'))
                throw new metric/* ProviderError */.mZ(`is a log query, which returns lines, not a number: write a metric query, e.g. ${EXAMPLE}`);
            return instantSeries(answer, (0,providers_backend/* jsonBody */.J9)(answer), 'Loki', {
                streams: `returned log lines, not a number: write a metric query, e.g. ${EXAMPLE}`,
                matrix: 'returned a range of values; write an instant metric query (rate(), count_over_time(), …)',
            });
        },
    };
}

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/providers/web.js
/**
 * Any HTTP endpoint that answers JSON: the query is the URL, a JSONPath
 * (`$.errors.rate`, `$.queues[*].depth`) selects the numbers. Each selected
 * number is a series labelled by where it was found, so several can be
 * bounded at once. `jsonpath-plus` is loaded only when a web query runs.
 */



function webProvider(request, shared, http) {
    return {
        describe: 'web',
        async evaluate({ query, deadline, signal }) {
            const url = new URL(query);
            const answer = await (0,providers_backend/* askBackend */.yN)({ url, headers: { ...shared.headers, ...request.headers } }, {
                method: request.body !== undefined ? 'POST' : 'GET',
                ...(request.body !== undefined
                    ? { body: request.body, headers: { 'content-type': 'application/json' } }
                    : {}),
            }, http, { deadline, signal }).catch((error) => {
                if (error instanceof metric/* ProviderError */.mZ)
                    throw new metric/* ProviderError */.mZ(`${(0,secrets/* displayUrl */.Qy)(url)}: ${error.message}`);
                throw error;
            });
            if (answer.status < 200 || answer.status > 299)
                throw new metric/* ProviderError */.mZ(`${(0,secrets/* displayUrl */.Qy)(url)} ${(0,providers_backend/* answerText */.yy)(answer)}`);
            const parsed = (0,providers_backend/* jsonBody */.J9)(answer);
            if (parsed === undefined)
                throw new metric/* ProviderError */.mZ(`${(0,secrets/* displayUrl */.Qy)(url)} answered ${answer.status} with something that is not JSON`);
            return await web_select(parsed, request.jsonPath);
        },
    };
}
/** The numbers `path` selects in `json`: numbers and numeric strings; null is no data; anything else an error. */
async function web_select(json, path) {
    const { JSONPath } = await __webpack_require__.e(/* import() */ 529).then(__webpack_require__.bind(__webpack_require__, 3529));
    let found;
    try {
        found = JSONPath({ path, json: json, resultType: 'all', wrap: true, eval: 'safe' });
    }
    catch (error) {
        throw new metric/* ProviderError */.mZ(`json-path ${path} could not be evaluated: ${error.message}`);
    }
    return found.map(({ value, path: where }) => {
        const labels = found.length > 1 ? { path: where } : {};
        if (value === null)
            return { labels, value: Number.NaN };
        const number = typeof value === 'number'
            ? value
            : typeof value === 'string' && value.trim()
                ? Number(value)
                : Number.NaN;
        if (typeof value !== 'number' && Number.isNaN(number))
            throw new metric/* ProviderError */.mZ(`json-path ${path} selected ${JSON.stringify(value)?.slice(0, 80)} at ${where}, not a number`);
        return { labels, value: number };
    });
}

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/providers/index.js







/** The provider that answers `check`; the inputs were checked to configure it, so a gap is a bug. */
function providerFor(check, config) {
    const { providers, http } = config;
    const kind = check.provider ?? 'prometheus';
    const missing = () => new Error(`query "${check.name}" uses provider ${kind}, which is not configured`);
    switch (kind) {
        case 'prometheus':
            if (!providers.prometheus)
                throw missing();
            return prometheusProvider(providers.prometheus, http);
        case 'loki':
            if (!providers.loki)
                throw missing();
            return lokiProvider(providers.loki, http);
        case 'influxdb':
            if (!providers.influxdb)
                throw missing();
            return (0,influxdb/* influxProvider */.g)(providers.influxdb, http);
        case 'alertmanager':
            if (!providers.alertmanager)
                throw missing();
            return (0,alertmanager/* alertmanagerProvider */.z)(providers.alertmanager, http);
        case 'datadog':
            if (!providers.datadog)
                throw missing();
            return (0,datadog/* datadogProvider */.I)(providers.datadog, http);
        case 'cloudwatch':
            if (!providers.cloudwatch)
                throw missing();
            return cloudwatchProvider(providers.cloudwatch, http);
        case 'web':
            if (!check.web)
                throw missing();
            return webProvider(check.web, providers.web ?? { headers: {} }, http);
    }
}

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/sources/query.js
/**
 * Metric queries as evidence: each `queries` entry is evaluated once per
 * interval on its provider and every series must stay within `max`/`min`.
 * With `compare: live` the same query, written for `{{slot}}`, is also
 * evaluated for the live slot at the same moment, and the target may be
 * worse than live only by `max-increase` (absolute) and `max-ratio`
 * (relative). No data and backend errors are judged by the named policies.
 */





/**
 * Evaluates one query (both sides of it, with `compare: live`) and judges the
 * answer against its bounds. NaN series (a ratio of zero to zero when there is
 * no traffic) carry no evidence and count as no data.
 */
async function measure(check, provider, interval, options = {}) {
    const at = Date.now();
    const base = { check: check.name, interval, at };
    const where = `query "${check.name}" on ${provider.describe}`;
    const evaluation = {
        at: at - (check.delayMs ?? 0),
        lookbackMs: check.lookbackMs ?? options.intervalMs ?? 60_000,
        deadline: options.deadline ?? at + 30_000,
        ...(options.signal ? { signal: options.signal } : {}),
    };
    const evaluate = (query) => provider.evaluate({ query, ...evaluation }).then((series) => ({ series }), (error) => {
        if (error instanceof metric/* ProviderError */.mZ)
            return { error: error.message };
        throw error;
    });
    const [target, live] = await Promise.all([
        evaluate(check.query),
        check.compare ? evaluate(check.compare.query) : undefined,
    ]);
    if ('error' in target)
        return { ...base, outcome: 'error', values: [], failure: `${where}: ${target.error}` };
    const values = target.series.filter((s) => !Number.isNaN(s.value));
    if (values.length === 0)
        return {
            ...base,
            values: target.series,
            outcome: 'no-data',
            failure: `${where} returned no data${target.series.length ? ' (only NaN)' : ''}`,
        };
    // The target's own bounds first: a breach fails whatever the live side did.
    const absolute = outsideBounds(check, values);
    if (absolute)
        return { ...base, values, outcome: 'fail', failure: absolute };
    if (!check.compare || !live)
        return { ...base, values, outcome: 'pass' };
    const { liveSlot } = check.compare;
    if ('error' in live)
        return {
            ...base,
            values,
            outcome: 'error',
            failure: `${where}, for the live slot ${liveSlot}: ${live.error}`,
        };
    const liveValues = live.series.filter((s) => !Number.isNaN(s.value));
    const measured = { ...base, values, live: liveValues };
    if (liveValues.length === 0) {
        // The live slot takes no traffic (the 100% step): nothing to compare with.
        // The target's own bounds were met; without any, the interval has no evidence.
        const none = `${where} returned no data for the live slot ${liveSlot} to compare with`;
        return check.max !== undefined || check.min !== undefined
            ? { ...measured, outcome: 'pass', failure: `${none}; judged by max/min alone` }
            : { ...measured, outcome: 'no-data', failure: none };
    }
    const pairs = pairSeries(values, liveValues, check.compare.slot, liveSlot);
    const matched = pairs.filter((p) => p.live !== undefined);
    const relative = worseThanLive(check, matched);
    if (relative)
        return { ...measured, outcome: 'fail', failure: relative };
    // A target series the live slot has none for cannot be compared: not a pass (it
    // may be a route the new version breaks), so the interval has no evidence.
    const unpaired = pairs.filter((p) => p.live === undefined);
    if (unpaired.length)
        return {
            ...measured,
            outcome: 'no-data',
            failure: `${where}: ${unpaired.length} series of ${check.compare.slot} have no series with the same labels on the live slot ${liveSlot} (e.g.${(0,metric/* formatLabels */.h6)(unpaired[0].target.labels)}): write the query so both slots return the same series (e.g. "or" a zero vector by the same labels)`,
        };
    return { ...measured, outcome: 'pass' };
}
function outsideBounds(check, values) {
    const outside = values.filter((s) => (check.max !== undefined && s.value > check.max) || (check.min !== undefined && s.value < check.min));
    if (outside.length === 0)
        return undefined;
    const first = outside[0];
    const bound = check.max !== undefined && first.value > check.max ? `over max ${check.max}` : `under min ${check.min}`;
    const more = outside.length > 1 ? ` and ${outside.length - 1} more series` : '';
    return `${queryName(check)} = ${(0,metric/* formatValue */.Fl)(first.value)}${(0,metric/* formatLabels */.h6)(first.labels)}, ${bound}${more}`;
}
/** How a failure names its query: by name, and by provider beside the default one. */
function queryName(check) {
    const provider = check.provider ?? 'prometheus';
    return `query "${check.name}"${provider === 'prometheus' ? '' : ` (${provider})`}`;
}
/**
 * Pairs the target's series with the live slot's. One series a side (an
 * aggregated query) pair as they are; otherwise series pair by their labels,
 * leaving out labels whose value is a slot's name (`slot="green"` against
 * `slot="blue"`).
 */
function pairSeries(target, live, slot, liveSlot) {
    if (target.length === 1 && live.length === 1)
        return [{ target: target[0], live: live[0] }];
    const key = (series) => JSON.stringify(Object.entries(series.labels)
        .filter(([, value]) => value !== slot && value !== liveSlot)
        .sort(([a], [b]) => a.localeCompare(b)));
    const byKey = new Map(live.map((s) => [key(s), s]));
    return target.map((s) => ({ target: s, live: byKey.get(key(s)) }));
}
/** `target / live`; a live value of zero makes any positive target infinitely worse, and zero against zero equal. */
function ratio(pair) {
    if (pair.live.value === 0)
        return pair.target.value === 0 ? 1 : Number.POSITIVE_INFINITY;
    return pair.target.value / pair.live.value;
}
function worseThanLive(check, pairs) {
    const { maxIncrease, maxRatio, slot, liveSlot } = check.compare;
    for (const pair of pairs) {
        const increase = pair.target.value - pair.live.value;
        const overIncrease = maxIncrease !== undefined && increase > maxIncrease;
        const overRatio = maxRatio !== undefined && ratio(pair) > maxRatio;
        // With both bounds, the target must exceed both: each is the tolerance the other one widens.
        const worse = maxIncrease !== undefined && maxRatio !== undefined
            ? overIncrease && overRatio
            : overIncrease || overRatio;
        if (!worse)
            continue;
        const over = [
            overIncrease
                ? `${increase >= 0 ? '+' : ''}${(0,metric/* formatValue */.Fl)(increase)}, over max-increase ${maxIncrease}`
                : '',
            overRatio
                ? `${pair.live.value === 0 ? 'live is 0' : `${(0,metric/* formatValue */.Fl)(ratio(pair))}× live`}, over max-ratio ${maxRatio}`
                : '',
        ]
            .filter(Boolean)
            .join('; ');
        // Labels only tell series apart; the slot's own label says nothing the sentence does not.
        const labels = pairs.length > 1
            ? (0,metric/* formatLabels */.h6)(Object.fromEntries(Object.entries(pair.target.labels).filter(([, value]) => value !== slot && value !== liveSlot)))
            : '';
        return `${queryName(check)} = ${(0,metric/* formatValue */.Fl)(pair.target.value)} on ${slot} vs ${(0,metric/* formatValue */.Fl)(pair.live.value)} on ${liveSlot} (live)${labels}: ${over}`;
    }
    return undefined;
}
/**
 * Every how many analysis intervals an entry is evaluated: its own
 * `interval` rounded up to whole intervals (1 without one). The window check
 * (`queryWindowProblems`) counts evaluations by the same rule.
 */
function roundsPerEvaluation(check, analysisIntervalMs) {
    return Math.max(1, Math.ceil((check.intervalMs ?? analysisIntervalMs) / analysisIntervalMs));
}
class QuerySource {
    check;
    provider;
    config;
    evidence;
    kind = 'query';
    name;
    dryRun;
    last;
    /** The last evaluation that had data, for the report. */
    lastWithData;
    constructor(check, provider, config, evidence) {
        this.check = check;
        this.provider = provider;
        this.config = config;
        this.evidence = evidence;
        this.name = check.name;
        this.dryRun = check.dryRun ?? false;
    }
    async collect(round) {
        if (round.index % roundsPerEvaluation(this.check, round.intervalMs) !== 0)
            return;
        this.last = await measure(this.check, this.provider, round.index, {
            signal: round.signal,
            deadline: round.startedAt + round.intervalMs,
            intervalMs: round.intervalMs,
        });
        this.evidence.measurements.push(this.last);
    }
    judge(index) {
        const m = this.last;
        if (!m || m.interval !== index) {
            const every = this.check.intervalMs;
            if (every !== undefined && m)
                return { outcome: 'pending', note: `evaluated every ${(0,duration/* formatDuration */.a3)(every)} (its interval)` };
            return { outcome: 'unknown', note: 'not evaluated in this interval' };
        }
        if (m.values.length && m.outcome !== 'no-data')
            this.lastWithData = m;
        return (0,verdicts/* byPolicy */.os)(m.outcome, {
            onNoData: this.check.onNoData ?? this.config.onNoData,
            onError: this.check.onError ?? this.config.onError,
        }, m.failure, (streak) => `${m.failure}, in ${streak} interval${streak > 1 ? 's' : ''} in a row`);
    }
    conclude(tracker) {
        const what = `query "${this.name}"`;
        const { check } = this;
        // A web query is its URL: shown without the credentials it may carry.
        const shown = (query) => check.provider === 'web' && URL.canParse(query) ? (0,secrets/* displayUrl */.Qy)(new URL(query)) : query;
        const decided = (0,verdicts/* settledVerdict */.rm)(tracker, what) ??
            (0,verdicts/* blindVerdict */.Pb)(tracker, what) ?? {
            verdict: 'pass',
            reason: `${what}: within bounds${check.compare ? ` (and no worse than the live slot ${check.compare.liveSlot} beyond the tolerance)` : ''} in ${tracker.count('pass')} of ${tracker.intervals} intervals${(0,verdicts/* policyNote */.vK)(tracker)}`,
        };
        const values = this.lastWithData?.values;
        const live = this.lastWithData?.live;
        const series = (list) => list?.length
            ? list
                .slice(0, 5)
                .map((s) => `${(0,metric/* formatValue */.Fl)(s.value)}${(0,metric/* formatLabels */.h6)(s.labels)}`)
                .join('<br>')
            : 'no data';
        const bounds = [
            check.min !== undefined ? `min ${check.min}` : '',
            check.max !== undefined ? `max ${check.max}` : '',
            check.compare?.maxIncrease !== undefined ? `max-increase ${check.compare.maxIncrease} over live` : '',
            check.compare?.maxRatio !== undefined ? `max-ratio ${check.compare.maxRatio}× live` : '',
        ]
            .filter(Boolean)
            .join(', ');
        return {
            ...(0,verdicts/* checkIdentity */.Z0)(this, tracker, shown(check.query)),
            ...(check.max !== undefined ? { max: check.max } : {}),
            ...(check.min !== undefined ? { min: check.min } : {}),
            ...(values ? { lastValues: values } : {}),
            ...(live ? { liveValues: live } : {}),
            ...decided,
            table: {
                columns: ['value'],
                rows: [
                    [`query (${check.compare?.slot ?? 'as sent'})`, `\`${shown(check.query)}\``],
                    ...(check.compare
                        ? [[`query (${check.compare.liveSlot}, live)`, `\`${shown(check.compare.query)}\``]]
                        : []),
                    ['provider', this.provider.describe],
                    ['bounds', bounds],
                    ['last values', series(values)],
                    ...(check.compare ? [['live values', series(live)]] : []),
                    ['verdict', decided.reason],
                ],
            },
        };
    }
}
const querySources = (config, evidence) => config.queries.map((check) => new QuerySource(check, providerFor(check, config), config, evidence));

// EXTERNAL MODULE: ../../packages/core/dist/errors.js
var errors = __webpack_require__(8247);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(7030);
;// CONCATENATED MODULE: ../../packages/core/dist/traffic/router.js

class RouterError extends errors/* OperationError */.OK {
    name = 'RouterError';
}
/** All traffic to one slot. */
function allTo(slot, slots) {
    const weights = {};
    for (const s of slots)
        weights[s] = s === slot ? 100 : 0;
    return weights;
}
/** `percent` to `target`, the rest to `live`. */
function split(target, live, percent) {
    return { [live]: 100 - percent, [target]: percent };
}
function sameWeights(a, b) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys)
        if ((a[key] ?? 0) !== (b[key] ?? 0))
            return false;
    return true;
}
function formatWeights(weights) {
    return Object.entries(weights)
        .map(([slot, w]) => `${slot} ${w}%`)
        .join(' / ');
}

;// CONCATENATED MODULE: ../../packages/core/dist/traffic/weights.js
/**
 * What is wrong with `weights` for these slots, or undefined when they are
 * usable: whole percents from 0 to 100, one per slot and no other, summing to
 * 100. The text finishes the sentence "expected …" so that it reads well in an
 * InputError as well as in a RouterError.
 */
function weightsProblem(weights, slots) {
    for (const key of Object.keys(weights))
        if (!slots.includes(key))
            return `weights for the slots ${slots.join(' and ')} only ("${key}" is not a slot)`;
    let sum = 0;
    for (const slot of slots) {
        const weight = weights[slot];
        if (weight === undefined)
            return `a weight for every slot (none for "${slot}")`;
        if (!Number.isInteger(weight) || weight < 0 || weight > 100)
            return `whole percents from 0 to 100 ("${slot}" has ${weight})`;
        sum += weight;
    }
    if (sum !== 100)
        return `weights summing to 100 (they sum to ${sum})`;
    return undefined;
}
/**
 * Turns the relative weights a router holds (nginx `weight=3`, HAProxy `12`, a
 * backendRef `weight: 1`) into whole percents summing to 100, by the largest
 * remainder, so 1:1:1 becomes 34/33/33 and never 33/33/33. All zero is
 * returned as all zero: no slot gets traffic, which the caller must report.
 */
function toPercents(relative) {
    const total = [...relative.values()].reduce((a, b) => a + b, 0);
    const weights = {};
    if (total <= 0) {
        for (const slot of relative.keys())
            weights[slot] = 0;
        return weights;
    }
    const exact = [...relative].map(([slot, w]) => ({ slot, value: (w * 100) / total }));
    let given = 0;
    for (const { slot, value } of exact) {
        weights[slot] = Math.floor(value);
        given += Math.floor(value);
    }
    const byRemainder = [...exact].sort((a, b) => b.value - Math.floor(b.value) - (a.value - Math.floor(a.value)));
    for (let i = 0; i < 100 - given; i++) {
        const slot = byRemainder[i % byRemainder.length].slot;
        weights[slot] = (weights[slot] ?? 0) + 1;
    }
    return weights;
}

;// CONCATENATED MODULE: ../../packages/core/dist/traffic/haproxy.js




// From HAProxy's include/haproxy/server-t.h (enum srv_admin): maintenance
// forced (0x01), inherited (0x02), from the configuration (0x04) or from a
// failed address resolution (0x20); drain forced (0x08) or inherited (0x10).
// Any of them takes the server out of rotation whatever its weight.
const ADMIN_OUT_OF_ROTATION = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20;
/**
 * Splits traffic with server weights over HAProxy's runtime API (the admin
 * socket): both weights are set in one exchange and take effect at once, with
 * no reload. HAProxy weights are relative and run from 0 to 256, so the percent
 * is used as the weight directly; 0 takes a server out of rotation.
 */
class HaproxyRouter {
    kind = 'haproxy';
    #options;
    constructor(options) {
        this.#options = options;
    }
    describe() {
        return `HAProxy backend "${this.#options.backend}" via ${this.#options.socket}`;
    }
    async read(signal) {
        const states = await this.serverStates(signal);
        const relative = new Map();
        for (const [slot, server] of this.#options.slots) {
            const state = states.get(server);
            if (!state)
                throw new RouterError(`${this.describe()} has no server "${server}" (slot "${slot}")`);
            relative.set(slot, state.adminState & ADMIN_OUT_OF_ROTATION ? 0 : state.weight);
        }
        const weights = toPercents(relative);
        if (Object.values(weights).every((w) => w === 0))
            throw new RouterError(`${this.describe()}: every slot server has weight 0 or is in maintenance/drain; no slot receives traffic`);
        return weights;
    }
    async set(weights, signal) {
        const problem = weightsProblem(weights, [...this.#options.slots.keys()]);
        if (problem)
            throw new RouterError(`${this.describe()}: cannot set ${formatWeights(weights)}: expected ${problem}`);
        // Read first: every slot server must exist before anything is changed,
        // and the weights in force now are what a failed change goes back to.
        const before = await this.serverStates(signal);
        for (const [slot, server] of this.#options.slots)
            if (!before.has(server))
                throw new RouterError(`${this.describe()} has no server "${server}" (slot "${slot}")`);
        const answer = await this.#setWeights(new Map([...this.#options.slots].map(([slot, server]) => [server, weights[slot]])), signal);
        if (answer !== '') {
            // Put the previous weights back, and say plainly if even that failed:
            // the caller must never believe nothing changed when something did.
            const restore = await this.#setWeights(new Map([...this.#options.slots.values()].map((s) => [s, before.get(s).weight])), signal).catch((error) => (error instanceof Error ? error.message : String(error)));
            throw new RouterError(`${this.describe()} refused ${formatWeights(weights)}: ${answer.split('\n').join(' ')}` +
                (restore === ''
                    ? ''
                    : `; the previous weights could NOT be restored: ${restore.split('\n').join(' ')}`));
        }
        this.#options.log?.(`${this.describe()}: ${formatWeights(weights)} set`);
    }
    async verify(weights, signal) {
        const actual = await this.read(signal);
        if (!sameWeights(actual, weights))
            throw new RouterError(`${this.describe()} holds ${formatWeights(actual)}, not ${formatWeights(weights)}`);
    }
    /**
     * One line, commands separated by ";": HAProxy runs them back to back in one
     * exchange, so no request in between sees one weight changed and not the
     * other for longer than the processing of the line. Each successful `set
     * server … weight` answers nothing; the trimmed answer is the error text.
     */
    async #setWeights(byServer, signal) {
        const commands = [...byServer].map(([server, w]) => `set server ${this.#options.backend}/${server} weight ${w}`);
        return (await this.command(commands.join('; '), signal)).trim();
    }
    /** The servers of the backend as HAProxy reports them now. */
    async serverStates(signal) {
        const text = await this.command(`show servers state ${this.#options.backend}`, signal);
        return parseServersState(text, this.describe());
    }
    /** Sends one line to the runtime API and returns the whole answer (HAProxy closes the connection after it). */
    command(line, signal) {
        const socket = this.#options.socket;
        const timeoutMs = this.#options.timeoutMs ?? 10_000;
        return new Promise((resolve, reject) => {
            signal?.throwIfAborted();
            const tcp = /^tcp:\/\/(.+):(\d+)$/.exec(socket);
            const connection = tcp
                ? (0,external_node_net_.createConnection)({ host: tcp[1], port: Number(tcp[2]) })
                : (0,external_node_net_.createConnection)({ path: socket });
            const chunks = [];
            let settled = false;
            const fail = (error) => {
                if (settled)
                    return;
                settled = true;
                connection.destroy();
                signal?.removeEventListener('abort', onAbort);
                reject(error instanceof RouterError
                    ? error
                    : new RouterError(`HAProxy admin socket ${socket} is not reachable: ${(0,errors/* errorMessage */.gJ)(error)}`, {
                        cause: error,
                    }));
            };
            const onAbort = () => fail(signal?.reason);
            signal?.addEventListener('abort', onAbort, { once: true });
            connection.setTimeout(timeoutMs, () => fail(new RouterError(`HAProxy admin socket ${socket} did not answer "${line}" within ${timeoutMs}ms`)));
            connection.on('connect', () => connection.end(`${line}\n`));
            connection.on('data', (chunk) => chunks.push(chunk));
            connection.on('error', fail);
            connection.on('close', () => {
                if (settled)
                    return;
                settled = true;
                signal?.removeEventListener('abort', onAbort);
                resolve(Buffer.concat(chunks).toString('utf8'));
            });
        });
    }
}
/**
 * Parses the answer to `show servers state <backend>`: a format version line
 * (`1`), a `#` header naming the columns, then one line per server. Columns are
 * looked up by name, so versions that add columns still parse.
 */
function parseServersState(text, what = 'HAProxy') {
    const lines = text.split('\n').map((l) => l.trim());
    if (lines[0] !== '1')
        throw new RouterError(`${what}: unexpected answer to "show servers state": ${JSON.stringify(text.slice(0, 200))}`);
    const header = lines.find((l) => l.startsWith('#'));
    if (!header)
        throw new RouterError(`${what}: "show servers state" has no header line`);
    const columns = header.slice(1).trim().split(/\s+/);
    const col = (name) => {
        const index = columns.indexOf(name);
        if (index < 0)
            throw new RouterError(`${what}: "show servers state" has no column ${name}`);
        return index;
    };
    const nameAt = col('srv_name');
    const weightAt = col('srv_uweight');
    const adminAt = col('srv_admin_state');
    const states = new Map();
    for (const line of lines.slice(1)) {
        if (line === '' || line.startsWith('#'))
            continue;
        const fields = line.split(/\s+/);
        const name = fields[nameAt];
        const weight = Number(fields[weightAt]);
        const adminState = Number(fields[adminAt]);
        if (name === undefined || !Number.isInteger(weight) || !Number.isInteger(adminState))
            throw new RouterError(`${what}: cannot read the server line ${JSON.stringify(line)}`);
        states.set(name, { name, weight, adminState });
    }
    return states;
}

;// CONCATENATED MODULE: ../../packages/core/dist/traffic/haproxy-stats.js
/**
 * HAProxy's own view of real traffic: the per-server counters of `show stat`
 * over the runtime API, read at the start of a step and after every interval.
 * The difference between two readings is what each slot's server answered in
 * between, every user request included, and nothing else.
 *
 * Counters (cumulative): `req_tot` (HTTP requests), `hrsp_1xx` … `hrsp_5xx`,
 * `econ` (connection errors), `eresp` (response errors). `rtime` is not a
 * counter: it is HAProxy's average response time over the server's last 1,024
 * requests, so it serves only to compare the two slots, never as a latency of
 * the interval.
 */



/**
 * Parses the CSV of `show stat`: a `# ` header naming the columns, then one
 * line per proxy and server. Columns are found by name, so versions that add
 * columns still parse. Returns the servers of `backend` by name.
 */
function parseShowStat(text, backend) {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const header = lines[0];
    if (!header?.startsWith('# '))
        throw new RouterError(`unexpected answer to "show stat": ${JSON.stringify(text.slice(0, 200))}`);
    const columns = header.slice(2).split(',');
    const at = (name) => columns.indexOf(name);
    const need = ['pxname', 'svname', 'hrsp_5xx', 'econ', 'eresp', 'rtime'];
    const missing = need.filter((name) => at(name) < 0);
    if (missing.length)
        throw new RouterError(`"show stat" has no column ${missing.join(', ')} (is the backend in mode http?)`);
    const servers = new Map();
    for (const line of lines.slice(1)) {
        const cells = line.split(',');
        if (cells[at('pxname')] !== backend)
            continue;
        const name = cells[at('svname')];
        if (name === 'BACKEND' || name === 'FRONTEND')
            continue;
        const num = (column) => {
            const index = at(column);
            const value = index < 0 ? '' : (cells[index] ?? '');
            return value === '' ? 0 : Number(value);
        };
        const byClass = {
            '1xx': num('hrsp_1xx'),
            '2xx': num('hrsp_2xx'),
            '3xx': num('hrsp_3xx'),
            '4xx': num('hrsp_4xx'),
            '5xx': num('hrsp_5xx'),
            other: num('hrsp_other'),
        };
        const answered = Object.values(byClass).reduce((a, b) => a + b, 0);
        servers.set(name, {
            // req_tot counts a server's HTTP requests where the version has it; the
            // answers by class are the same number without it.
            requests: Math.max(num('req_tot'), answered),
            byClass,
            connectionErrors: num('econ'),
            responseErrors: num('eresp'),
            retries: num('wretr') + num('wredis'),
            status: at('status') < 0 ? '' : (cells[at('status')] ?? ''),
            averageResponseMs: num('rtime'),
        });
    }
    return servers;
}
/** Reads the counters of every slot's server; throws RouterError naming the socket when it cannot. */
async function readHaproxyCounters(options, signal) {
    const router = new HaproxyRouter({ ...options });
    let text;
    try {
        text = await router.command('show stat', signal);
    }
    catch (error) {
        if (signal?.aborted)
            throw error;
        throw error instanceof RouterError ? error : new RouterError((0,errors/* errorMessage */.gJ)(error));
    }
    const servers = parseShowStat(text, options.backend);
    const bySlot = new Map();
    for (const [slot, server] of options.slots) {
        const counters = servers.get(server);
        if (!counters)
            throw new RouterError(`HAProxy backend "${options.backend}" has no server "${server}" (slot "${slot}") in "show stat"`);
        bySlot.set(slot, counters);
    }
    return bySlot;
}

// EXTERNAL MODULE: external "node:dns/promises"
var promises_ = __webpack_require__(1553);
// EXTERNAL MODULE: external "node:fs/promises"
var external_node_fs_promises_ = __webpack_require__(1455);
;// CONCATENATED MODULE: ../../packages/core/dist/traffic/nginx-access-log.js
/**
 * nginx's own view of real traffic: a JSON access log in the format below,
 * read incrementally from the start of a step. Every upstream attempt of every
 * request is attributed to the slot whose address served it; with
 * `proxy_next_upstream`, `$upstream_addr` and `$upstream_status` are lists
 * (`10.0.0.12:8080, 10.0.0.11:8080` / `502, 200`), so a failure of the new slot
 * hidden from the user by a retry on the live one still counts against the new
 * slot.
 *
 * Rotation: the file is read through a descriptor kept open from the start,
 * so a file renamed away is read to its end (nginx writes there until it
 * reopens its logs), then the new file at the path is read from its start. A
 * file truncated in place (copytruncate) is read again from its start.
 */




/** The log format Glidepath reads (documented in canary-shift's README). */
const NGINX_LOG_FORMAT = (/* unused pure expression or super */ null && ('log_format glidepath escape=json \'{"msec":"$msec","status":"$status","request_uri":"$request_uri",' +
    '"upstream_addr":"$upstream_addr","upstream_status":"$upstream_status",' +
    '"upstream_response_time":"$upstream_response_time","request_time":"$request_time",' +
    '"user_agent":"$http_user_agent"}\';'));
const REQUIRED = ['msec', 'status', 'upstream_addr', 'upstream_status', 'upstream_response_time'];
class AccessLogError extends errors/* OperationError */.OK {
    name = 'AccessLogError';
}
/** `host:port` of each slot, resolved to the `ip:port` forms a log can show. */
async function slotAddresses(slots) {
    const bySlot = new Map();
    const matched = [];
    for (const [slot, address] of slots) {
        // A unix socket is logged as written (`unix:/run/app.sock`).
        if (address.startsWith('unix:')) {
            bySlot.set(address, slot);
            continue;
        }
        const at = address.lastIndexOf(':');
        const host = at > 0 && !address.endsWith(']') ? address.slice(0, at) : address;
        const port = at > 0 && !address.endsWith(']') ? address.slice(at + 1) : '80';
        const bare = host.replace(/^\[|\]$/g, '');
        const ips = (0,external_node_net_.isIP)(bare) ? [bare] : (await (0,promises_.lookup)(bare, { all: true })).map((a) => a.address);
        for (const ip of ips) {
            const key = `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
            bySlot.set(key, slot);
            if (!(0,external_node_net_.isIP)(bare))
                matched.push(`${address} → ${key}`);
        }
        bySlot.set(address, slot);
    }
    return { bySlot, matched };
}
class NginxAccessLog {
    path;
    addresses;
    #current;
    /**
     * Files renamed away by a rotation. nginx writes to a renamed file until it
     * is told to reopen its logs, so they are read on every read until the end.
     */
    #retired = [];
    constructor(path, addresses) {
        this.path = path;
        this.addresses = addresses;
    }
    /** Starts at the end of the file as it is now: only what is written from here on is read. */
    async begin() {
        await this.close();
        this.#current = await this.#open(true);
    }
    /** Everything written since the last read, as upstream attempts per slot. */
    async read() {
        const events = [];
        this.#current ??= await this.#open(true);
        let text = '';
        for (const tail of this.#retired)
            text += await this.#drain(tail, events);
        text += await this.#drain(this.#current, events);
        const now = await (0,external_node_fs_promises_.stat)(this.path).catch(() => undefined);
        if (now && now.ino !== this.#current.inode) {
            events.push(`${this.path} was rotated; reading the new file from its start, and the old one to its end`);
            this.#retired.push(this.#current);
            // A few rotations in one step at most are kept open.
            while (this.#retired.length > 4)
                await this.#retired.shift().handle.close();
            this.#current = await this.#open(false);
            text += await this.#drain(this.#current, events);
        }
        return this.#parse(text, events);
    }
    async close() {
        for (const tail of [...this.#retired, ...(this.#current ? [this.#current] : [])])
            await tail.handle.close().catch(() => undefined);
        this.#retired = [];
        this.#current = undefined;
    }
    async #open(atEnd) {
        let handle;
        try {
            handle = await (0,external_node_fs_promises_.open)(this.path, 'r');
        }
        catch (error) {
            const code = error.code;
            throw new AccessLogError(code === 'ENOENT'
                ? `nginx access log ${this.path} does not exist`
                : code === 'EACCES'
                    ? `nginx access log ${this.path} is not readable by this runner (EACCES)`
                    : `nginx access log ${this.path} cannot be opened (${code ?? String(error)})`);
        }
        const info = await handle.stat();
        if (!info.isFile()) {
            await handle.close();
            throw new AccessLogError(`nginx access log ${this.path} is not a file`);
        }
        return { handle, inode: info.ino, offset: atEnd ? info.size : 0, partial: '' };
    }
    /** What a file has beyond its offset, in whole lines (a partial last line waits for the next read). */
    async #drain(tail, events) {
        const { size } = await tail.handle.stat();
        if (size < tail.offset) {
            events.push(`${this.path} was truncated; reading it again from its start`);
            tail.offset = 0;
            tail.partial = '';
        }
        const chunks = [];
        while (tail.offset < size) {
            const buffer = Buffer.alloc(Math.min(1 << 20, size - tail.offset));
            const { bytesRead } = await tail.handle.read(buffer, 0, buffer.length, tail.offset);
            if (bytesRead === 0)
                break;
            chunks.push(buffer.subarray(0, bytesRead));
            tail.offset += bytesRead;
        }
        const text = tail.partial + Buffer.concat(chunks).toString('utf8');
        const end = text.lastIndexOf('\n');
        tail.partial = text.slice(end + 1);
        return text.slice(0, end + 1);
    }
    #parse(text, events) {
        const reading = { attempts: [], lines: 0, malformed: 0, unmatched: 0, probes: 0, events };
        let firstBad;
        let firstUnmatched;
        for (const line of text.split('\n')) {
            if (line.trim() === '')
                continue;
            reading.lines++;
            const entry = parseLine(line);
            if (!entry) {
                reading.malformed++;
                firstBad ??= line.slice(0, 120);
                continue;
            }
            // Glidepath's own probes judge the slot on their own; real traffic is what users sent.
            if (/^glidepath/i.test(entry.user_agent ?? '')) {
                reading.probes++;
                continue;
            }
            const attempts = attemptsOf(entry, this.addresses);
            const servers = upstreamList(entry.upstream_addr);
            if (!servers.some((a) => this.addresses.has(a)) &&
                entry.upstream_addr !== '-' &&
                entry.upstream_addr !== '') {
                reading.unmatched++;
                firstUnmatched ??= entry.upstream_addr;
            }
            reading.attempts.push(...attempts);
        }
        if (reading.lines > 0 && reading.malformed === reading.lines)
            throw new AccessLogError(`nginx access log ${this.path} is not in Glidepath's JSON log format (log_format glidepath in canary-shift's README); first line: ${firstBad}`);
        // Requests went upstream, but never to an address of the slots: the log belongs to another
        // upstream, or `slots` does not say the addresses nginx logs. Blind, not quiet.
        if (reading.unmatched > 0 && reading.attempts.length === 0)
            throw new AccessLogError(`none of the ${reading.unmatched} requests in nginx access log ${this.path} went to a slot's address (the log names ${firstUnmatched}; slots are ${[...this.addresses.keys()].join(', ')})`);
        return reading;
    }
}
function parseLine(line) {
    let value;
    try {
        value = JSON.parse(line);
    }
    catch {
        return undefined;
    }
    if (!value || typeof value !== 'object')
        return undefined;
    const record = value;
    return REQUIRED.every((key) => typeof record[key] === 'string')
        ? record
        : undefined;
}
/** One item per upstream tried: `$upstream_*` lists are comma separated, with ` : ` between redirect groups. */
function upstreamList(text) {
    return text.split(/\s*,\s*|\s+:\s+/).map((item) => item.trim());
}
/**
 * The attempts of one request: `$upstream_addr` lists the servers tried, comma
 * separated, with ` : ` between the groups of an internal redirect; the status
 * and time lists have one item per server, in the same order.
 */
function attemptsOf(entry, addresses) {
    const servers = upstreamList(entry.upstream_addr);
    const statuses = upstreamList(entry.upstream_status);
    const times = upstreamList(entry.upstream_response_time);
    const at = Math.round(Number(entry.msec) * 1000);
    const path = (entry.request_uri ?? '').split('?')[0] || '/';
    const attempts = [];
    servers.forEach((server, i) => {
        const slot = addresses.get(server);
        if (!slot)
            return;
        const status = statuses[i] ?? '';
        // 499: the client gave up before the upstream answered; that says nothing of the slot.
        if (status === '-' && entry.status === '499')
            return;
        const seconds = times[i] ?? '';
        attempts.push({
            slot,
            // `-` (no answer recorded) counts as a failed connection.
            status: /^\d{3}$/.test(status) ? Number(status) : 502,
            ...(/^\d+(\.\d+)?$/.test(seconds) ? { ms: Number(seconds) * 1000 } : {}),
            path,
            at,
        });
    });
    return attempts;
}

// EXTERNAL MODULE: ../../packages/core/dist/analysis/stats.js
var stats = __webpack_require__(9182);
;// CONCATENATED MODULE: ../../packages/core/dist/analysis/sources/traffic.js
/**
 * Real traffic through the router as evidence: what users' requests to the
 * new slot got, interval by interval, judged against the live slot's in the
 * same interval (the two-proportion test on error rates, Mann–Whitney on
 * per-request latencies where the router logs them, the average response
 * time where it only keeps that). HAProxy gives per-server counters, nginx a
 * JSON access log; both are read as the step runs.
 *
 * An interval in which the new slot served fewer than `min-requests` carries
 * no real-traffic evidence: a quiet service is judged by its other sources
 * and never rolled back for being quiet. When the live slot takes no traffic
 * (the 100% step), the new slot's error rate is judged on its own against
 * the tolerance.
 */









const empty = () => ({ requests: 0, errors: 0, latencies: [], failingPaths: new Map() });
function haproxyReader(settings) {
    const { socket, backend, servers } = settings.router;
    const options = { socket, backend, slots: servers, timeoutMs: 5000 };
    const errorClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'].filter((c) => (0,config/* statusMatches */.W_)(settings.errorStatus, Number(c[0]) * 100));
    let first;
    let previous;
    // HAProxy counts a server's req_tot and hrsp_* only when an answer arrived:
    // connection errors, response errors (a reset, a timeout) and retries sent
    // elsewhere are requests of the slot that failed them, and errors.
    const attempted = (c) => c.requests + c.connectionErrors + c.responseErrors + c.retries;
    const errorsOf = (c) => errorClasses.reduce((sum, k) => sum + c.byClass[k], 0) +
        c.connectionErrors +
        c.responseErrors +
        c.retries;
    // A counter that went down means HAProxy restarted: the new value is all there is.
    const delta = (a, b) => (b === undefined || a < b ? a : a - b);
    return {
        describe: `HAProxy backend "${backend}" counters (show stat)`,
        async begin(signal) {
            first = await readHaproxyCounters(options, signal);
            previous = first;
        },
        async read(signal) {
            const now = await readHaproxyCounters(options, signal);
            const traffic = new Map();
            for (const [slot, counters] of now) {
                const before = previous?.get(slot);
                const start = first?.get(slot);
                const requests = delta(attempted(counters), before && attempted(before));
                const sinceStart = delta(counters.requests, start?.requests);
                traffic.set(slot, {
                    requests,
                    errors: Math.min(requests, delta(errorsOf(counters), before && errorsOf(before))),
                    latencies: [],
                    averageMs: counters.averageResponseMs,
                    // rtime averages the server's last 1,024 answers. Judge it only once this
                    // step's answers are at least as many as the ones before it (a server new to
                    // HAProxy: at once), or fill the whole window: before that, on a slot reused
                    // from an earlier release, it is mostly the old release's answers.
                    averageUsable: sinceStart >= 1024 || (start?.requests ?? 0) <= sinceStart,
                    down: /^(DOWN|MAINT|NOLB)/.test(counters.status),
                    failingPaths: new Map(),
                });
            }
            previous = now;
            return { traffic, notes: [] };
        },
        async close() { },
    };
}
function nginxReader(settings) {
    let log;
    let matched = [];
    return {
        describe: `nginx access log ${settings.router.log}`,
        async begin() {
            await log?.close();
            const resolved = await slotAddresses(settings.router.addresses);
            matched = resolved.matched;
            log = new NginxAccessLog(settings.router.log, resolved.bySlot);
            await log.begin();
        },
        async read() {
            const reading = await log.read();
            const traffic = new Map();
            for (const slot of settings.router.addresses.keys())
                traffic.set(slot, empty());
            for (const attempt of reading.attempts)
                add(traffic.get(attempt.slot), attempt, settings.errorStatus);
            const notes = [...reading.events];
            if (matched.length) {
                notes.push(`slots matched as ${matched.join(', ')}`);
                matched = [];
            }
            if (reading.malformed)
                notes.push(`${reading.malformed} line(s) not in Glidepath's log format were left out`);
            return { traffic, notes };
        },
        async close() {
            await log?.close();
            log = undefined;
        },
    };
}
function add(traffic, attempt, errorStatus) {
    traffic.requests++;
    if (attempt.ms !== undefined)
        traffic.latencies.push(attempt.ms);
    // A 502/504 that nginx records for an upstream it could not reach is a connection error: always an error.
    if ((0,config/* statusMatches */.W_)(errorStatus, attempt.status) || attempt.status === 502 || attempt.status === 504) {
        traffic.errors++;
        traffic.failingPaths.set(attempt.path, (traffic.failingPaths.get(attempt.path) ?? 0) + 1);
    }
}
function merge(into, from) {
    into.requests += from.requests;
    into.errors += from.errors;
    // Enough for percentiles and the test of a long window without holding every request of a busy one.
    for (const ms of from.latencies) {
        if (into.latencies.length >= 100_000)
            break;
        into.latencies.push(ms);
    }
    if (from.averageMs !== undefined)
        into.averageMs = from.averageMs;
    if (from.averageUsable !== undefined)
        into.averageUsable = from.averageUsable;
    if (from.down !== undefined)
        into.down = from.down;
    for (const [path, n] of from.failingPaths)
        into.failingPaths.set(path, (into.failingPaths.get(path) ?? 0) + n);
}
function rate(traffic) {
    return traffic.requests ? traffic.errors / traffic.requests : 0;
}
function topPath(traffic) {
    const [path, count] = [...traffic.failingPaths].sort((a, b) => b[1] - a[1])[0] ?? [];
    return path === undefined ? undefined : `${path} (${count}×)`;
}
class TrafficSource {
    settings;
    config;
    alone;
    kind = 'traffic';
    name;
    dryRun = false;
    reader;
    begun = false;
    last;
    /** Intervals in which real traffic was compared (not quiet, not a read error). */
    compared = 0;
    totals = new Map();
    /** Quiet intervals add up until the new slot has served min-requests: a slow trickle is judged too. */
    pending = { target: empty(), live: empty() };
    quiet = 0;
    errorStreak = 0;
    longestErrorStreak = 0;
    lastError;
    constructor(settings, config, 
    /** The only source of the analysis: with no real-traffic evidence, on-no-data decides. */
    alone) {
        this.settings = settings;
        this.config = config;
        this.alone = alone;
        this.name = `real traffic on ${settings.slot}`;
        this.reader =
            settings.router.kind === 'haproxy' ? haproxyReader(settings) : nginxReader(settings);
        this.totals.set(settings.slot, empty());
        this.totals.set(settings.liveSlot, empty());
    }
    async collect(round) {
        try {
            if (!this.begun) {
                this.begun = true;
                await this.reader.begin(round.signal);
            }
            // Read at the end of the interval, so the reading covers all of it.
            const rest = round.startedAt + round.intervalMs - Date.now() - 25;
            if (rest > 0)
                await round.sleep(rest, round.signal);
            const { traffic, notes } = await this.reader.read(round.signal);
            for (const [slot, t] of traffic)
                if (this.totals.has(slot))
                    merge(this.totals.get(slot), t);
            this.last = { index: round.index, traffic, notes };
        }
        catch (error) {
            if (round.signal?.aborted)
                throw error;
            // A host in `slots` that does not resolve is the router's view failing too, named and judged by policy.
            const code = error.code;
            if (!(error instanceof AccessLogError ||
                error instanceof RouterError ||
                code === 'ENOTFOUND' ||
                code === 'EAI_AGAIN'))
                throw error;
            this.begun = false;
            this.last = { index: round.index, error: `${this.reader.describe}: ${error.message}` };
        }
    }
    judge(index) {
        const last = this.last;
        if (!last || last.index !== index)
            return { outcome: 'unknown', note: 'not read in this interval' };
        if (last.error !== undefined) {
            this.errorStreak++;
            this.longestErrorStreak = Math.max(this.longestErrorStreak, this.errorStreak);
            this.lastError = last.error;
            return (0,verdicts/* byPolicy */.os)('error', this.config, `real traffic: ${last.error}`, undefined);
        }
        this.errorStreak = 0;
        const { slot, liveSlot, minRequests } = this.settings;
        merge(this.pending.target, last.traffic.get(slot) ?? empty());
        merge(this.pending.live, last.traffic.get(liveSlot) ?? empty());
        const { target, live } = this.pending;
        const notes = last.notes?.length ? ` (${last.notes.join('; ')})` : '';
        if (target.down) {
            const sentence = `real traffic on ${slot}: HAProxy marks the server DOWN or in maintenance (its health checks fail) while it should take traffic`;
            return { outcome: 'fail', note: sentence, failure: () => sentence };
        }
        if (target.requests < minRequests) {
            this.quiet++;
            return {
                outcome: 'unknown',
                note: `${target.requests} real requests on ${slot} so far (fewer than min-requests ${minRequests})${notes}`,
            };
        }
        this.pending = { target: empty(), live: empty() };
        this.compared++;
        const finding = this.compare(target, live);
        return {
            outcome: finding.failed ? 'fail' : 'pass',
            note: `${finding.sentence}${notes}`,
            failure: (streak) => `${finding.sentence}${streak > 1 ? `, in ${streak} intervals in a row` : ''}`,
        };
    }
    /**
     * The interval's verdict on the new slot, in one sentence naming both slots'
     * figures. Exact tests (Fisher's, the binomial) because intervals are small:
     * the normal approximation would call noise at ten requests a difference.
     */
    compare(target, live) {
        const s = this.settings;
        const { alpha, errorTolerance } = s.comparison;
        const problems = [];
        const facts = [];
        const head = `real traffic on ${s.slot}: ${target.errors} of ${target.requests} requests failed (${(0,latency/* percent */.K)(rate(target))})`;
        const path = topPath(target);
        if (s.maxErrorRate !== undefined) {
            const p = (0,stats/* binomialAtLeast */.yb)(target.errors, target.requests, s.maxErrorRate);
            if (rate(target) > s.maxErrorRate && p < alpha)
                problems.push(`over traffic-max-error-rate ${(0,latency/* percent */.K)(s.maxErrorRate)} (binomial p ${(0,baseline/* formatP */.M)(p)})`);
        }
        // The live slot in the same interval; when it took too little (the 100% step),
        // what it served earlier in this shift.
        const earlier = s.liveReference;
        const reference = live.requests >= s.minRequests
            ? { errors: live.errors, requests: live.requests, when: '' }
            : earlier && earlier.requests >= s.minRequests
                ? { ...earlier, when: ' earlier in the shift' }
                : undefined;
        if (reference) {
            const p = (0,stats/* fisherExactGreater */.hb)(target.errors, target.requests, reference.errors, reference.requests);
            const liveRate = reference.errors / reference.requests;
            const worse = rate(target) - liveRate > errorTolerance && p < alpha;
            (worse ? problems : facts).push(`vs ${(0,latency/* percent */.K)(liveRate)} of ${reference.requests} on ${s.liveSlot} (live)${reference.when} (Fisher's exact p ${(0,baseline/* formatP */.M)(p)}${worse ? `, beyond baseline-error-tolerance ${(0,latency/* percent */.K)(errorTolerance)}` : ''})`);
        }
        else if (s.maxErrorRate === undefined) {
            // Nothing of the live slot to compare with at all: the rate on its own, against the tolerance.
            const p = (0,stats/* binomialAtLeast */.yb)(target.errors, target.requests, errorTolerance);
            const over = rate(target) > errorTolerance && p < alpha;
            (over ? problems : facts).push(over
                ? `over baseline-error-tolerance ${(0,latency/* percent */.K)(errorTolerance)} with no live traffic to compare with (binomial p ${(0,baseline/* formatP */.M)(p)})`
                : `${s.liveSlot} (live) took ${live.requests} requests, too few to compare with`);
        }
        if (live.requests >= s.minRequests) {
            const latency = this.latency(target, live);
            if (latency)
                (latency.slower ? problems : facts).push(latency.sentence);
        }
        const sentence = [head, ...problems, ...facts].join('; ') + (path && target.errors ? `; most failing path ${path}` : '');
        return { failed: problems.length > 0, sentence };
    }
    /** nginx: Mann–Whitney on per-request times; HAProxy: its rtime averages, a comparison signal only. */
    latency(target, live) {
        const s = this.settings;
        const { alpha, latencyFloorMs, latencyTolerance } = s.comparison;
        if (target.latencies.length >= s.minRequests && live.latencies.length >= s.minRequests) {
            const p = (0,stats/* mannWhitneyU */.KZ)(target.latencies, live.latencies, 'greater').pValue;
            const t = (0,stats/* median */.JZ)(target.latencies);
            const l = (0,stats/* median */.JZ)(live.latencies);
            const slower = t - l > Math.max(latencyFloorMs, latencyTolerance * l) && p < alpha;
            return {
                slower,
                sentence: `latency median ${(0,duration/* formatDuration */.a3)(t)} vs ${(0,duration/* formatDuration */.a3)(l)} on ${s.liveSlot} (Mann–Whitney p ${(0,baseline/* formatP */.M)(p)}${slower ? `, beyond baseline-latency-tolerance ${(0,latency/* percent */.K)(latencyTolerance)}` : ''})`,
            };
        }
        if (target.averageMs === undefined || live.averageMs === undefined || !(live.averageMs > 0))
            return undefined;
        if (!target.averageUsable)
            return undefined;
        const difference = target.averageMs - live.averageMs;
        const slower = difference > Math.max(latencyFloorMs, latencyTolerance * live.averageMs);
        return {
            slower,
            sentence: `average response time ${(0,duration/* formatDuration */.a3)(target.averageMs)} vs ${(0,duration/* formatDuration */.a3)(live.averageMs)} on ${s.liveSlot} (HAProxy rtime, a comparison signal${slower ? `, beyond baseline-latency-tolerance ${(0,latency/* percent */.K)(latencyTolerance)}` : ''})`,
        };
    }
    conclude(tracker) {
        const s = this.settings;
        const what = `real traffic on ${s.slot}`;
        const target = this.totals.get(s.slot);
        const live = this.totals.get(s.liveSlot);
        const judged = this.compared;
        // Record what the live slot served, for a later step in which it takes no traffic.
        if (live.requests >= s.minRequests)
            s.liveReference = { requests: live.requests, errors: live.errors };
        const blind = this.config.onError === 'inconclusive' &&
            (this.longestErrorStreak >= tracker.threshold || (judged === 0 && this.lastError !== undefined));
        const decided = (0,verdicts/* settledVerdict */.rm)(tracker, what) ??
            (blind
                ? {
                    verdict: 'inconclusive',
                    reason: `${what}: the router's traffic could not be read for ${this.longestErrorStreak} interval(s) in a row (on-error: ${this.config.onError}); last: ${this.lastError}`,
                }
                : judged === 0 && this.lastError !== undefined
                    ? {
                        verdict: 'pass',
                        reason: `${what}: the router's traffic could not be read (on-error: pass); last: ${this.lastError}`,
                    }
                    : judged === 0
                        ? this.alone
                            ? {
                                // The policies are named as the verdicts they give: pass, fail or inconclusive.
                                verdict: this.config.onNoData,
                                reason: `${what}: fewer than min-requests ${s.minRequests} real requests in every interval, and no other check (on-no-data: ${this.config.onNoData})`,
                                // A fail by policy is decided at the end of the window.
                                ...(this.config.onNoData === 'fail'
                                    ? { failedInterval: Math.max(0, tracker.intervals - 1) }
                                    : {}),
                            }
                            : {
                                verdict: 'pass',
                                reason: `${what}: fewer than min-requests ${s.minRequests} real requests in every interval (${target.requests} in all): no real-traffic evidence, judged by the other checks`,
                            }
                        : {
                            verdict: 'pass',
                            reason: `${what}: ${target.errors} of ${target.requests} requests failed (${(0,latency/* percent */.K)(rate(target))}) vs ${(0,latency/* percent */.K)(rate(live))} of ${live.requests} on ${s.liveSlot}, over ${judged} judged interval${judged === 1 ? '' : 's'}${this.quiet ? ` (${this.quiet} too quiet to judge)` : ''}`,
                        });
        const sorted = (t) => [...t.latencies].sort((a, b) => a - b);
        const p = (t, q) => (t.latencies.length ? (0,latency.ms)((0,stats/* percentile */.Ym)(sorted(t), q)) : 'n/a');
        const rows = [
            ['source', this.reader.describe, ''],
            ['requests', target.requests, live.requests],
            [
                'failed',
                `${target.errors} (${(0,latency/* percent */.K)(target.requests ? rate(target) : null)})`,
                `${live.errors} (${(0,latency/* percent */.K)(live.requests ? rate(live) : null)})`,
            ],
            ...(s.router.kind === 'nginx'
                ? [
                    ['p50', p(target, 50), p(live, 50)],
                    ['p95', p(target, 95), p(live, 95)],
                    ['most failing path', topPath(target) ?? '—', topPath(live) ?? '—'],
                ]
                : [['average response (rtime)', (0,latency.ms)(target.averageMs ?? null), (0,latency.ms)(live.averageMs ?? null)]]),
            ['errors are', `${(0,config/* formatStatusRanges */.cO)(s.errorStatus)} and connection errors`, ''],
            ['verdict', decided.reason, ''],
        ];
        return {
            ...(0,verdicts/* checkIdentity */.Z0)(this, tracker, `${this.reader.describe}: ${s.slot} vs ${s.liveSlot}`),
            ...decided,
            table: { columns: [`${s.slot} (new)`, `${s.liveSlot} (live)`], rows },
        };
    }
    /** Once the window is over: the log's descriptor is closed. */
    async close() {
        await this.reader.close();
    }
}
const trafficSources = (config) => config.traffic
    ? [new TrafficSource(config.traffic, config, config.probes.length === 0 && config.queries.length === 0)]
    : [];

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/sources/index.js




const factories = [trafficSources, probeSources, querySources, baselineSources];
function createSources(config, evidence) {
    return factories.flatMap((factory) => factory(config, evidence));
}

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/engine.js
/**
 * The analysis engine: interval after interval, it lets every evidence source
 * collect (probes send their requests, queries are evaluated), has each judge
 * its interval, and stops as soon as the verdict is certain. It knows nothing
 * of what a source looks at; `sources/` does.
 *
 * A check fails after `failureThreshold` consecutive failed intervals, and a
 * failed check fails the analysis at once, without waiting for the end of the
 * window (a dry-run check never stops it). Intervals without evidence (a query
 * with no data or a backend error, under the `inconclusive` policy) count
 * neither way; a check that was blind for `failureThreshold` intervals in a
 * row, or never saw any evidence, ends inconclusive, because a failure could
 * have hidden there.
 */




async function analyse(config, options) {
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? retry/* sleep */.y;
    const { signal } = options;
    const started = now();
    const plannedIntervals = Math.max(1, Math.ceil(options.durationMs / config.intervalMs));
    const evidence = new Evidence();
    const sources = createSources(config, evidence);
    const trackers = sources.map(() => new verdicts/* Tracker */.JD(config.failureThreshold));
    const dryRun = sources.filter((s) => s.dryRun).map((s) => s.name);
    const timeline = [];
    let aborted = false;
    try {
        if (options.initialDelayMs)
            await sleep(options.initialDelayMs, signal);
        const windowStart = now();
        for (let index = 0; index < plannedIntervals; index++) {
            const plannedStart = windowStart + index * config.intervalMs;
            if (now() < plannedStart)
                await sleep(plannedStart - now(), signal);
            const intervalStart = now();
            const round = { index, startedAt: intervalStart, intervalMs: config.intervalMs, sleep, signal };
            await Promise.all(sources.map((source) => source.collect(round)));
            // An interval lasts its full length even when every request answered early.
            const rest = intervalStart + config.intervalMs - now();
            if (rest > 0)
                await sleep(rest, signal);
            // Requests finish in any order; the report lists them as they were sent.
            evidence.samples.sort((a, b) => a.at - b.at);
            const own = evidence.samples.filter((s) => s.interval === index && !dryRun.includes(s.check));
            const snapshot = {
                index,
                startedAt: intervalStart,
                endedAt: now(),
                outcomes: {},
                notes: {},
                dryRun,
                target: (0,verdicts/* summarise */.fS)(own.filter((s) => s.side === 'target')),
                ...(config.baseline ? { baseline: (0,verdicts/* summarise */.fS)(own.filter((s) => s.side === 'baseline')) } : {}),
                verdict: 'running',
            };
            sources.forEach((source, i) => {
                const judgement = source.judge(index);
                trackers[i].record(index, judgement);
                snapshot.outcomes[source.name] = judgement.outcome;
                if (judgement.note)
                    snapshot.notes[source.name] = judgement.note;
            });
            timeline.push(snapshot);
            // The last snapshot is handed over once the verdict is known, below.
            if (sources.some((source, i) => !source.dryRun && trackers[i].failed))
                break;
            if (index < plannedIntervals - 1)
                options.onInterval?.(snapshot);
        }
    }
    catch (error) {
        if (!signal?.aborted)
            throw error;
        aborted = true;
    }
    finally {
        await Promise.all(sources.map((source) => source.close?.()));
    }
    const ended = now();
    const checks = sources.map((source, i) => source.conclude(trackers[i]));
    const { samples, measurements } = evidence;
    const { verdict, reason } = (0,verdicts/* overall */.Me)(checks, timeline.length, samples, aborted);
    const last = timeline.at(-1);
    if (last) {
        last.verdict = verdict;
        if (!aborted)
            options.onInterval?.(last);
    }
    // The totals are the judged checks' requests; a dry-run probe's are in its own verdict.
    const target = (0,verdicts/* summarise */.fS)(samples.filter((s) => s.side === 'target' && !dryRun.includes(s.check)));
    return {
        verdict,
        reason,
        aborted,
        startedAt: new Date(started).toISOString(),
        endedAt: new Date(ended).toISOString(),
        durationMs: ended - started,
        intervalMs: config.intervalMs,
        failureThreshold: config.failureThreshold,
        intervals: timeline.length,
        plannedIntervals,
        requests: target.requests,
        failures: target.failures,
        errorRate: target.errorRate,
        p50Ms: target.p50Ms,
        p95Ms: target.p95Ms,
        p99Ms: target.p99Ms,
        checks,
        timeline,
        samples,
        measurements,
    };
}

;// CONCATENATED MODULE: ./lib/analyse.js
// The analysis engine, loaded by main.ts only after the inputs have been read and checked,
// so that a run refused at its inputs does not pay for loading the sources and providers.



/***/ }),

/***/ 6631:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   J: () => (/* binding */ parseMatchers),
/* harmony export */   z: () => (/* binding */ alertmanagerProvider)
/* harmony export */ });
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5231);
/* harmony import */ var _metric_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1365);
/* harmony import */ var _backend_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6340);
/**
 * Alertmanager as a gate: the query is a list of label matchers
 * (`service="shop",severity="critical"`), the value is how many alerts
 * matching all of them are firing now, over `/api/v2/alerts`. Silenced and
 * inhibited alerts do not count: asked of the server and checked again on
 * each alert's status. A gate's bound is `max: 0` unless it gives another.
 */



function alertmanagerProvider(backend, http) {
    return {
        describe: `Alertmanager ${(0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .displayUrl */ .Qy)(backend.url)}`,
        async evaluate({ query, deadline, signal }) {
            const matchers = parseMatchers(query);
            if (typeof matchers === 'string')
                throw new _metric_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .mZ(`matchers ${query}: ${matchers}`);
            const answer = await (0,_backend_js__WEBPACK_IMPORTED_MODULE_2__/* .askBackend */ .yN)(backend, {
                path: 'api/v2/alerts',
                params: [
                    ['active', 'true'],
                    ['silenced', 'false'],
                    ['inhibited', 'false'],
                    ['unprocessed', 'true'],
                    ...matchers.map((matcher) => ['filter', matcher]),
                ],
            }, http, { deadline, signal });
            const parsed = (0,_backend_js__WEBPACK_IMPORTED_MODULE_2__/* .jsonBody */ .J9)(answer);
            if (answer.status >= 400 || !Array.isArray(parsed))
                throw new _metric_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .mZ(answer.status >= 400
                    ? (0,_backend_js__WEBPACK_IMPORTED_MODULE_2__/* .answerText */ .yy)(answer, parsed?.message)
                    : `answered ${answer.status} with something that is not a list of alerts`);
            const firing = parsed.filter((alert) => (alert.status?.state ?? 'active') !== 'suppressed' &&
                !alert.status?.silencedBy?.length &&
                !alert.status?.inhibitedBy?.length);
            return [countOf(firing)];
        },
    };
}
/** One series: how many alerts fire, labelled with their names (the first five) when any do. */
function countOf(alerts) {
    if (!alerts.length)
        return { labels: {}, value: 0 };
    const names = [...new Set(alerts.map((a) => a.labels?.alertname ?? '(no alertname)'))];
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
    return { labels: { alerts: shown }, value: alerts.length };
}
const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^",{}\s]+)\s*(?:,|$)/;
/**
 * Splits `{service="shop", severity=~"critical|page"}` (braces optional)
 * into one matcher per item, as the API's `filter` parameter takes them.
 * Returns why not when the text is not a list of matchers.
 */
function parseMatchers(text) {
    let rest = text.trim();
    if (rest.startsWith('{') && rest.endsWith('}'))
        rest = rest.slice(1, -1).trim();
    const matchers = [];
    while (rest.length) {
        const match = MATCHER.exec(rest);
        if (!match)
            return `expected label matchers such as service="shop",severity="critical" (at: ${rest.slice(0, 40)})`;
        const [whole, name, op, value] = match;
        matchers.push(`${name}${op}${value.startsWith('"') ? value : JSON.stringify(value)}`);
        rest = rest.slice(whole.length).trim();
    }
    if (!matchers.length)
        return 'expected at least one label matcher such as service="shop"';
    return matchers;
}


/***/ })

};
