export const id = 216;
export const ids = [216];
export const modules = {

/***/ 2200:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AA: () => (/* binding */ postgresErrorLine),
/* harmony export */   Ff: () => (/* binding */ explainServerError),
/* harmony export */   Py: () => (/* binding */ MigrationError)
/* harmony export */ });
/* harmony import */ var _glidepath_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8247);
/* harmony import */ var _glidepath_core__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7036);
/* harmony import */ var _sql_split_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7447);


/** A migration that failed on the server, pointing at its file and line. */
class MigrationError extends _glidepath_core__WEBPACK_IMPORTED_MODULE_0__/* .OperationError */ .OK {
    file;
    line;
    name = 'MigrationError';
    constructor(file, message, line, options = {}) {
        super(message, {
            cause: options.cause,
            target: { file: file.file, startLine: line ?? 1, title: `Migration ${file.version} failed` },
        });
        this.file = file;
        this.line = line;
    }
}
/**
 * The line of the file where PostgreSQL says the error is: its `position` is a
 * 1-based character offset into the text that was sent, which started at
 * `offset` in the file.
 */
function postgresErrorLine(file, error, offset) {
    const position = Number(error.position);
    if (!Number.isFinite(position) || position < 1)
        return undefined;
    return (0,_sql_split_js__WEBPACK_IMPORTED_MODULE_1__/* .lineAt */ .mh)(file.sql, offset + position - 1);
}
/** Explains the server's words in terms of the action's inputs, where one applies. */
function explainServerError(error, limits) {
    const e = error;
    const text = e.sqlMessage ?? e.message ?? String(error);
    // PostgreSQL: 55P03 lock_not_available; MySQL/MariaDB: 1205 ER_LOCK_WAIT_TIMEOUT.
    if (e.code === '55P03' || e.errno === 1205)
        return `${text} — the statement waited longer than lock-timeout (${(0,_glidepath_core__WEBPACK_IMPORTED_MODULE_2__/* .formatDuration */ .a3)(limits.lockTimeoutMs)}) for a lock held by another session, and gave up instead of making every query queue behind it. Retry when that session is done, or raise lock-timeout.`;
    // PostgreSQL: 57014 query_canceled by statement_timeout; MariaDB 1969 ER_STATEMENT_TIMEOUT; MySQL 3024.
    if ((e.code === '57014' && /statement timeout/i.test(text)) || e.errno === 1969 || e.errno === 3024)
        return `${text} — the statement ran longer than statement-timeout (${(0,_glidepath_core__WEBPACK_IMPORTED_MODULE_2__/* .formatDuration */ .a3)(limits.statementTimeoutMs)}).`;
    return e.code && !text.includes(e.code) ? `${text} (${e.code})` : text;
}


/***/ }),

/***/ 7216:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   connectPostgres: () => (/* binding */ connectPostgres)
/* harmony export */ });
/* unused harmony export isPglite */
/* harmony import */ var _glidepath_core__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8247);
/* harmony import */ var _connection_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2554);
/* harmony import */ var _sql_split_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7447);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2200);
/* harmony import */ var _session_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4815);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(2694);






/**
 * PostgreSQL through `pg`. Each migration runs in its own transaction, sent
 * as one script so that the server's error position maps onto the file, with
 * `SET LOCAL lock_timeout` and `statement_timeout` in force. A file marked
 * `-- glidepath:no-transaction` runs statement by statement in autocommit
 * mode, under the same limits set on the session.
 */
async function connectPostgres(options) {
    const pg = (await __webpack_require__.e(/* import() */ 757).then(__webpack_require__.bind(__webpack_require__, 5757))).default;
    const config = {
        host: options.target.host,
        port: options.target.port,
        user: options.target.user,
        password: options.target.password,
        database: options.target.database,
        ssl: (0,_connection_js__WEBPACK_IMPORTED_MODULE_0__/* .tlsOptions */ .YF)(options.target.sslMode, options.ca),
        application_name: applicationName(),
        connectionTimeoutMillis: options.connectTimeoutMs ?? 30_000,
    };
    const work = new pg.Client(config);
    work.on('error', () => {
        // A dropped connection surfaces as the rejected query; this only keeps Node from crashing first.
    });
    await work.connect();
    const identity = await work.query('SELECT version() AS version, pg_backend_pid() AS pid');
    const { version: serverVersion, pid: workPid } = identity.rows[0];
    await work.query(sessionLimits(options.limits));
    const singleSession = isPglite(serverVersion);
    const notes = [];
    if (!singleSession)
        notes.push(await watchForDeadClient(work));
    return new PostgresDatabase(pg, config, work, workPid, serverVersion, options, singleSession, notes);
}
/**
 * PostgreSQL 14+ on Linux can check, while a statement runs, that the client
 * is still there (`client_connection_check_interval`), and cancel the
 * statement if it is not. A run killed during a long statement then leaves no
 * orphan holding the lock for the rest of that statement. Returns the line the
 * log shows about it.
 */
