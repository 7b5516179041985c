// threeway.ts: kubectl's client-side apply patch (CreateThreeWayMergePatch). From the last
// applied configuration (original), the file (modified) and the live object (current) it
// computes a strategic merge patch that
//   - sets what the file says where the live object differs,
//   - deletes what the file used to say and no longer does (null, or {$patch: delete} in
//     lists merged by key),
//   - and leaves alone whatever someone else set (fields never in the file).
// Lists with a merge key (containers by name, ports by containerPort, env by name ...) are
// merged item by item using the kind's schema; other lists are replaced whole.
import { childSchema, type Schema } from '../../api/schema.js';
import { deepEqual } from '../../api/equality.js';

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * threeWayMergePatch returns the strategic merge patch that takes current to modified, deleting
 * what original had and modified dropped. An empty object means "unchanged". Without a schema
 * (unknown kinds) lists are replaced whole, so the result is also a valid JSON merge patch.
 */
export function threeWayMergePatch(original: Json, modified: Json, current: Json, schema?: Schema): JsonObject {
  return diffObject(isObject(original) ? original : undefined, isObject(modified) ? modified : {}, isObject(current) ? current : {}, schema);
}

function diffObject(original: JsonObject | undefined, modified: JsonObject, current: JsonObject, schema: Schema | undefined): JsonObject {
  const patch: JsonObject = {};
  for (const [k, v] of Object.entries(modified)) {
    const s = childSchema(schema, k);
    const cur = current[k];
    const orig = original?.[k];
    if (v === null || v === undefined) {
      if (cur !== undefined && cur !== null) patch[k] = null;
      continue;
    }
    if (cur === undefined || cur === null) {
      patch[k] = v;
      continue;
    }
    if (isObject(v) && isObject(cur) && (!s || s.type === 'object' || s.type === 'map' || s.type === 'any')) {
      const sub = diffObject(isObject(orig) ? orig : undefined, v, cur, s);
      if (Object.keys(sub).length) patch[k] = sub;
      continue;
    }
    if (Array.isArray(v) && Array.isArray(cur) && s?.type === 'list' && s.mergeKey && v.every(isObject)) {
      const sub = diffKeyedList(Array.isArray(orig) ? orig : undefined, v as JsonObject[], cur, s.mergeKey, s.items);
      if (sub) patch[k] = sub;
      continue;
    }
    if (!deepEqual(v, cur)) patch[k] = v;
  }
  // Deletions: fields the last apply set and this one does not.
  for (const k of Object.keys(original ?? {})) {
    if (k in modified) continue;
    if (current[k] !== undefined) patch[k] = null;
  }
  return patch;
}

function diffKeyedList(original: Json[] | undefined, modified: JsonObject[], current: Json[], key: string, itemSchema: Schema): Json[] | undefined {
  const out: Json[] = [];
  const find = (list: Json[] | undefined, k: Json) => list?.find((x) => isObject(x) && deepEqual(x[key], k)) as JsonObject | undefined;
  for (const item of modified) {
    const cur = find(current, item[key]);
    if (!cur) {
      out.push(item);
      continue;
    }
    const sub = diffObject(find(original, item[key]), item, cur, itemSchema);
    if (Object.keys(sub).length) out.push({ [key]: item[key], ...sub });
  }
  for (const o of original ?? []) {
    if (!isObject(o) || find(modified, o[key])) continue;
    if (find(current, o[key])) out.push({ [key]: o[key], $patch: 'delete' });
  }
  return out.length ? out : undefined;
}

/** isEmptyPatch tells whether a patch changes nothing. */
export function isEmptyPatch(patch: JsonObject): boolean {
  return Object.keys(patch).length === 0;
}
