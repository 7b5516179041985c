// managedfields.ts: field ownership for server-side apply. A field set is the set of paths a
// manager owns; paths are lists of FieldsV1 segments — "f:name" for an object field,
// "k:{"name":"web"}" for a list item found by its merge key, "v:<json>" for a set member.
// Lists without a merge key and scalars are leaves (owned whole, as atomic lists are).
import { childSchema as child, type Schema } from '../api/schema.js';
import type { ManagedFieldsEntry } from '../api/meta.js';
import { deepEqual } from '../api/equality.js';

/** FieldPath is one owned path, as FieldsV1 segments. */
export type FieldPathSegments = string[];

const SEP = '\u0000';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** IDENTITY_FIELDS are never owned: they name the object rather than describe it. */
const IGNORED_TOP = new Set(['apiVersion', 'kind', 'status']);
const OWNED_METADATA = new Set(['labels', 'annotations', 'finalizers', 'ownerReferences']);

/** fieldSetOf returns every owned path of an object (leaves, plus keyed list items themselves). */
export function fieldSetOf(obj: Record<string, unknown>, schema: Schema | undefined, includeStatus = false): Set<string> {
  const out = new Set<string>();
  const walk = (value: unknown, s: Schema | undefined, path: string[]) => {
    if (isObject(value) && (!s || s.type === 'object' || s.type === 'map' || s.type === 'any')) {
      const entries = Object.entries(value);
      if (entries.length === 0 && path.length) out.add(path.join(SEP));
      for (const [k, v] of entries) walk(v, child(s, k), [...path, `f:${k}`]);
      return;
    }
    if (Array.isArray(value) && s?.type === 'list' && s.mergeKey && value.every(isObject)) {
      for (const item of value as Record<string, unknown>[]) {
        const itemPath = [...path, `k:${JSON.stringify({ [s.mergeKey]: item[s.mergeKey] })}`];
        out.add(itemPath.join(SEP));
        for (const [k, v] of Object.entries(item)) walk(v, child(s.items, k), [...itemPath, `f:${k}`]);
      }
      return;
    }
    if (Array.isArray(value) && s?.type === 'list' && s.strategy === 'merge' && !s.mergeKey) {
      for (const item of value) out.add([...path, `v:${JSON.stringify(item)}`].join(SEP));
      return;
    }
    out.add(path.join(SEP));
  };
  for (const [k, v] of Object.entries(obj)) {
    if (IGNORED_TOP.has(k) && !(includeStatus && k === 'status')) continue;
    if (k === 'metadata') {
      if (!isObject(v)) continue;
      for (const [mk, mv] of Object.entries(v)) {
        if (OWNED_METADATA.has(mk)) walk(mv, child(child(schema, 'metadata'), mk), ['f:metadata', `f:${mk}`]);
      }
      continue;
    }
    walk(v, child(schema, k), [`f:${k}`]);
  }
  return out;
}

function segmentsOf(path: string): string[] {
  return path.split(SEP);
}

/** getAt reads the value at a path, or undefined. */
export function getAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of segmentsOf(path)) {
    if (seg.startsWith('f:')) {
      if (!isObject(cur)) return undefined;
      cur = cur[seg.slice(2)];
    } else if (seg.startsWith('k:')) {
      if (!Array.isArray(cur)) return undefined;
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      const [k, v] = Object.entries(key)[0];
      cur = cur.find((item) => isObject(item) && item[k] === v);
    } else if (seg.startsWith('v:')) {
      if (!Array.isArray(cur)) return undefined;
      const want = seg.slice(2);
      cur = cur.find((item) => JSON.stringify(item) === want);
    }
  }
  return cur;
}

