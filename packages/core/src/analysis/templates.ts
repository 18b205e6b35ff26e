/**
 * Slot-aware templates in analysis inputs. The live slot alternates between
 * releases, so a check or query written for one slot judges the wrong one on
 * every other release; `{{slot}}` and its neighbours let one text follow the
 * slot under analysis. Values are inserted as they are in URLs and headers
 * (a host:port), escaped inside a PromQL string and a body regex.
 */

/** Every name a template may use, in the order the docs list them. */
export const PLACEHOLDERS = ['slot', 'live-slot', 'version', 'environment', 'address'] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];

/** What a template expands to; a missing value is a placeholder the action cannot resolve. */
export type TemplateValues = Partial<Record<Placeholder, string>>;

/**
 * What the action knows about the slots of the analysis. The target side
 * expands `{{slot}}` to `slot`; the live side of a `compare: live` query
 * expands it to `liveSlot`, with that slot's address and version.
 */
export interface SlotScope {
  slot?: string;
  liveSlot?: string;
  version?: string;
  /** The version running in the live slot, when the ledger knows it. */
  liveVersion?: string;
  environment?: string;
  /** Each slot's entry in `slots` (an address, a server name, a Service). */
  addresses?: ReadonlyMap<string, string>;
  /** Per placeholder, how a user makes it resolvable in this action (`set the "slot" input`). */
  hints?: TemplateValues;
  /** Why the live slot's version may be unknown, for `{{version}}` in a `compare: live` query. */
  liveVersionHint?: string;
}

// `{{slot}}` or `{{ slot }}`; names are words joined by hyphens.
const TEMPLATE = /\{\{\s*([A-Za-z][\w-]*)\s*\}\}/g;

/** The placeholder names a text uses, each once, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(TEMPLATE)].map((m) => m[1]!))];
}

export function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * Replaces every placeholder with its value (passed through `quote`, for a
 * value inserted into a regular expression or a PromQL string); the caller
 * has checked that all are known and resolvable.
 */
export function expand(
  text: string,
  values: TemplateValues,
  quote: (value: string) => string = (v) => v,
): string {
  return text.replace(TEMPLATE, (whole, name: string) =>
    isPlaceholder(name) && values[name] !== undefined ? quote(values[name]!) : whole,
  );
}

/** A value inside a PromQL string literal (`slot="{{slot}}"`): backslashes and double quotes escaped. */
export function promqlString(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`);
}

/** A value matched literally inside a regular expression (`body: "{{version}}"`). */
export function regexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Expands every string inside a parsed YAML value (object keys stay as they are). */
export function expandDeep<T>(value: T, values: TemplateValues): T {
  if (typeof value === 'string') return expand(value, values) as T;
  if (Array.isArray(value)) return value.map((item) => expandDeep(item, values)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, expandDeep(item, values)]),
    ) as T;
  return value;
}

/** Every string inside a parsed YAML value, for scanning. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The values of one side of the analysis: the target slot, or the live slot it is compared with. */
export function sideValues(scope: SlotScope, side: 'target' | 'live'): TemplateValues {
  const slot = side === 'target' ? scope.slot : scope.liveSlot;
  const version = side === 'target' ? scope.version : scope.liveVersion;
  const address = slot === undefined ? undefined : scope.addresses?.get(slot);
  return {
    ...(slot !== undefined ? { slot } : {}),
    ...(scope.liveSlot !== undefined ? { 'live-slot': scope.liveSlot } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(scope.environment !== undefined ? { environment: scope.environment } : {}),
    ...(address !== undefined ? { address } : {}),
  };
}

/**
 * Why the placeholders of `texts` cannot all be expanded with `values`: an
 * unknown name, or a known one this action has no value for. Undefined when
 * every placeholder resolves.
 */
export function templateProblem(
  texts: readonly string[],
  values: TemplateValues,
  hints: TemplateValues = {},
): string | undefined {
  const used = [...new Set(texts.flatMap(placeholdersIn))];
  const unknown = used.filter((name) => !isPlaceholder(name));
  if (unknown.length)
    return `only the placeholders ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')} (unknown: ${unknown
      .map((name) => `{{${name}}}`)
      .join(', ')})`;
  const missing = used.filter((name) => values[name as Placeholder] === undefined) as Placeholder[];
  if (missing.length)
    return `placeholders this action can resolve: ${missing
      .map((name) => `{{${name}}} has no value here${hints[name] ? ` (${hints[name]})` : ''}`)
      .join('; ')}`;
  return undefined;
}

/**
 * A stand-in for every placeholder, so that a templated URL can be checked
 * for form when the input is read, before the slot is known.
 */
export function withStandIns(text: string): string {
  return text.replace(TEMPLATE, 'x');
}
