import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { DURATION_LIMITS, formatBound, MAX_TIMER_MS, parseDuration } from './duration.js';

/**
 * One input of an action: how to turn the raw string the runner hands us into a
 * typed value, and what to tell the user when that fails. `expected` is the
 * end of the sentence `Input "x" got "y": expected …`.
 */
export interface Field<T> {
  readonly parse: (raw: string) => FieldResult<T> | Promise<FieldResult<T>>;
  /** Marks the value as secret: registered for masking as soon as it is read. */
  readonly secret?: boolean;
  /**
   * A block (YAML/JSON) that may carry credentials in any entry: an error
   * names the entry and key at fault instead of quoting the block back.
   */
  readonly opaque?: boolean;
}

export type FieldResult<T> = { ok: true; value: T } | { ok: false; expected: string };

const ok = <T>(value: T): FieldResult<T> => ({ ok: true, value });
const bad = (expected: string): FieldResult<never> => ({ ok: false, expected });

interface Common<T> {
  /** Used when the input is empty. Without one, an empty input is an error. */
  default?: T;
}

function withDefault<T>(
  options: Common<T> | undefined,
  parse: (raw: string) => FieldResult<T> | Promise<FieldResult<T>>,
  what: string,
): Field<T> {
  return {
    parse: (raw) => {
      if (raw.trim() === '') {
        if (options && 'default' in options) return ok(options.default as T);
        return bad(`${what} (this input is required)`);
      }
      return parse(raw.trim());
    },
  };
}

/** Any string. */
export function string(options?: Common<string> & { pattern?: RegExp; patternHint?: string }): Field<string> {
  return withDefault(
    options,
    (raw) =>
      options?.pattern && !options.pattern.test(raw)
        ? bad(options.patternHint ?? `text matching ${options.pattern}`)
        : ok(raw),
    'a value',
  );
}

/** An input that may be empty (undefined), and otherwise must parse with `field`. */
export function optional<T>(field: Field<T>): Field<T | undefined> {
  return {
    ...field,
    parse: (raw): FieldResult<T | undefined> | Promise<FieldResult<T | undefined>> =>
      raw.trim() === '' ? { ok: true, value: undefined } : field.parse(raw),
  };
}

/** A value that must never be printed: registered with the runner's masker when read. */
export function secret(options?: Common<string>): Field<string> {
  return { ...withDefault(options, (raw) => ok(raw), 'a secret'), secret: true };
}

/**
 * A secret URL (a webhook with its token in the path): checked for form like
 * `url`, never quoted back, and returned as written. Empty means not set.
 */
export function secretUrl(options?: Common<string> & { protocols?: string[] }): Field<string> {
  const protocols = options?.protocols ?? ['http:', 'https:'];
  const what = `an absolute ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL`;
  return {
    ...withDefault(
      options,
      (raw) => {
        const result = parseUrl(raw, protocols, what);
        return result.ok ? ok(raw) : result;
      },
      what,
    ),
    secret: true,
  };
}

/**
 * A path a user names in the workspace (a ledger file, a migrations
 * directory), returned as written. A relative path is taken from
 * GITHUB_WORKSPACE and must stay inside it: `../../x` would read or write
 * outside the checkout, where no review of the repository looks. An absolute
 * path is the user's explicit choice and is kept (a self-hosted runner's
 * ledger file must outlive actions/checkout's clean of the workspace).
 */
export function workspacePath(options?: Common<string> & { workspace?: () => string }): Field<string> {
  const what = 'a path inside the workspace, or an absolute path';
  const workspaceDir = options?.workspace ?? (() => process.env.GITHUB_WORKSPACE || process.cwd());
  return withDefault(
    options,
    (raw) => {
      if (/[\u0000-\u001f\u007f]/.test(raw)) return bad(`${what}, without control characters`);
      if (path.isAbsolute(raw)) return ok(raw);
      const workspace = path.resolve(workspaceDir());
      const resolved = path.resolve(workspace, raw);
      if (!isInside(workspace, resolved))
        return bad(
          `${what}: a relative path is taken from the workspace (GITHUB_WORKSPACE) and this one leads out of it through ".."`,
        );
      // Through a symbolic link in the workspace (`link/ledger.json`, link → /etc) is out of it too.
      if (!isInside(realPath(workspace), realPath(resolved)))
        return bad(
          `${what}: a relative path is taken from the workspace (GITHUB_WORKSPACE) and this one leads out of it through a symbolic link`,
        );
      return ok(raw);
    },
    what,
  );
}

/** `child` is `parent` or below it. */
function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