async function watchForDeadClient(work) {
    const { rows } = await work.query("SELECT current_setting('server_version_num')::int AS n");
    if (rows[0].n < 140000)
        return 'PostgreSQL before 14 cannot notice a vanished client during a statement: a run killed mid-statement keeps the lock until its statement ends.';
    try {
        await work.query(`SET client_connection_check_interval = '${DEAD_CLIENT_CHECK_MS}ms'`);
        return `client_connection_check_interval is ${DEAD_CLIENT_CHECK_MS} ms on this session: if this run is killed, the server cancels its statement and releases the lock.`;
    }
    catch (error) {
        return `client_connection_check_interval could not be set (${postgresMessage(error)}): a run killed mid-statement keeps the lock until its statement ends.`;
    }
}
const DEAD_CLIENT_CHECK_MS = 1000;
function postgresMessage(error) {
    return error instanceof Error ? error.message : String(error);
}
/**
 * `glidepath-migrations`, with the workflow run when there is one, so that an
 * operator looking at pg_stat_activity can find the run that holds the lock
 * (at most 63 bytes, PostgreSQL's limit).
 */
function applicationName() {
    const run = process.env.GITHUB_RUN_ID;
    return (run ? `glidepath-migrations run ${run}` : 'glidepath-migrations').slice(0, 63);
}
/**
 * PGlite (PostgreSQL in WebAssembly, the demo's database) is a single session:
 * its socket server runs every client connection in it, and by default
 * accepts only one connection. There the lock is taken on the work connection
 * itself — which is what two connections would amount to anyway.
 */
