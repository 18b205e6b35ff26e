export const id = 257;
export const ids = [257];
export const modules = {

/***/ 2257:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   checkSchema: () => (/* binding */ checkSchema),
/* harmony export */   checksSchema: () => (/* binding */ checksSchema),
/* harmony export */   queriesSchema: () => (/* binding */ queriesSchema),
/* harmony export */   querySchema: () => (/* binding */ querySchema)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8476);
/* harmony import */ var _inputs_duration_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7036);
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2535);
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
const querySchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
    name: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().trim().min(1),
    query: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().trim().min(1),
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
})
    .refine((q) => q.max !== undefined ||
    q.min !== undefined ||
    q['max-increase'] !== undefined ||
    q['max-ratio'] !== undefined, {
    message: 'give "max", "min" or both (or, with compare: live, "max-increase" and/or "max-ratio"): a query without bounds cannot fail',
})
    .refine((q) => q.compare === 'live' || (q['max-increase'] === undefined && q['max-ratio'] === undefined), {
    message: '"max-increase" and "max-ratio" are bounds relative to the live slot: add compare: live',
})
    .refine((q) => q.compare !== 'live' || q['max-increase'] !== undefined || q['max-ratio'] !== undefined, {
    message: 'compare: live needs "max-increase" and/or "max-ratio" (how much worse than live is tolerated)',
})
    .refine((q) => q.max === undefined || q.min === undefined || q.min <= q.max, {
    message: '"min" is above "max"',
});
const queriesSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(querySchema);


/***/ })

};