/** setAt writes a value at a path, creating objects and keyed list items on the way. */
export function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = segmentsOf(path);
  let cur: any = obj;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    const next = segs[i + 1];
    const container = () => (next?.startsWith('k:') || next?.startsWith('v:') ? [] : {});
    if (seg.startsWith('f:')) {
      const k = seg.slice(2);
      if (last) cur[k] = structuredClone(value);
      else {
        if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== 'object') cur[k] = container();
        cur = cur[k];
      }
    } else if (seg.startsWith('k:')) {
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      const [k, v] = Object.entries(key)[0];
      let item = (cur as any[]).find((x) => isObject(x) && x[k] === v);
      if (!item) {
        item = { [k]: v };
        (cur as any[]).push(item);
      }
      if (last) {
        if (isObject(value)) Object.assign(item, structuredClone(value));
      } else cur = item;
    } else if (seg.startsWith('v:')) {
      const member = JSON.parse(seg.slice(2));
      if (!(cur as any[]).some((x) => JSON.stringify(x) === seg.slice(2))) (cur as any[]).push(member);
      return;
    }
  }
}

/** deleteAt removes the value at a path (a keyed item or set member is removed from its list). */
export function deleteAt(obj: Record<string, unknown>, path: string): void {
  const segs = segmentsOf(path);
  let cur: any = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    cur = getAt(cur, segs[i]);
    if (cur === undefined || cur === null) return;
  }
  const seg = segs[segs.length - 1];
  if (seg.startsWith('f:') && isObject(cur)) delete cur[seg.slice(2)];
  else if (seg.startsWith('k:') && Array.isArray(cur)) {
    const [k, v] = Object.entries(JSON.parse(seg.slice(2)) as Record<string, unknown>)[0];
    const idx = cur.findIndex((x) => isObject(x) && x[k] === v);
    if (idx >= 0) cur.splice(idx, 1);
  } else if (seg.startsWith('v:') && Array.isArray(cur)) {
    const idx = cur.findIndex((x) => JSON.stringify(x) === seg.slice(2));
    if (idx >= 0) cur.splice(idx, 1);
  }
}

/** UpdateTracking says who writes and how, for managedFields bookkeeping. */
export interface Writer {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time: string;
}

/**
 * trackUpdate records an Update: the writer takes ownership of every field it changed or
 * added; fields that disappeared leave every manager.
 */
export function trackUpdate(next: Record<string, any>, current: Record<string, any> | undefined, schema: Schema, writer: Writer): void {
  const entries: ManagedFieldsEntry[] = structuredClone(current?.metadata?.managedFields ?? []);
  const status = writer.subresource === 'status';
  const newSet = fieldSetOf(next, schema, status);
  const oldSet = current ? fieldSetOf(current, schema, status) : new Set<string>();
  const changed = [...newSet].filter((p) => !oldSet.has(p) || !deepEqual(getAt(next, p), getAt(current, p)));
  const removed = [...oldSet].filter((p) => !newSet.has(p));
  if (!changed.length && !removed.length) {
    next.metadata.managedFields = current?.metadata?.managedFields;
    if (!next.metadata.managedFields) delete next.metadata.managedFields;
    return;
  }
  const key = managerKey({ manager: writer.manager, operation: writer.operation, subresource: writer.subresource });
  let mine: Set<string> | undefined;
  const kept: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    const set = fromFieldsV1(e.fieldsV1);
    for (const p of removed) set.delete(p);
    if (managerKey(e) === key) {
      mine = set;
      continue;
    }
    for (const p of changed) set.delete(p);
    if (set.size) kept.push({ ...e, fieldsV1: toFieldsV1(set) });
  }
  mine ??= new Set();
  for (const p of changed) mine.add(p);
  kept.push(entryFor(writer, mine));
  next.metadata.managedFields = kept;
}

/** entryFor builds one managedFields entry. */
export function entryFor(writer: Writer, set: Set<string>): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = { manager: writer.manager, operation: writer.operation, apiVersion: writer.apiVersion, time: writer.time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(set) };
  if (writer.subresource) e.subresource = writer.subresource;
  return e;
}

/** ApplyConflict is one field another manager owns with a different value. */
export interface ApplyConflict {
  manager: string;
  apiVersion: string;
  path: string;
}

/**
 * mergeApply computes the result of a server-side apply of `applied` by writer onto `current`:
 * the merged object with new managedFields, or the conflicts (when not forced).
 */
