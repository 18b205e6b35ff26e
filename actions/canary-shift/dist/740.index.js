export const id = 740;
export const ids = [740];
export const modules = {

/***/ 9740:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  post: () => (/* binding */ post),
  shiftRelease: () => (/* binding */ shiftRelease)
});

// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(7030);
// EXTERNAL MODULE: ../../packages/core/dist/errors.js
var errors = __webpack_require__(8247);
// EXTERNAL MODULE: ../../packages/core/dist/traffic/router.js
var traffic_router = __webpack_require__(6803);
// EXTERNAL MODULE: ../../packages/core/dist/traffic/weights.js
var traffic_weights = __webpack_require__(4329);
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
                throw new traffic_router/* RouterError */.KJ(`${this.describe()} has no server "${server}" (slot "${slot}")`);
            relative.set(slot, state.adminState & ADMIN_OUT_OF_ROTATION ? 0 : state.weight);
        }
        const weights = (0,traffic_weights/* toPercents */.i)(relative);
        if (Object.values(weights).every((w) => w === 0))
            throw new traffic_router/* RouterError */.KJ(`${this.describe()}: every slot server has weight 0 or is in maintenance/drain; no slot receives traffic`);
        return weights;
    }
    async set(weights, signal) {
        const problem = (0,traffic_weights/* weightsProblem */.h)(weights, [...this.#options.slots.keys()]);
        if (problem)
            throw new traffic_router/* RouterError */.KJ(`${this.describe()}: cannot set ${(0,traffic_router/* formatWeights */.V7)(weights)}: expected ${problem}`);
        // Read first: every slot server must exist before anything is changed,
        // and the weights in force now are what a failed change goes back to.
        const before = await this.serverStates(signal);
        for (const [slot, server] of this.#options.slots)
            if (!before.has(server))
                throw new traffic_router/* RouterError */.KJ(`${this.describe()} has no server "${server}" (slot "${slot}")`);
        const answer = await this.#setWeights(new Map([...this.#options.slots].map(([slot, server]) => [server, weights[slot]])), signal);
        if (answer !== '') {
            // Put the previous weights back, and say plainly if even that failed:
            // the caller must never believe nothing changed when something did.
            const restore = await this.#setWeights(new Map([...this.#options.slots.values()].map((s) => [s, before.get(s).weight])), signal).catch((error) => (error instanceof Error ? error.message : String(error)));
            throw new traffic_router/* RouterError */.KJ(`${this.describe()} refused ${(0,traffic_router/* formatWeights */.V7)(weights)}: ${answer.split('\n').join(' ')}` +
                (restore === ''
                    ? ''
                    : `; the previous weights could NOT be restored: ${restore.split('\n').join(' ')}`));
        }
        this.#options.log?.(`${this.describe()}: ${(0,traffic_router/* formatWeights */.V7)(weights)} set`);
    }
    async verify(weights, signal) {
        const actual = await this.read(signal);
        if (!(0,traffic_router/* sameWeights */.ML)(actual, weights))
            throw new traffic_router/* RouterError */.KJ(`${this.describe()} holds ${(0,traffic_router/* formatWeights */.V7)(actual)}, not ${(0,traffic_router/* formatWeights */.V7)(weights)}`);
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
                reject(error instanceof traffic_router/* RouterError */.KJ
                    ? error
                    : new traffic_router/* RouterError */.KJ(`HAProxy admin socket ${socket} is not reachable: ${(0,errors/* errorMessage */.gJ)(error)}`, {
                        cause: error,
                    }));
            };
            const onAbort = () => fail(signal?.reason);
            signal?.addEventListener('abort', onAbort, { once: true });
            connection.setTimeout(timeoutMs, () => fail(new traffic_router/* RouterError */.KJ(`HAProxy admin socket ${socket} did not answer "${line}" within ${timeoutMs}ms`)));
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
        throw new traffic_router/* RouterError */.KJ(`${what}: unexpected answer to "show servers state": ${JSON.stringify(text.slice(0, 200))}`);
    const header = lines.find((l) => l.startsWith('#'));
    if (!header)
        throw new traffic_router/* RouterError */.KJ(`${what}: "show servers state" has no header line`);
    const columns = header.slice(1).trim().split(/\s+/);
    const col = (name) => {
        const index = columns.indexOf(name);
        if (index < 0)
            throw new traffic_router/* RouterError */.KJ(`${what}: "show servers state" has no column ${name}`);
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
            throw new traffic_router/* RouterError */.KJ(`${what}: cannot read the server line ${JSON.stringify(line)}`);
        states.set(name, { name, weight, adminState });
    }
    return states;
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ../../packages/core/dist/atomic-write.js
var atomic_write = __webpack_require__(431);
// EXTERNAL MODULE: ../../packages/core/dist/process.js
var dist_process = __webpack_require__(6079);
// EXTERNAL MODULE: ../../packages/core/dist/traffic/nginx-upstream.js
var nginx_upstream = __webpack_require__(5312);
;// CONCATENATED MODULE: ../../packages/core/dist/traffic/nginx.js








/**
 * Splits traffic with the weights of an nginx upstream block. The router owns
 * one file holding the block; a shift rewrites the slots' `server` lines,
 * replaces the file atomically, asks nginx to test the whole configuration,
 * and reloads it gracefully (old workers finish the requests they hold). If the
 * config test fails, the previous file is put back byte for byte and nginx is
 * untouched. If the reload fails, a step forward is put back the same way, but
 * a change made to settle traffic (`purpose: 'settle'`: a revert, a rollback)
 * stays on disk, so that whatever reloads nginx next loads the revert, not the
 * split it replaced.
 *
 * The file alone does not prove what nginx serves: a reload that applied and
 * then exited non-zero, or a run killed between the write and the reload,
 * leaves nginx on other weights than the file. So before the file changes the
 * router leaves a marker beside it (`.<file>.unapplied`), and removes it only
 * once a config test and a reload of exactly that file succeeded. While the
 * marker is there, `verify` refuses: nginx may be serving anything the file
 * held since the last good reload, and the next `set` reloads it.
 */
class NginxRouter {
    kind = 'nginx';
    #options;
    constructor(options) {
        this.#options = {
            testCommand: ['nginx', '-t'],
            reloadCommand: ['nginx', '-s', 'reload'],
            ...options,
            // An explicit undefined in the options keeps the default.
            commandTimeoutMs: options.commandTimeoutMs ?? 30_000,
        };
    }
    describe() {
        return `nginx upstream "${this.#options.upstream}" in ${this.#options.upstreamFile}`;
    }
    async read() {
        const source = await this.#readFile();
        if (source === undefined)
            throw new traffic_router/* RouterError */.KJ(`${this.describe()}: the file does not exist (the first shift creates it)`);
        return this.#weightsIn(source.toString('utf8'));
    }
    async set(weights, signal, purpose = 'step') {
        const slots = [...this.#options.slots.keys()];
        const problem = (0,traffic_weights/* weightsProblem */.h)(weights, slots);
        if (problem)
            throw new traffic_router/* RouterError */.KJ(`${this.describe()}: cannot set ${(0,traffic_router/* formatWeights */.V7)(weights)}: expected ${problem}`);
        signal?.throwIfAborted();
        const previous = await this.#readFile();
        const next = previous === undefined ? this.#fresh(weights) : this.#rewrite(previous.toString('utf8'), weights);
        const changed = previous === undefined || next !== previous.toString('utf8');
        const unsettled = await this.#unapplied();
        if (changed) {
            // The marker first: from the moment the file changes until a reload of
            // it succeeds, nginx and the file may disagree.
            if (unsettled === undefined) {
                try {
                    await (0,atomic_write/* writeAtomically */.v)(this.#markerFile, `${(0,traffic_router/* formatWeights */.V7)(weights)} written at ${new Date().toISOString()}\n`);
                }
                catch (error) {
                    throw new traffic_router/* RouterError */.KJ(`${this.describe()}: cannot write ${this.#markerFile} (the marker that a change is not loaded yet), so the file was not changed: ${(0,errors/* errorMessage */.gJ)(error)}`, { cause: error });
                }
            }
            try {
                await (0,atomic_write/* writeAtomically */.v)(this.#options.upstreamFile, next);
            }
            catch (error) {
                throw new traffic_router/* RouterError */.KJ(`${this.describe()}: cannot write the file: ${(0,errors/* errorMessage */.gJ)(error)}`, {
                    cause: error,
                });
            }
        }
        // The test and reload run even when the file did not change: a shift that
        // was cut off between its write and its reload leaves nginx behind the file.
        try {
            await this.#run('config test', 'nginx-test-command', this.#options.testCommand, changed ? 'the previous upstream file was put back' : '');
        }
        catch (error) {
            if (changed)
                await this.#restore(previous);
            // nginx was not asked to load anything: it serves what it served before.
            if (changed && unsettled === undefined)
                await this.#settle();
            throw error;
        }
        // What stays on disk when the reload fails is what the next reload —
        // ours, or anyone's: an operator's, a certificate renewal's — will load.
        // A change that settles traffic (a revert, a rollback) stays: putting the
        // split back would let that next reload send users to the release being
        // reverted. A step forward is put back: the caller reverts next.
        const keep = changed && purpose === 'settle';
        try {
            await this.#run('reload', 'nginx-reload-command', this.#options.reloadCommand, `${changed ? (keep ? `the upstream file keeps ${(0,traffic_router/* formatWeights */.V7)(weights)} for the next reload, and ` : 'the previous upstream file was put back, but ') : ''}nginx may have loaded ${(0,traffic_router/* formatWeights */.V7)(weights)} or still serve what it served before, so nothing is verified until a reload succeeds`);
        }
        catch (error) {
            // The reload may have applied before it failed: the marker stays, so
            // nothing verifies these weights until a later reload succeeds.
            if (changed && !keep)
                await this.#restore(previous);
            throw error;
        }
        await this.#settle();
        this.#options.log?.(`${this.describe()}: ${(0,traffic_router/* formatWeights */.V7)(weights)} written, configuration tested, nginx reloaded`);
    }
    /**
     * Reads the file back and checks that the last change to it was followed by
     * a config test and a reload command that both succeeded. `nginx -s reload`
     * returns once the master is signalled, and the master applies the file a
     * moment later; a reload the master rejects after a passing `nginx -t` (rare:
     * a bind that fails only at load) is not seen here.
     */
    async verify(weights) {
        const actual = await this.read();
        if (!(0,traffic_router/* sameWeights */.ML)(actual, weights))
            throw new traffic_router/* RouterError */.KJ(`${this.describe()} holds ${(0,traffic_router/* formatWeights */.V7)(actual)}, not ${(0,traffic_router/* formatWeights */.V7)(weights)}`);
        const unsettled = await this.#unapplied();
        if (unsettled !== undefined)
            throw new traffic_router/* RouterError */.KJ(`${this.describe()} holds ${(0,traffic_router/* formatWeights */.V7)(actual)}, but nginx has not loaded it: a reload after the change ` +
                `(${unsettled}) failed or was cut off, so nginx may serve other weights (${this.#markerFile} says so ` +
                'until a config test and reload succeed; the next shift or revert reloads)');
    }
    get #markerFile() {
        const file = this.#options.upstreamFile;
        return external_node_path_.join(external_node_path_.dirname(file), `.${external_node_path_.basename(file)}.unapplied`);
    }
    /** What the marker says, or undefined when nginx has loaded the file as it is. */
    async #unapplied() {
        try {
            return (await (0,promises_.readFile)(this.#markerFile, 'utf8')).trim() || 'a change';
        }
        catch (error) {
            if (error.code === 'ENOENT')
                return undefined;
            throw new traffic_router/* RouterError */.KJ(`${this.describe()}: cannot read ${this.#markerFile}: ${(0,errors/* errorMessage */.gJ)(error)}`, {
                cause: error,
            });
        }
    }
    async #settle() {
        try {
            await (0,promises_.unlink)(this.#markerFile);
        }
        catch (error) {
            if (error.code === 'ENOENT')
                return;
            throw new traffic_router/* RouterError */.KJ(`${this.describe()}: cannot remove ${this.#markerFile}: ${(0,errors/* errorMessage */.gJ)(error)}`, {
                cause: error,
            });
        }
    }
    async #readFile() {
        try {
            return await (0,promises_.readFile)(this.#options.upstreamFile);
        }
        catch (error) {
            if (error.code === 'ENOENT')
                return undefined;
            throw new traffic_router/* RouterError */.KJ(`${this.describe()}: cannot read the file: ${(0,errors/* errorMessage */.gJ)(error)}`, {
                cause: error,
            });
        }
    }
    #parse(source) {
        try {
            return (0,nginx_upstream/* parseUpstream */.xw)(source, this.#options.upstream);
        }
        catch (error) {
            if (error instanceof nginx_upstream/* UpstreamSyntaxError */.nc)
                throw new traffic_router/* RouterError */.KJ(`${this.describe()}: ${error.message}`, { cause: error });
            throw error;
        }
    }
    /** Each slot's server directive; every other server must be out of normal rotation (`down` or `backup`). */
    #slotServers(block) {
        const found = new Map();
        for (const [slot, address] of this.#options.slots) {
            const matches = block.servers.filter((s) => (0,nginx_upstream/* sameAddress */.xU)(s.address, address));
            if (matches.length === 0)
                throw new traffic_router/* RouterError */.KJ(`${this.describe()} has no "server ${address}" line for slot "${slot}"`);
            if (matches.length > 1)
                throw new traffic_router/* RouterError */.KJ(`${this.describe()} has "server ${address}" on lines ${matches.map((m) => m.line).join(' and ')}; slot "${slot}" needs exactly one`);
            found.set(slot, matches[0]);
        }
        const slotServers = new Set(found.values());
        for (const server of block.servers) {
            if (!slotServers.has(server) && (0,nginx_upstream/* serverWeight */.sY)(server) > 0)
                throw new traffic_router/* RouterError */.KJ(`${this.describe()} sends traffic to "server ${server.address}" (line ${server.line}), which is not a slot; mark it down or backup, or remove it`);
        }
        return found;
    }
    #weightsIn(source) {
        const servers = this.#slotServers(this.#parse(source));
        const relative = new Map();
        for (const [slot, server] of servers) {
            const weight = (0,nginx_upstream/* serverWeight */.sY)(server);
            if (!Number.isFinite(weight))
                throw new traffic_router/* RouterError */.KJ(`${this.describe()}: line ${server.line} has a weight that is not a number`);
            relative.set(slot, weight);
        }
        const weights = (0,traffic_weights/* toPercents */.i)(relative);
        if (Object.values(weights).every((w) => w === 0))
            throw new traffic_router/* RouterError */.KJ(`${this.describe()}: every slot is down or backup; no slot receives traffic`);
        return weights;
    }
    #rewrite(source, weights) {
        const servers = this.#slotServers(this.#parse(source));
        return (0,nginx_upstream/* rewriteServers */.dI)(source, [...servers].map(([slot, server]) => ({ server, params: (0,nginx_upstream/* withWeight */.$Z)(server.params, weights[slot]) })));
    }
    #fresh(weights) {
        return (0,nginx_upstream/* renderUpstream */.KU)(this.#options.upstream, [...this.#options.slots].map(([slot, address]) => ({
            address,
            params: (0,nginx_upstream/* withWeight */.$Z)([], weights[slot]),
        })));
    }
    async #run(what, input, argv, after) {
        const [program, ...args] = argv;
        try {
            // No cancellation signal: a revert runs to its end even while the job is cancelled.
            await (0,dist_process/* runProcess */.R3)(program, args, {
                silent: true,
                label: input,
                timeoutMs: this.#options.commandTimeoutMs,
                timeoutInput: 'nginx-command-timeout',
            });
        }
        catch (error) {
            const detail = error instanceof dist_process/* ProcessError */.yI ? error.tail || `exit code ${error.exitCode}` : (0,errors/* errorMessage */.gJ)(error);
            throw new traffic_router/* RouterError */.KJ(`${this.describe()}: the nginx ${what} (${argv.join(' ')}) failed${after ? `; ${after}` : ''}:\n${detail}`, { cause: error });
        }
    }
    async #restore(previous) {
        try {
            if (previous === undefined)
                await (0,promises_.unlink)(this.#options.upstreamFile);
            else
                await (0,atomic_write/* writeAtomically */.v)(this.#options.upstreamFile, previous);
        }
        catch (error) {
            throw new traffic_router/* RouterError */.KJ(`${this.describe()}: the shift failed and the previous file could not be put back: ${(0,errors/* errorMessage */.gJ)(error)}`, { cause: error });
        }
    }
}

// EXTERNAL MODULE: ../../packages/core/dist/traffic/nginx-dynamic.js
var nginx_dynamic = __webpack_require__(8800);
;// CONCATENATED MODULE: ../../packages/core/dist/traffic/create.js



/**
 * The router the settings describe. The Kubernetes client is imported only
 * for the Kubernetes routers, so an nginx or HAProxy shift never loads it.
 */
async function createRouter(settings, options = {}) {
    const log = options.log;
    switch (settings.router) {
        case 'nginx':
            if (settings.mode === 'dynamic')
                return new nginx_dynamic/* NginxDynamicRouter */.bJ({
                    control: settings.control,
                    route: settings.upstream,
                    slots: settings.slots,
                    log,
                });
            return new NginxRouter({
                upstreamFile: settings.upstreamFile,
                upstream: settings.upstream,
                slots: settings.slots,
                testCommand: settings.testCommand,
                reloadCommand: settings.reloadCommand,
                commandTimeoutMs: settings.commandTimeoutMs,
                log,
            });
        case 'haproxy':
            return new HaproxyRouter({
                socket: settings.socket,
                backend: settings.backend,
                slots: settings.slots,
                log,
            });
        case 'gateway-api': {
            const [{ GatewayApiRouter }, kubeConfig] = await Promise.all([
                __webpack_require__.e(/* import() */ 723).then(__webpack_require__.bind(__webpack_require__, 6723)),
                options.kubeConfig ??
                    Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 945)).then((m) => m.loadKubeConfig(settings.kubeconfig)),
            ]);
            return GatewayApiRouter.connect(kubeConfig, {
                namespace: settings.namespace,
                route: settings.route,
                slots: settings.slots,
                acceptTimeoutMs: options.acceptTimeoutMs,
                log,
            });
        }
        case 'ingress-nginx': {
            const [{ IngressNginxRouter }, kubeConfig] = await Promise.all([
                __webpack_require__.e(/* import() */ 690).then(__webpack_require__.bind(__webpack_require__, 690)),
                options.kubeConfig ??
                    Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 945)).then((m) => m.loadKubeConfig(settings.kubeconfig)),
            ]);
            return IngressNginxRouter.connect(kubeConfig, {
                namespace: settings.namespace,
                route: settings.route,
                slots: settings.slots,
                log,
            });
        }
    }
}

