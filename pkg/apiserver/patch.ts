// patch.ts: the three patch formats the API accepts — JSON patch (RFC 6902), JSON merge patch
// (RFC 7386) and Kubernetes' strategic merge patch, whose list merging follows each kind's
// schema (patchMergeKey / patchStrategy).
import jsonpatch from 'fast-json-patch';
import { newBadRequest, newInvalid } from '../api/errors.js';
import { childSchema, type Schema } from '../api/schema.js';

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** PatchType is the content type of a PATCH request. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** patchTypeOf maps a Content-Type to a PatchType, or undefined if it is not a patch type. */
export function patchTypeOf(contentType: string): PatchType | undefined {
  const ct = contentType.split(';')[0].trim().toLowerCase();
  switch (ct) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+json':
      return 'apply';
    default:
      return undefined;
  }
}

/** applyJsonPatch applies an RFC 6902 patch to a copy of doc. */
export function applyJsonPatch(doc: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw newBadRequest('json patch must be a list of operations');
  const error = jsonpatch.validate(patch as jsonpatch.Operation[], doc);
  if (error) {
    if (error.name === 'TEST_OPERATION_FAILED') throw newInvalid('', 'Patch', '', [{ type: 'FieldValueInvalid', field: String(error.operation?.path ?? ''), message: 'the test operation failed' }]);
    throw newBadRequest(`the server rejected our request due to an error in our request: ${error.message.split('\n')[0]}`);
  }
  try {
    return jsonpatch.applyPatch(structuredClone(doc), patch as jsonpatch.Operation[], false, false).newDocument;
  } catch (err) {
    throw newBadRequest(`json patch failed: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** applyMergePatch applies an RFC 7386 merge patch: null deletes, objects merge, everything else replaces. */
export function applyMergePatch(doc: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(doc) ? { ...doc } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** applyStrategicMergePatch applies a strategic merge patch to doc, guided by schema. */
export function applyStrategicMergePatch(doc: Json, patch: Json, schema: Schema | undefined): Json {
  if (!isObject(patch)) throw newBadRequest('strategic merge patch must be a JSON object');
  return mergeObject(isObject(doc) ? doc : {}, patch, schema);
}

function mergeObject(doc: JsonObject, patch: JsonObject, schema: Schema | undefined): Json {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return stripDirectives(rest);
  }
  let out: JsonObject = { ...doc };
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    const keep = new Set(retain.map(String));
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const remove = new Set((Array.isArray(v) ? v : []).map((x) => JSON.stringify(x)));
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = cur.filter((x) => !remove.has(JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const s = childSchema(schema, k);
    const cur = out[k];
    let merged: Json;
    if (Array.isArray(v)) merged = mergeList(Array.isArray(cur) ? cur : [], v, s);
    else if (isObject(v) && (s === undefined || s.type === 'object' || s.type === 'map' || s.type === 'any')) merged = mergeObject(isObject(cur) ? cur : {}, v, s);
    else merged = structuredClone(v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function mergeList(doc: Json[], patch: Json[], schema: Schema | undefined): Json[] {
  if (!schema || schema.type !== 'list') return patch.map(stripDirectives);
  if (patch.some((item) => isObject(item) && item.$patch === 'replace' && Object.keys(item).length === 1)) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace')).map(stripDirectives);
  }
  const key = schema.mergeKey;
  if (key) {
    const out = doc.map((x) => x);
    for (const item of patch) {
      if (!isObject(item)) continue;
      const idx = out.findIndex((x) => isObject(x) && x[key] === item[key]);
      if (item.$patch === 'delete') {
        if (idx >= 0) out.splice(idx, 1);
        continue;
      }
      if (idx >= 0) out[idx] = mergeObject(out[idx] as JsonObject, item, schema.items);
      else out.push(stripDirectives(item));
    }
    return out;
  }
  if (schema.strategy === 'merge') {
    // A list of primitives merged as a set (e.g. finalizers): keep order, append new values.
    const seen = new Set(doc.map((x) => JSON.stringify(x)));
    const out = [...doc];
    for (const item of patch) {
      const k = JSON.stringify(item);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(item);
      }
    }
    return out;
  }
  return patch.map(stripDirectives);
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}
