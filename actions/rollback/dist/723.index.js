export const id = 723;
export const ids = [723];
export const modules = {

/***/ 6723:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GatewayApiRouter: () => (/* binding */ GatewayApiRouter)
/* harmony export */ });
/* harmony import */ var _kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(945);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(7480);
/* harmony import */ var _kubernetes_shared_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6742);
/* harmony import */ var _router_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6803);
/* harmony import */ var _weights_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4329);





const GROUP = 'gateway.networking.k8s.io';
const VERSION = 'v1';
const PLURAL = 'httproutes';
/**
 * Splits traffic with the backendRef weights of a Gateway API `HTTPRoute`.
 * Every rule of the route that sends traffic to a slot's Service gets the new
 * weights; a rule that names only one slot gets a backendRef for the other
 * (weight 0 when it takes nothing). Writes carry the resourceVersion that was
 * read, so a change made by someone else in between is never overwritten: the
 * write is retried on the fresh object. Where the Gateway controller reports
 * status, `set` returns only once it has accepted the new generation.
 */
class GatewayApiRouter {
    kind = 'gateway-api';
    #api;
    #options;
    constructor(api, options) {
        this.#api = api;
        this.#options = options;
    }
    static async connect(kubeConfig, options) {
        const k8s = await (0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.kubernetesClient)();
        return new GatewayApiRouter(kubeConfig.makeApiClient(k8s.CustomObjectsApi), options);
    }
    describe() {
        return `HTTPRoute ${this.#options.namespace}/${this.#options.route}`;
    }
    async read() {
        return this.#weightsIn(await this.#get());
    }
    async set(weights, signal) {
        const problem = (0,_weights_js__WEBPACK_IMPORTED_MODULE_1__/* .weightsProblem */ .h)(weights, [...this.#options.slots.keys()]);
        if (problem)
            throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()}: cannot set ${(0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .formatWeights */ .V7)(weights)}: expected ${problem}`);
        signal?.throwIfAborted();
        let result;
        try {
            result = await (0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.guardedUpdate)({
                read: () => this.#get(),
                change: (route) => this.#withWeights(route, weights),
                write: async (route) => (await this.#api.replaceNamespacedCustomObject({
                    group: GROUP,
                    version: VERSION,
                    namespace: this.#options.namespace,
                    plural: PLURAL,
                    name: this.#options.route,
                    body: route,
                })),
                onConflict: (attempt) => this.#options.log?.(`${this.describe()} changed while being updated (conflict ${attempt}); reading it again`),
            });
        }
        catch (error) {
            if (error instanceof _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ)
                throw error;
            throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()}: cannot update the route: ${(0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.apiMessage)(error)}`, {
                cause: error,
            });
        }
        this.#options.log?.(`${this.describe()}: ${(0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .formatWeights */ .V7)(weights)} ${result.written ? 'written' : 'already in place'}`);
        await this.#waitAccepted(result.object.metadata.generation ?? 0, signal);
    }
    async verify(weights) {
        const route = await this.#get();
        const actual = this.#weightsIn(route);
        if (!(0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .sameWeights */ .ML)(actual, weights))
            throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()} holds ${(0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .formatWeights */ .V7)(actual)}, not ${(0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .formatWeights */ .V7)(weights)}`);
        // Every rule must agree, not just the first one `read` reports.
        for (const [index, rule] of this.#slotRules(route)) {
            const ruleWeights = this.#ruleWeights(rule.backendRefs ?? []);
            if (!(0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .sameWeights */ .ML)(ruleWeights, weights))
                throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()}: rule ${index + 1} holds ${(0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .formatWeights */ .V7)(ruleWeights)}, not ${(0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .formatWeights */ .V7)(weights)}`);
        }
    }
    async #get() {
        try {
            return (await this.#api.getNamespacedCustomObject({
                group: GROUP,
                version: VERSION,
                namespace: this.#options.namespace,
                plural: PLURAL,
                name: this.#options.route,
            }));
        }
        catch (error) {
            const what = (0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.apiStatus)(error) === 404 ? 'does not exist' : `cannot be read: ${(0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.apiMessage)(error)}`;
            throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()} ${what}`, { cause: error });
        }
    }
    #matches(ref, service) {
        return ((ref.group ?? '') === '' &&
            (ref.kind ?? 'Service') === 'Service' &&
            (ref.namespace ?? this.#options.namespace) === this.#options.namespace &&
            ref.name === service.name &&
            (service.port === undefined || ref.port === service.port));
    }
    /** The rules (with their index) that send traffic to at least one slot. */
    #slotRules(route) {
        const rules = (route.spec?.rules ?? []).map((rule, index) => [index, rule]);
        const found = rules.filter(([, rule]) => (rule.backendRefs ?? []).some((ref) => [...this.#options.slots.values()].some((s) => this.#matches(ref, s))));
        if (found.length === 0)
            throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()} has no rule with a backendRef to ${[...this.#options.slots.values()].map(_kubernetes_shared_js__WEBPACK_IMPORTED_MODULE_3__/* .formatService */ .h).join(' or ')}`);
        return found;
    }
    #ruleWeights(refs) {
        const relative = new Map();
        for (const [slot, service] of this.#options.slots) {
            const matching = refs.filter((ref) => this.#matches(ref, service));
            // A backendRef without a weight takes weight 1, as the Gateway API defines.
            relative.set(slot, matching.reduce((sum, ref) => sum + (ref.weight ?? 1), 0));
        }
        return (0,_weights_js__WEBPACK_IMPORTED_MODULE_1__/* .toPercents */ .i)(relative);
    }
    #weightsIn(route) {
        const [, rule] = this.#slotRules(route)[0];
        const weights = this.#ruleWeights(rule.backendRefs ?? []);
        if (Object.values(weights).every((w) => w === 0))
            throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()}: every slot backendRef has weight 0; no slot receives traffic`);
        return weights;
    }
    #withWeights(route, weights) {
        const next = structuredClone(route);
        delete next.status;
        let changed = false;
        for (const [index] of this.#slotRules(route)) {
            const rule = next.spec.rules[index];
            const refs = rule.backendRefs ?? [];
            for (const [slot, service] of this.#options.slots) {
                const matching = refs.filter((ref) => this.#matches(ref, service));
                if (matching.length > 1)
                    throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()}: rule ${index + 1} names ${(0,_kubernetes_shared_js__WEBPACK_IMPORTED_MODULE_3__/* .formatService */ .h)(service)} ${matching.length} times; slot "${slot}" needs one backendRef`);
                const weight = weights[slot];
                const ref = matching[0];
                if (ref) {
                    if (ref.weight !== weight) {
                        ref.weight = weight;
                        changed = true;
                    }
                }
                else {
                    // The other slot's backendRef tells which port the route uses.
                    const port = service.port ?? refs.find((r) => r.port !== undefined)?.port;
                    if (port === undefined)
                        throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()}: rule ${index + 1} has no backendRef to ${service.name} and no port to copy; give the slot as ${service.name}:<port>`);
                    refs.push({ name: service.name, port, weight });
                    changed = true;
                }
            }
            rule.backendRefs = refs;
        }
        return changed ? next : undefined;
    }
    /**
     * Waits until every parent (Gateway) that reports on this route has accepted
     * the generation just written. A route no controller reports on has no
     * `status.parents`; then there is nothing to wait for.
     */
    async #waitAccepted(generation, signal) {
        const timeoutMs = this.#options.acceptTimeoutMs ?? 60_000;
        const pollMs = this.#options.pollMs ?? 500;
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const route = await this.#get();
            const parents = route.status?.parents ?? [];
            if (parents.length === 0)
                return;
            const pending = [];
            for (const parent of parents) {
                const name = parent.parentRef?.name ?? parent.controllerName ?? 'a parent';
                const accepted = parent.conditions?.find((c) => c.type === 'Accepted');
                const current = accepted && (accepted.observedGeneration ?? generation) >= generation;
                if (current && accepted.status === 'True')
                    continue;
                if (current && accepted.status === 'False')
                    throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()}: Gateway "${name}" did not accept the change (${accepted.reason ?? 'no reason'}${accepted.message ? `: ${accepted.message}` : ''})`);
                pending.push(name);
            }
            if (pending.length === 0)
                return;
            if (Date.now() >= deadline)
                throw new _router_js__WEBPACK_IMPORTED_MODULE_2__/* .RouterError */ .KJ(`${this.describe()}: Gateway ${pending.map((p) => `"${p}"`).join(', ')} did not accept generation ${generation} within ${timeoutMs}ms`);
            await (0,_retry_js__WEBPACK_IMPORTED_MODULE_4__/* .sleep */ .y)(pollMs, signal);
        }
    }
}


/***/ }),

/***/ 6742:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   h: () => (/* binding */ formatService)
/* harmony export */ });
/** `app-blue` or `app-blue:8080`, as users write a Service in the `slots` input. */
function formatService(service) {
    return service.port === undefined ? service.name : `${service.name}:${service.port}`;
}


/***/ })

};