function isPglite(serverVersion) {
    return /\bPGlite\b|emscripten/i.test(serverVersion);
}
/** Statements that end or start a transaction (savepoints are fine inside ours). */
function controlsTransaction(text) {
    const keyword = (0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .firstKeyword */ .A1)(text);
    if (keyword === 'ROLLBACK')
        return !/^\s*ROLLBACK\s+(WORK\s+|TRANSACTION\s+)?TO\b/i.test((0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .stripLeadingComments */ .Xo)(text));
    if (keyword === 'START')
        return /^\s*START\s+TRANSACTION\b/i.test((0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .stripLeadingComments */ .Xo)(text));
    return keyword === 'BEGIN' || keyword === 'COMMIT' || keyword === 'ABORT';
}
/** Milliseconds as PostgreSQL wants a setting; 0 disables the limit, as in PostgreSQL. */
function ms(value) {
    return `'${Math.round(value)}ms'`;
}
function sessionLimits(limits) {
    return `SET lock_timeout = ${ms(limits.lockTimeoutMs)}; SET statement_timeout = ${ms(limits.statementTimeoutMs)}`;
}
class PostgresDatabase {
    pg;
    config;
    work;
    workPid;
    serverVersion;
    options;
    notes;
    kind = 'postgres';
    sharedSession;
    /** Whether tryLock has run once (its first attempt checks for a session shared through a pooler). */
    attempted = false;
    /** Opened on the first cancel: a statement is cancelled from another session. */
    cancelSession;
    constructor(pg, config, work, workPid, serverVersion, options, singleSession, notes) {
        this.pg = pg;
        this.config = config;
        this.work = work;
        this.workPid = workPid;
        this.serverVersion = serverVersion;
        this.options = options;
        this.notes = notes;
        this.sharedSession = singleSession;
    }
    /**
     * The lock's row in `pg_locks` (aliased `l`): a bigint key shows as classid
     * (its high 32 bits) and objid (its low 32 bits), with objsubid 1.
     */
    get lockRow() {
        const key = BigInt.asUintN(64, this.options.lockKey);
        // Advisory locks belong to a database: the same key in another database is another lock.
        return `l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.classid = ${key >> 32n} AND l.objid = ${key & 0xffffffffn} AND l.objsubid = 1`;
    }
    async holdsLock() {
        const { rows } = await this.work.query(`SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND ${this.lockRow}) AS held`);
        return rows[0].held;
    }
    async tryLock() {
        if (!this.sharedSession && !this.attempted) {
            // Advisory locks are re-entrant within a server session: one this session
            // holds already was taken by another client sharing it through a pooler.
            this.attempted = true;
            if (await this.holdsLock())
                throw this.pooled('already holds the migration lock before this run took it');
        }
        const result = await this.work.query('SELECT pg_try_advisory_lock($1::bigint) AS locked, pg_backend_pid() AS pid', [this.options.lockKey.toString()]);
        const { locked, pid } = result.rows[0];
        if (!this.sharedSession && pid !== this.workPid) {
            if (locked)
                await this.work
                    .query('SELECT pg_advisory_unlock($1::bigint)', [this.options.lockKey.toString()])
                    .catch(() => undefined);
            throw this.pooled(`answered from server session ${pid}, not ${this.workPid}`);
        }
        return locked;
    }
    pooled(what) {
        return new _glidepath_core__WEBPACK_IMPORTED_MODULE_3__/* .OperationError */ .OK(`This run's connection ${what}: the connection goes through a pooler that shares server sessions (PgBouncer in transaction or statement mode), where a session lock cannot keep two runs apart. Connect run-migrations directly to PostgreSQL, or through session pooling. Nothing was applied.`);
    }
    async lockHolder() {
        const { rows } = await this.work.query(`SELECT l.pid, a.application_name, a.state,
         extract(epoch FROM now() - a.state_change)::int AS seconds, a.query
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE ${this.lockRow} LIMIT 1`);
        const row = rows[0];
        if (!row)
            return undefined;
        const parts = [`PostgreSQL session pid ${row.pid}`];
        if (row.application_name)
            parts.push(`application_name ${row.application_name}`);
        if (row.state)
            parts.push(`${row.state}${row.seconds !== null ? ` for ${row.seconds} s` : ''}${row.state === 'active' && row.query ? `, running ${(0,_session_js__WEBPACK_IMPORTED_MODULE_4__/* .statementKind */ .A9)(row.query)}` : ''}`);
        return parts.join(', ');
    }
    async verifyLock() {
        if (this.sharedSession)
            return;
        if (!(await this.holdsLock()))
            throw new _session_js__WEBPACK_IMPORTED_MODULE_4__/* .LockLostError */ .yx(`This run's session (pid ${this.workPid}) no longer holds the migration lock: a statement released it (pg_advisory_unlock_all, DISCARD ALL), or a pooler in transaction mode moved the session. Connect directly or through session pooling. Nothing more is applied.`);
    }
    whileIdle(work) {
        return (0,_session_js__WEBPACK_IMPORTED_MODULE_4__/* .keepingAlive */ .PV)(async () => {
            await this.work.query('SELECT 1');
        }, async () => this.sharedSession || (await this.holdsLock()), work, `This run's session (pid ${this.workPid})`);
    }
    async unlock() {
        await this.work.query('SELECT pg_advisory_unlock($1::bigint)', [this.options.lockKey.toString()]);
    }
    async ensureHistoryTable() {
        await this.work.query(`CREATE TABLE IF NOT EXISTS ${_types_js__WEBPACK_IMPORTED_MODULE_5__/* .HISTORY_TABLE */ .G} (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum char(64) NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      execution_ms integer NOT NULL,
      applied_by text NOT NULL,
      success boolean NOT NULL
    )`);
    }
    async readHistory() {
        const exists = await this.work.query('SELECT to_regclass($1) AS t', [
            _types_js__WEBPACK_IMPORTED_MODULE_5__/* .HISTORY_TABLE */ .G,
        ]);
        if (!exists.rows[0]?.t)
            return [];
        const result = await this.work.query(`SELECT version, name, checksum, applied_at, execution_ms, applied_by, success FROM ${_types_js__WEBPACK_IMPORTED_MODULE_5__/* .HISTORY_TABLE */ .G}`);
        return result.rows.map((r) => ({
            version: r.version,
            name: r.name,
            checksum: r.checksum,
            appliedAt: r.applied_at,
            executionMs: r.execution_ms,
            appliedBy: r.applied_by,
            success: r.success,
        }));
    }
    async apply(file, appliedBy) {
        return file.directives.noTransaction
            ? this.applyOutsideTransaction(file, appliedBy)
            : this.applyInTransaction(file, appliedBy);
    }
    async applyInTransaction(file, appliedBy) {
        const statements = (0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .splitStatements */ .Xd)(file.sql, 'postgres');
        // A COMMIT inside the file would end our transaction halfway and make the file half-applicable.
        const control = statements.find((s) => controlsTransaction(s.text));
        if (control)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .MigrationError */ .Py(file, `${file.file}: line ${(0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .keywordLine */ .og)(control)} controls the transaction itself (${(0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .firstKeyword */ .A1)(control.text)}); the action already runs each file in one transaction. Remove it, or mark the file -- glidepath:no-transaction. Nothing of the file was applied.`, (0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .keywordLine */ .og)(control));
        const { lockTimeoutMs, statementTimeoutMs } = this.options.limits;
        await this.work.query(`BEGIN; SET LOCAL lock_timeout = ${ms(lockTimeoutMs)}; SET LOCAL statement_timeout = ${ms(statementTimeoutMs)}`);
        await this.rollbackUnless(() => this.verifyLock());
        const started = performance.now();
        try {
            await this.work.query(file.sql);
        }
        catch (error) {
            const executionMs = Math.round(performance.now() - started);
            await this.work.query('ROLLBACK').catch(() => undefined);
            await this.record(file, appliedBy, executionMs, false).catch(() => undefined);
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .MigrationError */ .Py(file, `${file.file}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .explainServerError */ .Ff)(error, this.options.limits)}. The migration was rolled back; nothing of it was applied.`, (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .postgresErrorLine */ .AA)(file, error, 0), { cause: error });
        }
        const executionMs = Math.round(performance.now() - started);
        // The file may have released the lock itself; then nothing of it is committed.
        await this.rollbackUnless(() => this.verifyLock());
        await this.work.query(`${this.recordSql(file, appliedBy, executionMs, true)}; COMMIT`);
        return { file, executionMs, statements: statements.length };
    }
    /** Runs `check` inside the open transaction, rolling it back when the check throws. */
    async rollbackUnless(check) {
        try {
            await check();
        }
        catch (error) {
            await this.work.query('ROLLBACK').catch(() => undefined);
            throw error;
        }
    }
    async applyOutsideTransaction(file, appliedBy) {
        // A previous file may have changed session settings; restore ours before each such file.
        await this.work.query(sessionLimits(this.options.limits));
        const statements = (0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .splitStatements */ .Xd)(file.sql, 'postgres');
        return (0,_session_js__WEBPACK_IMPORTED_MODULE_4__/* .applyEachStatement */ .fw)(file, statements, {
            query: (text) => this.work.query(text),
            verifyLock: () => this.verifyLock(),
            record: (success, executionMs) => this.record(file, appliedBy, executionMs, success),
        }, (index, statement, error) => {
            const done = index === 0
                ? 'No statement of it had been applied.'
                : `Statements 1–${index} of ${statements.length} had been applied and stay applied (this file runs outside a transaction).`;
            return new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .MigrationError */ .Py(file, `${file.file}: statement ${index + 1} of ${statements.length} (line ${(0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .keywordLine */ .og)(statement)}) failed: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .explainServerError */ .Ff)(error, this.options.limits)}. ${done}`, (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .postgresErrorLine */ .AA)(file, error, statement.offset) ?? (0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .keywordLine */ .og)(statement), { cause: error });
        });
    }
    recordSql(file, appliedBy, executionMs, success) {
        const lit = (v) => this.work.escapeLiteral(v);
        return `INSERT INTO ${_types_js__WEBPACK_IMPORTED_MODULE_5__/* .HISTORY_TABLE */ .G} (version, name, checksum, applied_at, execution_ms, applied_by, success)
      VALUES (${lit(file.version)}, ${lit(file.name)}, ${lit(file.checksum)}, now(), ${executionMs}, ${lit(appliedBy)}, ${success})
      ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum,
        applied_at = EXCLUDED.applied_at, execution_ms = EXCLUDED.execution_ms,
        applied_by = EXCLUDED.applied_by, success = EXCLUDED.success`;
    }
    async record(file, appliedBy, executionMs, success) {
        await this.work.query(this.recordSql(file, appliedBy, executionMs, success));
    }
    async cancelRunning() {
        // On PGlite there is one session and no second connection to cancel from.
        if (this.sharedSession)
            return;
        this.cancelSession ??= (async () => {
            const client = new this.pg.Client({
                ...this.config,
                application_name: 'glidepath-migrations-cancel',
                // The runner escalates to SIGKILL seconds after a cancel: no time for a slow connect.
                connectionTimeoutMillis: 3000,
            });
            client.on('error', () => { });
            await client.connect();
            return client;
        })();
        // A failed attempt is not kept: the next cancel tries to connect again.
        const client = await this.cancelSession.catch((error) => {
            this.cancelSession = undefined;
            throw error;
        });
        await client.query('SELECT pg_cancel_backend($1)', [this.workPid]);
    }
    async close() {
        // Ending the work session releases the lock even if unlock was never reached.
        await Promise.allSettled([this.work.end(), this.cancelSession?.then((client) => client.end())]);
    }
}


