import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * GitHub's published OpenAPI description, reduced to the operations the fake
 * serves. The dereferenced description is 70 MB of JSON (about a second and
 * 200 MB of heap to parse), so the few operations we need are extracted once
 * and cached on disk beside node_modules, keyed by the package version and
 * the list of operations; each process then reads a few kilobytes.
 */

export type JsonSchema = Record<string, unknown>;

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

export interface OperationSpec {
  operationId: string;
  method: string;
  /** The path template, e.g. `/repos/{owner}/{repo}/deployments`. */
  path: string;
  docsUrl: string;
  parameters: ParameterSpec[];
  requestBody?: { required: boolean; schema: JsonSchema };
  /** Response schemas by status code; `undefined` schema = no body documented. */
  responses: Record<string, { schema?: JsonSchema }>;
}

const require = createRequire(import.meta.url);
const descriptionFile = require.resolve('@octokit/openapi/generated/api.github.com.deref.json');
const openapiVersion = (require('@octokit/openapi/package.json') as { version: string }).version;

/** Operations of GitHub's description by operationId (each file of tests loads this once). */
export function loadOperations(operationIds: readonly string[]): Map<string, OperationSpec> {
  const memoKey = [...operationIds].sort().join(',');
  let loaded = loadedOperations.get(memoKey);
  if (!loaded) {
    loaded = readOperations(operationIds);
    loadedOperations.set(memoKey, loaded);
  }
  return loaded;
}

/** Per process, so every fake shares the same schema objects and so their compiled validators. */
const loadedOperations = new Map<string, Map<string, OperationSpec>>();

function readOperations(operationIds: readonly string[]): Map<string, OperationSpec> {
  const key = createHash('sha256')
    .update(`${openapiVersion}\n${statSync(descriptionFile).size}\n${[...operationIds].sort().join('\n')}`)
    .digest('hex')
    .slice(0, 16);
  const cacheDir = path.resolve(path.dirname(descriptionFile), '../../../.cache/glidepath-github-fake');
  const cacheFile = path.join(cacheDir, `operations-${key}.json`);
  let operations: OperationSpec[];
  if (existsSync(cacheFile)) {
    operations = JSON.parse(readFileSync(cacheFile, 'utf8')) as OperationSpec[];
  } else {
    operations = extractOperations(operationIds);
    try {
      mkdirSync(cacheDir, { recursive: true });
      // Written to a temporary name and renamed, so a parallel test process never reads half a file.
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(operations));
      renameSync(temporary, cacheFile);
    } catch {
      // A read-only node_modules only costs the next process the full parse.
    }
  }
  return new Map(operations.map((op) => [op.operationId, op]));
}

function extractOperations(operationIds: readonly string[]): OperationSpec[] {
  const description = JSON.parse(readFileSync(descriptionFile, 'utf8')) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  const found: OperationSpec[] = [];
  for (const [template, item] of Object.entries(description.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as {
        operationId?: string;
        externalDocs?: { url?: string };
        parameters?: Array<{ name: string; in: string; required?: boolean; schema: JsonSchema }>;
        requestBody?: { required?: boolean; content?: Record<string, { schema: JsonSchema }> };
        responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
      };
      if (!op.operationId || !operationIds.includes(op.operationId)) continue;
      const body = op.requestBody?.content?.['application/json']?.schema;
      found.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path: template,
        docsUrl: op.externalDocs?.url ?? 'https://docs.github.com/rest',
        parameters: (op.parameters ?? [])
          .filter((p) => p.in === 'path' || p.in === 'query')
          .map((p) => ({
            name: p.name,
            in: p.in as 'path' | 'query',
            required: p.required === true,
            schema: p.schema,
          })),
        ...(body ? { requestBody: { required: op.requestBody?.required === true, schema: body } } : {}),
        responses: Object.fromEntries(
          Object.entries(op.responses ?? {}).map(([status, response]) => {
            const schema = response.content?.['application/json']?.schema;
            return [status, schema ? { schema } : {}];
          }),
        ),
      });
    }
  }
  const missing = operationIds.filter((id) => !found.some((op) => op.operationId === id));
  if (missing.length > 0)
    throw new Error(`GitHub's OpenAPI description has no operation ${missing.join(', ')}`);
  return found;
}