// EXTERNAL MODULE: ../../packages/core/dist/log.js
var log = __webpack_require__(9832);
// EXTERNAL MODULE: ../../packages/core/dist/deployer.js + 1 modules
var deployer = __webpack_require__(4271);
;// CONCATENATED MODULE: ../../packages/core/dist/ledger/claim.js

const defaultStaleMs = 5 * 60_000;
const defaultHeartbeatMs = 60_000;
/** This writer's owner record, from the run it belongs to. */
function ownerOf(kind, env = process.env) {
    const attempt = Number(env.GITHUB_RUN_ATTEMPT);
    return {
        kind,
        ...(env.GITHUB_RUN_ID ? { run: env.GITHUB_RUN_ID } : {}),
        ...(Number.isInteger(attempt) && attempt > 0 ? { attempt } : {}),
    };
}
/** An entry is in the way of another writer: it refused (a shift) or gave up waiting (a rollback). */
class ClaimRefusedError extends errors/* OperationError */.OK {
    holder;
    name = 'ClaimRefusedError';
    constructor(message, holder) {
        super(message);
        this.holder = holder;
    }
}
function describeEntry(release) {
    const who = release.owner?.kind ?? 'release';
    const run = release.logUrl ? `, ${release.logUrl}` : release.owner?.run ? `, run ${release.owner.run}` : '';
    return `${who} of ${release.version} into ${release.slot} (ledger entry ${release.id}${run})`;
}
class EnvironmentClaim {
    #ledger;
    #options;
    #controller = new AbortController();
    #release;
    #timer;
    #lostReason;
    #warned = false;
    #beating = Promise.resolve();
    /** Shifts this claim (a rollback's) ended before moving traffic. */
    preempted;
    /** True when a rollback waited for an earlier one: what it read before may have changed. */
    waited = false;
    /** Abandoned entries this claim closed. */
    closed = [];
    constructor(ledger, release, options, preempted) {
        this.#ledger = ledger;
        this.#release = release;
        this.#options = options;
        this.preempted = preempted;
        const every = options.heartbeatMs ?? defaultHeartbeatMs;
        this.#timer = setInterval(() => {
            this.#beating = this.#beat();
        }, every);
        this.#timer.unref();
    }
    /**
     * Takes the environment for `mine`, an entry this writer has just recorded
     * (or, for a resumed shift, the abandoned entry it carries on). Closes
     * abandoned entries; a shift refuses (its entry ended as `error`) when an
     * earlier shift or any rollback is alive; a rollback waits for an earlier
     * rollback and takes over from any shift. Starts the heartbeat.
     */
    static async take(ledger, mine, options = {}) {
        const kind = mine.owner?.kind ?? 'shift';
        const now = options.now ?? Date.now;
        const log = options.log ?? (() => undefined);
        const waitUntil = now() + (options.waitMs ?? 10 * 60_000);
        const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
        let announced = false;
        const closed = [];
        // A resumed entry was silent until now: alive again before anyone judges it.
        if (now() - Date.parse(mine.updatedAt) >= (options.heartbeatMs ?? defaultHeartbeatMs)) {
            const revived = await ledger.heartbeat(mine);
            if (revived?.status !== 'in_progress')
                throw new ClaimRefusedError(`Ledger entry ${mine.id} was ended by another writer.`, revived ?? mine);
            mine = revived;
        }
        for (;;) {
            const judged = await judge(ledger, mine, options);
            for (const { release, why } of judged.abandoned) {
                const ended = await end(ledger, release, `Abandoned: ${why}.`, log);
                if (ended) {
                    closed.push(ended);
                    log(`Closed ${describeEntry(release)}: ${why}.`);
                }
            }
            const earlier = (r) => Number(r.id) < Number(mine.id);
            if (kind === 'shift') {
                const blocker = judged.alive.find((r) => r.owner?.kind === 'rollback') ??
                    judged.alive.find((r) => r.owner?.kind !== 'rollback' && earlier(r));
                if (blocker) {
                    const message = blocker.owner?.kind === 'rollback'
                        ? `A rollback of ${mine.environment} is in progress: ${describeEntry(blocker)}. This shift does not start while it runs.`
                        : `Another release of ${mine.environment} is in progress: ${describeEntry(blocker)}, last heard from ${blocker.updatedAt}. Only one shift changes an environment's traffic at a time.`;
                    await refuse(ledger, mine, message, options.onRefusal ?? 'discard', log);
                    throw new ClaimRefusedError(message, blocker);
                }
                const claim = new EnvironmentClaim(ledger, mine, options, []);
                claim.closed = closed;
                return claim;
            }
            const waitingFor = judged.alive.find((r) => r.owner?.kind === 'rollback' && earlier(r));
            if (waitingFor) {
                if (now() >= waitUntil)
                    throw new ClaimRefusedError(`An earlier rollback of ${mine.environment} is still in progress: ${describeEntry(waitingFor)}; gave up waiting for it.`, waitingFor);
                if (!announced)
                    log(`Waiting for an earlier rollback to finish: ${describeEntry(waitingFor)}.`);
                announced = true;
                // The waiting entry must stay alive, or the rollbacks after it would pass it.
                const alive = await ledger.heartbeat(mine);
                if (alive?.status !== 'in_progress')
                    throw new ClaimRefusedError(`This rollback's ledger entry ${mine.id} was ended by another writer while it waited.`, alive ?? mine);
                mine = alive;
                await sleep(Math.max(0, Math.min(options.pollMs ?? 2000, waitUntil - now())));
                continue;
            }
            const preempted = [];
            for (const shift of judged.alive.filter((r) => r.owner?.kind !== 'rollback')) {
                // Ended before traffic moves: from this status on, the shift changes nothing.
                // `error`: the shift may have been deploying into its slot, which now runs part of anything.
                const ended = await end(ledger, shift, `Taken over by a rollback (ledger entry ${mine.id}): ${options.reason ?? 'rolled back'}`, log);
                if (ended) {
                    log(`Took over from ${describeEntry(shift)}: it moves no more traffic.`);
                    preempted.push(ended);
                }
            }
            const claim = new EnvironmentClaim(ledger, mine, options, preempted);
            claim.waited = announced;
            claim.closed = closed;
            return claim;
        }
    }
    get release() {
        return this.#release;
    }
    get signal() {
        return this.#controller.signal;
    }
    get lostReason() {
        return this.#lostReason;
    }
    async check() {
        if (this.#lostReason !== undefined)
            return 'lost';
        let now;
        try {
            now = await this.#ledger.reload(this.#release);
        }
        catch (error) {
            this.#options.log?.(`Could not read ledger entry ${this.#release.id}: ${(0,errors/* errorMessage */.gJ)(error)}`);
            return 'unknown';
        }
        return this.#judgeOwn(now);
    }
    async takeover(maxMs = 15 * 60_000) {
        const now = this.#options.now ?? Date.now;
        const until = now() + maxMs;
        const sleep = this.#options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
        for (;;) {
            const recent = await this.#ledger.history(this.#release.environment, 20);
            const rollback = recent.find((r) => r.owner?.kind === 'rollback' && Number(r.id) > Number(this.#release.id));
            if (!rollback)
                return undefined;
            if (rollback.status !== 'in_progress')
                return rollback;
            if (now() >= until)
                return undefined;
            await sleep(Math.min(this.#options.pollMs ?? 2000, Math.max(0, until - now())));
        }
    }
    /**
     * Stops the heartbeat and waits for one already on its way, so that no
     * heartbeat lands after the caller finishes the entry.
     */
    async stop() {
        clearInterval(this.#timer);
        this.#timer = undefined;
        await this.#beating;
    }
    #judgeOwn(now) {
        if (now?.status === 'in_progress') {
            this.#release = now;
            return 'held';
        }
        this.#lostReason = now
            ? `ledger entry ${now.id} was ended by another writer (${now.status}${now.reason ? `: ${now.reason}` : ''})`
            : `ledger entry ${this.#release.id} is gone`;
        clearInterval(this.#timer);
        this.#timer = undefined;
        this.#controller.abort(new errors/* OperationError */.OK(this.#lostReason));
        return 'lost';
    }
    async #beat() {
        if (this.#timer === undefined)
            return;
        try {
            this.#judgeOwn(await this.#ledger.heartbeat(this.#release));
            this.#warned = false;
        }
        catch (error) {
            if (!this.#warned)
                this.#options.log?.(`Could not write the heartbeat of ledger entry ${this.#release.id}: ${(0,errors/* errorMessage */.gJ)(error)}`);
            this.#warned = true;
        }
    }
}
/**
 * Ends another writer's entry as `error`. An entry removed meanwhile (its
 * writer was refused) needs nothing; any other failure is logged, and the
 * caller goes on: a rollback is not held up by a ledger that will not write.
 */
async function end(ledger, release, reason, log) {
    try {
        return await ledger.finish(release, { status: 'error', reason });
    }
    catch (error) {
        const now = await ledger.reload(release).catch(() => release);
        if (now === undefined)
            return undefined;
        log(`Could not end ${describeEntry(release)}: ${(0,errors/* errorMessage */.gJ)(error)}`);
        return undefined;
    }
}
/** Removes or ends a refused shift's own entry; a store that refuses both is logged. */
async function refuse(ledger, mine, message, how, log) {
    if (how === 'discard') {
        try {
            await ledger.discard(mine);
            return;
        }
        catch (error) {
            log(`Could not remove ledger entry ${mine.id}: ${(0,errors/* errorMessage */.gJ)(error)}; ending it instead.`);
        }
    }
    await ledger
        .finish(mine, { status: 'error', reason: `Not started: ${message}` })
        .catch((error) => log(`Could not end ledger entry ${mine.id}: ${(0,errors/* errorMessage */.gJ)(error)}`));
}
/**
 * Why an entry in progress is abandoned — left by an earlier attempt of the
 * writer's own run, or silent for `staleMs` — or undefined while its holder lives.
 */
function abandonment(other, me, options = {}) {
    if (earlierAttempt(other, me))
        return `left by attempt ${other.owner?.attempt ?? 1} of run ${other.owner?.run}, which is over`;
    const staleMs = options.staleMs ?? defaultStaleMs;
    const silentMs = (options.now ?? Date.now)() - Date.parse(other.updatedAt);
    if (!(silentMs < staleMs))
        return `its holder has not written since ${other.updatedAt} (more than ${Math.round(staleMs / 1000)} s)`;
    return undefined;
}
/**
 * True when `other` was left by an earlier attempt of this writer's own run:
 * GitHub runs one attempt at a time, so its writer is gone for certain.
 */
function earlierAttempt(other, me) {
    return (other.owner?.run !== undefined &&
        other.owner.run === me?.run &&
        (other.owner.attempt ?? 1) < (me?.attempt ?? 1));
}
/**
 * The environment's other entries in progress, alive or abandoned. Silence is
 * measured on the store's own clock — from this writer's entry, written just
 * before — so a runner whose clock is off does not take living entries for
 * abandoned ones.
 */
async function judge(ledger, mine, options) {
    const written = Date.parse(mine.updatedAt);
    const local = Date.now();
    const now = options.now ?? (() => written + (Date.now() - local));
    const recent = await ledger.history(mine.environment, 20);
    const judged = { alive: [], abandoned: [] };
    for (const other of recent) {
        if (other.id === mine.id || other.status !== 'in_progress')
            continue;
        const why = abandonment(other, mine.owner, { ...options, now });
        if (why)
            judged.abandoned.push({ release: other, why });
        else
            judged.alive.push(other);
    }
    return judged;
}

// EXTERNAL MODULE: ../../packages/core/dist/runner.js
var runner = __webpack_require__(3698);
// EXTERNAL MODULE: ../../packages/core/dist/secrets.js
var secrets = __webpack_require__(5231);
;// CONCATENATED MODULE: ../../packages/core/dist/outputs.js



/**
 * Sets the action's outputs from one typed object keyed by the `action.yml`
 * names. Objects are written as JSON. A value that contains a registered secret
 * is redacted and a warning says so, since outputs are visible to every later
 * job that reads them.
 */
function setOutputs(outputs) {
    for (const [name, value] of Object.entries(outputs)) {
        if (value === undefined)
            continue;
        let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
        if ((0,secrets/* containsSecret */.At)(text)) {
            log/* runnerLog */.t1.warning(`Output "${name}" contained a secret; it was redacted.`);
            text = (0,secrets/* redact */.E$)(text);
        }
        (0,runner/* setOutput */.uH)(name, text);
    }
}

;// CONCATENATED MODULE: ../../packages/core/dist/summary.js


/** Colours a chart series can have; the caption names them, since mermaid's xychart draws no legend. */
const CHART_COLOURS = {
    blue: '#1f6feb',
    red: '#d1242f',
    green: '#1a7f37',
    orange: '#bc4c00',
    purple: '#8250df',
    grey: '#6e7781',
};
/**
 * The job summary as a chained builder. It produces GitHub-flavoured markdown
 * (tables, mermaid charts for curves, collapsible details), redacted, and
 * appends it to the step summary file in one write.
 */
class Summary {
    parts = [];
    heading(text, level = 2) {
        this.parts.push(`${'#'.repeat(level)} ${escapeInline(text)}`);
        return this;
    }
    paragraph(text) {
        this.parts.push(text);
        return this;
    }
    /** A callout: `> [!CAUTION]` and friends render as coloured boxes on GitHub. */
    alert(kind, text) {
        this.parts.push(`> [!${kind}]\n${text
            .split('\n')
            .map((l) => `> ${l}`)
            .join('\n')}`);
        return this;
    }
    list(items) {
        if (items.length)
            this.parts.push(items.map((i) => `- ${i}`).join('\n'));
        return this;
    }
    table(headers, rows) {
        this.parts.push(markdownTable(headers, rows));
        return this;
    }
    /** A mermaid chart, with a caption saying which colour is which series. */
    chart(spec) {
        if (spec.x.length < 2)
            return this;
        this.parts.push(`\`\`\`mermaid\n${mermaidXYChart(spec)}\n\`\`\``);
        this.parts.push(`<sub>${chartLegend(spec)}</sub>`);
        return this;
    }
    details(label, body) {
        this.parts.push(`<details><summary>${escapeInline(label)}</summary>\n\n${body}\n\n</details>`);
        return this;
    }
    code(text, language = '') {
        this.parts.push(`\`\`\`${language}\n${text}\n\`\`\``);
        return this;
    }
    toMarkdown() {
        return (0,secrets/* redact */.E$)(`${this.parts.join('\n\n')}\n`);
    }
    /** Appends to `GITHUB_STEP_SUMMARY`; outside a runner (no file) it does nothing. */
    async write() {
        (0,runner/* appendSummary */.fe)(this.toMarkdown());
    }
}
function markdownTable(headers, rows) {
    const line = (cells) => `| ${cells.map((c) => escapeCell(c)).join(' | ')} |`;
    return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
/** Each series' colour: its own, or the next one of the palette. */
function coloursOf(spec) {
    const palette = Object.keys(CHART_COLOURS);
    return spec.series.map((series, i) => series.colour ?? palette[i % palette.length]);
}
/** `blue line: weight · red line: error rate`: what the chart cannot say itself. */
function chartLegend(spec) {
    const colours = coloursOf(spec);
    return spec.series.map((s, i) => `${colours[i]} ${s.kind ?? 'line'}: ${s.name}`).join(' · ');
}
/**
 * A mermaid `xychart-beta` with one or more line/bar series over a shared x
 * axis, coloured through the theme's plot palette (in series order). The x
 * axis is categorical, so repeated labels would draw as separate points with
 * the same name: consecutive points with the same label are merged, the last
 * one kept.
 */
function mermaidXYChart(spec) {
    const round = (v) => (Number.isFinite(v) ? Number(v.toFixed(3)) : 0);
    const keep = spec.x.map((x, i) => i === spec.x.length - 1 || String(spec.x[i + 1]) !== String(x));
    const x = spec.x.filter((_, i) => keep[i]);
    const series = spec.series.map((s) => ({ ...s, values: s.values.filter((_, i) => keep[i]) }));
    const all = series.flatMap((s) => s.values).filter(Number.isFinite);
    const yMin = spec.yMin ?? Math.min(0, ...all);
    const yMax = spec.yMax ?? Math.max(1, ...all.map((v) => Math.ceil(v * 1.1)));
    const palette = coloursOf(spec)
        .map((c) => CHART_COLOURS[c])
        .join(', ');
    const lines = [
        `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${palette}"}}}}%%`,
        'xychart-beta',
        `  title "${spec.title.replace(/"/g, "'")}"`,
        `  x-axis [${x.map((label) => `"${String(label).replace(/"/g, "'")}"`).join(', ')}]`,
        `  y-axis "${spec.yLabel.replace(/"/g, "'")}" ${round(yMin)} --> ${round(yMax)}`,
    ];
    for (const s of series)
        lines.push(`  ${s.kind ?? 'line'} [${s.values.map(round).join(', ')}]`);
    return lines.join('\n');
}
function escapeCell(cell) {
    if (cell === null || cell === undefined)
        return '';
    return String(cell).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}
function escapeInline(text) {
    return text.replace(/</g, '&lt;');
}

// EXTERNAL MODULE: ../../packages/core/dist/inputs/duration.js
var duration = __webpack_require__(7036);
;// CONCATENATED MODULE: ../../packages/core/dist/analysis/stats.js
/**
 * The statistics behind the baseline comparison, written out so that each
 * step can be checked against a reference: the Mann–Whitney U test (normal
 * approximation with tie and continuity corrections, as SciPy's
 * `mannwhitneyu(method="asymptotic")` and R's `wilcox.test(exact = FALSE)`
 * compute it), the pooled two-proportion z test, and percentiles.
 */
/**
 * Mann–Whitney U test of whether values in `x` tend to be greater than (or
 * less than, or different from) values in `y`. U is the statistic of `x`:
 * the number of pairs (xi, yj) with xi > yj, ties counting one half.
 *
 * The p-value uses the normal approximation, which is accurate from about
 * twenty values per sample; the analysis never decides on fewer (its
 * minimum sample count), so the exact distribution is not needed.
 */
function mannWhitneyU(x, y, alternative) {
    const n1 = x.length;
    const n2 = y.length;
    if (n1 === 0 || n2 === 0)
        throw new RangeError('mannWhitneyU needs at least one value in each sample');
    const n = n1 + n2;
    const pooled = [
        ...x.map((value) => ({ value, first: true })),
        ...y.map((value) => ({ value, first: false })),
    ];
    pooled.sort((a, b) => a.value - b.value);
    // Average ranks over runs of equal values, and collect the run lengths for
    // the tie correction of the variance.
    let rankSumX = 0;
    let tieTerm = 0;
    for (let i = 0; i < n;) {
        let j = i;
        while (j + 1 < n && pooled[j + 1].value === pooled[i].value)
            j++;
        const rank = (i + j + 2) / 2;
        const run = j - i + 1;
        tieTerm += run ** 3 - run;
        for (let k = i; k <= j; k++)
            if (pooled[k].first)
                rankSumX += rank;
        i = j + 1;
    }
    const u = rankSumX - (n1 * (n1 + 1)) / 2;
    const mean = (n1 * n2) / 2;
    const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
    if (variance <= 0)
        return { statistic: u, z: 0, pValue: 1 };
    const sd = Math.sqrt(variance);
    // The continuity correction moves U half a step towards the mean.
    let z;
    let pValue;
    if (alternative === 'greater') {
        z = (u - mean - 0.5) / sd;
        pValue = normalSurvival(z);
    }
    else if (alternative === 'less') {
        z = (u - mean + 0.5) / sd;
        pValue = normalCdf(z);
    }
    else {
        const distance = Math.max(0, Math.abs(u - mean) - 0.5);
        z = Math.sign(u - mean) * (distance / sd);
        pValue = Math.min(1, 2 * normalSurvival(distance / sd));
    }
    return { statistic: u, z, pValue };
}
/**
 * Two-proportion z test (pooled variance) of whether the rate x1/n1 is
 * greater than (or less than, or different from) x2/n2. Equivalent to the
 * chi-squared test of a 2×2 table without Yates' correction (z² = χ²).
 */
function twoProportionZ(x1, n1, x2, n2, alternative) {
    if (n1 <= 0 || n2 <= 0)
        throw new RangeError('twoProportionZ needs at least one trial in each sample');
    const p1 = x1 / n1;
    const p2 = x2 / n2;
    const pooled = (x1 + x2) / (n1 + n2);
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
    // Both samples all-success or all-failure: no evidence of any difference.
    if (se === 0)
        return { statistic: 0, z: 0, pValue: 1 };
    const z = (p1 - p2) / se;
    const pValue = alternative === 'greater'
        ? normalSurvival(z)
        : alternative === 'less'
            ? normalCdf(z)
            : Math.min(1, 2 * normalSurvival(Math.abs(z)));
    return { statistic: z, z, pValue };
}
/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): exact enough for binomial coefficients of any count. */
function logGamma(x) {
    const c = [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];
    if (x < 0.5)
        return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    const z = x - 1;
    let a = c[0];
    const t = z + 7.5;
    for (let i = 1; i < 9; i++)
        a += c[i] / (z + i);
    return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}
function logChoose(n, k) {
    return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}
/**
 * Fisher's exact test, one-sided: the probability, with the margins fixed, of
 * at least `x1` failures among the first sample's `n1` when the two samples
 * fail alike. Exact at the small counts where the z approximation is far too
 * confident (2/20 vs 2/180: z gives 0.0035, Fisher about 0.05).
 */
function fisherExactGreater(x1, n1, x2, n2) {
    const failures = x1 + x2;
    const total = n1 + n2;
    const base = logChoose(total, n1);
    let p = 0;
    for (let k = x1; k <= Math.min(failures, n1); k++)
        p += Math.exp(logChoose(failures, k) + logChoose(total - failures, n1 - k) - base);
    return Math.min(1, p);
}
/** P(X ≥ x) for X ~ Binomial(n, p0): the exact one-sample test of a rate above p0. */
function binomialAtLeast(x, n, p0) {
    if (x <= 0)
        return 1;
    if (p0 <= 0)
        return 0;
    if (p0 >= 1)
        return 1;
    let p = 0;
    for (let k = x; k <= n; k++)
        p += Math.exp(logChoose(n, k) + k * Math.log(p0) + (n - k) * Math.log(1 - p0));
    return Math.min(1, p);
}
/** P(Z ≤ z) for a standard normal Z. */
function normalCdf(z) {
    return 0.5 * erfc(-z / Math.SQRT2);
}
/** P(Z > z), computed directly so that small tail probabilities keep their precision. */
function normalSurvival(z) {
    return 0.5 * erfc(z / Math.SQRT2);
}
/**
 * The complementary error function, from the Chebyshev fit in Numerical
 * Recipes (`erfcc`): fractional error below 1.2e-7 everywhere, which is far
 * finer than any decision threshold the analysis uses.
 */
function erfc(x) {
    const z = Math.abs(x);
    const t = 1 / (1 + 0.5 * z);
    const r = t *
        Math.exp(-z * z -
            1.26551223 +
            t *
                (1.00002368 +
                    t *
                        (0.37409196 +
                            t *
                                (0.09678418 +
                                    t *
                                        (-0.18628806 +
                                            t *
                                                (0.27886807 +
                                                    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
}
/**
 * The p-th percentile (0–100) of the values, by linear interpolation between
 * closest ranks (the default of NumPy and R's type 7). NaN for no values.
 */
function percentile(values, p) {
    if (values.length === 0)
        return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return percentileOfSorted(sorted, p);
}
function percentileOfSorted(sorted, p) {
    if (sorted.length === 0)
        return Number.NaN;
    const position = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
    const below = Math.floor(position);
    const above = Math.ceil(position);
    const lower = sorted[below];
    return lower + (sorted[above] - lower) * (position - below);
}
function median(values) {
    return percentile(values, 50);
}

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/baseline.js
/**
 * The side-by-side comparison of a check's answers from the target version
 * with the same requests to the baseline. A difference fails the check only
 * when it is both statistically significant (one-sided tests at the chosen
 * confidence) and larger than the tolerance, so that noise between two
 * equally good versions never fails a release, and a tiny but real
 * difference (a millisecond) does not either.
 */


function summarise(samples) {
    const latencies = samples.filter((s) => s.status !== undefined).map((s) => s.ms);
    return {
        requests: samples.length,
        answers: latencies.length,
        failures: samples.filter((s) => !s.ok).length,
        medianMs: latencies.length ? median(latencies) : Number.NaN,
        latencies,
    };
}
function compareToBaseline(target, baseline, settings) {
    const t = summarise(target);
    const b = summarise(baseline);
    const sides = {
        target: { requests: t.requests, answers: t.answers, failures: t.failures, medianMs: t.medianMs },
        baseline: { requests: b.requests, answers: b.answers, failures: b.failures, medianMs: b.medianMs },
    };
    // Failing findings first, so the sentence leads with what failed.
    const problems = [];
    const findings = [];
    let decided = false;
    let failed = false;
    let latencyP;
    let errorP;
    if (t.requests >= settings.minSamples && b.requests >= settings.minSamples) {
        decided = true;
        const rateT = t.failures / t.requests;
        const rateB = b.failures / b.requests;
        errorP = twoProportionZ(t.failures, t.requests, b.failures, b.requests, 'greater').pValue;
        const worse = rateT - rateB > settings.errorTolerance && errorP < settings.alpha;
        if (worse)
            failed = true;
        (worse ? problems : findings).push(`${worse ? 'fails more often than the baseline' : 'error rate'}: ${percent(rateT)} vs ${percent(rateB)} of ${t.requests} and ${b.requests} requests (two-proportion p ${formatP(errorP)})`);
    }
    if (t.answers >= settings.minSamples && b.answers >= settings.minSamples) {
        decided = true;
        latencyP = mannWhitneyU(t.latencies, b.latencies, 'greater').pValue;
        const difference = t.medianMs - b.medianMs;
        const allowed = Math.max(settings.latencyFloorMs, settings.latencyTolerance * b.medianMs);
        const slower = difference > allowed && latencyP < settings.alpha;
        if (slower)
            failed = true;
        const change = b.medianMs > 0 ? ` (${difference >= 0 ? '+' : ''}${Math.round((difference / b.medianMs) * 100)}%)` : '';
        (slower ? problems : findings).push(`${slower ? 'slower than the baseline' : 'latency'}: median ${(0,duration/* formatDuration */.a3)(t.medianMs)} vs ${(0,duration/* formatDuration */.a3)(b.medianMs)}${change} over ${t.answers} and ${b.answers} answers (Mann–Whitney p ${formatP(latencyP)})`);
    }
    const outcome = failed ? 'fail' : decided ? 'pass' : 'pending';
    const detail = decided
        ? [...problems, ...findings].join('; ')
        : `waiting for ${settings.minSamples} requests on each side (target ${t.requests}, baseline ${b.requests})`;
    return {
        outcome,
        ...sides,
        ...(latencyP !== undefined ? { latencyP } : {}),
        ...(errorP !== undefined ? { errorP } : {}),
        detail,
    };
}
function percent(rate) {
    return `${Number((rate * 100).toFixed(1))}%`;
}
function formatP(p) {
    return p < 0.0001 ? '< 0.0001' : `= ${Number(p.toPrecision(2))}`;
}

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/sources/latency.js

function latencyTable(subject, sides, reason, comparison) {
    const pad = sides.slice(1).map(() => '');
    const row = (label, pick) => [
        label,
        ...sides.map((side) => pick(side.summary)),
    ];
    const rows = [
        ['request', subject, ...pad],
        row('requests', (s) => s.requests),
        row('failed', (s) => `${s.failures} (${latency_percent(s.errorRate)})`),
        row('p50', (s) => ms(s.p50Ms)),
        row('p95', (s) => ms(s.p95Ms)),
        row('p99', (s) => ms(s.p99Ms)),
    ];
    if (comparison?.latencyP !== undefined)
        rows.push(['latency test', `Mann–Whitney p ${formatP(comparison.latencyP)}`, ...pad]);
    if (comparison?.errorP !== undefined)
        rows.push(['error-rate test', `two-proportion p ${formatP(comparison.errorP)}`, ...pad]);
    rows.push(['verdict', reason, ...pad]);
    return { columns: sides.map((s) => s.label), rows };
}
function ms(value) {
    return value === null ? 'n/a' : `${Number(value.toFixed(1))} ms`;
}
function latency_percent(rate) {
    return rate === null ? 'n/a' : `${Number((rate * 100).toFixed(1))}%`;
}

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/verdicts.js
/**
 * How runs of interval outcomes become verdicts: the tracker of one source's
 * intervals (the only place that state changes), the parts of a verdict every
 * source shares, and the overall verdict with its reason. Sources decide what
 * an interval looked like; this module decides what that means.
 */

/** Keeps the run of interval outcomes of one check and decides when it has failed. */
class Tracker {
    threshold;
    #outcomes = [];
    #failStreak = 0;
    #unknownStreak = 0;
    #longestUnknownStreak = 0;
    #failedInterval;
    #failReason;
    #lastUnknown;
    #passedByPolicy = 0;
    constructor(threshold) {
        this.threshold = threshold;
    }
    /** Records one interval; the check fails when `threshold` failed intervals come in a row. */
    record(index, judgement) {
        const { outcome } = judgement;
        this.#outcomes.push(outcome);
        if (outcome === 'fail')
            this.#failStreak++;
        else if (outcome === 'pass')
            this.#failStreak = 0;
        // An interval without evidence neither breaks nor extends a run of failures.
        if (outcome === 'unknown') {
            this.#unknownStreak++;
            this.#longestUnknownStreak = Math.max(this.#longestUnknownStreak, this.#unknownStreak);
        }
        else if (outcome !== 'pending') {
            this.#unknownStreak = 0;
        }
        if (judgement.policy) {
            if (judgement.policy.applied === 'pass')
                this.#passedByPolicy++;
            if (outcome === 'unknown')
                this.#lastUnknown = { note: judgement.note ?? '', input: judgement.policy.input };
        }
        if (this.#failedInterval === undefined && this.#failStreak >= this.threshold) {
            this.#failedInterval = index;
            this.#failReason = judgement.failure?.(this.threshold) ?? judgement.note ?? 'failed';
        }
    }
    get failed() {
        return this.#failedInterval !== undefined;
    }
    get failedInterval() {
        return this.#failedInterval;
    }
    get failReason() {
        return this.#failReason;
    }
    get intervals() {
        return this.#outcomes.length;
    }
    get longestUnknownStreak() {
        return this.#longestUnknownStreak;
    }
    get lastUnknown() {
        return this.#lastUnknown;
    }
    get passedByPolicy() {
        return this.#passedByPolicy;
    }
    count(outcome) {
        return this.#outcomes.filter((o) => o === outcome).length;
    }
    /** Interval counts as the report shows them. */
    tally() {
        return { pass: this.count('pass'), fail: this.count('fail'), unknown: this.count('unknown') };
    }
}
/**
 * An interval's evidence as a source found it — a pass, a fail, no data, or a
 * backend error — turned into an outcome by the `on-no-data` / `on-error`
 * policies. Every source whose backend can be blind or broken judges through
 * this, so the policies mean the same everywhere.
 */
function byPolicy(found, policies, note, failure) {
    if (found === 'pass' || found === 'fail')
        return { outcome: found, ...(note ? { note } : {}), ...(failure ? { failure } : {}) };
    const input = found === 'no-data' ? 'on-no-data' : 'on-error';
    const applied = found === 'no-data' ? policies.onNoData : policies.onError;
    return {
        outcome: applied === 'inconclusive' ? 'unknown' : applied,
        policy: { input, applied },
        ...(note ? { note } : {}),
        failure: (streak) => `${note ?? 'no evidence'}, in ${streak} interval${streak > 1 ? 's' : ''} in a row (${input}: fail)`,
    };
}
/** What names a check in its verdict, the same way for every source. */
function checkIdentity(source, tracker, subject) {
    return {
        name: source.name,
        kind: source.kind,
        subject,
        ...(source.dryRun ? { dryRun: true } : {}),
        intervals: tracker.tally(),
    };
}
/** The verdict parts every source shares: a failure as the tracker recorded it, or no interval at all. */
function settledVerdict(tracker, what) {
    if (tracker.failed)
        return { verdict: 'fail', reason: tracker.failReason, failedInterval: tracker.failedInterval };
    if (tracker.intervals === 0)
        return { verdict: 'inconclusive', reason: `${what}: no interval was completed` };
    return undefined;
}
/**
 * A check that never had evidence, or was blind for `threshold` intervals in
 * a row, is inconclusive: a failure could have hidden there.
 */
function blindVerdict(tracker, what) {
    const evidence = tracker.count('pass') + tracker.count('fail');
    if (evidence > 0 && tracker.longestUnknownStreak < tracker.threshold)
        return undefined;
    const span = evidence === 0 ? 'in any interval' : `for ${tracker.longestUnknownStreak} intervals in a row`;
    const last = tracker.lastUnknown;
    return {
        verdict: 'inconclusive',
        reason: `${what}: no evidence ${span}${last ? ` (${last.input}: inconclusive); last: ${last.note}` : ''}`,
    };
}
/** `(2 intervals without data or with errors counted as passing by policy)`, or nothing. */
function policyNote(tracker) {
    const n = tracker.passedByPolicy;
    return n
        ? ` (${n} interval${n > 1 ? 's' : ''} without data or with errors counted as passing by policy)`
        : '';
}
/** The causes of failed requests, most frequent first: `answered 500, expected 200-299 (6×)`. */
function causes(failed) {
    const counts = new Map();
    for (const sample of failed) {
        const key = sample.kind === 'latency' ? latencyCause(sample.failure ?? '') : (sample.failure ?? 'failed');
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([cause, count]) => (count > 1 ? `${cause} (${count}×)` : cause))
        .join('; ');
}
/** `took 812ms, over max-latency 500ms` → `over max-latency 500ms`, so that slow requests group together. */
function latencyCause(failure) {
    const at = failure.indexOf('over max-latency');
    return at >= 0 ? `slower than max-latency${failure.slice(at + 'over max-latency'.length)}` : failure;
}
/**
 * The verdict on the whole analysis. Dry-run checks are left out: they are
 * reported (and named at the end of the reason when they would have failed),
 * but never decide.
 */
function overall(checks, intervals, samples, aborted) {
    const stopped = aborted ? `stopped after ${intervals} interval${intervals === 1 ? '' : 's'}; ` : '';
    const judged = checks.filter((c) => !c.dryRun);
    const shadows = checks.filter((c) => c.dryRun && c.verdict !== 'pass');
    const shadowNote = shadows.length
        ? `; dry-run, not judged: ${shadows.map((c) => `${c.kind} "${c.name}" would have ${c.verdict === 'fail' ? 'failed' : 'been inconclusive'}`).join(', ')}`
        : '';
    const failed = judged.filter((c) => c.verdict === 'fail');
    if (failed.length) {
        const first = Math.min(...failed.map((c) => c.failedInterval ?? Number.POSITIVE_INFINITY));
        const earliest = failed.filter((c) => c.failedInterval === first);
        return { verdict: 'fail', reason: stopped + earliest.map((c) => c.reason).join('; ') };
    }
    const unsure = judged.filter((c) => c.verdict === 'inconclusive');
    if (unsure.length)
        return { verdict: 'inconclusive', reason: stopped + unsure.map((c) => c.reason).join('; ') + shadowNote };
    const shadowNames = new Set(checks.filter((c) => c.dryRun).map((c) => c.name));
    const requests = samples.filter((s) => s.side === 'target' && !shadowNames.has(s.check));
    const failures = requests.filter((s) => !s.ok).length;
    const traffic = requests.length ? ` (${requests.length} requests, ${failures} failed)` : '';
    return {
        verdict: 'pass',
        reason: `${stopped}all ${judged.length} check${judged.length === 1 ? '' : 's'} passed over ${intervals} interval${intervals === 1 ? '' : 's'}${traffic}${shadowNote}`,
    };
}
function verdicts_summarise(samples) {
    const latencies = samples
        .filter((s) => s.status !== undefined)
        .map((s) => s.ms)
        .sort((a, b) => a - b);
    const failures = samples.filter((s) => !s.ok).length;
    const at = (p) => (latencies.length ? round(percentile(latencies, p)) : null);
    return {
        requests: samples.length,
        failures,
        errorRate: samples.length ? round(failures / samples.length, 4) : null,
        p50Ms: at(50),
        p95Ms: at(95),
        p99Ms: at(99),
    };
}
function round(value, digits = 2) {
    const factor = 10 ** digits;
    return Math.round(value * factor) / factor;
}

;// CONCATENATED MODULE: ../../packages/core/dist/analysis/summary.js
/**
 * The human side of an analysis report: a job summary with the verdict and
 * its reason, a table per check, and latency / error-rate charts over the
 * window. canary-shift renders one per step with the same function.
 */




const MARK = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⚠️ inconclusive' };
/** Beyond this many intervals, charts group neighbouring intervals so they stay legible. */
const MAX_CHART_POINTS = 40;
/**
 * One sentence per dry-run check that would have failed, for a warning
 * annotation: the shadow check is visible without ever deciding.
 */
function dryRunWarnings(report) {
    return report.checks
        .filter((c) => c.dryRun && c.verdict === 'fail')
        .map((c) => `dry-run ${c.kind} "${c.name}" would have failed (not part of the verdict): ${c.reason}`);
}
/** A check's mark; a dry-run check says it was not judged (`❌ fail (dry-run, not judged)`). */
function markOf(check) {
    return check.dryRun ? `${MARK[check.verdict]} (dry-run, not judged)` : MARK[check.verdict];
}
/** Appends the report to `summary` (a new one by default) and returns it. */
function renderAnalysisSummary(report, options = {}, summary = new Summary()) {
    const level = options.level ?? 2;
    summary.heading(`${options.title ?? 'Analysis'}: ${MARK[report.verdict]}`, level);
    summary.alert(report.verdict === 'fail' ? 'CAUTION' : report.verdict === 'inconclusive' ? 'WARNING' : 'NOTE', report.reason);
    summary.paragraph(`${report.intervals} of ${report.plannedIntervals} intervals of ${(0,duration/* formatDuration */.a3)(report.intervalMs)}` +
        ` (a check fails after ${report.failureThreshold} failed interval${report.failureThreshold > 1 ? 's' : ''} in a row)` +
        `${report.aborted ? ', stopped before the end of the window' : ''}. ` +
        (report.requests
            ? `Target: ${report.requests} requests, ${report.failures} failed (${latency_percent(report.errorRate)}), ` +
                `p50 ${ms(report.p50Ms)}, p95 ${ms(report.p95Ms)}, p99 ${ms(report.p99Ms)}.`
            : ''));
    const shadows = report.checks.filter((c) => c.dryRun && c.verdict === 'fail');
    if (shadows.length)
        summary.alert('WARNING', `Dry-run, not part of the verdict — would have failed: ${shadows.map((c) => c.reason).join('; ')}`);
    summary.table(['check', 'kind', 'verdict', 'intervals ✓ / ✗ / ?', 'evidence'], report.checks.map((c) => [
        c.name,
        c.kind,
        markOf(c),
        `${c.intervals.pass} / ${c.intervals.fail} / ${c.intervals.unknown}`,
        c.reason,
    ]));
    const sub = (level + 1);
    for (const check of report.checks) {
        summary.heading(`Check "${check.name}" (${check.kind}): ${markOf(check)}`, sub);
        summary.table(['', ...check.table.columns], check.table.rows);
    }
    renderCharts(report, summary);
    summary.details('Every interval', `\n${new Summary()
        .table(['#', 'started', 'requests', 'failed', 'p50', 'p95', 'notes'], report.timeline.map((s) => [
        s.index + 1,
        new Date(s.startedAt).toISOString().slice(11, 23),
        s.target.requests,
        s.target.failures,
        ms(s.target.p50Ms),
        ms(s.target.p95Ms),
        Object.entries(s.notes)
            .map(([check, note]) => `${check}: ${note}`)
            .join(' · '),
    ]))
        .toMarkdown()}`);
    return summary;
}
/** Latency percentiles and error rate over the window, neighbouring intervals grouped when there are many. */
function renderCharts(report, summary) {
    if (report.requests === 0 || report.intervals < 2)
        return;
    const group = Math.ceil(report.intervals / MAX_CHART_POINTS);
    const buckets = [];
    for (let first = 0; first < report.intervals; first += group) {
        const inBucket = report.samples.filter((s) => s.interval >= first && s.interval < first + group);
        // Labels must be distinct on a categorical axis: as many decimals as the bucket length needs.
        const bucketMs = group * report.intervalMs;
        const decimals = bucketMs >= 1000 ? 0 : bucketMs >= 100 ? 1 : bucketMs >= 10 ? 2 : 3;
        buckets.push({
            label: `${((first * report.intervalMs) / 1000).toFixed(decimals)}s`,
            target: verdicts_summarise(inBucket.filter((s) => s.side === 'target')),
            baseline: verdicts_summarise(inBucket.filter((s) => s.side === 'baseline')),
        });
    }
    const hasBaseline = report.samples.some((s) => s.side === 'baseline');
    const value = (v) => v ?? 0;
    summary.chart({
        title: `Latency (ms): target p50 (blue), target p95 (red)${hasBaseline ? ', baseline p95 (grey)' : ''}`,
        x: buckets.map((b) => b.label),
        yLabel: 'ms',
        series: [
            { name: 'target p50', colour: 'blue', values: buckets.map((b) => value(b.target.p50Ms)) },
            { name: 'target p95', colour: 'red', values: buckets.map((b) => value(b.target.p95Ms)) },
            ...(hasBaseline
                ? [
                    {
                        name: 'baseline p95',
                        colour: 'grey',
                        values: buckets.map((b) => value(b.baseline.p95Ms)),
                    },
                ]
                : []),
        ],
    });
    summary.chart({
        title: `Failed requests (%): target (red bars)${hasBaseline ? ', baseline (grey line)' : ''}`,
        x: buckets.map((b) => b.label),
        yLabel: '%',
        yMin: 0,
        yMax: 100,
        series: [
            {
                name: 'target',
                kind: 'bar',
                colour: 'red',
                values: buckets.map((b) => value(b.target.errorRate) * 100),
            },
            ...(hasBaseline
                ? [
                    {
                        name: 'baseline',
                        kind: 'line',
                        colour: 'grey',
                        values: buckets.map((b) => value(b.baseline.errorRate) * 100),
                    },
                ]
                : []),
        ],
    });
}

// EXTERNAL MODULE: ../../packages/core/dist/traffic/restore.js
var restore = __webpack_require__(3914);
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

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
// EXTERNAL MODULE: ../../packages/core/dist/analysis/config.js
var config = __webpack_require__(2535);
// EXTERNAL MODULE: ../../packages/core/dist/analysis/request.js
var request = __webpack_require__(4608);
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
        const ms = probe_round(answer.ms);
        const problem = probe_judge(check, answer.status, answer.body, ms);
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
        return { at, ms: probe_round(error.ms), ok: false, kind, failure: error.message };
    }
}
function probe_judge(check, status, body, ms) {
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
function probe_round(ms) {
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
        const comparison = compareToBaseline(this.side('target'), this.side('baseline'), this.settings);
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
        const target = verdicts_summarise(this.side('target'));
        const baseline = verdicts_summarise(this.side('baseline'));
        const decided = settledVerdict(tracker, what) ??
            (!comparison || comparison.outcome === 'pending'
                ? {
                    verdict: 'inconclusive',
                    reason: `${what}: too few samples to compare (${comparison?.detail ?? 'no interval was completed'})`,
                }
                : { verdict: 'pass', reason: `${what}: ${comparison.detail}` });
        return {
            ...checkIdentity(this, tracker, subject),
            target,
            baseline,
            ...(comparison ? { comparison } : {}),
            ...decided,
            table: latencyTable(subject, [
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
            ...(failed.length ? { note: `${failed.length}/${own.length} failed: ${causes(failed)}` } : {}),
            // The evidence is every request of the intervals in the failing run.
            failure: (streak) => {
                const run = this.targetSamples().filter((s) => s.interval > index - streak);
                const bad = run.filter((s) => !s.ok);
                return `check "${this.name}": ${bad.length}/${run.length} requests failed in the last ${streak === 1 ? 'interval' : `${streak} intervals`}: ${causes(bad)}`;
            },
        };
    }
    conclude(tracker) {
        const target = verdicts_summarise(this.targetSamples());
        const subject = `${this.check.method} ${(0,secrets/* displayUrl */.Qy)(this.check.url)}`;
        const what = `check "${this.name}"`;
        const threshold = tracker.threshold;
        const failedNote = target.failures
            ? `, ${target.failures} failed (never ${threshold} failed interval${threshold > 1 ? 's' : ''} in a row)`
            : '';
        const decided = settledVerdict(tracker, what) ?? {
            verdict: 'pass',
            reason: `${what}: ${target.requests} requests in ${tracker.intervals} intervals${failedNote}, p95 ${target.p95Ms === null ? 'n/a' : `${target.p95Ms}ms`}`,
        };
        return {
            ...checkIdentity(this, tracker, subject),
            target,
            ...decided,
            table: latencyTable(subject, [{ label: 'target', summary: target }], decided.reason),
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
        return byPolicy(m.outcome, {
            onNoData: this.check.onNoData ?? this.config.onNoData,
            onError: this.check.onError ?? this.config.onError,
        }, m.failure, (streak) => `${m.failure}, in ${streak} interval${streak > 1 ? 's' : ''} in a row`);
    }
    conclude(tracker) {
        const what = `query "${this.name}"`;
        const { check } = this;
        // A web query is its URL: shown without the credentials it may carry.
        const shown = (query) => check.provider === 'web' && URL.canParse(query) ? (0,secrets/* displayUrl */.Qy)(new URL(query)) : query;
        const decided = settledVerdict(tracker, what) ??
            blindVerdict(tracker, what) ?? {
            verdict: 'pass',
            reason: `${what}: within bounds${check.compare ? ` (and no worse than the live slot ${check.compare.liveSlot} beyond the tolerance)` : ''} in ${tracker.count('pass')} of ${tracker.intervals} intervals${policyNote(tracker)}`,
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
            ...checkIdentity(this, tracker, shown(check.query)),
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
        throw new traffic_router/* RouterError */.KJ(`unexpected answer to "show stat": ${JSON.stringify(text.slice(0, 200))}`);
    const columns = header.slice(2).split(',');
    const at = (name) => columns.indexOf(name);
    const need = ['pxname', 'svname', 'hrsp_5xx', 'econ', 'eresp', 'rtime'];
    const missing = need.filter((name) => at(name) < 0);
    if (missing.length)
        throw new traffic_router/* RouterError */.KJ(`"show stat" has no column ${missing.join(', ')} (is the backend in mode http?)`);
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
        throw error instanceof traffic_router/* RouterError */.KJ ? error : new traffic_router/* RouterError */.KJ((0,errors/* errorMessage */.gJ)(error));
    }
    const servers = parseShowStat(text, options.backend);
    const bySlot = new Map();
    for (const [slot, server] of options.slots) {
        const counters = servers.get(server);
        if (!counters)
            throw new traffic_router/* RouterError */.KJ(`HAProxy backend "${options.backend}" has no server "${server}" (slot "${slot}") in "show stat"`);
        bySlot.set(slot, counters);
    }
    return bySlot;
}

// EXTERNAL MODULE: external "node:dns/promises"
var external_node_dns_promises_ = __webpack_require__(1553);
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
        const ips = (0,external_node_net_.isIP)(bare) ? [bare] : (await (0,external_node_dns_promises_.lookup)(bare, { all: true })).map((a) => a.address);
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
        const now = await (0,promises_.stat)(this.path).catch(() => undefined);
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
            handle = await (0,promises_.open)(this.path, 'r');
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
                error instanceof traffic_router/* RouterError */.KJ ||
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
            return byPolicy('error', this.config, `real traffic: ${last.error}`, undefined);
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
        const head = `real traffic on ${s.slot}: ${target.errors} of ${target.requests} requests failed (${latency_percent(rate(target))})`;
        const path = topPath(target);
        if (s.maxErrorRate !== undefined) {
            const p = binomialAtLeast(target.errors, target.requests, s.maxErrorRate);
            if (rate(target) > s.maxErrorRate && p < alpha)
                problems.push(`over traffic-max-error-rate ${latency_percent(s.maxErrorRate)} (binomial p ${formatP(p)})`);
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
            const p = fisherExactGreater(target.errors, target.requests, reference.errors, reference.requests);
            const liveRate = reference.errors / reference.requests;
            const worse = rate(target) - liveRate > errorTolerance && p < alpha;
            (worse ? problems : facts).push(`vs ${latency_percent(liveRate)} of ${reference.requests} on ${s.liveSlot} (live)${reference.when} (Fisher's exact p ${formatP(p)}${worse ? `, beyond baseline-error-tolerance ${latency_percent(errorTolerance)}` : ''})`);
        }
        else if (s.maxErrorRate === undefined) {
            // Nothing of the live slot to compare with at all: the rate on its own, against the tolerance.
            const p = binomialAtLeast(target.errors, target.requests, errorTolerance);
            const over = rate(target) > errorTolerance && p < alpha;
            (over ? problems : facts).push(over
                ? `over baseline-error-tolerance ${latency_percent(errorTolerance)} with no live traffic to compare with (binomial p ${formatP(p)})`
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
            const p = mannWhitneyU(target.latencies, live.latencies, 'greater').pValue;
            const t = median(target.latencies);
            const l = median(live.latencies);
            const slower = t - l > Math.max(latencyFloorMs, latencyTolerance * l) && p < alpha;
            return {
                slower,
                sentence: `latency median ${(0,duration/* formatDuration */.a3)(t)} vs ${(0,duration/* formatDuration */.a3)(l)} on ${s.liveSlot} (Mann–Whitney p ${formatP(p)}${slower ? `, beyond baseline-latency-tolerance ${latency_percent(latencyTolerance)}` : ''})`,
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
            sentence: `average response time ${(0,duration/* formatDuration */.a3)(target.averageMs)} vs ${(0,duration/* formatDuration */.a3)(live.averageMs)} on ${s.liveSlot} (HAProxy rtime, a comparison signal${slower ? `, beyond baseline-latency-tolerance ${latency_percent(latencyTolerance)}` : ''})`,
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
        const decided = settledVerdict(tracker, what) ??
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
                            reason: `${what}: ${target.errors} of ${target.requests} requests failed (${latency_percent(rate(target))}) vs ${latency_percent(rate(live))} of ${live.requests} on ${s.liveSlot}, over ${judged} judged interval${judged === 1 ? '' : 's'}${this.quiet ? ` (${this.quiet} too quiet to judge)` : ''}`,
                        });
        const sorted = (t) => [...t.latencies].sort((a, b) => a - b);
        const p = (t, q) => (t.latencies.length ? ms(percentile(sorted(t), q)) : 'n/a');
        const rows = [
            ['source', this.reader.describe, ''],
            ['requests', target.requests, live.requests],
            [
                'failed',
                `${target.errors} (${latency_percent(target.requests ? rate(target) : null)})`,
                `${live.errors} (${latency_percent(live.requests ? rate(live) : null)})`,
            ],
            ...(s.router.kind === 'nginx'
                ? [
                    ['p50', p(target, 50), p(live, 50)],
                    ['p95', p(target, 95), p(live, 95)],
                    ['most failing path', topPath(target) ?? '—', topPath(live) ?? '—'],
                ]
                : [['average response (rtime)', ms(target.averageMs ?? null), ms(live.averageMs ?? null)]]),
            ['errors are', `${(0,config/* formatStatusRanges */.cO)(s.errorStatus)} and connection errors`, ''],
            ['verdict', decided.reason, ''],
        ];
        return {
            ...checkIdentity(this, tracker, `${this.reader.describe}: ${s.slot} vs ${s.liveSlot}`),
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
    const trackers = sources.map(() => new Tracker(config.failureThreshold));
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
                target: verdicts_summarise(own.filter((s) => s.side === 'target')),
                ...(config.baseline ? { baseline: verdicts_summarise(own.filter((s) => s.side === 'baseline')) } : {}),
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
    const { verdict, reason } = overall(checks, timeline.length, samples, aborted);
    const last = timeline.at(-1);
    if (last) {
        last.verdict = verdict;
        if (!aborted)
            options.onInterval?.(last);
    }
    // The totals are the judged checks' requests; a dry-run probe's are in its own verdict.
    const target = verdicts_summarise(samples.filter((s) => s.side === 'target' && !dryRun.includes(s.check)));
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

;// CONCATENATED MODULE: ./lib/analyst.js

/**
 * The analysis engine as the shift sees it: one analysis per step, as long as
 * the step holds. The engine returns as soon as a check has failed, which is
 * what lets the shift revert mid-step. Each step's report is kept for the
 * job summary.
 */
function stepAnalyst(config, options) {
    return async ({ step, durationMs, signal, onInterval }) => {
        const report = await analyse(config, {
            durationMs,
            signal,
            onInterval: (snapshot) => {
                options.log.info(`  ${intervalLine(snapshot)}`);
                onInterval({ at: snapshot.endedAt, errorRate: snapshot.target.errorRate ?? undefined });
            },
        });
        options.reports.set(step.number, report);
        for (const warning of dryRunWarnings(report))
            options.log.warning(`Step ${step.number} (${step.weight}%): ${warning}`);
        return toStepVerdict(report);
    };
}
function toStepVerdict(report) {
    return {
        verdict: report.verdict,
        reason: report.reason,
        samples: report.requests,
        p95Ms: report.p95Ms ?? undefined,
        errorRate: report.errorRate ?? undefined,
        firstFailureAt: report.verdict === 'fail' ? firstFailureAt(report) : undefined,
    };
}
/**
 * When the evidence against the release began: the first failed request of
 * the target, or — for failures that are not single requests (a slow release
 * against its baseline, a Prometheus query) — the start of the first interval
 * a check judged as failed.
 */
function firstFailureAt(report) {
    const shadows = new Set(report.checks.filter((c) => c.dryRun).map((c) => c.name));
    const failedSample = report.samples.find((s) => s.side === 'target' && !s.ok && !shadows.has(s.check));
    const failedInterval = report.timeline.find(judgedFailure);
    const candidates = [failedSample?.at, failedInterval?.startedAt].filter((v) => v !== undefined);
    return candidates.length ? Math.min(...candidates) : undefined;
}
/** A check that counts (not dry-run) failed this interval. */
function judgedFailure(snapshot) {
    return Object.entries(snapshot.outcomes).some(([check, outcome]) => outcome === 'fail' && !snapshot.dryRun.includes(check));
}
function intervalLine(s) {
    const outcomes = Object.entries(s.outcomes)
        .map(([check, outcome]) => `${check}${s.dryRun.includes(check) ? ' (dry-run)' : ''}: ${outcome}${s.notes[check] ? ` (${s.notes[check]})` : ''}`)
        .join('; ');
    const rate = s.target.errorRate === null ? '' : `, error rate ${(s.target.errorRate * 100).toFixed(0)}%`;
    const p95 = s.target.p95Ms === null ? '' : `, p95 ${s.target.p95Ms}ms`;
    return `interval ${s.index + 1}: ${s.target.requests} requests${rate}${p95} — ${outcomes}`;
}

// EXTERNAL MODULE: ./lib/context.js + 7 modules
var lib_context = __webpack_require__(9590);
;// CONCATENATED MODULE: ./lib/deploy.js

/**
 * `target-slot: auto`: the idle slot, i.e. the one that takes no traffic in
 * `weights` (read from the router once for the whole decision). When traffic
 * is split, which slot is "new" is a question for the ledger and the rerun
 * logic, not for a guess: the user must name the slot (or roll back).
 */
function idleSlot(weights, slots, router) {
    const idle = slots.filter((slot) => (weights[slot] ?? 0) === 0);
    if (idle.length === 1)
        return idle[0];
    throw new errors/* GlidepathError */.HT(`target-slot is auto, but no single slot is idle: ${router} has ${(0,traffic_router/* formatWeights */.V7)(weights)}. ` +
        'Name the slot that runs the new release in target-slot (a rerun resumes or reverts a split), or roll back first.');
}

// EXTERNAL MODULE: ../../packages/core/dist/ledger/file.js + 1 modules
var file = __webpack_require__(3535);
;// CONCATENATED MODULE: ../../packages/core/dist/github.js

/**
 * An authenticated GitHub client with retries and rate-limit throttling,
 * against `GITHUB_API_URL` (GitHub Enterprise Server sets it). Loaded with a
 * dynamic import so actions that never talk to GitHub do not pay for Octokit
 * and its HTTP stack at start-up.
 */
async function githubClient(token, options = {}) {
    const [{ getOctokit }, { retry }, { throttling }] = await Promise.all([
        __webpack_require__.e(/* import() */ 738).then(__webpack_require__.bind(__webpack_require__, 1738)),
        Promise.all(/* import() */[__webpack_require__.e(503), __webpack_require__.e(491)]).then(__webpack_require__.bind(__webpack_require__, 4491)),
        Promise.all(/* import() */[__webpack_require__.e(503), __webpack_require__.e(812)]).then(__webpack_require__.bind(__webpack_require__, 2812)),
    ]);
    const baseUrl = options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com';
    return getOctokit(token, {
        baseUrl,
        throttle: {
            enabled: options.throttle ?? true,
            onRateLimit: (retryAfter, request, _octokit, retryCount) => {
                log/* runnerLog */.t1.warning(`GitHub rate limit hit on ${request.method} ${request.url}; retrying after ${retryAfter}s.`);
                return retryCount < 2;
            },
            onSecondaryRateLimit: (retryAfter, request) => {
                log/* runnerLog */.t1.warning(`GitHub secondary rate limit on ${request.method} ${request.url}; waiting ${retryAfter}s.`);
                return true;
            },
        },
        retry: { doNotRetry: [400, 401, 403, 404, 409, 422] },
    }, retry, throttling);
}

// EXTERNAL MODULE: ../../packages/core/dist/ledger/rules.js
var rules = __webpack_require__(5057);
;// CONCATENATED MODULE: ../../packages/core/dist/ledger/github.js




/** How many of the newest deployments a new live release looks through to mark the earlier live ones inactive. */
const SUPERSEDE_SCAN = 20;
class GitHubLedger {
    owner;
    repo;
    #options;
    #client;
    constructor(options) {
        const [owner, repo, ...rest] = options.repository.split('/');
        if (!owner || !repo || rest.length > 0)
            throw new errors/* OperationError */.OK(`The ledger repository must be "owner/name"; got ${JSON.stringify(options.repository)}.`);
        this.owner = owner;
        this.repo = repo;
        this.#options = options;
    }
    describe() {
        return `GitHub Deployments of ${this.owner}/${this.repo}`;
    }
    async begin(release) {
        const payload = {
            version: release.version,
            slot: release.slot,
            ...(release.commit ? { commit: release.commit } : {}),
            ...(release.rollbackFrom ? { rollbackFrom: release.rollbackFrom } : {}),
            ...(release.owner ? { owner: release.owner } : {}),
            ...(release.flip ? { flip: true } : {}),
        };
        const description = (0,rules/* truncateDescription */.Hy)(release.description ?? `${release.version} to slot ${release.slot}`);
        const deployment = await this.#call(`record the release of ${release.version} in ${release.environment}`, async (client) => {
            const created = await client.rest.repos.createDeployment({
                owner: this.owner,
                repo: this.repo,
                ref: release.commit ?? this.#options.defaultRef ?? process.env.GITHUB_SHA ?? release.version,
                task: 'deploy',
                environment: release.environment,
                auto_merge: false,
                // No commit status checks: the pipeline has already decided to release.
                required_contexts: [],
                payload: { ...payload },
                description,
                transient_environment: false,
            });
            if (created.status !== 201 || !('id' in created.data))
                throw new Error(`GitHub answered ${created.status} without creating a deployment: ${JSON.stringify(created.data)}`);
            return created.data;
        });
        const started = (0,rules/* newRelease */.Gj)({
            id: String(deployment.id),
            environment: deployment.environment,
            ...payload,
            createdAt: deployment.created_at,
        });
        return this.#addStatus(started, {
            status: 'in_progress',
            reason: description,
            logUrl: release.logUrl ?? this.#defaultLogUrl(),
            environmentUrl: release.environmentUrl,
        });
    }
    async finish(release, outcome) {
        if (outcome.status === 'success') {
            // A release someone else ended (a rollback that took over) is not made
            // live by a success that comes after; the reading rule says the same.
            const now = await this.reload(release);
            if (now && (now.status === 'failure' || now.status === 'error'))
                return now;
        }
        const finished = await this.#addStatus(release, {
            status: outcome.status,
            reason: outcome.reason,
            logUrl: outcome.logUrl ?? release.logUrl ?? this.#defaultLogUrl(),
            environmentUrl: outcome.environmentUrl ?? release.environmentUrl,
        });
        if (finished.status === 'success')
            await this.#supersede(finished);
        return finished;
    }
    async heartbeat(release) {
        // GitHub has no compare-and-swap: read first so an ended entry is not
        // given another status, and let the reading rule (an in-progress status
        // after an ended one changes nothing) settle the race that remains.
        const now = await this.reload(release);
        if (now?.status !== 'in_progress')
            return now;
        return this.#addStatus(now, {
            status: 'in_progress',
            reason: now.reason,
            logUrl: now.logUrl,
            environmentUrl: now.environmentUrl,
        });
    }
    async discard(release) {
        await this.#call(`remove deployment ${release.id}`, async (client) => {
            try {
                // GitHub deletes only a deployment that is not active; made inactive
                // first, this one is not, whichever way GitHub reads "active".
                await client.rest.repos.createDeploymentStatus({
                    owner: this.owner,
                    repo: this.repo,
                    deployment_id: Number(release.id),
                    state: 'inactive',
                    description: 'Withdrawn: it changed nothing',
                });
                await client.rest.repos.deleteDeployment({
                    owner: this.owner,
                    repo: this.repo,
                    deployment_id: Number(release.id),
                });
            }
            catch (error) {
                if (error.status !== 404)
                    throw error;
            }
        });
    }
    async reload(release) {
        const deployment = await this.#call(`read deployment ${release.id}`, async (client) => {
            try {
                return (await client.rest.repos.getDeployment({
                    owner: this.owner,
                    repo: this.repo,
                    deployment_id: Number(release.id),
                })).data;
            }
            catch (error) {
                if (error.status === 404)
                    return undefined;
                throw error;
            }
        });
        const payload = deployment ? readPayload(deployment.payload) : undefined;
        return deployment && payload ? this.#load(deployment, payload) : undefined;
    }
    /**
     * Marks the earlier live releases of the environment inactive. GitHub's
     * `auto_inactive` does this only outside production (its description: "all
     * prior non-transient, non-production environment deployments"), and
     * production is where "which release is live" matters most, so the ledger
     * does it itself: the newest earlier live release among the SUPERSEDE_SCAN
     * newest deployments (each success leaves one live release, so that is the
     * only one, and the cost is a list and a few status reads). The release is
     * already recorded as live; a failure here is a warning, not a failed release.
     */
    async #supersede(live) {
        // The ledger never sets production_environment, so GitHub's default holds:
        // only the environment named production is one auto_inactive skips.
        if (live.environment !== 'production')
            return;
        let scanned = 0;
        try {
            for await (const entry of this.#entries(live.environment, new Map(), SUPERSEDE_SCAN)) {
                if (++scanned > SUPERSEDE_SCAN)
                    break;
                const earlier = await entry.load();
                if (!earlier ||
                    earlier.id === live.id ||
                    Number(earlier.id) > Number(live.id) ||
                    earlier.status !== 'success')
                    continue;
                await this.#addStatus(earlier, {
                    status: 'inactive',
                    logUrl: earlier.logUrl,
                    environmentUrl: earlier.environmentUrl,
                });
                // Each success leaves one live release, so the newest earlier one is the only one.
                return;
            }
        }
        catch (error) {
            (this.#options.warn ?? log/* runnerLog */.t1.warning)(`${live.version} is recorded as live in ${live.environment}, but an earlier live release could not be marked inactive, so GitHub may show two active deployments: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    }
    async history(environment, limit = 20) {
        const entries = [];
        for await (const entry of this.#entries(environment, new Map(), Math.min(limit, 100))) {
            if (entries.length >= limit)
                break;
            entries.push(entry);
        }
        // A few status reads at a time: parallel enough to be quick, few enough
        // not to trip GitHub's secondary rate limit.
        const releases = [];
        for (let i = 0; i < entries.length; i += 4)
            for (const release of await Promise.all(entries.slice(i, i + 4).map((e) => e.load())))
                if (release)
                    releases.push(release);
        return releases;
    }
    current(environment) {
        return (0,rules/* selectCurrent */.Y2)(this.#entries(environment, new Map()));
    }
    async previousGood(environment) {
        const loaded = new Map();
        const current = await (0,rules/* selectCurrent */.Y2)(this.#entries(environment, loaded));
        return (0,rules/* selectPreviousGood */.$F)(this.#entries(environment, loaded), current);
    }
    slots(environment) {
        return (0,rules/* selectSlots */.Mg)(this.#entries(environment, new Map()));
    }
    find(environment, version) {
        return (0,rules/* selectVersion */.fe)(this.#entries(environment, new Map()), version);
    }
    rollback(rollback) {
        return (0,rules/* recordRollback */.Ij)(this, rollback);
    }
    #defaultLogUrl() {
        return this.#options.logUrl ?? (0,rules/* runLogUrl */.lm)();
    }
    async #addStatus(release, fields) {
        const status = await this.#call(`record status ${fields.status} of ${release.version} in ${release.environment}`, async (client) => (await client.rest.repos.createDeploymentStatus({
            owner: this.owner,
            repo: this.repo,
            deployment_id: Number(release.id),
            state: fields.status,
            description: (0,rules/* truncateDescription */.Hy)(fields.reason ?? ''),
            ...(fields.logUrl ? { log_url: fields.logUrl } : {}),
            ...(fields.environmentUrl ? { environment_url: fields.environmentUrl } : {}),
            // Outside production GitHub makes the release this one replaces
            // inactive; in production #supersede does.
            ...(fields.status === 'success' ? { auto_inactive: true } : {}),
        })).data);
        return (0,rules/* applyStatus */.Th)(release, statusRecord(status));
    }
    /**
     * Glidepath's deployments of an environment, newest first, at most
     * `scanLimit`; each loads its statuses on demand (memoised in `loaded`).
     */
    async *#entries(environment, loaded, perPage = 100) {
        const client = await this.#clientOnce();
        const limit = this.#options.scanLimit ?? 100;
        const pages = client.paginate.iterator(client.rest.repos.listDeployments, {
            owner: this.owner,
            repo: this.repo,
            environment,
            task: 'deploy',
            per_page: perPage,
        });
        let seen = 0;
        const iterator = pages[Symbol.asyncIterator]();
        while (seen < limit) {
            let page;
            try {
                page = (await iterator.next());
            }
            catch (error) {
                throw this.#error(`read the deployments of ${environment}`, error);
            }
            if (page.done)
                return;
            for (const deployment of page.value.data) {
                if (seen++ >= limit)
                    return;
                const payload = readPayload(deployment.payload);
                if (!payload)
                    continue;
                yield {
                    version: payload.version,
                    slot: payload.slot,
                    ...(payload.flip ? { flip: true } : {}),
                    load: () => {
                        let release = loaded.get(deployment.id);
                        if (!release) {
                            release = this.#load(deployment, payload);
                            loaded.set(deployment.id, release);
                        }
                        return release;
                    },
                };
            }
        }
    }
    /** The release with its statuses; undefined when the deployment was deleted since it was listed. */
    async #load(deployment, payload) {
        const statuses = await this.#call(`read the statuses of deployment ${deployment.id}`, async (client) => {
            try {
                return (await client.rest.repos.listDeploymentStatuses({
                    owner: this.owner,
                    repo: this.repo,
                    deployment_id: deployment.id,
                    per_page: 100,
                })).data;
            }
            catch (error) {
                if (error.status === 404)
                    return undefined;
                throw error;
            }
        });
        if (!statuses)
            return undefined;
        const start = (0,rules/* newRelease */.Gj)({
            id: String(deployment.id),
            environment: deployment.environment,
            ...payload,
            createdAt: deployment.created_at,
        });
        // GitHub lists statuses newest first; they add up oldest first.
        return [...statuses].reverse().map(statusRecord).reduce(rules/* applyStatus */.Th, start);
    }
    #clientOnce() {
        this.#client ??= this.#options.client
            ? Promise.resolve(this.#options.client)
            : githubClient(this.#options.token, {
                ...(this.#options.baseUrl ? { baseUrl: this.#options.baseUrl } : {}),
            });
        return this.#client;
    }
    async #call(what, request) {
        const client = await this.#clientOnce();
        try {
            return await request(client);
        }
        catch (error) {
            throw this.#error(what, error);
        }
    }
    #error(what, error) {
        const status = error.status;
        const hint = status === 401
            ? ' The token was refused.'
            : status === 403 || status === 404
                ? ` The token needs the "deployments: write" permission on ${this.owner}/${this.repo}.`
                : '';
        return new errors/* OperationError */.OK(`${this.describe()}: could not ${what}: ${(0,errors/* errorMessage */.gJ)(error)}.${hint}`, {
            cause: error,
        });
    }
}
function readPayload(payload) {
    let value = payload;
    if (typeof value === 'string') {
        try {
            value = JSON.parse(value);
        }
        catch {
            return undefined;
        }
    }
    if (!value || typeof value !== 'object')
        return undefined;
    const { version, slot, commit, rollbackFrom, owner, flip } = value;
    if (typeof version !== 'string' || typeof slot !== 'string')
        return undefined;
    const holder = readOwner(owner);
    return {
        version,
        slot,
        ...(typeof commit === 'string' && commit ? { commit } : {}),
        ...(typeof rollbackFrom === 'string' && rollbackFrom ? { rollbackFrom } : {}),
        ...(holder ? { owner: holder } : {}),
        ...(flip === true ? { flip: true } : {}),
    };
}
function readOwner(value) {
    if (!value || typeof value !== 'object')
        return undefined;
    const { kind, run, attempt } = value;
    if (kind !== 'shift' && kind !== 'rollback')
        return undefined;
    return {
        kind,
        ...(typeof run === 'string' && run ? { run } : {}),
        ...(typeof attempt === 'number' && Number.isInteger(attempt) && attempt > 0 ? { attempt } : {}),
    };
}
function statusRecord(status) {
    const state = status.state;
    return {
        status: state === 'queued' || state === 'pending' ? 'in_progress' : state,
        ...(status.description ? { reason: status.description } : {}),
        ...(status.log_url || status.target_url ? { logUrl: status.log_url || status.target_url } : {}),
        ...(status.environment_url ? { environmentUrl: status.environment_url } : {}),
        at: status.created_at,
    };
}