export function mergeApply(current: Record<string, any>, applied: Record<string, any>, schema: Schema, writer: Writer, force: boolean): { result?: Record<string, any>; conflicts: ApplyConflict[] } {
  const entries: ManagedFieldsEntry[] = structuredClone(current.metadata?.managedFields ?? []);
  const appliedSet = fieldSetOf(applied, schema);
  const key = managerKey({ manager: writer.manager, operation: 'Apply' });
  const mineEntry = entries.find((e) => managerKey(e) === key);
  const previous = fromFieldsV1(mineEntry?.fieldsV1);
  const others = entries.filter((e) => e !== mineEntry).map((e) => ({ entry: e, set: fromFieldsV1(e.fieldsV1) }));
  const conflicts: ApplyConflict[] = [];
  for (const p of appliedSet) {
    if (p.split(SEP).at(-1)!.startsWith('k:')) continue; // owning an item is not a conflict; its fields are
    for (const o of others) {
      if (o.set.has(p) && !deepEqual(getAt(current, p), getAt(applied, p))) {
        conflicts.push({ manager: o.entry.manager ?? '', apiVersion: o.entry.apiVersion ?? '', path: p });
      }
    }
  }
  if (conflicts.length && !force) return { conflicts };
  const result = structuredClone(current);
  // Fields this manager stops applying go, unless someone else owns them too.
  const dropped = [...previous].filter((p) => !appliedSet.has(p) && !others.some((o) => [...o.set].some((q) => isWithin(q, p))));
  // Shallowest first, skipping what lies inside something already removed (a list item's key
  // field must not go before the item itself, or the item can no longer be found).
  const removedPaths: string[] = [];
  for (const p of dropped.sort((a, b) => a.length - b.length)) {
    if (removedPaths.some((r) => isWithin(p, r))) continue;
    deleteAt(result, p);
    removedPaths.push(p);
  }
  for (const p of [...appliedSet].sort((a, b) => a.length - b.length)) {
    const value = getAt(applied, p);
    if (p.split(SEP).at(-1)!.startsWith('k:')) setAt(result, p, {});
    else setAt(result, p, value);
  }
  const kept: ManagedFieldsEntry[] = [];
  for (const o of others) {
    if (force) for (const c of conflicts) if (c.manager === (o.entry.manager ?? '')) o.set.delete(c.path);
    if (o.set.size) kept.push({ ...o.entry, fieldsV1: toFieldsV1(o.set) });
  }
  kept.push(entryFor({ ...writer, operation: 'Apply' }, appliedSet));
  result.metadata.managedFields = kept;
  return { result, conflicts };
}

/** toFieldsV1 renders a field set as Kubernetes' nested FieldsV1 object. */
export function toFieldsV1(set: Set<string>): Record<string, unknown> {
  const root: Record<string, any> = {};
  for (const path of [...set].sort()) {
    let cur = root;
    for (const seg of segmentsOf(path)) cur = cur[seg] ??= {};
    if (path.split(SEP).at(-1)!.startsWith('k:')) cur['.'] = {};
  }
  return root;
}

/** fromFieldsV1 parses a FieldsV1 object back into a field set. */
export function fromFieldsV1(fields: Record<string, unknown> | undefined): Set<string> {
  const out = new Set<string>();
  const walk = (node: Record<string, unknown>, path: string[]) => {
    const keys = Object.keys(node).filter((k) => k !== '.');
    if (keys.length === 0 || '.' in node) {
      if (path.length) out.add(path.join(SEP));
    }
    for (const k of keys) walk((node[k] ?? {}) as Record<string, unknown>, [...path, k]);
  };
  if (fields) walk(fields, []);
  return out;
}

/** displayPath prints a path as Kubernetes does in conflict messages: .spec.containers[name="web"].image */
export function displayPath(path: string): string {
  return segmentsOf(path)
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      if (seg.startsWith('k:')) {
        const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
        return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      return `[=${seg.slice(2)}]`;
    })
    .join('');
}

/** ManagerKey identifies one managedFields entry. */
export function managerKey(e: ManagedFieldsEntry): string {
  return `${e.manager ?? ''}|${e.operation ?? ''}|${e.subresource ?? ''}`;
}

/** isPrefixPath tells whether a path lies inside (or is) another. */
export function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(ancestor + SEP);
}