/** The real path of `target`, or of its deepest existing ancestor with the rest appended (a file not created yet). */
function realPath(target: string): string {
  let existing = target;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) return target;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  try {
    return path.join(realpathSync(existing), ...rest);
  } catch {
    return target;
  }
}

export function optionalString(): Field<string | undefined> {
  return { parse: (raw) => ok(raw.trim() === '' ? undefined : raw.trim()) };
}

/**
 * A duration in milliseconds, written `500ms`, `30s`, `5m`, `1h` or `1m30s`.
 * Always bounded: `max` defaults to DURATION_LIMITS.window (24 h) and can never
 * exceed what a timer holds (MAX_TIMER_MS), so no input can overflow a
 * `setTimeout` into firing at once. The bound is said in the error.
 */
export function duration(options?: Common<number> & { min?: number; max?: number }): Field<number> {
  const max = options?.max ?? DURATION_LIMITS.window;
  if (max > MAX_TIMER_MS)
    throw new RangeError(`A duration input cannot allow more than ${MAX_TIMER_MS} ms (asked for ${max})`);
  const what = 'a duration such as 500ms, 30s or 5m';
  const range = `${options?.min ? `from ${formatBound(options.min)} ` : ''}${options?.min ? 'to' : 'of at most'} ${formatBound(max)}`;
  return withDefault(
    options,
    (raw) => {
      const ms = parseDuration(raw);
      if (ms === undefined) return bad(what);
      if (options?.min !== undefined && ms < options.min) return bad(`${what}, ${range}`);
      if (!(ms <= max)) return bad(`${what}, ${range}`);
      return ok(ms);
    },
    what,
  );
}

export function integer(options?: Common<number> & { min?: number; max?: number }): Field<number> {
  const range =
    options?.min !== undefined && options?.max !== undefined
      ? ` from ${options.min} to ${options.max}`
      : options?.min !== undefined
        ? ` of at least ${options.min}`
        : options?.max !== undefined
          ? ` of at most ${options.max}`
          : '';
  const what = `a whole number${range}`;
  return withDefault(
    options,
    (raw) => {
      if (!/^-?\d+$/.test(raw)) return bad(what);
      const value = Number(raw);
      if (!Number.isSafeInteger(value)) return bad(what);
      if (options?.min !== undefined && value < options.min) return bad(what);
      if (options?.max !== undefined && value > options.max) return bad(what);
      return ok(value);
    },
    what,
  );
}

/** `25`, `25%` or `12.5%` → 25 / 12.5, between 0 and 100. */
export function percent(options?: Common<number>): Field<number> {
  const what = 'a percentage from 0 to 100, such as 25 or 25%';
  return withDefault(
    options,
    (raw) => {
      const match = /^(\d+(?:\.\d+)?)%?$/.exec(raw);
      if (!match) return bad(what);
      const value = Number(match[1]);
      return value <= 100 ? ok(value) : bad(what);
    },
    what,
  );
}

/**
 * A shift plan: strictly increasing whole percentages ending at 100, separated
 * by commas, spaces or new lines (`5,25,50,100`). Whole numbers because every
 * router expresses weights as integers.
 */