;// CONCATENATED MODULE: ../../packages/core/dist/ledger/create.js



const defaultLedgerFile = '.glidepath/ledger.json';
/** The ledger to use, chosen as `store` says; `describe()` tells which for the log. */
function createLedger(options = {}) {
    const store = options.store ?? 'auto';
    const repository = options.repository || process.env.GITHUB_REPOSITORY || undefined;
    const token = options.token || undefined;
    if (store === 'github' || (store === 'auto' && token && repository)) {
        if (!token || !repository)
            throw new errors/* GlidepathError */.HT(`The GitHub ledger needs ${!token ? 'a token' : 'a repository (owner/name, GITHUB_REPOSITORY)'}; ` +
                'pass one, or use the ledger file.');
        return new GitHubLedger({ ...options.github, token, repository });
    }
    return new file/* FileLedger */.U(options.file || defaultLedgerFile, options.fileOptions);
}

;// CONCATENATED MODULE: ./lib/ledger.js

/** GitHub Deployments when a token is given (input or `GITHUB_TOKEN`), else the JSON ledger file. */
function openLedger(context) {
    return createLedger({ token: context.token, file: context.ledgerFile });
}

;// CONCATENATED MODULE: ./lib/rollout/notify.js

/**
 * The message for a Slack-compatible incoming webhook: `text` is what Slack,
 * Mattermost, Rocket.Chat and Discord's `/slack` endpoint all show; `blocks`
 * adds Slack's richer layout.
 */