/**
 * Turns an OpenAPI 3.0 schema object into JSON Schema that Ajv understands:
 * `nullable: true` becomes an explicit `null` alternative, and documentation-only
 * keywords are dropped.
 *
 * One deliberate leniency: GitHub documents some URL fields as `format: uri`
 * with `default: ""` and really returns `""` when the field was not set
 * (`environment_url`, `log_url`, `target_url` of a deployment status). An empty
 * string is accepted there; anything else must be a URI.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'nullable' || key === 'example' || key === 'examples' || key === 'description') continue;
    if (key.startsWith('x-') || key === 'discriminator' || key === 'externalDocs' || key === 'xml') continue;
    if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, toJsonSchema(sub)]),
      );
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  let result: Record<string, unknown> = out;
  if (typeof out.format === 'string' && out.default === '') result = { anyOf: [{ const: '' }, result] };
  if (source.nullable === true) {
    if (typeof result.type === 'string' && !('anyOf' in result)) {
      result = { ...result, type: [result.type, 'null'] };
      if (Array.isArray(result.enum)) result.enum = [...result.enum, null];
    } else {
      result = { anyOf: [{ type: 'null' }, result] };
    }
  }
  return result;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Ajv for bodies: every error reported, types exact (a string is not a number). */
const bodyAjv = addFormats(new Ajv({ allErrors: true, strict: false, validateFormats: true }));
/**
 * Ajv for path and query parameters, which arrive as strings: `coerceTypes`
 * turns `"30"` into 30 for an integer parameter and refuses `"abc"`.
 */
const parameterAjv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: true }));

const compiled = new WeakMap<object, ValidateFunction>();
const parameterSchemas = new WeakMap<OperationSpec, { path: JsonSchema; query: JsonSchema }>();

function compile(ajv: Ajv, schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(toJsonSchema(schema) as JsonSchema);
    compiled.set(schema, validate);
  }
  return validate;
}

export function describeErrors(errors: ErrorObject[] | null | undefined, root: string): string[] {
  return (errors ?? []).map((e) => {
    const where = `${root}${e.instancePath}`;
    if (e.keyword === 'required')
      return `${where} is missing required property "${e.params.missingProperty}"`;
    if (e.keyword === 'enum') return `${where} must be one of ${JSON.stringify(e.params.allowedValues)}`;
    if (e.keyword === 'additionalProperties')
      return `${where} has unknown property "${e.params.additionalProperty}"`;
    return `${where} ${e.message ?? e.keyword}`;
  });
}

/** Validates a request or response body; returns the problems found (empty = valid). */
export function validateBody(schema: JsonSchema, value: unknown, root: string): string[] {
  const validate = compile(bodyAjv, schema);
  return validate(value) ? [] : describeErrors(validate.errors, root);
}

/**
 * Validates the parameters of one location (`path` or `query`) from their raw
 * string values, and returns them coerced to their documented types.
 */
export function validateParameters(
  op: OperationSpec,
  location: 'path' | 'query',
  raw: Record<string, string>,
): { values: Record<string, unknown>; problems: string[]; undocumented: string[] } {
  const documented = op.parameters.filter((p) => p.in === location);
  let schemas = parameterSchemas.get(op);
  if (!schemas) {
    const objectOf = (list: ParameterSpec[]) => ({
      type: 'object',
      properties: Object.fromEntries(list.map((p) => [p.name, p.schema])),
      required: list.filter((p) => p.required).map((p) => p.name),
    });
    schemas = {
      path: objectOf(op.parameters.filter((p) => p.in === 'path')),
      query: objectOf(op.parameters.filter((p) => p.in === 'query')),
    };
    parameterSchemas.set(op, schemas);
  }
  const validate = compile(parameterAjv, schemas[location]);
  const values: Record<string, unknown> = { ...raw };
  const problems = validate(values) ? [] : describeErrors(validate.errors, location);
  const undocumented = Object.keys(raw)
    .filter((name) => !documented.some((p) => p.name === name))
    .map((name) => `${location} parameter "${name}" is not documented for ${op.operationId}`);
  return { values, problems, undocumented };
}