export function steps(options?: Common<number[]>): Field<number[]> {
  const what = 'strictly increasing whole percentages from 1 to 100, ending at 100, such as 5,25,50,100';
  return withDefault(
    options,
    (raw) => {
      const parts = raw.split(/[\s,]+/).filter(Boolean);
      if (parts.length === 0) return bad(what);
      const values: number[] = [];
      for (const part of parts) {
        const match = /^(\d+)%?$/.exec(part);
        if (!match) return bad(what);
        const value = Number(match[1]);
        if (value <= 0 || value > 100) return bad(what);
        if (values.length > 0 && value <= values[values.length - 1]!) return bad(what);
        values.push(value);
      }
      if (values[values.length - 1] !== 100) return bad(what);
      return ok(values);
    },
    what,
  );
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

/** YAML 1.2 core booleans, as `core.getBooleanInput` accepts, plus yes/no/on/off/1/0. */
export function boolean(options?: Common<boolean>): Field<boolean> {
  const what = 'true or false';
  return withDefault(
    options,
    (raw) => {
      const lower = raw.toLowerCase();
      if (TRUE.includes(lower)) return ok(true);
      if (FALSE.includes(lower)) return ok(false);
      return bad(what);
    },
    what,
  );
}

export function oneOf<const T extends string>(values: readonly T[], options?: Common<T>): Field<T> {
  const what = `one of ${values.map((v) => `"${v}"`).join(', ')}`;
  return withDefault(
    options,
    (raw) => ((values as readonly string[]).includes(raw) ? ok(raw as T) : bad(what)),
    what,
  );
}

/** One item per line (commas also separate, unless `lines` is set); blank lines and `#` comments ignored. */
export function list(
  options?: Common<string[]> & { lines?: boolean; item?: Field<unknown> },
): Field<string[]> {
  return withDefault(
    options,
    async (raw) => {
      const items = raw
        .split(options?.lines ? /\r?\n/ : /\r?\n|,/)
        .map((s) => s.trim())
        .filter((s) => s && !s.startsWith('#'));
      if (options?.item) {
        for (const item of items) {
          const result = await options.item.parse(item);
          if (!result.ok)
            return bad(`a list whose every item is ${result.expected} (${JSON.stringify(item)} is not)`);
        }
      }
      return ok(items);
    },
    'a list, one item per line',
  );
}

/** `key=value` lines (or comma-separated pairs) → an ordered map. */
export function keyValues(
  options?: Common<Map<string, string>> & { keyPattern?: RegExp },
): Field<Map<string, string>> {
  const what = 'lines of key=value';
  return withDefault(
    options,
    (raw) => {
      const map = new Map<string, string>();
      // One line may hold comma-separated pairs (`a=1,b=2`), but only when every
      // part is a pair: `FEATURES=a,b` is one value with a comma in it.
      const commaParts = raw.split(',');
      const lines =
        raw.includes('\n') || !commaParts.every((part) => part.includes('='))
          ? raw.split(/\r?\n/)
          : commaParts;
      for (const line of lines.map((s) => s.trim()).filter((s) => s && !s.startsWith('#'))) {
        const eq = line.indexOf('=');
        if (eq <= 0) return bad(`${what} (${JSON.stringify(line)} has no key=value)`);
        const key = line.slice(0, eq).trim();
        if (options?.keyPattern && !options.keyPattern.test(key))
          return bad(`${what} with keys matching ${options.keyPattern}`);
        if (map.has(key)) return bad(`${what} with each key once ("${key}" repeats)`);
        map.set(key, line.slice(eq + 1).trim());
      }
      return ok(map);
    },
    what,
  );
}

/** An absolute http(s) URL (or other listed protocols). */
export function url(options?: Common<URL> & { protocols?: string[] }): Field<URL> {
  const protocols = options?.protocols ?? ['http:', 'https:'];
  const what = `an absolute ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL`;
  return withDefault(options, (raw) => parseUrl(raw, protocols, what), what);
}

function parseUrl(raw: string, protocols: string[], what: string): FieldResult<URL> {
  try {
    const parsed = new URL(raw);
    return protocols.includes(parsed.protocol) && (parsed.hostname || parsed.protocol === 'file:')
      ? ok(parsed)
      : bad(what);
  } catch {
    return bad(what);
  }
}

/**
 * A YAML (or JSON, which is YAML) block validated by a zod schema. Errors point
 * at the offending entry and key, e.g. `entry 2: unknown key "stauts"`.
 *
 * The schema comes from an async loader so that the YAML parser and zod are
 * only loaded (as separate bundle chunks) when such an input is actually set:
 * an action's cold start stays small when the block is empty.
 */
export function structured<S extends z.ZodType>(
  loadSchema: () => Promise<S>,
  options?: Common<z.output<S>> & { what?: string },
): Field<z.output<S>> {
  const what = options?.what ?? 'a YAML or JSON block';
  const field = withDefault(
    options,
    async (raw) => {
      const [{ parse: parseYaml }, schema] = await Promise.all([import('yaml'), loadSchema()]);
      let data: unknown;
      try {
        data = parseYaml(raw);
      } catch (error) {
        return bad(`${what} (YAML does not parse: ${(error as Error).message.split('\n')[0]})`);
      }
      const result = schema.safeParse(data);
      if (result.success) return ok(result.data as z.output<S>);
      return bad(`${what} (${describeZodIssues(result.error)})`);
    },
    what,
  );
  return { ...field, opaque: true };
}

export function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const where = issue.path.map((p) => (typeof p === 'number' ? `entry ${p + 1}` : String(p))).join(' › ');
      let text = issue.message;
      if (issue.code === 'unrecognized_keys')
        text = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      // A bad key of a map (a header name): say what is wrong with it, not only that it is.
      if (issue.code === 'invalid_key' && issue.issues[0]) text = issue.issues[0].message;
      return where ? `${where}: ${text}` : text;
    })
    .join('; ');
}