/***/ }),

/***/ 4815:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   A9: () => (/* binding */ statementKind),
/* harmony export */   PV: () => (/* binding */ keepingAlive),
/* harmony export */   fw: () => (/* binding */ applyEachStatement),
/* harmony export */   yx: () => (/* binding */ LockLostError)
/* harmony export */ });
/* harmony import */ var _glidepath_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8247);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2694);


/** The work session no longer holds the migration lock: another run may be migrating beside this one. */
class LockLostError extends _glidepath_core__WEBPACK_IMPORTED_MODULE_0__/* .OperationError */ .OK {
    name = 'LockLostError';
}
/** How often a session that waits on something else says it is alive. */
const PING_INTERVAL_MS = 1000;
/** A ping unanswered for this long means the connection is gone (dropped without a word). */
const PING_TIMEOUT_MS = 5000;
/**
 * Runs `work` while `ping` (a trivial query) runs every second on the session,
 * so that an idle timeout (PostgreSQL `idle_session_timeout`, MySQL
 * `wait_timeout`, a pooler's or load balancer's) does not close it, and with it
 * the lock. Once `work` has ended, `check` says whether the lock is still held.
 * A ping that fails or goes unanswered for 5 s marks the session lost; that,
 * or a negative check, is thrown once `work` has ended: `work` is not
 * interrupted, because a migration tool stopped halfway can leave a worse
 * state than one that finishes.
 */
