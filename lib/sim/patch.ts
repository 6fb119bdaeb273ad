import { badRequestError } from './status';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386 JSON merge patch. */
export function applyMergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return patch as Json;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** Leases hold no lists with merge keys, so a strategic merge patch is a merge patch minus its directives. */
export function applyStrategicMergePatch(target: unknown, patch: unknown): Json {
  const strip = (value: unknown): unknown => {
    if (!isObject(value)) return value;
    return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('$')).map(([key, inner]) => [key, strip(inner)]));
  };
  return applyMergePatch(target, strip(patch));
}

type Operation = { op: string; path: string; value?: Json; from?: string };

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequestError(`the server rejected our request due to an error in our request: invalid JSON pointer "${pointer}"`);
  return pointer.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function locate(doc: Json, tokens: string[], pointer: string): { parent: Json; key: string } {
  let parent = doc;
  for (const token of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(parent) ? parent[Number(token)] : isObject(parent) ? parent[token] : undefined;
    if (next === undefined) throw badRequestError(`the server rejected our request due to an error in our request: doc is missing path: "${pointer}"`);
    parent = next;
  }
  return { parent, key: tokens[tokens.length - 1] ?? '' };
}

function readPointer(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, key } = locate(doc, tokens, pointer);
  const value = Array.isArray(parent) ? parent[Number(key)] : isObject(parent) ? parent[key] : undefined;
  if (value === undefined) throw badRequestError(`the server rejected our request due to an error in our request: doc is missing key: "${pointer}"`);
  return value;
}

function writePointer(doc: Json, pointer: string, value: Json | undefined, mode: 'add' | 'replace' | 'remove'): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return mode === 'remove' ? null : (value as Json);
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw badRequestError(`the server rejected our request due to an error in our request: invalid array index in "${pointer}"`);
    if (mode === 'add') parent.splice(index, 0, value as Json);
    else if (mode === 'replace') parent[index] = value as Json;
    else parent.splice(index, 1);
  } else if (isObject(parent)) {
    if (mode !== 'add' && !Object.hasOwn(parent, key)) throw badRequestError(`the server rejected our request due to an error in our request: doc is missing key: "${pointer}"`);
    if (mode === 'remove') delete parent[key];
    else parent[key] = value as Json;
  } else {
    throw badRequestError(`the server rejected our request due to an error in our request: doc is missing path: "${pointer}"`);
  }
  return doc;
}

/** RFC 6902 JSON patch. */
export function applyJsonPatch(target: unknown, patch: unknown): Json {
  if (!Array.isArray(patch)) throw badRequestError('the server rejected our request due to an error in our request: json patch must be an array of operations');
  let doc = structuredClone(target) as Json;
  for (const raw of patch as Operation[]) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequestError('the server rejected our request due to an error in our request: invalid json patch operation');
    }
    switch (raw.op) {
      case 'add':
      case 'replace':
        doc = writePointer(doc, raw.path, structuredClone(raw.value ?? null), raw.op);
        break;
      case 'remove':
        doc = writePointer(doc, raw.path, undefined, 'remove');
        break;
      case 'copy':
      case 'move': {
        const value = structuredClone(readPointer(doc, String(raw.from)));
        if (raw.op === 'move') doc = writePointer(doc, String(raw.from), undefined, 'remove');
        doc = writePointer(doc, raw.path, value, 'add');
        break;
      }
      case 'test':
        if (JSON.stringify(readPointer(doc, raw.path)) !== JSON.stringify(raw.value ?? null)) {
          throw new TestFailedError(raw.path);
        }
        break;
      default:
        throw badRequestError(`the server rejected our request due to an error in our request: unexpected json patch operation "${raw.op}"`);
    }
  }
  return doc;
}

export class TestFailedError extends Error {
  override name = 'TestFailedError';
  constructor(readonly path: string) {
    super(`testing value ${path} failed: test failed`);
  }
}
