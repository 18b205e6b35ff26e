/**
 * Analysis files: one YAML file in the repository holding an analysis's
 * `checks`, `queries`, `providers` and thresholds, so that every environment
 * and workflow judges a release the same way and the analysis is reviewed
 * like code. Its keys are the analysis inputs' names; a step input that is
 * given wins over the file, and the code's defaults fill the rest.
 *
 * Everything wrong with the file is a bad `analysis-file` input naming the
 * file, the line and the key: an unknown key, a value its input would
 * refuse, and a literal credential (a key named like one — token, password,
 * key, secret — holding a written-out value rather than `{ env: NAME }`).
 * `schemas/analysis-file.schema.json` describes the file for editors.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, type InputProblem } from '../errors.js';
import { describeZodIssues, type Field } from '../inputs/fields.js';
import { type RawInputs, requireInputs } from '../inputs/read.js';
import { isCredentialName } from '../secrets.js';
import type { analysisFields } from './inputs.js';

/** The inputs an analysis file may set: every analysis input but the credentials, which only inputs carry. */
export const FILE_KEYS = [
  'url',
  'checks',
  'baseline-url',
  'prometheus-url',
  'prometheus-username',
  'queries',
  'providers',
  'interval',
  'failure-threshold',
  'requests-per-interval',
  'max-error-rate',
  'timeout',
  'follow-redirects',
  'ca-file',
  'insecure-tls',
  'on-no-data',
  'on-error',
  'baseline-min-samples',
  'baseline-latency-tolerance',
  'baseline-latency-floor',
  'baseline-error-tolerance',
  'baseline-confidence',
] as const satisfies ReadonlyArray<keyof typeof analysisFields>;

/** Blocks written as YAML in the file, and as YAML text in a step input. */
const BLOCKS = new Set(['checks', 'queries', 'providers']);

/** Keys whose value is a credential wherever they are (`token`, `api-key`, `Authorization`, `Cookie`, …). */
const credentialKey = (name: string) =>
  isCredentialName(name) || /^(proxy-)?authorization$|^cookie$/i.test(name);

/** Maps whose keys are data, not settings: a CloudWatch dimension `KeyId`, a JSON path `data.token_count`. */
const DATA_MAPS = new Set(['dimensions', 'json']);

