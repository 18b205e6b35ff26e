export const id = 945;
export const ids = [945];
export const modules = {

/***/ 50945:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   apiMessage: () => (/* binding */ apiMessage),
/* harmony export */   apiStatus: () => (/* binding */ apiStatus),
/* harmony export */   guardedUpdate: () => (/* binding */ guardedUpdate),
/* harmony export */   kubernetesClient: () => (/* binding */ kubernetesClient),
/* harmony export */   loadKubeConfig: () => (/* binding */ loadKubeConfig)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(68247);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(25231);


/** The Kubernetes client, loaded on first use so actions that never talk to a cluster never pay for it. */
function kubernetesClient() {
    return __webpack_require__.e(/* import() */ 707).then(__webpack_require__.bind(__webpack_require__, 69707));
}
/**
 * Loads the cluster connection: from the given file or inline YAML, else from
 * `KUBECONFIG`, `~/.kube/config` or the in-cluster service account, in that
 * order (the client's own default). Every credential found in it is
 * registered for masking before anything can print it; an inline kubeconfig
 * that does not load is reported without quoting a byte of it.
 */
async function loadKubeConfig(source) {
    const k8s = await kubernetesClient();
    const config = new k8s.KubeConfig();
    const where = source === undefined
        ? 'from KUBECONFIG, ~/.kube/config or the in-cluster service account'
        : source.kind === 'path'
            ? `from ${source.path}`
            : 'given inline';
    try {
        if (source?.kind === 'inline') {
            (0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .registerSecret */ .cl)(source.content);
            config.loadFromString(source.content);
        }
        else if (source?.kind === 'path')
            config.loadFromFile(source.path);
        else
            config.loadFromDefault();
    }
    catch (error) {
        const detail = source?.kind === 'inline' ? 'it is not valid kubeconfig YAML' : error.message;
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .OperationError */ .OK(`Cannot load the kubeconfig ${where}: ${detail}`, {
            cause: source?.kind === 'inline' ? undefined : error,
        });
    }
    for (const user of config.users) {
        (0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .registerSecret */ .cl)(user.token);
        (0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .registerSecret */ .cl)(user.password);
        (0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .registerSecret */ .cl)(user.keyData);
        (0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .registerSecret */ .cl)(user.certData);
    }
    if (!config.getCurrentCluster())
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .OperationError */ .OK(`The kubeconfig ${where} names no current cluster (check current-context)`);
    return config;
}
/** The HTTP status of a failed Kubernetes API call, when the client reports one. */
function apiStatus(error) {
    const code = error?.code;
    return typeof code === 'number' ? code : undefined;
}
/** The `message` of the Kubernetes Status in a failed call's body, or the client's own message. */
function apiMessage(error) {
    const body = error?.body;
    if (typeof body === 'string') {
        try {
            const status = JSON.parse(body);
            if (typeof status.message === 'string')
                return status.message;
        }
        catch {
            // Not JSON: fall through to the client's message.
        }
    }
    const status = apiStatus(error);
    if (status !== undefined)
        return `HTTP ${status}${status === 401 ? ' Unauthorized' : ''}`;
    return error instanceof Error ? error.message : String(error);
}
/**
 * Optimistic concurrency as Kubernetes intends it: read, change, write with
 * the resourceVersion that was read; on a 409 Conflict read again and
 * re-apply the change to what is there now, a bounded number of times.
 */
async function guardedUpdate(update) {
    const attempts = update.attempts ?? 5;
    for (let attempt = 1;; attempt++) {
        const current = await update.read();
        const next = update.change(current);
        if (next === undefined)
            return { object: current, written: false };
        try {
            return { object: await update.write(next, current), written: true };
        }
        catch (error) {
            if (apiStatus(error) !== 409 || attempt >= attempts)
                throw error;
            update.onConflict?.(attempt);
        }
    }
}


/***/ })

};
