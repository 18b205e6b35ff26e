export const id = 690;
export const ids = [690];
export const modules = {

/***/ 690:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   IngressNginxRouter: () => (/* binding */ IngressNginxRouter)
/* harmony export */ });
/* harmony import */ var _kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(945);
/* harmony import */ var _kubernetes_shared_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6742);
/* harmony import */ var _router_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6803);
/* harmony import */ var _weights_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4329);




const CANARY = 'nginx.ingress.kubernetes.io/canary';
const CANARY_WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';
const CANARY_WEIGHT_TOTAL = 'nginx.ingress.kubernetes.io/canary-weight-total';
/**
 * Splits traffic with ingress-nginx's canary Ingress. ingress-nginx pairs two
 * Ingresses for the same host and path: the main one, and a canary one
 * carrying `nginx.ingress.kubernetes.io/canary: "true"` and
 * `canary-weight: "N"`, which receives N% of the requests.
 *
 * How the slots map: the canary Ingress (the `route` input) routes to one
 * slot's Service, and that slot's weight IS the canary weight; the main
 * Ingress for the same host routes to the other slot and gets the rest. The
 * Ingresses are never re-pointed, because with two slots any split is
 * expressed by the canary weight alone: 100 sends everything to the canary
 * slot, 0 everything to the main one. Only the canary Ingress's annotations
 * are written; the main Ingress is read to check that it routes to the other
 * slot, so a mismatch is reported instead of shifting the wrong service.
 */