function webhookPayload(n) {
    const icon = n.outcome.result === 'promoted'
        ? ':white_check_mark:'
        : n.outcome.result === 'held'
            ? ':pause_button:'
            : ':rewind:';
    const verb = n.outcome.result === 'promoted' ? 'promoted' : n.outcome.result === 'held' ? 'held' : 'rolled back';
    const text = (0,secrets/* redact */.E$)(`${icon} ${n.environment}: ${n.version} ${verb} (${n.plan.target} at ${n.outcome.weight}%). ${n.outcome.reason}`);
    const context = [`strategy ${n.plan.strategy}`, `steps ${n.plan.steps.map((s) => s.weight).join(',')}`];
    if (n.runUrl)
        context.push(`<${n.runUrl}|run>`);
    return {
        text,
        blocks: [
            { type: 'section', text: { type: 'mrkdwn', text } },
            { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
        ],
    };
}
/**
 * Posts the notification. A webhook is a courtesy, not part of the release:
 * any failure (network, non-2xx, timeout) is returned as a warning message for
 * the caller to log, and never thrown. The URL is a secret and never appears
 * in that message.
 */
async function sendWebhook(url, payload, options = {}) {
    const doFetch = options.fetch ?? fetch;
    try {
        const response = await doFetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(payload),
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        if (!response.ok)
            return `The webhook answered HTTP ${response.status}; the notification was not delivered.`;
        await response.arrayBuffer().catch(() => undefined);
        return undefined;
    }
    catch (error) {
        return (0,secrets/* redact */.E$)(`The webhook could not be reached (${(0,errors/* errorMessage */.gJ)(error).split(url).join('***')}); the notification was not delivered.`);
    }
}

;// CONCATENATED MODULE: ../../packages/core/dist/clock.js
const systemClock = { now: () => Date.now() };

// EXTERNAL MODULE: ./lib/rollout/plan.js
var rollout_plan = __webpack_require__(1479);
;// CONCATENATED MODULE: ./lib/rollout/shift.js

class Stop extends Error {
    stopCause;
    constructor(stopCause, message) {
        super(message);
        this.stopCause = stopCause;
    }
}
/**
 * Walks a shift plan: for each step, set the weights, read them back, and hold
 * while the analysis runs. The analysis returns the moment a fail is certain,
 * and traffic returns to the live slot right then, not at the end of the step.
 *
 * Every exit path leaves traffic somewhere deliberate — all on the target
 * (promoted), all on the live slot (rolled back), or where it was when
 * `on-failure: hold` asks to keep it — and says so in `reason`. When even
 * the revert fails, `settled` is false and the reason names the last weights
 * that were verified, so the post step (or a human) knows where traffic stands.
 */
async function shift(plan, deps, options = {}) {
    const clock = deps.clock ?? systemClock;
    const { router, log } = deps;
    const startedAt = clock.now();
    const deadline = startedAt + plan.maxDurationMs;
    const steps = options.steps ?? plan.steps;
    const records = [];
    const curve = [];
    const event = (message) => log.info(message);
    const live = (0,traffic_router/* allTo */.jT)(plan.live, [plan.live, plan.target]);
    let current = -1;
    let lastVerified;
    const total = steps.length * plan.stepDurationMs;
    if (total > plan.maxDurationMs)
        log.warning(`The steps hold ${Math.round(total / 1000)} s in all, longer than max-duration (${Math.round(plan.maxDurationMs / 1000)} s): the shift will be reverted at the deadline.`);
    const finish = (result, weight, reason, extra = {}) => ({
        result,
        weight,
        reason,
        settled: true,
        steps: records,
        curve,
        startedAt,
        ...extra,
    });
    for (const [index, step] of steps.entries()) {
        const label = `Step ${index + 1}/${steps.length}${step.resumed ? ' (resumed)' : ''}`;
        const stepStarted = clock.now();
        log.section?.(`${label}: ${step.weight}% to ${plan.target}`);
        let verdict;
        try {
            if (options.signal?.aborted)
                throw new Stop('cancelled', cancelledReason(options.signal));
            if (clock.now() >= deadline)
                throw deadlineStop(plan);
            const weights = (0,traffic_router/* split */.lD)(plan.target, plan.live, step.weight);
            await guard(label);
            event(`${label}: ${(0,traffic_router/* formatWeights */.V7)(weights)}.`);
            try {
                await router.set(weights);
                await router.verify(weights);
            }
            catch (error) {
                throw new Stop('router', `The router failed at ${label.toLowerCase()} (${step.weight}%): ${(0,errors/* errorMessage */.gJ)(error)}`);
            }
            // A rollback that took over while the change was on its way may have
            // moved traffic first; this change must not be what stays.
            if (deps.claim && (await deps.claim.check()) === 'lost')
                return superseded(true);
            lastVerified = weights;
            current = step.weight;
            curve.push({ at: clock.now(), weight: step.weight });
            event(`${label}: verified ${router.describe()} has ${(0,traffic_router/* formatWeights */.V7)(weights)}; analysing for ${Math.round(plan.stepDurationMs / 1000)} s.`);
            verdict = await hold(plan, deps, step, deadline, options.signal, (point) => {
                curve.push({ at: point.at, weight: step.weight, errorRate: point.errorRate });
            });
        }
        catch (error) {
            const stop = error instanceof Stop
                ? error
                : new Stop('analysis-error', `The analysis failed: ${(0,errors/* errorMessage */.gJ)(error)}`);
            if (stop.stopCause === 'superseded')
                return superseded(false);
            records.push({
                step,
                startedAt: stepStarted,
                endedAt: clock.now(),
                verdict: stop.stopCause === 'router' ? 'router-error' : 'stopped',
                reason: stop.message,
                samples: 0,
            });
            return revert(stop.message, stop.stopCause, clock.now());
        }
        records.push({
            step,
            startedAt: stepStarted,
            endedAt: clock.now(),
            verdict: verdict.verdict,
            reason: verdict.reason,
            samples: verdict.samples,
            p95Ms: verdict.p95Ms,
            errorRate: verdict.errorRate,
        });
        if (verdict.verdict === 'pass') {
            event(`${label}: pass (${verdict.samples} samples). ${verdict.reason}`);
            // A rollback may have taken over during the hold: nothing is promoted over it.
            if (deps.claim && (await deps.claim.check()) === 'lost')
                return superseded(false);
            continue;
        }
        const cause = verdict.verdict === 'fail' ? 'verdict' : 'inconclusive';
        const reason = verdict.verdict === 'fail'
            ? `${label} at ${step.weight}% failed: ${verdict.reason}`
            : `${label} at ${step.weight}% was inconclusive, which is not a pass: ${verdict.reason}`;
        const verdictAt = clock.now();
        if (plan.onFailure === 'hold') {
            log.section?.(undefined);
            log.warning(`${sentence(reason)} on-failure is hold: traffic stays at ${(0,traffic_router/* formatWeights */.V7)(lastVerified ?? live)}.`);
            return finish('held', current, reason, {
                cause,
                detection: { firstFailureAt: verdict.firstFailureAt, verdictAt },
            });
        }
        return revert(reason, cause, verdictAt, verdict.firstFailureAt);
    }
    log.section?.(undefined);
    event(`Promoted: all traffic is on ${plan.target}.`);
    return finish('promoted', 100, `All ${steps.length} steps passed; ${plan.target} receives 100% of traffic.`);
    /** Before a step's change: stops the shift when its claim is lost or cannot be read. */
    async function guard(label) {
        const standing = await deps.claim?.check();
        if (standing === 'lost')
            throw new Stop('superseded', deps.claim.lostReason ?? 'the claim was lost');
        if (standing === 'unknown')
            throw new Stop('ledger', `The ledger could not say whether this shift still holds its environment before ${label.toLowerCase()}`);
    }
    /**
     * Another writer (a rollback) ended this shift's entry: traffic is its to
     * move, and the shift changes nothing — unless its own last change may have
     * landed after the rollback's. Then it waits for the rollback to end and
     * settles on what the rollback settled: the rollback's slot when it
     * succeeded, the live slot when it failed (what a failed rollback also
     * restores), so the two never pull traffic apart.
     */
    async function superseded(afterChange) {
        log.section?.(undefined);
        const why = deps.claim?.lostReason ?? 'another writer took the environment over';
        let reason = `A rollback took over: ${why}. This shift moves no more traffic.`;
        let settled = true;
        if (afterChange) {
            const rollback = await deps.claim.takeover().catch(() => undefined);
            const slots = [plan.live, plan.target];
            const back = rollback?.status === 'success' && slots.includes(rollback.slot)
                ? rollback.slot
                : rollback
                    ? plan.live
                    : undefined;
            if (back === undefined) {
                settled = false;
                reason += ` Its last change may have landed after the rollback's, and the rollback had not finished: check the router.`;
            }
            else
                try {
                    await (0,restore/* restoreLive */.Vx)(router, back, slots.find((s) => s !== back), log, {
                        attempts: deps.revertAttempts,
                        baseDelayMs: deps.revertBaseDelayMs,
                    });
                    reason += ` Its last change may have landed after the rollback's ${rollback.status === 'success' ? 'flip' : 'failure'}, so all traffic was put back on ${back} (verified).`;
                }
                catch (error) {
                    settled = false;
                    reason += ` Its last change may have landed after the rollback's, and putting all traffic back on ${back} failed: ${(0,errors/* errorMessage */.gJ)(error)}.`;
                }
        }
        log.warning(reason);
        return finish('rolled-back', afterChange ? 0 : Math.max(current, 0), reason, {
            cause: 'superseded',
            settled,
        });
    }
    async function revert(reason, cause, verdictAt, firstFailureAt) {
        // A rollback that took over owns the traffic now; an unreadable ledger
        // does not stop a revert, which only ever moves traffic to safety.
        if (deps.claim && (await deps.claim.check()) === 'lost')
            return superseded(false);
        log.section?.(undefined);
        log.warning(`${sentence(reason)} Returning all traffic to ${plan.live}.`);
        try {
            await (0,restore/* restoreLive */.Vx)(router, plan.live, plan.target, log, {
                attempts: deps.revertAttempts,
                baseDelayMs: deps.revertBaseDelayMs,
            });
        }
        catch (error) {
            const where = lastVerified ? (0,traffic_router/* formatWeights */.V7)(lastVerified) : 'unknown';
            const message = `${sentence(reason)} Traffic could NOT be returned to ${plan.live}: ${(0,errors/* errorMessage */.gJ)(error)}. Last verified weights: ${where}.`;
            log.warning(message);
            return finish('rolled-back', Math.max(current, 0), message, {
                cause,
                settled: false,
                detection: { firstFailureAt, verdictAt },
            });
        }
        // A rollback that took over while the revert was on its way settles traffic.
        if (deps.claim && (await deps.claim.check()) === 'lost')
            return superseded(true);
        const revertedAt = clock.now();
        curve.push({ at: revertedAt, weight: 0 });
        const took = ((revertedAt - verdictAt) / 1000).toFixed(2);
        const sinceFirst = firstFailureAt !== undefined
            ? `, ${((revertedAt - firstFailureAt) / 1000).toFixed(2)} s after the first failing sample`
            : '';
        event(`Rolled back: ${(0,traffic_router/* formatWeights */.V7)(live)} verified ${took} s after the verdict${sinceFirst}.`);
        return finish('rolled-back', 0, reason, { cause, detection: { firstFailureAt, verdictAt, revertedAt } });
    }
}
/**
 * Runs the analysis for one step, stopping it early on cancellation or at the
 * overall deadline. Those two stops win over whatever the analysis returns
 * once aborted, so a half-finished window is never read as a verdict.
 */
async function hold(plan, deps, step, deadline, cancel, onInterval) {
    const clock = deps.clock ?? systemClock;
    const controller = new AbortController();
    const remaining = deadline - clock.now();
    const onCancel = () => controller.abort(new Stop('cancelled', cancelledReason(cancel)));
    const onLost = () => controller.abort(new Stop('superseded', deps.claim?.lostReason ?? 'the claim was lost'));
    if (deps.claim?.signal.aborted)
        throw new Stop('superseded', deps.claim.lostReason ?? 'the claim was lost');
    deps.claim?.signal.addEventListener('abort', onLost, { once: true });
    // A cancellation that arrived while the router was changing has already
    // fired its event: act on it now instead of holding the whole step.
    if (cancel?.aborted)
        throw new Stop('cancelled', cancelledReason(cancel));
    cancel?.addEventListener('abort', onCancel, { once: true });
    // setTimeout fires at once for delays beyond 2^31-1 ms (~24.8 days); a longer deadline needs no timer.
    const timer = remaining < 2 ** 31 - 1
        ? setTimeout(() => controller.abort(deadlineStop(plan)), Math.max(0, remaining))
        : undefined;
    try {
        const durationMs = plan.stepDurationMs;
        let verdict;
        try {
            verdict = await deps.analyst({ step, durationMs, signal: controller.signal, onInterval });
        }
        catch (error) {
            if (controller.signal.aborted)
                throw controller.signal.reason;
            throw error;
        }
        if (controller.signal.aborted)
            throw controller.signal.reason;
        return verdict;
    }
    finally {
        clearTimeout(timer);
        cancel?.removeEventListener('abort', onCancel);
        deps.claim?.signal.removeEventListener('abort', onLost);
    }
}
/** Ends a message as a sentence, so that the next one can follow it. */
function sentence(text) {
    return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}
function deadlineStop(plan) {
    return new Stop('deadline', `The shift ran past max-duration (${Math.round(plan.maxDurationMs / 1000)} s).`);
}
function cancelledReason(signal) {
    return `The job was cancelled (${(0,errors/* errorMessage */.gJ)(signal.reason ?? 'aborted')}).`;
}

;// CONCATENATED MODULE: ./lib/rollout/start.js

function decideStart(facts) {
    const { weights, live, target, version } = facts;
    const found = (0,traffic_router/* formatWeights */.V7)(weights);
    const onTarget = weights[target] ?? 0;
    const onLive = weights[live] ?? 0;
    const others = Object.entries(weights).filter(([slot, w]) => slot !== live && slot !== target && w > 0);
    const isThisRelease = (r) => r !== undefined && r.version === version && r.slot === target;
    if (others.length > 0 || onTarget + onLive !== 100)
        return {
            kind: 'revert',
            message: `The router has ${found}, which is not a split between ${live} and ${target}: reverting all traffic to ${live}, then starting the plan from its first step.`,
        };
    if (onTarget === 0)
        return { kind: 'fresh', message: `The router has ${found}: starting the plan.` };
    if (facts.inProgress && isThisRelease(facts.inProgress))
        return {
            kind: 'resume',
            weight: onTarget,
            release: facts.inProgress,
            message: `The router has ${found}, left by an unfinished run of this release (${version} into ${target}, ledger entry ${facts.inProgress.id}): resuming — holding ${onTarget}% while analysing, then continuing the plan above it.`,
        };
    if (onTarget === 100) {
        if (facts.current && isThisRelease(facts.current))
            return {
                kind: 'already-promoted',
                release: facts.current,
                message: `The router already sends all traffic to ${target}, and the ledger's current release is ${version} in ${target}: already promoted, nothing to shift.`,
            };
        return {
            kind: 'refuse',
            message: `The router sends all traffic to ${target}, the slot given as target-slot: ${target} is the live slot, so no release should be deployed into it. Deploy into ${live} and set target-slot to ${live}.`,
        };
    }
    const who = facts.inProgress
        ? `the ledger's unfinished release is ${facts.inProgress.version} in ${facts.inProgress.slot}, not this one`
        : 'the ledger has no unfinished release that explains it';
    return {
        kind: 'revert',
        message: `The router has ${found}, a split that ${who}: reverting all traffic to ${live}, then starting the plan from its first step.`,
    };
}

;// CONCATENATED MODULE: ./lib/rollout/rollout.js




/**
 * One release through the router: read where traffic actually is, decide
 * whether to start, resume or first revert (see `decideStart`), record the
 * release in the ledger, walk the shift plan, and record how it ended.
 *
 * A ledger that cannot record the start stops the rollout before traffic moves:
 * the ledger is what `rollback` and the next run rely on. A ledger that cannot
 * record the end only warns, because traffic has already been settled.
 */
async function rollout(plan, release, deps, options = {}) {
    const { router, ledger, log } = deps;
    const clock = deps.clock ?? systemClock;
    const weights = await router.read(options.signal);
    const recent = await ledger.history(release.environment, 20);
    // Only an entry this run recorded, or one whose holder is gone, can be
    // carried on; a living one belongs to a shift that is still running.
    const owner = release.recorded?.owner ?? ownerOf('shift');
    // Only this run's entry, or one an earlier attempt of this run left, is
    // carried on: two runs that both found another run's silent entry would
    // both carry it on. Any other entry in progress is the claim's to judge.
    const inProgress = recent.find((r) => r.status === 'in_progress' && (r.id === release.recorded?.id || earlierAttempt(r, owner)));
    const current = await ledger.current(release.environment);
    const decision = decideStart({
        weights,
        live: plan.live,
        target: plan.target,
        version: release.version,
        inProgress,
        current,
    });
    log.info(decision.message);
    if (decision.kind === 'refuse')
        throw new errors/* OperationError */.OK(decision.message);
    if (decision.kind === 'already-promoted') {
        await (0,restore/* verifyOrSet */.HY)(router, (0,traffic_router/* allTo */.jT)(plan.target, [plan.live, plan.target]), (line) => log.warning(line));
        const now = clock.now();
        return {
            result: 'promoted',
            weight: 100,
            reason: decision.message,
            settled: true,
            steps: [],
            curve: [],
            startedAt: now,
            decision,
        };
    }
    let record;
    try {
        record =
            decision.kind === 'resume'
                ? decision.release
                : (release.recorded ??
                    (await ledger.begin({
                        environment: release.environment,
                        version: release.version,
                        slot: plan.target,
                        commit: release.commit,
                        logUrl: release.logUrl,
                        environmentUrl: release.environmentUrl,
                        description: `canary-shift ${plan.strategy} into ${plan.target}`,
                        owner,
                    })));
    }
    catch (error) {
        throw new errors/* OperationError */.OK(`Could not record the release in ${ledger.describe()}: ${(0,errors/* errorMessage */.gJ)(error)}. No traffic was moved.`);
    }
    // Before any traffic moves, this shift takes its turn: a rollback or an
    // earlier shift that is alive makes it refuse; abandoned entries are closed.
    let claim = release.claim;
    if (claim && record.id !== claim.release.id)
        await claim.stop();
    if (!claim || record.id !== claim.release.id)
        claim = await EnvironmentClaim.take(ledger, record, {
            ...deps.claimOptions,
            log: (line) => log.info(line),
            onRefusal: decision.kind === 'resume' ? 'error' : 'discard',
        });
    else if ((await claim.check()) !== 'held')
        throw new errors/* OperationError */.OK(`This shift no longer holds ${release.environment}: ${claim.lostReason ?? 'the ledger could not be read'}. No traffic was moved.`);
    try {
        record = claim.release;
        await deps.onRelease?.(record, decision);
        if (decision.kind === 'revert') {
            try {
                await (0,restore/* restoreLive */.Vx)(router, plan.live, plan.target, log, {
                    attempts: deps.revertAttempts,
                    baseDelayMs: deps.revertBaseDelayMs,
                });
            }
            catch (error) {
                throw new restore/* UnsettledTrafficError */.c4(`${decision.message} The revert failed: ${(0,errors/* errorMessage */.gJ)(error)}. The router still has ${(0,traffic_router/* formatWeights */.V7)(weights)}.`);
            }
            log.info(`All traffic is back on ${plan.live} (verified).`);
        }
        return await walk(plan, release, deps, options, decision, record, claim);
    }
    finally {
        await claim.stop();
    }
}
async function walk(plan, release, deps, options, decision, record, claim) {
    const { ledger, log } = deps;
    const steps = decision.kind === 'resume' ? (0,rollout_plan/* stepsFrom */.i)(plan.steps, decision.weight) : plan.steps;
    const outcome = await shift(plan, { ...deps, claim }, { steps, signal: options.signal });
    // No heartbeat may land after the entry is finished.
    await claim.stop();
    // A rollback that took over has already recorded how this release ended.
    if (outcome.result !== 'held' && outcome.cause !== 'superseded') {
        const status = outcome.result === 'promoted'
            ? 'success'
            : outcome.cause === 'verdict' || outcome.cause === 'inconclusive'
                ? 'failure'
                : 'error';
        try {
            await ledger.finish(record, { status, reason: outcome.reason, logUrl: release.logUrl });
        }
        catch (error) {
            log.warning(`Could not record the outcome in ${ledger.describe()}: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    }
    return { ...outcome, decision };
}

;// CONCATENATED MODULE: ./lib/rollout/summary.js

const summary_percent = (rate) => (rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);
const millis = (ms) => (ms === undefined ? '—' : `${Math.round(ms)} ms`);
/**
 * Writes a shift into the job summary: the reason it stopped first (what a
 * reader opening a red run needs), then the plan, the timeline of steps, and
 * a chart of the target's weight and the error rate over time.
 */
function renderShift(summary, plan, outcome, title = 'canary-shift') {
    summary.heading(`${title}: ${outcome.result}`, 2);
    if (outcome.result === 'promoted')
        summary.alert('TIP', outcome.reason);
    else
        summary.alert(outcome.settled ? 'CAUTION' : 'WARNING', outcome.reason);
    const facts = [
        `Strategy **${plan.strategy}**: ${plan.live} (live) → ${plan.target} (target), steps ${plan.steps.map((s) => `${s.weight}%`).join(' → ')}, ${(0,duration/* formatDuration */.a3)(plan.stepDurationMs)} each, on failure **${plan.onFailure}**.`,
        `Traffic on ${plan.target} at the end: **${outcome.weight}%**${outcome.settled ? ' (verified)' : ' (NOT verified)'}.`,
    ];
    if (outcome.decision)
        facts.push(outcome.decision.message);
    const d = outcome.detection;
    if (d?.revertedAt !== undefined) {
        const fromFirst = d.firstFailureAt !== undefined
            ? `${(0,duration/* formatDuration */.a3)(d.revertedAt - d.firstFailureAt)} after the first failing sample, `
            : '';
        facts.push(`Traffic was back on ${plan.live} ${fromFirst}${(0,duration/* formatDuration */.a3)(d.revertedAt - d.verdictAt)} after the verdict.`);
    }
    summary.list(facts);
    if (outcome.steps.length) {
        summary.heading('Timeline', 3);
        summary.table(['step', 'weight', 'verdict', 'samples', 'p95', 'error rate', 'held', 'note'], outcome.steps.map((r) => [
            r.step.resumed ? `${r.step.number || '–'} (resumed)` : r.step.number,
            `${r.step.weight}%`,
            r.verdict,
            r.samples,
            millis(r.p95Ms),
            summary_percent(r.errorRate),
            (0,duration/* formatDuration */.a3)(r.endedAt - r.startedAt),
            r.reason,
        ]));
    }
    const chart = chartPoints(outcome.curve, outcome.startedAt);
    if (chart.x.length >= 2)
        summary.chart({
            title: `Traffic on ${plan.target} (blue, %) and its error rate (red, %) over time (s)`,
            x: chart.x,
            yLabel: '%',
            yMin: 0,
            yMax: 100,
            series: [
                { name: `weight on ${plan.target}`, kind: 'line', colour: 'blue', values: chart.weight },
                { name: `error rate of ${plan.target}`, kind: 'line', colour: 'red', values: chart.errorRate },
            ],
        });
    return summary;
}
/** Samples the curve into chart series; an interval with no measurement carries the last error rate. */
function chartPoints(curve, startedAt) {
    const x = [];
    const weight = [];
    const errorRate = [];
    let lastRate = 0;
    // A long shift would make an unreadable axis; keep at most 60 points, evenly.
    const stride = Math.max(1, Math.ceil(curve.length / 60));
    curve.forEach((point, i) => {
        if (point.errorRate !== undefined)
            lastRate = point.errorRate * 100;
        if (i % stride !== 0 && i !== curve.length - 1)
            return;
        x.push(((point.at - startedAt) / 1000).toFixed(1));
        weight.push(point.weight);
        errorRate.push(point.errorRate === undefined ? lastRate : point.errorRate * 100);
    });
    return { x, weight, errorRate };
}

;// CONCATENATED MODULE: ./lib/rollout/index.js








// EXTERNAL MODULE: ../../packages/core/dist/state.js
var state = __webpack_require__(5707);
;// CONCATENATED MODULE: ./lib/state.js

const state_state = new state/* PostState */.Wu();

;// CONCATENATED MODULE: ./lib/release.js







/** The shift of one release, once its inputs have been read and checked (main.ts). */
async function shiftRelease(context, { signal }) {
    const router = await createRouter(context.router, { log: (line) => log/* runnerLog */.t1.debug(line) });
    const ledger = openLedger(context);
    // The router is read once for each decision: here, which slot the release
    // goes into; after the environment is claimed, whether the slot can be
    // replaced; after the deploy, where the shift starts.
    const found = await router.read(signal);
    const target = context.targetSlot === 'auto'
        ? idleSlot(found, context.router.slotNames, router.describe())
        : context.targetSlot;
    if (context.targetSlot === 'auto')
        log/* runnerLog */.t1.info(`target-slot auto: ${target} takes no traffic, so the release goes there.`);
    const plan = context.planFor(target);
    // Built before anything is deployed or moved: a placeholder that cannot be
    // resolved (the live slot's version, unknown to the ledger) is a bad input.
    const liveVersion = context.needsLiveVersion
        ? (await ledger.slots(context.environment))[plan.live]?.version
        : undefined;
    const analysis = context.analysisFor(target, liveVersion);
    const deploying = (0,deployer/* hasDeployer */.ZF)(context.deploy) && (await mayDeploy(ledger, context, found, target));
    // Before a deployer touches the slot, the ledger says what is going into it:
    // from that moment the slot no longer runs what it ran before, even if the
    // deploy fails halfway, and a rollback must not send users there believing it does.
    const recorded = deploying ? await recordReplacement(ledger, context, target) : undefined;
    if (recorded)
        state_state.save('releaseId', recorded.id);
    // The environment's turn is taken before the slot is touched: a rollback or
    // another shift that is running makes this one refuse, with nothing deployed.
    let claim;
    if (recorded)
        try {
            claim = await EnvironmentClaim.take(ledger, recorded, { log: (line) => log/* runnerLog */.t1.info(line) });
        }
        catch (error) {
            // A refusal has removed the entry already; a ledger that failed to answer leaves it to remove.
            if (!(error instanceof ClaimRefusedError))
                await ledger
                    .discard(recorded)
                    .catch(() => ledger.finish(recorded, { status: 'error', reason: `Not deployed: ${(0,errors/* errorMessage */.gJ)(error)}` }))
                    .catch(() => undefined);
            throw error;
        }
    // A rollback that takes over during the deploy stops it: the slot is the rollback's to fill.
    const deploySignal = claim ? AbortSignal.any([signal, claim.signal]) : signal;
    let deployed;
    try {
        if (recorded)
            deployed = await log/* runnerLog */.t1.group(`Deploy ${context.version} into ${target}`, async () => (0,deployer/* deployIntoSlot */.CK)(context.deploy, { slot: target, live: plan.live, version: context.version, environment: context.environment }, router, await router.read(signal), (line) => log/* runnerLog */.t1.info(line), deploySignal));
    }
    catch (error) {
        await claim?.stop();
        if (recorded && error instanceof deployer/* LiveSlotError */.dn)
            // Nothing was touched: the entry would only make the slot look replaced.
            await ledger
                .discard(recorded)
                .catch(() => ledger.finish(recorded, { status: 'error', reason: 'Not deployed: the slot takes all traffic' }))
                .catch(() => undefined);
        else if (recorded)
            await ledger
                .finish(recorded, {
                status: 'error',
                reason: `The deploy of ${context.version} into ${target} failed, so ${target} may run part of it: ${(0,errors/* errorMessage */.gJ)(error)}`,
            })
                .catch((failure) => log/* runnerLog */.t1.warning(`Could not record the failed deploy in ${ledger.describe()}: ${(0,errors/* errorMessage */.gJ)(failure)}`));
        throw error;
    }
    if (deployed)
        log/* runnerLog */.t1.info(deployed);
    log/* runnerLog */.t1.info(`${plan.strategy} of ${context.version} into ${plan.target} (live: ${plan.live}) through ${router.describe()}; ledger: ${ledger.describe()}.`);
    state_state.save('live', plan.live);
    state_state.save('target', plan.target);
    state_state.save('router', router.describe());
    state_state.save('environment', context.environment);
    const analyses = new Map();
    const outcome = await rollout(plan, {
        environment: context.environment,
        version: context.version,
        commit: process.env.GITHUB_SHA,
        logUrl: runUrl(),
        ...(recorded ? { recorded } : {}),
        ...(claim ? { claim } : {}),
    }, {
        router,
        ledger,
        analyst: stepAnalyst(analysis, { log: log/* runnerLog */.t1, reports: analyses }),
        log: log/* runnerLog */.t1,
        // Called once this shift holds the environment, before any weight moves:
        // from here on main may move traffic (a rerun's revert included), so the
        // post step must put it back on the live slot if main does not finish.
        // A shift refused before this point leaves the post step nothing to do.
        onRelease: (release) => {
            state_state.save('releaseId', release.id);
            state_state.save('shifting', true);
        },
    }, { signal });
    if (outcome.settled)
        state_state.save('finished', true);
    setOutputs({ result: outcome.result, weight: outcome.weight, reason: outcome.reason });
    await writeSummary(plan, context, outcome, analyses, deployed);
    if (context.webhookUrl) {
        const warning = await sendWebhook(context.webhookUrl, webhookPayload({
            environment: context.environment,
            version: context.version,
            plan,
            outcome,
            runUrl: runUrl(),
        }));
        if (warning)
            log/* runnerLog */.t1.warning(warning);
    }
    if (outcome.result === 'promoted')
        return;
    throw new errors/* OperationError */.OK(`${outcome.result === 'held' ? 'Held' : 'Rolled back'}: ${outcome.reason}`);
}
/**
 * Whether the deployer should start the release in `target`. A slot that
 * takes all traffic is the live one and is never replaced — unless it is this
 * very release, left in progress at 100% by a run that died before recording
 * its promotion: then there is nothing to deploy, and the shift resumes there.
 */
async function mayDeploy(ledger, context, weights, target) {
    if ((weights[target] ?? 0) < 100)
        return true;
    const left = (await ledger.history(context.environment, 20)).find((r) => r.status === 'in_progress' &&
        r.version === context.version &&
        r.slot === target &&
        earlierAttempt(r, ownerOf('shift')));
    if (left) {
        log/* runnerLog */.t1.info(`${target} takes all traffic and runs ${context.version}, left in progress by an earlier attempt of this run (ledger entry ${left.id}): nothing to deploy.`);
        return false;
    }
    throw new deployer/* LiveSlotError */.dn(`${target} takes all traffic (${(0,traffic_router/* formatWeights */.V7)(weights)}): it is the live slot, so ${context.version} is not deployed into it. ` +
        'Deploy into the other slot (target-slot), or roll back first. Nothing was deployed and no traffic was moved.');
}
/** The ledger entry of this release in `slot`, begun before the slot is replaced. */
async function recordReplacement(ledger, context, slot) {
    try {
        return await ledger.begin({
            environment: context.environment,
            version: context.version,
            slot,
            commit: process.env.GITHUB_SHA,
            logUrl: runUrl(),
            description: `canary-shift: deploying ${context.version} into ${slot}`,
            owner: ownerOf('shift'),
        });
    }
    catch (error) {
        throw new errors/* OperationError */.OK(`Could not record in ${ledger.describe()} that ${slot} is being replaced with ${context.version}: ${(0,errors/* errorMessage */.gJ)(error)}. Nothing was deployed and no traffic was moved.`);
    }
}
/** The shift first (why it stopped, timeline, chart), then each step's analysis, folded. */
async function writeSummary(plan, context, outcome, analyses, deployed) {
    const summary = renderShift(new Summary(), plan, outcome, `canary-shift ${context.version}`);
    if (deployed)
        summary.paragraph(`**Deployed:** ${deployed}.`);
    for (const record of outcome.steps) {
        const report = analyses.get(record.step.number);
        if (!report)
            continue;
        const title = `Step ${record.step.number} (${record.step.weight}%)`;
        summary.details(`${title}: analysis ${report.verdict}`, renderAnalysisSummary(report, { title, level: 3 }).toMarkdown());
    }
    await summary.write();
}
/**
 * The post entry: when main did not finish — cancelled, crashed, timed out —
 * and had started moving traffic, put all of it back on the live slot and read
 * it back. Running it twice changes nothing the second time.
 */
async function post() {
    const live = state_state.get('live');
    const target = state_state.get('target');
    if (!live || !target)
        return;
    if (!state_state.get('shifting')) {
        log/* runnerLog */.t1.info('Post: main did not move any traffic; nothing to restore.');
        return;
    }
    if (state_state.get('finished')) {
        log/* runnerLog */.t1.info('Post: main finished and left traffic where it meant to; nothing to restore.');
        return;
    }
    const ended = await entryNow().catch(() => undefined);
    if (ended?.status !== 'in_progress' && ended?.reason?.startsWith('Taken over by a rollback')) {
        log/* runnerLog */.t1.info(`Post: a rollback took this shift over (${ended.reason}); traffic is the rollback's, nothing to restore.`);
        return;
    }
    log/* runnerLog */.t1.warning(`Post: main did not finish; returning all traffic to ${live}.`);
    const settings = await (0,lib_context/* readRouterSettings */.rV)();
    const router = await createRouter(settings, { log: (line) => log/* runnerLog */.t1.debug(line) });
    if (router.describe() !== state_state.get('router'))
        log/* runnerLog */.t1.warning(`Post: the router inputs now describe ${router.describe()}, not ${state_state.get('router')} as in main.`);
    const outcome = await (0,restore/* restoreLive */.Vx)(router, live, target, log/* runnerLog */.t1);
    const weights = await router.read();
    log/* runnerLog */.t1.info(outcome === 'restored'
        ? `Post: restored and verified ${(0,traffic_router/* formatWeights */.V7)(weights)} on ${router.describe()}.`
        : `Post: ${router.describe()} already had ${(0,traffic_router/* formatWeights */.V7)(weights)} (verified); nothing changed.`);
    await closeRelease(live).catch((error) => log/* runnerLog */.t1.warning(`Post: could not update the ledger: ${(0,errors/* errorMessage */.gJ)(error)}`));
    await new Summary()
        .heading('canary-shift: restored by the post step', 2)
        .alert('WARNING', `The main step did not finish; all traffic was returned to ${live} and verified.`)
        .write();
}
/** This shift's ledger entry as recorded now, and the ledger it is in. */
async function entryNow() {
    const id = state_state.get('releaseId');
    const environment = state_state.get('environment');
    if (!id || !environment)
        return undefined;
    const context = await (0,lib_context/* readContext */.yI)().catch(() => undefined);
    if (!context)
        return undefined;
    const ledger = openLedger(context);
    const release = (await ledger.history(environment, 20)).find((r) => r.id === id);
    return release && { ...release, ledger };
}
async function closeRelease(live) {
    const found = await entryNow();
    if (!found)
        return;
    const { ledger, ...release } = found;
    if (release.status === 'in_progress')
        await ledger.finish(release, {
            status: 'error',
            reason: `The shift did not finish (cancelled, crashed or timed out); the post step returned all traffic to ${live}.`,
        });
}
function runUrl() {
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env;
    return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}


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


/***/ }),

/***/ 431:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   v: () => (/* binding */ writeAtomically)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);



