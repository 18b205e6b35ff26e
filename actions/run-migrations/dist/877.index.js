export const id = 877;
export const ids = [877];
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

/***/ 8877:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   connectMysql: () => (/* binding */ connectMysql)
/* harmony export */ });
/* harmony import */ var _connection_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2554);
/* harmony import */ var _sql_split_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(7447);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2200);
/* harmony import */ var _session_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4815);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2694);





/**
 * MySQL and MariaDB through `mysql2`. DDL commits implicitly there, so a file
 * cannot be rolled back as a whole: statements run one by one, and a failure
 * names the statement, its line, and what of the file was already applied.
 *
 * Limits per session: `lock_wait_timeout` (metadata locks, which DDL takes)
 * and `innodb_lock_wait_timeout` (row locks) from lock-timeout, in whole
 * seconds (at least 1); statement-timeout as `max_statement_time` on MariaDB
 * (every statement) or `max_execution_time` on MySQL (read-only SELECTs only:
 * MySQL has no limit for DDL or writes).
 */
async function connectMysql(options) {
    const module = await __webpack_require__.e(/* import() */ 384).then(__webpack_require__.t.bind(__webpack_require__, 2384, 19));
    // mysql2 is CommonJS: its functions are on the default export when bundled as ESM.
    const createConnection = (module.default ?? module).createConnection;
    const tls = (0,_connection_js__WEBPACK_IMPORTED_MODULE_0__/* .tlsOptions */ .YF)(options.target.sslMode, options.ca);
    const config = {
        host: options.target.host,
        port: options.target.port,
        user: options.target.user,
        password: options.target.password,
        database: options.target.database,
        connectTimeout: options.connectTimeoutMs ?? 30_000,
        multipleStatements: false,
        ...(tls ? { ssl: tls } : {}),
    };
    const work = await createConnection(config);
    work.on('error', () => { });
    const [rows] = await work.query('SELECT VERSION() AS version');
    const serverVersion = String(rows[0].version);
    const db = new MysqlDatabase(createConnection, config, work, serverVersion, options);
    await db.applyLimits();
    return db;
}
class MysqlDatabase {
    createConnection;
    config;
    work;
    serverVersion;
    options;
    kind = 'mysql';
    sharedSession = false;
    notes = [
        'MySQL/MariaDB do not notice a vanished client during a statement: a run killed mid-statement keeps the lock (and its statement runs on) until that statement ends.',
    ];
    /** Opened on the first cancel: a statement is killed from another connection. */
    cancelConnection;
    mariadb;
    constructor(createConnection, config, work, serverVersion, options) {
        this.createConnection = createConnection;
        this.config = config;
        this.work = work;
        this.serverVersion = serverVersion;
        this.options = options;
        this.mariadb = /mariadb/i.test(serverVersion);
    }
    async applyLimits() {
        const { lockTimeoutMs, statementTimeoutMs } = this.options.limits;
        // 0 means "no limit" in this action; MySQL's largest value (a year) stands in for it.
        const lockSeconds = lockTimeoutMs > 0 ? Math.max(1, Math.ceil(lockTimeoutMs / 1000)) : 31_536_000;
        await this.work.query(`SET SESSION lock_wait_timeout = ${lockSeconds}`);
        await this.work.query(`SET SESSION innodb_lock_wait_timeout = ${Math.min(lockSeconds, 1_073_741_824)}`);
        if (this.mariadb)
            await this.work.query(`SET SESSION max_statement_time = ${statementTimeoutMs / 1000}`);
        else
            await this.work.query(`SET SESSION max_execution_time = ${Math.round(statementTimeoutMs)}`);
    }
    async tryLock() {
        const [rows] = await this.work.query('SELECT GET_LOCK(?, 0) AS locked', [
            this.options.lockName,
        ]);
        return Number(rows[0].locked) === 1;
    }
    async lockHolder() {
        const [rows] = await this.work.query('SELECT IS_USED_LOCK(?) AS id', [
            this.options.lockName,
        ]);
        const id = rows[0]?.id;
        if (id === null || id === undefined)
            return undefined;
        // The process list shows other users' connections only with the PROCESS privilege.
        const [processes] = await this.work.query('SELECT USER AS user, COMMAND AS command, TIME AS seconds, LEFT(INFO, 200) AS info FROM information_schema.PROCESSLIST WHERE ID = ?', [id]);
        const p = processes[0];
        const parts = [`MySQL/MariaDB connection id ${id}`];
        if (p)
            parts.push(`user ${p.user}, ${String(p.command).toLowerCase()} for ${p.seconds} s${p.info ? `, running ${(0,_session_js__WEBPACK_IMPORTED_MODULE_2__/* .statementKind */ .A9)(String(p.info))}` : ''}`);
        return parts.join(', ');
    }
    async holdsLock() {
        const [rows] = await this.work.query('SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS held', [this.options.lockName]);
        return Number(rows[0].held) === 1;
    }
    async verifyLock() {
        if (!(await this.holdsLock()))
            throw new _session_js__WEBPACK_IMPORTED_MODULE_2__/* .LockLostError */ .yx(`This run's connection (id ${this.work.threadId}) no longer holds the migration lock ${this.options.lockName}: a statement released it (RELEASE_LOCK, RELEASE_ALL_LOCKS), or a proxy multiplexes connections. Connect directly. Nothing more is applied.`);
    }
    whileIdle(work) {
        return (0,_session_js__WEBPACK_IMPORTED_MODULE_2__/* .keepingAlive */ .PV)(async () => {
            await this.work.query('SELECT 1');
        }, () => this.holdsLock(), work, `This run's connection (id ${this.work.threadId})`);
    }
    async unlock() {
        await this.work.query('SELECT RELEASE_LOCK(?)', [this.options.lockName]);
    }
    async ensureHistoryTable() {
        await this.work.query(`CREATE TABLE IF NOT EXISTS ${_types_js__WEBPACK_IMPORTED_MODULE_3__/* .HISTORY_TABLE */ .G} (
      version VARCHAR(64) NOT NULL PRIMARY KEY,
      name VARCHAR(255) NOT NULL,
      checksum CHAR(64) NOT NULL,
      applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      execution_ms INT NOT NULL,
      applied_by VARCHAR(255) NOT NULL,
      success BOOLEAN NOT NULL
    )`);
    }
    async readHistory() {
        const [tables] = await this.work.query('SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [_types_js__WEBPACK_IMPORTED_MODULE_3__/* .HISTORY_TABLE */ .G]);
        if (tables.length === 0)
            return [];
        const [rows] = await this.work.query(`SELECT version, name, checksum, applied_at, execution_ms, applied_by, success FROM ${_types_js__WEBPACK_IMPORTED_MODULE_3__/* .HISTORY_TABLE */ .G}`);
        return rows.map((r) => ({
            version: String(r.version),
            name: String(r.name),
            checksum: String(r.checksum),
            appliedAt: r.applied_at,
            executionMs: Number(r.execution_ms),
            appliedBy: String(r.applied_by),
            success: Boolean(r.success),
        }));
    }
    async apply(file, appliedBy) {
        const statements = (0,_sql_split_js__WEBPACK_IMPORTED_MODULE_4__/* .splitStatements */ .Xd)(file.sql, 'mysql');
        return (0,_session_js__WEBPACK_IMPORTED_MODULE_2__/* .applyEachStatement */ .fw)(file, statements, {
            query: (text) => this.work.query(text),
            verifyLock: () => this.verifyLock(),
            record: (success, executionMs) => this.record(file, appliedBy, executionMs, success),
        }, (index, statement, error) => {
            const applied = index === 0
                ? 'No statement of this file had been applied.'
                : `Statements 1–${index} of ${statements.length} (up to line ${(0,_sql_split_js__WEBPACK_IMPORTED_MODULE_4__/* .keywordLine */ .og)(statements[index - 1])}) had been applied and stay applied: MySQL/MariaDB commit DDL implicitly. Make the database match the file (or undo those statements), delete the failed row for version ${file.version} from ${_types_js__WEBPACK_IMPORTED_MODULE_3__/* .HISTORY_TABLE */ .G}, and run again.`;
            const line = mysqlErrorLine(error, statement);
            return new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .MigrationError */ .Py(file, `${file.file}: statement ${index + 1} of ${statements.length} (line ${line}) failed: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .explainServerError */ .Ff)(error, this.options.limits)}. ${applied}`, line, { cause: error });
        });
    }
    async record(file, appliedBy, executionMs, success) {
        await this.work.query(`INSERT INTO ${_types_js__WEBPACK_IMPORTED_MODULE_3__/* .HISTORY_TABLE */ .G} (version, name, checksum, applied_at, execution_ms, applied_by, success)
       VALUES (?, ?, ?, CURRENT_TIMESTAMP(3), ?, ?, ?)
       ON DUPLICATE KEY UPDATE name = VALUES(name), checksum = VALUES(checksum), applied_at = VALUES(applied_at),
         execution_ms = VALUES(execution_ms), applied_by = VALUES(applied_by), success = VALUES(success)`, [file.version, file.name, file.checksum, executionMs, appliedBy, success]);
    }
    async cancelRunning() {
        // The runner escalates to SIGKILL seconds after a cancel: no time for a slow connect.
        this.cancelConnection ??= this.createConnection({ ...this.config, connectTimeout: 3000 }).then((connection) => {
            connection.on('error', () => { });
            return connection;
        });
        // A failed attempt is not kept: the next cancel tries to connect again.
        const connection = await this.cancelConnection.catch((error) => {
            this.cancelConnection = undefined;
            throw error;
        });
        await connection.query(`KILL QUERY ${Number(this.work.threadId)}`);
    }
    async close() {
        // Closing the work connection releases GET_LOCK even if unlock was never reached.
        await Promise.allSettled([this.work.end(), this.cancelConnection?.then((c) => c.end())]);
    }
}
/** MySQL says "… near 'x' at line N", N counted within the statement that was sent. */
function mysqlErrorLine(error, statement) {
    const match = /at line (\d+)\s*$/.exec(String(error.sqlMessage ?? ''));
    return match ? statement.line + Number(match[1]) - 1 : (0,_sql_split_js__WEBPACK_IMPORTED_MODULE_4__/* .keywordLine */ .og)(statement);
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
