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
/* harmony import */ var _connection_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2554);
/* harmony import */ var _sql_split_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7447);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2200);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2694);




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
        application_name: 'glidepath-migrations',
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
    return new PostgresDatabase(pg, config, work, workPid, serverVersion, options, isPglite(serverVersion));
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
    singleSession;
    kind = 'postgres';
    sharedSession = false;
    lockClient;
    constructor(pg, config, work, workPid, serverVersion, options, singleSession) {
        this.pg = pg;
        this.config = config;
        this.work = work;
        this.workPid = workPid;
        this.serverVersion = serverVersion;
        this.options = options;
        this.singleSession = singleSession;
        this.sharedSession = singleSession;
    }
    async tryLock() {
        if (!this.lockClient && this.singleSession)
            this.lockClient = this.work;
        if (!this.lockClient) {
            const client = new this.pg.Client(this.config);
            client.on('error', () => { });
            await client.connect();
            this.lockClient = client;
            const [a, b] = await Promise.all([
                client.query('SELECT pg_backend_pid() AS pid'),
                this.work.query('SELECT pg_backend_pid() AS pid'),
            ]);
            this.sharedSession = a.rows[0].pid === b.rows[0].pid;
        }
        const result = await this.lockClient.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.options.lockKey.toString()]);
        return result.rows[0].locked;
    }
    async unlock() {
        if (!this.lockClient)
            return;
        await this.lockClient.query('SELECT pg_advisory_unlock($1::bigint)', [this.options.lockKey.toString()]);
    }
    async ensureHistoryTable() {
        await this.work.query(`CREATE TABLE IF NOT EXISTS ${_types_js__WEBPACK_IMPORTED_MODULE_3__/* .HISTORY_TABLE */ .G} (
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
            _types_js__WEBPACK_IMPORTED_MODULE_3__/* .HISTORY_TABLE */ .G,
        ]);
        if (!exists.rows[0]?.t)
            return [];
        const result = await this.work.query(`SELECT version, name, checksum, applied_at, execution_ms, applied_by, success FROM ${_types_js__WEBPACK_IMPORTED_MODULE_3__/* .HISTORY_TABLE */ .G}`);
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
        await this.work.query(`${this.recordSql(file, appliedBy, executionMs, true)}; COMMIT`);
        return { file, executionMs, statements: statements.length };
    }
    async applyOutsideTransaction(file, appliedBy) {
        // A previous file may have changed session settings; restore ours before each such file.
        await this.work.query(sessionLimits(this.options.limits));
        const statements = (0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .splitStatements */ .Xd)(file.sql, 'postgres');
        const started = performance.now();
        for (const [index, statement] of statements.entries()) {
            try {
                await this.work.query(statement.text);
            }
            catch (error) {
                const executionMs = Math.round(performance.now() - started);
                await this.record(file, appliedBy, executionMs, false).catch(() => undefined);
                const done = index === 0
                    ? 'No statement of it had been applied.'
                    : `Statements 1–${index} of ${statements.length} had been applied and stay applied (this file runs outside a transaction).`;
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .MigrationError */ .Py(file, `${file.file}: statement ${index + 1} of ${statements.length} (line ${(0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .keywordLine */ .og)(statement)}) failed: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .explainServerError */ .Ff)(error, this.options.limits)}. ${done}`, (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .postgresErrorLine */ .AA)(file, error, statement.offset) ?? (0,_sql_split_js__WEBPACK_IMPORTED_MODULE_2__/* .keywordLine */ .og)(statement), { cause: error });
            }
        }
        const executionMs = Math.round(performance.now() - started);
        await this.record(file, appliedBy, executionMs, true);
        return { file, executionMs, statements: statements.length };
    }
    recordSql(file, appliedBy, executionMs, success) {
        const lit = (v) => this.work.escapeLiteral(v);
        return `INSERT INTO ${_types_js__WEBPACK_IMPORTED_MODULE_3__/* .HISTORY_TABLE */ .G} (version, name, checksum, applied_at, execution_ms, applied_by, success)
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
        if (!this.lockClient || this.lockClient === this.work)
            return;
        await this.lockClient.query('SELECT pg_cancel_backend($1)', [this.workPid]);
    }
    async close() {
        // Ending the lock connection releases the lock even if unlock was never reached.
        await Promise.allSettled([
            this.work.end(),
            this.lockClient === this.work ? undefined : this.lockClient?.end(),
        ]);
    }
}


/***/ })

};