/**
 * Replaces a file so that a reader (nginx, a ledger reader, or a crash halfway)
 * sees either the old content or the new, never a part: a temporary file in the same
 * directory, flushed to disk, renamed over the target, then the directory
 * flushed so the rename itself survives a power loss.
 */
async function writeAtomically(file, content) {
    const dir = node_path__WEBPACK_IMPORTED_MODULE_2__.dirname(file);
    const temp = node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, `.${node_path__WEBPACK_IMPORTED_MODULE_2__.basename(file)}.${process.pid}.${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}.tmp`);
    let mode = 0o644;
    try {
        mode = (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat)(file)).mode & 0o7777;
    }
    catch {
        // A new file gets the usual mode.
    }
    const handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)(temp, 'wx', mode);
    try {
        await handle.writeFile(content);
        await handle.sync();
    }
    catch (error) {
        await handle.close().catch(() => { });
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.unlink)(temp).catch(() => { });
        throw error;
    }
    await handle.close();
    try {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(temp, file);
    }
    catch (error) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.unlink)(temp).catch(() => { });
        throw error;
    }
    const dirHandle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)(dir, 'r').catch(() => undefined);
    if (dirHandle) {
        await dirHandle.sync().catch(() => { });
        await dirHandle.close();
    }
}


/***/ }),

