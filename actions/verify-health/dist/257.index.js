export const id = 257;
export const ids = [257];
export const modules = {

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


/***/ }),

/***/ 2257:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   analysisFileSchema: () => (/* binding */ analysisFileSchema),
/* harmony export */   checkSchema: () => (/* binding */ checkSchema),
/* harmony export */   checksSchema: () => (/* binding */ checksSchema),
/* harmony export */   providersSchema: () => (/* binding */ providersSchema),
/* harmony export */   queriesSchema: () => (/* binding */ queriesSchema),
/* harmony export */   querySchema: () => (/* binding */ querySchema)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9143);
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6416);
/* harmony import */ var _inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7036);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(5231);
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2535);
/* harmony import */ var _providers_alertmanager_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(6631);
/* harmony import */ var _templates_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9050);
/**
 * Schemas of the structured analysis inputs (`checks`, `queries`). This module
 * is only loaded through a dynamic import from `fields.ts`, so zod stays out
 * of an action's start-up unless one of these inputs is set.
 */






// Checked with a stand-in for each placeholder: `http://{{address}}/healthz` is a URL once expanded.
const httpUrl = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().refine((text) => {
    try {
        const url = new URL((0,_templates_js__WEBPACK_IMPORTED_MODULE_1__/* .withStandIns */ .HX)(text));
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    }
    catch {
        return false;
    }
}, { message: 'expected an absolute http or https URL' });
const status = zod__WEBPACK_IMPORTED_MODULE_0__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig(), zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig(), zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()]))])
    .refine((spec) => (0,_config_js__WEBPACK_IMPORTED_MODULE_2__/* .parseStatusRanges */ .C2)(spec) !== undefined, {
    message: 'expected status codes or ranges such as 200, "200-299", "2xx" or a list of them',
});
const regex = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().refine((text) => {
    try {
        new RegExp(text);
        return true;
    }
    catch {
        return false;
    }
}, { message: 'expected a regular expression' });
/** `300`, `300ms`, `1.5s` → milliseconds; undefined when it is not a latency. */
function latencyMs(value) {
    if (typeof value === 'number')
        return value;
    const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
    if (!match)
        return undefined;
    return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}
// A latency bound above what one request may take (an interval's bound) cannot be met or missed.
const latency = zod__WEBPACK_IMPORTED_MODULE_0__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().positive(), zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()])
    .refine((value) => latencyMs(value) !== undefined, {
    message: 'expected a duration such as 300ms or 1.5s (a bare number is milliseconds)',
})
    .refine((value) => (latencyMs(value) ?? 0) <= _inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__/* .DURATION_LIMITS */ .IM.interval, {
    message: `expected a duration such as 300ms or 1.5s, at most ${(0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__/* .formatBound */ .Sp)(_inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__/* .DURATION_LIMITS */ .IM.interval)}`,
});
/**
 * A header name as HTTP defines it (a `token`, RFC 9110 §5.1): no spaces,
 * colons, or control characters, so it cannot end the header it names.
 */
const headerName = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, {
    message: "expected a header name (letters, digits and !#$%&'*+.^_`|~-, no spaces or colons)",
});
/**
 * A header value without CR, LF, NUL or another control character (a tab is
 * allowed, RFC 9110 §5.5), and no character beyond U+00FF, which Node refuses: a CR/LF would end the header and start another.
 * Refused here, when the input is read, rather than by the HTTP client at the
 * first probe, which is after traffic has moved.
 */