/** A credential inside a value: a URL's user:password@ or a `?token=` parameter. */
const CREDENTIAL_IN_TEXT =
  /[a-z][a-z0-9+.-]*:\/\/[^\s/@]+@|[?&][^\s=&#]*(?:token|secret|password|passwd|api[-_]?key|signature)[^\s=&#]*=[^\s&#]/i;

/**
 * The raw inputs with the analysis file's values beneath them: a step input
 * that is given (not empty) wins; a key the file sets is used otherwise, as
 * the text its input would have held. Checks the whole file first, so a bad
 * file is refused before anything runs.
 */
export async function withAnalysisFile(
  raw: RawInputs,
  fields: Record<string, Field<unknown>>,
  workspace: string,
): Promise<RawInputs> {
  const given = raw('analysis-file').trim();
  if (!given) return raw;
  const values = await readAnalysisFile(given, fields, workspace);
  return (name) => {
    const text = raw(name);
    if (text.trim() !== '' || !(name in values)) return text;
    return values[name]!;
  };
}

/** The file's values as the raw text of each input, after every check (all problems at once). */
export async function readAnalysisFile(
  file: string,
  fields: Record<string, Field<unknown>>,
  workspace: string,
): Promise<Record<string, string>> {
  const { LineCounter, parseDocument, stringify, isMap, isPair, isScalar, isSeq } = await import('yaml');
  const full = path.resolve(workspace, file);
  const problem = (expected: string): InputProblem => ({ input: 'analysis-file', value: file, expected });
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new InputError([
      problem(
        `a readable YAML file in the repository (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}: ${full})`,
      ),
    ]);
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
  if (document.errors.length) {
    const first = document.errors[0]!;
    throw new InputError([
      problem(`YAML that parses (${file}:${at(first.pos[0])}: ${first.message.split('\n')[0]})`),
    ]);
  }
  const root = document.contents;
  if (root === null) return {};
  if (!isMap(root))
    throw new InputError([problem(`a YAML mapping of analysis inputs (${file}:${at(root.range?.[0])})`)]);

  const problems: InputProblem[] = [];
  const report = (line: number, key: string, expected: string) =>
    problems.push(problem(`${file}:${line}: ${key}: ${expected}`));

  // A literal credential anywhere, however deep: refused by its line, never quoted.
  const credentials = new Set<string>();
  const scan = (node: unknown, trail: string[]): void => {
    if (isScalar(node) && typeof node.value === 'string' && CREDENTIAL_IN_TEXT.test(node.value)) {
      credentials.add(trail.join('.'));
      report(
        at(node.range?.[0]),
        trail.join('.'),
        'a credential written out in a URL: name it by environment variable, or pass the URL as a step input from a secret',
      );
      return;
    }
    if (isMap(node))
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        const here = [...trail, name];
        const data = DATA_MAPS.has(trail.at(-1) ?? '');
        const written = isScalar(pair.value) && pair.value.value !== null && pair.value.value !== '';
        if (!data && credentialKey(name) && written) {
          credentials.add(here.join('.'));
          report(
            at(pair.key.range?.[0]),
            here.join('.'),
            'a credential written out in the file: name the environment variable that holds it ({ env: NAME }), or pass it as a step input from a secret',
          );
        } else scan(pair.value, here);
      }
    else if (isSeq(node))
      node.items.forEach((item, i) => {
        scan(item, [...trail, String(i + 1)]);
      });
  };
  scan(root, []);

  const values: Record<string, string> = {};
  for (const pair of root.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const line = at(pair.key.range?.[0]);
    if (!(FILE_KEYS as readonly string[]).includes(key)) {
      report(
        line,
        key,
        key in fields
          ? 'not an analysis file key (credentials and step settings are step inputs)'
          : `an unknown key (the file takes ${FILE_KEYS.join(', ')})`,
      );
      continue;
    }
    const value = pair.value as { toJSON(): unknown; range?: [number, number, number] } | null;
    const data = value?.toJSON?.() ?? (isScalar(value) ? value.value : null);
    const field = fields[key];
    if (!field) continue;
    let raw: string;
    if (BLOCKS.has(key)) {
      raw = stringify(data);
      const issues = await blockIssues(key, data);
      for (const issue of issues) {
        // Entries counted from 1, as a reader counts them (and as the credential scan names them).
        const where = [
          key,
          ...issue.path.map((p) => (typeof p === 'number' ? String(p + 1) : String(p))),
        ].join('.');
        if (credentials.has(where)) continue;
        const node = document.getIn([key, ...issue.path], true) as
          | { range?: [number, number, number] }
          | undefined;
        report(at(node?.range?.[0] ?? pair.key.range?.[0]), where, issue.message);
      }
      if (issues.length) continue;
    } else if (Array.isArray(data)) {
      raw = data.map(String).join('\n');
    } else if (data !== null && typeof data === 'object') {
      report(line, key, 'a single value, not a mapping');
      continue;
    } else {
      raw = data === null ? '' : String(data);
    }
    const parsed = await field.parse(raw);
    if (!parsed.ok) report(line, key, parsed.expected);
    else values[key] = raw;
  }
  requireInputs(problems);
  return values;
}

/** The schema's complaints about a block, each with its path inside the block. */
async function blockIssues(
  key: string,
  data: unknown,
): Promise<Array<{ path: PropertyKey[]; message: string }>> {
  const schemas = await import('./schemas.js');
  const schema =
    key === 'checks'
      ? schemas.checksSchema
      : key === 'queries'
        ? schemas.queriesSchema
        : schemas.providersSchema;
  const result = schema.safeParse(data ?? (key === 'providers' ? {} : []));
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    path: issue.path,
    message: describeZodIssues({ issues: [{ ...issue, path: [] }] } as never),
  }));
}