/***/ 3535:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  U: () => (/* binding */ FileLedger),
  q: () => (/* binding */ formatVersion)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ../../packages/core/dist/atomic-write.js
var atomic_write = __webpack_require__(431);
// EXTERNAL MODULE: ../../packages/core/dist/errors.js
var errors = __webpack_require__(8247);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: ../../packages/core/dist/retry.js
var retry = __webpack_require__(7480);
;// CONCATENATED MODULE: ../../packages/core/dist/ledger/lock.js





/** The age after which a removal mutex is taken to be left by a writer that died holding it. */
const REMOVAL_STALE_MS = 5_000;
async function withFileLock(lockPath, work, options = {}) {
    const staleMs = options.staleMs ?? 30_000;
    const token = await acquire(lockPath, { ...options, staleMs });
    const beat = setInterval(() => {
        void refresh(lockPath, token);
    }, Math.max(1, options.heartbeatMs ?? Math.floor(staleMs / 3)));
    beat.unref?.();
    const held = async () => {
        const current = await readHolder(lockPath);
        if (current === 'gone' || current.holder?.token !== token)
            throw new errors/* OperationError */.OK(`The ledger lock ${lockPath} was taken over while this run held it (it went ${Math.round(staleMs / 1000)} s without a sign of life, e.g. the process was stopped); nothing was written.`);
    };
    try {
        return await work(held);
    }
    finally {
        clearInterval(beat);
        await removeIf(lockPath, token, options).catch(() => undefined);
    }
}
async function acquire(lockPath, options) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const started = Date.now();
    const holder = {
        pid: process.pid,
        host: (0,external_node_os_.hostname)(),
        createdAt: new Date().toISOString(),
        token: (0,external_node_crypto_.randomBytes)(8).toString('hex'),
    };
    for (let attempt = 0;; attempt++) {
        if (await createWhole(lockPath, JSON.stringify(holder)))
            return holder.token;
        const current = await readHolder(lockPath);
        const waited = Date.now() - started;
        // Removed only if, under the removal mutex, it is still the lock judged stale.
        if (current !== 'gone' &&
            isStale(current, options.staleMs) &&
            waited < timeoutMs &&
            (await removeIf(lockPath, current.holder?.token, { ...options, timeoutMs: timeoutMs - waited }, {
                staleMs: options.staleMs,
                raw: current.raw,
            })))
            continue;
        if (waited >= timeoutMs) {
            const who = current === 'gone'
                ? 'a lock file that exists but cannot be read (a dangling symbolic link?)'
                : current.holder
                    ? `process ${current.holder.pid} on ${current.holder.host} (since ${current.holder.createdAt})`
                    : 'a writer whose lock is not a Glidepath lock record';
            throw new errors/* OperationError */.OK(`The ledger is locked by ${who}; gave up after ${Math.round(waited / 1000)} s. ` +
                `If no Glidepath run is using it, delete ${lockPath}${isStaleOrGone(current, options.staleMs) ? ` (and ${lockPath}.removing, if it is there)` : ''}.`);
        }
        // Short, growing, jittered waits: the work under the lock takes milliseconds.
        const bound = Math.min(200, 5 * 2 ** attempt);
        await (0,retry/* sleep */.y)(Math.min(bound / 2 + (Math.random() * bound) / 2, timeoutMs - waited), options.signal);
    }
}
/** Creates `file` with `content`, whole, only if it does not exist; false when it does. */
async function createWhole(file, content) {
    const temporary = `${file}.${process.pid}-${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.tmp`;
    try {
        await (0,promises_.writeFile)(temporary, content, { flag: 'wx', mode: 0o644 });
        await (0,promises_.link)(temporary, file);
        return true;
    }
    catch (error) {
        if (error.code === 'EEXIST')
            return false;
        throw error;
    }
    finally {
        await (0,promises_.unlink)(temporary).catch(() => undefined);
    }
}
/**
 * Removes the lock if its holder's token is `token` — or, with `stale`, if it
 * is also still stale — under the removal mutex. Returns whether it removed it.
 * `stale.raw` stands in for the token of a lock whose record is not a Glidepath one.
 */
