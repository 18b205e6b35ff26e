/**
 * The two patch formats the Kubernetes API server accepts for every resource
 * and `@kubernetes/client-node` sends: JSON Patch (RFC 6902, the client's
 * default for `patch…` calls) and JSON Merge Patch (RFC 7386).
 */

export class PatchError extends Error {
  override readonly name = 'PatchError';
}

type Json = unknown;

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`"${pointer}" is not a JSON pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(
  doc: Json,
  parts: string[],
  pointer: string,
): { parent: Record<string, Json> | Json[]; key: string } {
  let node = doc as Record<string, Json> | Json[];
  for (const part of parts.slice(0, -1)) {
    const next = Array.isArray(node) ? node[Number(part)] : (node as Record<string, Json>)[part];
    if (next === null || typeof next !== 'object') throw new PatchError(`path ${pointer} does not exist`);
    node = next as Record<string, Json> | Json[];
  }
  return { parent: node, key: parts[parts.length - 1]! };
}

function get(doc: Json, pointer: string): Json {
  let node = doc;
  for (const part of parsePointer(pointer)) {
    if (node === null || typeof node !== 'object') throw new PatchError(`path ${pointer} does not exist`);
    node = Array.isArray(node) ? node[Number(part)] : (node as Record<string, Json>)[part];
    if (node === undefined) throw new PatchError(`path ${pointer} does not exist`);
  }
  return node;
}

function arrayIndex(array: Json[], key: string, pointer: string, forAdd: boolean): number {
  if (forAdd && key === '-') return array.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new PatchError(`"${key}" in ${pointer} is not an array index`);
  const index = Number(key);
  if (index > array.length || (!forAdd && index === array.length))
    throw new PatchError(`index ${index} in ${pointer} is out of range`);
  return index;
}

function add(doc: Json, pointer: string, value: Json): Json {
  const parts = parsePointer(pointer);
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: Json, pointer: string): Json {
  const parts = parsePointer(pointer);
  const { parent, key } = parentOf(doc, parts, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, false), 1);
  else {
    if (!(key in parent)) throw new PatchError(`path ${pointer} does not exist`);
    delete parent[key];
  }
  return doc;
}

export interface JsonPatchOperation {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

/** Applies RFC 6902 operations to a copy of `doc`. A failed `test` or a missing path throws PatchError. */
export function applyJsonPatch(doc: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array of operations');
  let out = structuredClone(doc);
  for (const operation of operations as JsonPatchOperation[]) {
    if (typeof operation?.path !== 'string')
      throw new PatchError(`operation ${JSON.stringify(operation)} has no path`);
    switch (operation.op) {
      case 'add':
        out = add(out, operation.path, structuredClone(operation.value));
        break;
      case 'remove':
        out = remove(out, operation.path);
        break;
      case 'replace':
        get(out, operation.path);
        out = add(remove(out, operation.path), operation.path, structuredClone(operation.value));
        break;
      case 'test':
        if (JSON.stringify(get(out, operation.path)) !== JSON.stringify(operation.value))
          throw new PatchError(`test of ${operation.path} failed`);
        break;
      case 'move': {
        const value = get(out, operation.from ?? '');
        out = add(remove(out, operation.from ?? ''), operation.path, value);
        break;
      }
      case 'copy':
        out = add(out, operation.path, structuredClone(get(out, operation.from ?? '')));
        break;
      default:
        throw new PatchError(`unknown JSON patch operation ${JSON.stringify(operation.op)}`);
    }
  }
  return out;
}

/** RFC 7386: objects merge key by key, `null` deletes, anything else (arrays included) replaces. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, Json> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? structuredClone(target as Record<string, Json>)
      : {};
  for (const [key, value] of Object.entries(patch as Record<string, Json>)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}