class IngressNginxRouter {
    kind = 'ingress-nginx';
    #api;
    #options;
    constructor(api, options) {
        this.#api = api;
        this.#options = options;
    }
    static async connect(kubeConfig, options) {
        const k8s = await (0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.kubernetesClient)();
        return new IngressNginxRouter(kubeConfig.makeApiClient(k8s.NetworkingV1Api), options);
    }
    describe() {
        return `canary Ingress ${this.#options.namespace}/${this.#options.route} (ingress-nginx)`;
    }
    async read() {
        const canary = await this.#get();
        const { canarySlot, stableSlot } = this.#slotsOf(canary);
        await this.#checkMainIngress(canary, stableSlot);
        const annotations = canary.metadata?.annotations ?? {};
        let share = 0;
        if (annotations[CANARY] === 'true') {
            const weight = Number(annotations[CANARY_WEIGHT] ?? '0');
            const total = Number(annotations[CANARY_WEIGHT_TOTAL] ?? '100');
            if (!Number.isFinite(weight) || !Number.isFinite(total) || total <= 0 || weight < 0 || weight > total)
                throw new _router_js__WEBPACK_IMPORTED_MODULE_1__/* .RouterError */ .KJ(`${this.describe()}: unreadable canary weight ${JSON.stringify(annotations[CANARY_WEIGHT])} of ${JSON.stringify(annotations[CANARY_WEIGHT_TOTAL] ?? '100')}`);
            share = Math.round((weight * 100) / total);
        }
        return { [stableSlot]: 100 - share, [canarySlot]: share };
    }
    async set(weights, signal) {
        const problem = (0,_weights_js__WEBPACK_IMPORTED_MODULE_2__/* .weightsProblem */ .h)(weights, [...this.#options.slots.keys()]);
        if (problem)
            throw new _router_js__WEBPACK_IMPORTED_MODULE_1__/* .RouterError */ .KJ(`${this.describe()}: cannot set ${(0,_router_js__WEBPACK_IMPORTED_MODULE_1__/* .formatWeights */ .V7)(weights)}: expected ${problem}`);
        signal?.throwIfAborted();
        let checked = false;
        try {
            const result = await (0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.guardedUpdate)({
                read: () => this.#get(),
                change: (ingress) => {
                    const { canarySlot } = this.#slotsOf(ingress);
                    const annotations = { ...(ingress.metadata?.annotations ?? {}) };
                    const wanted = String(weights[canarySlot]);
                    if (annotations[CANARY] === 'true' &&
                        annotations[CANARY_WEIGHT] === wanted &&
                        (annotations[CANARY_WEIGHT_TOTAL] ?? '100') === '100')
                        return undefined;
                    annotations[CANARY] = 'true';
                    annotations[CANARY_WEIGHT] = wanted;
                    // The weights are percents; a total other than 100 would rescale them.
                    if (annotations[CANARY_WEIGHT_TOTAL] !== undefined)
                        annotations[CANARY_WEIGHT_TOTAL] = '100';
                    return { ...ingress, metadata: { ...ingress.metadata, annotations }, status: undefined };
                },
                write: async (ingress) => {
                    if (!checked) {
                        await this.#checkMainIngress(ingress, this.#slotsOf(ingress).stableSlot);
                        checked = true;
                    }
                    return this.#api.replaceNamespacedIngress({
                        name: this.#options.route,
                        namespace: this.#options.namespace,
                        body: ingress,
                    });
                },
                onConflict: (attempt) => this.#options.log?.(`${this.describe()} changed while being updated (conflict ${attempt}); reading it again`),
            });
            this.#options.log?.(`${this.describe()}: ${(0,_router_js__WEBPACK_IMPORTED_MODULE_1__/* .formatWeights */ .V7)(weights)} ${result.written ? 'written' : 'already in place'}`);
        }
        catch (error) {
            if (error instanceof _router_js__WEBPACK_IMPORTED_MODULE_1__/* .RouterError */ .KJ)
                throw error;
            throw new _router_js__WEBPACK_IMPORTED_MODULE_1__/* .RouterError */ .KJ(`${this.describe()}: cannot update the Ingress: ${(0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.apiMessage)(error)}`, {
                cause: error,
            });
        }
    }
    async verify(weights) {
        const actual = await this.read();
        if (!(0,_router_js__WEBPACK_IMPORTED_MODULE_1__/* .sameWeights */ .ML)(actual, weights))
            throw new _router_js__WEBPACK_IMPORTED_MODULE_1__/* .RouterError */ .KJ(`${this.describe()} holds ${(0,_router_js__WEBPACK_IMPORTED_MODULE_1__/* .formatWeights */ .V7)(actual)}, not ${(0,_router_js__WEBPACK_IMPORTED_MODULE_1__/* .formatWeights */ .V7)(weights)}`);
    }
    async #get() {
        try {
            return await this.#api.readNamespacedIngress({
                name: this.#options.route,
                namespace: this.#options.namespace,
            });
        }
        catch (error) {
            const what = (0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.apiStatus)(error) === 404 ? 'does not exist' : `cannot be read: ${(0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.apiMessage)(error)}`;
            throw new _router_js__WEBPACK_IMPORTED_MODULE_1__/* .RouterError */ .KJ(`${this.describe()} ${what}`, { cause: error });
        }
    }
    /** The Services an Ingress routes to, from its rules and its default backend. */
    #servicesOf(ingress) {
        const backends = [
            ingress.spec?.defaultBackend,
            ...(ingress.spec?.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((p) => p.backend)),
        ];
        return backends.flatMap((b) => b?.service ? [{ name: b.service.name, port: b.service.port?.number }] : []);
    }
    #slotOfServices(services) {
        const slots = new Set();
        for (const found of services)
            for (const [slot, service] of this.#options.slots)
                if (found.name === service.name && (service.port === undefined || found.port === service.port))
                    slots.add(slot);
        return slots.size === 1 ? [...slots][0] : undefined;
    }
    #slotsOf(canary) {
        const services = this.#servicesOf(canary);
        const canarySlot = this.#slotOfServices(services);
        if (canarySlot === undefined)
            throw new _router_js__WEBPACK_IMPORTED_MODULE_1__/* .RouterError */ .KJ(`${this.describe()} must route to exactly one slot's Service (${[...this.#options.slots.values()].map(_kubernetes_shared_js__WEBPACK_IMPORTED_MODULE_3__/* .formatService */ .h).join(' or ')}); it routes to ${services.map(_kubernetes_shared_js__WEBPACK_IMPORTED_MODULE_3__/* .formatService */ .h).join(', ') || 'nothing'}`);
        const stableSlot = [...this.#options.slots.keys()].find((s) => s !== canarySlot);
        return { canarySlot, stableSlot };
    }
    /** The main Ingress is the one ingress-nginx pairs with the canary: same host, not itself a canary. */
    async #checkMainIngress(canary, stableSlot) {
        let items;
        try {
            items = (await this.#api.listNamespacedIngress({ namespace: this.#options.namespace })).items;
        }
        catch (error) {
            throw new _router_js__WEBPACK_IMPORTED_MODULE_1__/* .RouterError */ .KJ(`${this.describe()}: cannot list the Ingresses: ${(0,_kubernetes_config_js__WEBPACK_IMPORTED_MODULE_0__.apiMessage)(error)}`, {
                cause: error,
            });
        }
        const hosts = new Set((canary.spec?.rules ?? []).map((r) => r.host ?? ''));
        const main = items.filter((ingress) => ingress.metadata?.name !== this.#options.route &&
            ingress.metadata?.annotations?.[CANARY] !== 'true' &&
            (ingress.spec?.rules ?? []).some((r) => hosts.has(r.host ?? '')));
        const stable = this.#options.slots.get(stableSlot);
        if (main.length === 0)
            throw new _router_js__WEBPACK_IMPORTED_MODULE_1__/* .RouterError */ .KJ(`${this.describe()}: no main (non-canary) Ingress for host ${[...hosts].map((h) => h || '*').join(', ')} in namespace ${this.#options.namespace}; ingress-nginx needs one routing to ${(0,_kubernetes_shared_js__WEBPACK_IMPORTED_MODULE_3__/* .formatService */ .h)(stable)} (slot "${stableSlot}")`);
        for (const ingress of main) {
            if (this.#slotOfServices(this.#servicesOf(ingress)) !== stableSlot)
                throw new _router_js__WEBPACK_IMPORTED_MODULE_1__/* .RouterError */ .KJ(`${this.describe()}: the main Ingress ${ingress.metadata?.name} must route to ${(0,_kubernetes_shared_js__WEBPACK_IMPORTED_MODULE_3__/* .formatService */ .h)(stable)} (slot "${stableSlot}"), the slot the canary does not route to`);
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