async function removeIf(lockPath, token, options, stale) {
    const mutex = `${lockPath}.removing`;
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (let attempt = 0; !(await createWhole(mutex, String(process.pid))); attempt++) {
        await breakAbandonedMutex(mutex);
        if (Date.now() > deadline)
            return false;
        await (0,retry/* sleep */.y)(Math.min(50, 2 ** attempt), options.signal);
    }
    try {
        const current = await readHolder(lockPath);
        if (current === 'gone')
            return false;
        const same = token !== undefined ? current.holder?.token === token : current.raw === stale?.raw;
        if (!same || (stale !== undefined && !isStale(current, stale.staleMs)))
            return false;
        await (0,promises_.unlink)(lockPath);
        return true;
    }
    finally {
        await (0,promises_.unlink)(mutex).catch(() => undefined);
    }
}
/**
 * Removes a removal mutex older than REMOVAL_STALE_MS (left by a writer killed
 * inside its few system calls). By name alone that could remove a fresh mutex
 * another writer took after this one looked, so the old one is renamed aside
 * and only deleted if it is the file that was judged (same inode); a fresh one
 * is linked back.
 */
async function breakAbandonedMutex(mutex) {
    const judged = await (0,promises_.stat)(mutex).catch(() => undefined);
    if (!judged || Date.now() - judged.mtimeMs <= REMOVAL_STALE_MS)
        return;
    const aside = `${mutex}.${process.pid}-${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.old`;
    try {
        await (0,promises_.rename)(mutex, aside);
    }
    catch {
        return;
    }
    const taken = await (0,promises_.stat)(aside).catch(() => undefined);
    if (taken && taken.ino !== judged.ino)
        await (0,promises_.link)(aside, mutex).catch(() => undefined);
    await (0,promises_.unlink)(aside).catch(() => undefined);
}
/** The heartbeat: a fresh mtime, only on a lock that is still this holder's. */
async function refresh(lockPath, token) {
    const current = await readHolder(lockPath).catch(() => 'gone');
    if (current === 'gone' || current.holder?.token !== token)
        return;
    const now = new Date();
    await (0,promises_.utimes)(lockPath, now, now).catch(() => undefined);
}
async function readHolder(lockPath) {
    try {
        const [raw, info] = await Promise.all([(0,promises_.readFile)(lockPath, 'utf8'), (0,promises_.stat)(lockPath)]);
        const ageMs = Date.now() - info.mtimeMs;
        try {
            const holder = JSON.parse(raw);
            return typeof holder?.token === 'string' ? { raw, holder, ageMs } : { raw, ageMs };
        }
        catch {
            // Not a lock this code wrote (it writes whole records): judged by age only.
            return { raw, ageMs };
        }
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return 'gone';
        throw error;
    }
}
function isStaleOrGone(read, staleMs) {
    return read === 'gone' || isStale(read, staleMs);
}
function isStale(read, staleMs) {
    if (read.ageMs > staleMs)
        return true;
    const holder = read.holder;
    return holder !== undefined && holder.host === (0,external_node_os_.hostname)() && !processAlive(holder.pid);
}
function processAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        // EPERM: it exists but belongs to someone else.
        return error.code === 'EPERM';
    }
}