async function keepingAlive(ping, check, work, describe) {
    let lost;
    let pinging = false;
    const losing = (error) => {
        lost ??= `${describe} was lost (${(0,_glidepath_core__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error)}), and the lock with it`;
    };
    const timer = setInterval(() => {
        if (pinging || lost)
            return;
        pinging = true;
        answered(ping(), 'a ping')
            .catch(losing)
            .finally(() => {
            pinging = false;
        });
    }, PING_INTERVAL_MS);
    let result;
    try {
        result = await work();
    }
    finally {
        clearInterval(timer);
    }
    // A ping still in flight is not waited for: one that hangs must not hold the step.
    if (!lost)
        await answered(check(), 'the lock check').then((held) => {
            if (!held)
                lost = `${describe} no longer holds the migration lock`;
        }, losing);
    if (lost)
        throw new LockLostError(`${lost} while the work ran: another run may have started beside it. Check ${_types_js__WEBPACK_IMPORTED_MODULE_1__/* .HISTORY_TABLE */ .G} and the other runs before running again.`);
    return result;
}
/**
 * The first keyword of a statement (`CREATE`, `UPDATE`…): enough to tell a
 * migration at work from an idle session, without quoting another session's
 * statement (its literals may be secrets) into this job's log.
 */
function statementKind(text) {
    return (/^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'a statement');
}
/** `promise`, or a rejection once it has gone PING_TIMEOUT_MS without settling. */
async function answered(promise, what) {
    let timeout;
    try {
        return await Promise.race([
            promise,
            new Promise((_, reject) => {
                timeout = setTimeout(() => reject(new Error(`no answer to ${what} within ${PING_TIMEOUT_MS / 1000} s`)), PING_TIMEOUT_MS);
            }),
        ]);
    }
    finally {
        clearTimeout(timeout);
    }
}
/**
 * Runs a file statement by statement, outside any transaction (MySQL and MariaDB always;
 * PostgreSQL for a file marked to run outside one). A failed statement records the file as
 * failed and throws the engine's own MigrationError, which says what stays applied; the lock
 * is verified again before success is recorded.
 */
async function applyEachStatement(file, statements, session, failure) {
    await session.verifyLock();
    const started = performance.now();
    for (const [index, statement] of statements.entries()) {
        try {
            await session.query(statement.text);
        }
        catch (error) {
            await session.record(false, Math.round(performance.now() - started)).catch(() => undefined);
            throw failure(index, statement, error);
        }
    }
    const executionMs = Math.round(performance.now() - started);
    await session.verifyLock();
    await session.record(true, executionMs);
    return { file, executionMs, statements: statements.length };
}


/***/ })

};