const headerValue = zod__WEBPACK_IMPORTED_MODULE_0__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig(), zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY()])
    .refine((value) => !/[^\t\u0020-\u007e\u0080-\u00ff]/.test(String(value)), {
    message: 'expected a header value without CR, LF or other control characters, and nothing beyond U+00FF (what HTTP allows)',
});
const jsonExpectations = zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .unknown */ .L5J()).superRefine((record, context) => {
    for (const path of Object.keys(record)) {
        if (!(0,_config_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJsonPath */ .Hf)(path))
            context.addIssue({ code: 'custom', path: [path], message: 'expected a path such as data.items[0].id' });
    }
});
const checkSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
    name: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().trim().min(1).optional(),
    url: httpUrl,
    method: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        .regex(/^[A-Za-z]+$/, { message: 'expected an HTTP method such as GET' })
        .optional(),
    headers: zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(headerName, headerValue).optional(),
    status: status.optional(),
    body: regex.optional(),
    json: jsonExpectations.optional(),
    'max-latency': latency.optional(),
    'dry-run': zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().optional(),
});
const checksSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(checkSchema);
/** A duration such as `30s`, `5m` or `1m30s` (a bare number is seconds), from `min` to `max`. */
function duration(min, max) {
    return zod__WEBPACK_IMPORTED_MODULE_0__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig()]).transform((value, context) => {
        const ms = (0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__/* .parseDuration */ .E9)(String(value));
        if (ms === undefined || ms < min || ms > max) {
            context.addIssue({
                code: 'custom',
                message: `expected a duration such as 30s, 5m or 1m30s, from ${(0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__/* .formatBound */ .Sp)(min)} to ${(0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__/* .formatBound */ .Sp)(max)}`,
            });
            return zod__WEBPACK_IMPORTED_MODULE_4__/* .NEVER */ .tm;
        }
        return ms;
    });
}
const policy = zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(['fail', 'inconclusive', 'pass'], {
    message: 'expected fail, inconclusive or pass',
});
/** One metric data query of a CloudWatch entry: a metric with its statistic, or metric math over the others. */
const cloudwatchMetric = zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
    id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(/^[a-z][a-zA-Z0-9_]*$/, {
        message: 'expected an id starting with a lower-case letter, then letters, digits or _ (as CloudWatch requires)',
    }),
    expression: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().trim().min(1).optional(),
    namespace: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1).optional(),
    metric: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1).optional(),
    dimensions: zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1), zod__WEBPACK_IMPORTED_MODULE_0__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig()])).optional(),
    stat: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1).optional(),
    unit: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1).optional(),
    period: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().positive().optional(),
    label: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    return: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().optional(),
    'account-id': zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        .regex(/^\d{12}$/, { message: 'expected a 12-digit AWS account id' })
        .optional(),
})
    .superRefine((m, context) => {
    const problem = (message) => context.addIssue({ code: 'custom', message });
    const isMetric = m.namespace !== undefined || m.metric !== undefined || m.stat !== undefined;
    if (m.expression !== undefined && isMetric)
        problem('either "expression" (metric math) or "namespace", "metric" and "stat", not both');
    if (m.expression === undefined &&
        (m.namespace === undefined || m.metric === undefined || m.stat === undefined))
        problem('a metric needs "namespace", "metric" and "stat" (or write "expression")');
});
/** Keys only a web query has: its URL, where the number is in the answer, and what it sends. */
const WEB_KEYS = ['url', 'json-path', 'body', 'headers'];
const querySchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
    name: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().trim().min(1),
    provider: zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(_config_js__WEBPACK_IMPORTED_MODULE_2__/* .PROVIDER_KINDS */ .ik, { message: `expected one of ${_config_js__WEBPACK_IMPORTED_MODULE_2__/* .PROVIDER_KINDS */ .ik.join(', ')}` }).optional(),
    query: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().trim().min(1).optional(),
    url: httpUrl.optional(),
    'json-path': zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        .trim()
        .regex(/^\$/, { message: 'expected a JSONPath starting with $ (e.g. $.errors.rate)' })
        .optional(),
    body: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    headers: zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(headerName, headerValue).optional(),
    metrics: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(cloudwatchMetric).min(1).max(500).optional(),
    period: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().positive().optional(),
    max: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().optional(),
    min: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().optional(),
    compare: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz('live', { message: 'expected "live" (the only slot a query is compared with)' })
        .optional(),
    'max-increase': zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig()
        .min(0, { message: 'expected a number ≥ 0 (how much higher than live is tolerated)' })
        .optional(),
    'max-ratio': zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig()
        .positive({ message: 'expected a number > 0 (how many times the live value is tolerated, e.g. 1.5)' })
        .optional(),
    'dry-run': zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().optional(),
    interval: duration(100, _inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__/* .DURATION_LIMITS */ .IM.interval).optional(),
    lookback: duration(1000, _inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__/* .DURATION_LIMITS */ .IM.window).optional(),
    delay: duration(0, _inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__/* .DURATION_LIMITS */ .IM.interval).optional(),
    'on-no-data': policy.optional(),
    'on-error': policy.optional(),
})
    .superRefine((q, context) => {
    const provider = q.provider ?? 'prometheus';
    const problem = (message, key) => context.addIssue({ code: 'custom', message, ...(key ? { path: [key] } : {}) });
    if (provider === 'web') {
        if (q.query !== undefined)
            problem('a web query is its "url" (with "json-path"), not "query"', 'query');
        if (q.url === undefined)
            problem('a web query needs "url": the JSON endpoint to ask');
        if (q['json-path'] === undefined)
            problem('a web query needs "json-path": where the number is in the answer');
        for (const name of Object.keys(q.headers ?? {}))
            if (/^(proxy-)?authorization$|^cookie$/i.test(name) || (0,_secrets_js__WEBPACK_IMPORTED_MODULE_5__/* .isCredentialName */ .hN)(name))
                problem(`a credential in the query's own headers: put it in providers.web (headers: { ${name}: { env: NAME } }, or token: { env: NAME })`, 'headers');
    }
    else if (provider === 'cloudwatch') {
        if ((q.query === undefined) === (q.metrics === undefined))
            problem('a cloudwatch query needs "metrics" (metric data queries) or "query" (one expression), one of them');
        if (q.metrics) {
            const ids = q.metrics.map((m) => m.id);
            const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
            if (repeated.length)
                problem(`each metric id once (${repeated.join(', ')} repeats)`, 'metrics');
        }
        for (const key of WEB_KEYS)
            if (q[key] !== undefined)
                problem(`"${key}" belongs to a web query (provider: web)`, key);
    }
    else {
        if (q.query === undefined)
            problem(`a ${provider} query needs "query"`);
        for (const key of WEB_KEYS)
            if (q[key] !== undefined)
                problem(`"${key}" belongs to a web query (provider: web)`, key);
    }
    if (provider !== 'cloudwatch')
        for (const key of ['metrics', 'period'])
            if (q[key] !== undefined)
                problem(`"${key}" belongs to a cloudwatch query (provider: cloudwatch)`, key);
    if (provider === 'alertmanager' && q.query !== undefined) {
        const matchers = (0,_providers_alertmanager_js__WEBPACK_IMPORTED_MODULE_6__/* .parseMatchers */ .J)((0,_templates_js__WEBPACK_IMPORTED_MODULE_1__/* .withStandIns */ .HX)(q.query));
        if (typeof matchers === 'string')
            problem(matchers, 'query');
        // Unquoted, a value could carry a comma and another matcher of its own.
        if (/(=~|!~|!=|=)\s*\{\{/.test(q.query))
            problem('a placeholder as a matcher value in double quotes (service="{{slot}}"), so its value stays one value', 'query');
    }
    if (provider === 'cloudwatch') {
        const periods = [q.period, ...(q.metrics ?? []).map((m) => m.period)].filter((p) => p !== undefined);
        if (periods.some((p) => p % 60 !== 0 && ![1, 5, 10, 30].includes(p)))
            problem('a period CloudWatch takes: 1, 5, 10, 30 (high resolution) or a multiple of 60 seconds', 'period');
    }
    if (provider === 'influxdb' && q.delay !== undefined)
        problem('InfluxQL states its own time range: write it in the query (time > now() - 2m AND time <= now() - 1m)', 'delay');
    const gate = provider === 'alertmanager';
    if (!gate &&
        q.max === undefined &&
        q.min === undefined &&
        q['max-increase'] === undefined &&
        q['max-ratio'] === undefined)
        problem('give "max", "min" or both (or, with compare: live, "max-increase" and/or "max-ratio"): a query without bounds cannot fail');
    if (q.compare !== 'live' && (q['max-increase'] !== undefined || q['max-ratio'] !== undefined))
        problem('"max-increase" and "max-ratio" are bounds relative to the live slot: add compare: live');
    if (q.compare === 'live' && q['max-increase'] === undefined && q['max-ratio'] === undefined)
        problem('compare: live needs "max-increase" and/or "max-ratio" (how much worse than live is tolerated)');
    if (q.max !== undefined && q.min !== undefined && q.min > q.max)
        problem('"min" is above "max"');
});
const queriesSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(querySchema);
/** `{ env: NAME }`: a credential read from the step's environment, never written in the block. */
const fromEnv = zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
    env: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
        message: 'expected the name of an environment variable (letters, digits, _)',
    }),
});
const LITERAL_CREDENTIAL = "a credential written out: name the environment variable that holds it instead, e.g. { env: LOKI_TOKEN }, and set that from a secret in the step's env";
/** A credential: only ever `{ env: NAME }`. */
const credential = zod__WEBPACK_IMPORTED_MODULE_0__/* .unknown */ .L5J().transform((value, context) => {
    const parsed = fromEnv.safeParse(value);
    if (parsed.success)
        return parsed.data;
    context.addIssue({
        code: 'custom',
        message: typeof value === 'string' || typeof value === 'number'
            ? LITERAL_CREDENTIAL
            : 'expected { env: NAME }, the environment variable that holds the credential',
    });
    return zod__WEBPACK_IMPORTED_MODULE_4__/* .NEVER */ .tm;
});
/** Headers every request to the backend carries; one that holds a credential names its environment variable. */
const backendHeaders = zod__WEBPACK_IMPORTED_MODULE_0__/* .record */ .g1P(headerName, zod__WEBPACK_IMPORTED_MODULE_0__/* .union */ .KCZ([headerValue, fromEnv]))
    .superRefine((headers, context) => {
    for (const [name, value] of Object.entries(headers))
        if (typeof value !== 'object' && (name.toLowerCase() === 'authorization' || (0,_secrets_js__WEBPACK_IMPORTED_MODULE_5__/* .isCredentialName */ .hN)(name)))
            context.addIssue({ code: 'custom', path: [name], message: LITERAL_CREDENTIAL });
});
const auth = {
    /** Sent as `Authorization: Bearer …`. */
    token: credential.optional(),
    /** Basic authentication, with `password`. */
    username: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1).optional(),
    password: credential.optional(),
    headers: backendHeaders.optional(),
};
const serverUrl = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().refine((text) => {
    try {
        const url = new URL(text);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    }
    catch {
        return false;
    }
}, { message: 'expected the absolute http or https URL of the server' });
function authRules(entry, context) {
    if (entry.token !== undefined && (entry.username !== undefined || entry.password !== undefined))
        context.addIssue({ code: 'custom', message: 'either "token" or "username" and "password", not both' });
    if ((entry.username === undefined) !== (entry.password === undefined))
        context.addIssue({ code: 'custom', message: '"username" and "password" go together' });
}
const server = zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({ url: serverUrl, ...auth }).superRefine(authRules);
/**
 * The `providers` block: where each backend is and how to sign in. Credentials
 * are named, never written (`token: { env: LOKI_TOKEN }`).
 */
const providersSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
    prometheus: server.optional(),
    loki: zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
        url: serverUrl,
        /** Multi-tenant Loki: sent as X-Scope-OrgID. */
        tenant: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1).optional(),
        ...auth,
    })
        .superRefine(authRules)
        .optional(),
    influxdb: zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
        url: serverUrl,
        database: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1, { message: 'expected the database the queries read' }),
        'retention-policy': zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1).optional(),
        ...auth,
    })
        .superRefine(authRules)
        .optional(),
    alertmanager: server.optional(),
    datadog: zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
        /** datadoghq.com (the default), datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ddog-gov.com. */
        site: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
            .regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)*\.[a-z]{2,}$/, {
            message: 'expected a Datadog site such as datadoghq.com or datadoghq.eu',
        })
            .optional(),
        /** Instead of the site's API host: a proxy in front of it. */
        url: serverUrl.optional(),
        'api-key': credential,
        'application-key': credential,
    })
        .refine((entry) => entry.site === undefined || entry.url === undefined, {
        message: 'either "site" or "url", not both',
    })
        .optional(),
    cloudwatch: zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
        region: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
            .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { message: 'expected an AWS region such as eu-west-1' }),
        /** A VPC endpoint or a proxy instead of the region's public endpoint. */
        endpoint: serverUrl.optional(),
    })
        .optional(),
    web: zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej(auth).superRefine(authRules).optional(),
});
const text = (what) => zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().describe(what);
const scalar = (what) => zod__WEBPACK_IMPORTED_MODULE_0__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig()]).describe(what);
const policyText = (what) => zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(['fail', 'inconclusive', 'pass']).describe(what);
/**
 * The analysis file as editors see it (`schemas/analysis-file.schema.json`
 * is generated from this): the analysis inputs that a file may set, each
 * in the form its input takes. The file is read key by key with the inputs'
 * own parsers (`file.ts`), which remain the authority.
 */
const analysisFileSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
    url: zod__WEBPACK_IMPORTED_MODULE_0__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP())])
        .describe('URLs to probe (placeholders such as {{address}} allowed), each a check sent with GET'),
    checks: checksSchema.describe('HTTP checks: url, name, method, headers, status, body, json, max-latency'),
    'baseline-url': text("The live slot's URL, to compare each probe with ({{live-slot}} allowed)"),
    'prometheus-url': text('The Prometheus server (the same as providers.prometheus.url)'),
    'prometheus-username': text('Basic authentication user for Prometheus (the password is a step input)'),
    queries: queriesSchema.describe('Metric queries, each on its provider, with max/min or compare: live'),
    providers: providersSchema.describe('Connection settings per provider; credentials as { env: NAME }, never written out'),
    interval: scalar('Length of one interval, e.g. 2s'),
    'failure-threshold': zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().min(1).describe('Consecutive failed intervals that fail a check'),
    'requests-per-interval': zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().min(1).describe('Requests per check in each interval'),
    'max-error-rate': scalar("Share of a check's requests in one interval that may fail, e.g. 20%"),
    timeout: scalar('Per-request timeout of probes and queries, e.g. 5s'),
    'follow-redirects': zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().describe('Follow HTTP redirects'),
    'ca-file': text('PEM file of extra certificate authorities to trust'),
    'insecure-tls': zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().describe('Accept any TLS certificate (test environments only)'),
    'on-no-data': policyText('How an interval without data counts'),
    'on-error': policyText('How an interval with a backend error counts'),
    'baseline-min-samples': zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().min(5).describe('Requests needed on each side before deciding'),
    'baseline-latency-tolerance': scalar('Tolerated median slow-down against the baseline, e.g. 25%'),
    'baseline-latency-floor': scalar('Latency differences never counted, e.g. 5ms'),
    'baseline-error-tolerance': scalar('Tolerated extra error rate against the baseline, e.g. 5%'),
    'baseline-confidence': scalar('Confidence of the baseline tests, e.g. 99%'),
})
    .partial();


/***/ })

};