// EXTERNAL MODULE: ../../packages/core/dist/ledger/rules.js
var rules = __webpack_require__(5057);
;// CONCATENATED MODULE: ../../packages/core/dist/ledger/file.js






/**
 * The ledger as a JSON file, for local runs and the demo. Every change is a
 * read-modify-write under a lock file, and the new content replaces the old
 * in one rename after an fsync, so a reader sees the old file or the new one,
 * never half of one, and a crash cannot corrupt it. Readers take no lock.
 */
/** The format version this code writes and reads; a newer file is refused. */
const formatVersion = 1;
class FileLedger {
    file;
    #options;
    /** Writers of this instance queue here, so they do not compete for the lock file among themselves. */
    #queue = Promise.resolve();
    constructor(file, options = {}) {
        this.file = external_node_path_.resolve(file);
        this.#options = options;
    }
    describe() {
        return `ledger file ${external_node_path_.relative(process.cwd(), this.file) || this.file}`;
    }
    async begin(release) {
        const logUrl = release.logUrl ?? (0,rules/* runLogUrl */.lm)();
        const record = await this.#update((data) => {
            const record = {
                id: String(data.nextId++),
                environment: release.environment,
                version: release.version,
                slot: release.slot,
                ...(release.commit ? { commit: release.commit } : {}),
                ...(release.rollbackFrom ? { rollbackFrom: release.rollbackFrom } : {}),
                ...(release.owner ? { owner: release.owner } : {}),
                ...(release.flip ? { flip: true } : {}),
                createdAt: this.#now(),
                statuses: [],
            };
            record.statuses.push({
                status: 'in_progress',
                reason: release.description ?? `${release.version} to slot ${release.slot}`,
                ...(logUrl ? { logUrl } : {}),
                ...(release.environmentUrl ? { environmentUrl: release.environmentUrl } : {}),
                at: record.createdAt,
            });
            data.releases.push(record);
            return record;
        });
        return toRelease(record);
    }
    async heartbeat(release) {
        const record = await this.#update((data) => {
            const record = data.releases.find((r) => r.id === release.id && r.environment === release.environment);
            const last = record?.statuses.at(-1);
            // An entry someone ended stays ended; the caller sees its status.
            if (last?.status === 'in_progress')
                record.statuses.push({ ...last, at: this.#now() });
            return record;
        });
        return record && toRelease(record);
    }
    async reload(release) {
        const data = await this.#read();
        const record = data.releases.find((r) => r.id === release.id && r.environment === release.environment);
        return record ? toRelease(record) : undefined;
    }
    async discard(release) {
        await this.#update((data) => {
            data.releases = data.releases.filter((r) => !(r.id === release.id && r.environment === release.environment));
        });
    }
    #record(data, release, purpose) {
        const record = data.releases.find((r) => r.id === release.id && r.environment === release.environment);
        if (!record)
            throw new errors/* OperationError */.OK(`${this.describe()} has no release ${release.id} (${release.version}) ${purpose}.`);
        return record;
    }
    async finish(release, outcome) {
        const record = await this.#update((data) => {
            const record = this.#record(data, release, 'to finish');
            const at = this.#now();
            const logUrl = outcome.logUrl ?? release.logUrl;
            const environmentUrl = outcome.environmentUrl ?? release.environmentUrl;
            record.statuses.push({
                status: outcome.status,
                ...(outcome.reason ? { reason: outcome.reason } : {}),
                ...(logUrl ? { logUrl } : {}),
                ...(environmentUrl ? { environmentUrl } : {}),
                at,
            });
            // GitHub's auto_inactive, mirrored: a new live release supersedes the
            // earlier live ones of its environment.
            if (outcome.status === 'success') {
                for (const other of data.releases) {
                    if (other.environment === record.environment &&
                        Number(other.id) < Number(record.id) &&
                        other.statuses.at(-1)?.status === 'success')
                        other.statuses.push({ status: 'inactive', at });
                }
            }
            return record;
        });
        return toRelease(record);
    }
    async history(environment, limit = 20) {
        return (await this.#newestFirst(environment)).slice(0, limit).map(toRelease);
    }
    async current(environment) {
        return (0,rules/* selectCurrent */.Y2)(await this.#entries(environment));
    }
    async previousGood(environment) {
        const entries = await this.#entries(environment);
        return (0,rules/* selectPreviousGood */.$F)(entries, await (0,rules/* selectCurrent */.Y2)(entries));
    }
    async slots(environment) {
        return (0,rules/* selectSlots */.Mg)(await this.#entries(environment));
    }
    async find(environment, version) {
        return (0,rules/* selectVersion */.fe)(await this.#entries(environment), version);
    }
    rollback(rollback) {
        return (0,rules/* recordRollback */.Ij)(this, rollback);
    }
    #now() {
        return (this.#options.now?.() ?? new Date()).toISOString();
    }
    async #newestFirst(environment) {
        const data = await this.#read();
        return data.releases
            .filter((r) => r.environment === environment)
            .sort((a, b) => Number(b.id) - Number(a.id));
    }
    /** One read of the file, served as a history (an array is an async iterable to `for await`). */
    async #entries(environment) {
        return (await this.#newestFirst(environment)).map((record) => ({
            version: record.version,
            slot: record.slot,
            ...(record.flip ? { flip: true } : {}),
            load: async () => toRelease(record),
        }));
    }
    async #read() {
        let text;
        try {
            text = await (0,promises_.readFile)(this.file, 'utf8');
        }
        catch (error) {
            if (error.code === 'ENOENT')
                return { version: formatVersion, nextId: 1, releases: [] };
            throw new errors/* OperationError */.OK(`Cannot read ${this.describe()}: ${error.message}`, {
                cause: error,
            });
        }
        let json;
        try {
            json = JSON.parse(text);
        }
        catch (error) {
            throw new errors/* OperationError */.OK(`${this.describe()} is not valid JSON (${error.message}); it was left untouched: fix it or move it away.`);
        }
        const version = json?.version;
        if (typeof version === 'number' && version > formatVersion)
            throw new errors/* OperationError */.OK(`${this.describe()} has format version ${version}, written by a newer Glidepath; this one reads version ${formatVersion}.`);
        // zod is loaded when a ledger file is first read, not when every action starts.
        const { fileSchema } = await Promise.all(/* import() */[__webpack_require__.e(143), __webpack_require__.e(292)]).then(__webpack_require__.bind(__webpack_require__, 2292));
        const parsed = fileSchema.safeParse(json);
        if (!parsed.success)
            throw new errors/* OperationError */.OK(`${this.describe()} is not a Glidepath ledger: ${parsed.error.issues
                .slice(0, 3)
                .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
                .join('; ')}. It was left untouched.`);
        return parsed.data;
    }
    /** Read-modify-write under the lock; the change is written atomically. */
    #update(change) {
        const run = async () => {
            await (0,promises_.mkdir)(external_node_path_.dirname(this.file), { recursive: true });
            return withFileLock(`${this.file}.lock`, async (held) => {
                const data = await this.#read();
                const result = change(data);
                // A writer stopped long enough to lose the lock must not overwrite the next one's change.
                await held();
                await (0,atomic_write/* writeAtomically */.v)(this.file, `${JSON.stringify(data, null, 2)}\n`);
                return result;
            }, this.#options);
        };
        const result = this.#queue.then(run, run);
        this.#queue = result.catch(() => undefined);
        return result;
    }
}
function toRelease(record) {
    return record.statuses.reduce((release, status) => (0,rules/* applyStatus */.Th)(release, status), (0,rules/* newRelease */.Gj)(record));
}


/***/ }),

/***/ 5057:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $F: () => (/* binding */ selectPreviousGood),
/* harmony export */   Gj: () => (/* binding */ newRelease),
/* harmony export */   Hy: () => (/* binding */ truncateDescription),
/* harmony export */   Ij: () => (/* binding */ recordRollback),
/* harmony export */   Mg: () => (/* binding */ selectSlots),
/* harmony export */   Th: () => (/* binding */ applyStatus),
/* harmony export */   Y2: () => (/* binding */ selectCurrent),
/* harmony export */   fe: () => (/* binding */ selectVersion),
/* harmony export */   lm: () => (/* binding */ runLogUrl)
/* harmony export */ });
/* unused harmony export descriptionLimit */
/**
 * What both stores share: how a release's statuses add up to its state, and
 * how the questions of the ledger (what is live, what was good before it, what
 * runs in each slot) are answered from a history read newest first. Keeping
 * this in one place is what makes the two stores give the same answers.
 */
/** GitHub's limit on a deployment status description. */
const descriptionLimit = 140;
/** `text` cut to GitHub's 140 characters (code points), ending with an ellipsis when cut. */
function truncateDescription(text) {
    const chars = [...text];
    return chars.length <= descriptionLimit ? text : `${chars.slice(0, descriptionLimit - 1).join('')}…`;
}
/** The URL of the running workflow run, if this runs in GitHub Actions. */
function runLogUrl(env = process.env) {
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: run } = env;
    return server && repository && run ? `${server}/${repository}/actions/runs/${run}` : undefined;
}
/**
 * Adds one status to a release. An in-progress status after the release
 * ended changes nothing, nor does a success after a failure or error (a
 * writer whose entry was ended by another, racing it). `good` follows the last status other than
 * `inactive`; an `inactive` status without a description (what GitHub's
 * auto_inactive writes) keeps the reason of the verdict before it.
 */
function applyStatus(release, record) {
    // An ended entry stays ended: a holder's heartbeat that crossed the status
    // which ended it (a rollback taking over) must not make it look alive again.
    if (record.status === 'in_progress' && release.status !== 'in_progress')
        return release;
    // Nor does a verdict of success undo a failure or error recorded first.
    if (record.status === 'success' && (release.status === 'failure' || release.status === 'error'))
        return release;
    const next = {
        ...release,
        status: record.status,
        updatedAt: record.at,
        good: record.status === 'success' ? true : record.status === 'inactive' ? release.good : false,
    };
    if (record.reason)
        next.reason = record.reason;
    else if (record.status !== 'inactive')
        delete next.reason;
    if (record.logUrl)
        next.logUrl = record.logUrl;
    if (record.environmentUrl)
        next.environmentUrl = record.environmentUrl;
    return next;
}
/** A release as recorded, before any status: in progress, not (yet) good. */
function newRelease(fields) {
    return {
        id: fields.id,
        environment: fields.environment,
        version: fields.version,
        slot: fields.slot,
        ...(fields.commit ? { commit: fields.commit } : {}),
        ...(fields.rollbackFrom ? { rollbackFrom: fields.rollbackFrom } : {}),
        ...(fields.owner ? { owner: fields.owner } : {}),
        ...(fields.flip ? { flip: true } : {}),
        status: 'in_progress',
        good: false,
        createdAt: fields.createdAt,
        updatedAt: fields.createdAt,
    };
}
/**
 * A flip that did not succeed (cut off, refused, taken over) changed nothing
 * in its slot, so the questions of what runs where and how a version was last
 * recorded pass over it.
 */
async function unsettledFlip(entry) {
    if (!entry.flip)
        return false;
    const release = await entry.load();
    return !release?.good;
}
async function selectCurrent(entries) {
    for await (const entry of entries) {
        const release = await entry.load();
        if (release?.status === 'success')
            return release;
    }
    return undefined;
}
async function selectPreviousGood(entries, current) {
    for await (const entry of entries) {
        // Returning to the version that is live already would not be a rollback.
        if (current && entry.version === current.version)
            continue;
        const release = await entry.load();
        if (release?.good)
            return release;
    }
    return undefined;
}
async function selectSlots(entries) {
    const slots = {};
    for await (const entry of entries) {
        if (entry.slot in slots || (await unsettledFlip(entry)))
            continue;
        const release = await entry.load();
        if (release)
            slots[entry.slot] = release;
    }
    return slots;
}
async function selectVersion(entries, version) {
    for await (const entry of entries) {
        if (entry.version !== version || (await unsettledFlip(entry)))
            continue;
        const release = await entry.load();
        if (release)
            return release;
    }
    return undefined;
}
/** The rollback recording both stores share, through the ledger's own begin/finish. */
async function recordRollback(ledger, rollback) {
    const { from, to, reason } = rollback;
    const links = {
        ...(rollback.logUrl ? { logUrl: rollback.logUrl } : {}),
        ...(rollback.environmentUrl ? { environmentUrl: rollback.environmentUrl } : {}),
    };
    // The abandoned release first: marked failure before the restored one
    // succeeds, so GitHub's auto_inactive never touches it and the environment
    // shows the restored release as the only active one.
    if (from && from.status !== 'failure' && from.status !== 'error')
        await ledger.finish(from, { status: 'failure', reason: `Rolled back: ${reason}`, ...links });
    const restored = rollback.recorded ??
        (await ledger.begin({
            environment: rollback.environment,
            version: to.version,
            slot: to.slot,
            ...(to.commit ? { commit: to.commit } : {}),
            ...(from ? { rollbackFrom: from.version } : {}),
            description: `Rollback to ${to.version}${from ? ` from ${from.version}` : ''}`,
            ...links,
        }));
    return ledger.finish(restored, {
        status: 'success',
        reason: `Rollback${from ? ` from ${from.version}` : ''}: ${reason}`,
        ...links,
    });
}


/***/ })

};
