import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ParsedStatement {
  stmt: Record<string, unknown>;
  /** Byte offset where the statement's text starts (after the previous semicolon, comments included). */
  stmt_location?: number;
  stmt_len?: number;
}

export type ParseSql = (sql: string) => Promise<{ stmts: ParsedStatement[] }>;

let loading: Promise<ParseSql> | undefined;

/**
 * Loads libpg-query (PostgreSQL's own parser compiled to WebAssembly) on first
 * use only, so a run with `lint: off` or on MySQL never pays its start-up.
 *
 * Bundled by ncc into an ES module, its Emscripten loader still computes the
 * `.wasm` location from `__dirname`, which an ES module does not have: a
 * `__dirname` global pointing at this file's directory (dist/, where the
 * bundle's post step copies `libpg-query.wasm`) stands in for it while the
 * module initialises, and is removed afterwards. Run from node_modules (tests
 * of the sources) the loader is CommonJS and has its own `__dirname`.
 */
export function loadParser(): Promise<ParseSql> {
  loading ??= (async () => {
    const global = globalThis as { __dirname?: string };
    const shim = global.__dirname === undefined;
    if (shim) global.__dirname = path.dirname(fileURLToPath(import.meta.url));
    try {
      const module = await import('libpg-query');
      await module.loadModule();
      return module.parse as unknown as ParseSql;
    } finally {
      if (shim) delete global.__dirname;
    }
  })();
  return loading;
}
