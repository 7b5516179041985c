// schema.ts: a small structural schema for each kind. It tells the API server which fields
// exist (unknown ones are rejected), their JSON types, and how lists merge in a strategic
// merge patch (patchMergeKey / patchStrategy, as in Kubernetes' Go struct tags).
import { FieldPath, typeInvalid, unknownField, type FieldError } from './field.js';

/** Schema describes one JSON value. */
export type Schema =
  | { type: 'string' }
  | { type: 'integer' }
  | { type: 'number' }
  | { type: 'boolean' }
  | { type: 'quantity' } // "100m", "64Mi" or a number
  | { type: 'int-or-string' }
  | { type: 'map'; values: Schema }
  | { type: 'list'; items: Schema; mergeKey?: string; strategy?: 'merge' | 'replace' }
  | { type: 'object'; fields: Record<string, Schema | (() => Schema)> }
  | { type: 'any' }; // free-form: anything is accepted and kept

export const str = (): Schema => ({ type: 'string' });
export const int = (): Schema => ({ type: 'integer' });
export const num = (): Schema => ({ type: 'number' });
export const bool = (): Schema => ({ type: 'boolean' });
export const quantity = (): Schema => ({ type: 'quantity' });
export const intOrString = (): Schema => ({ type: 'int-or-string' });
export const any = (): Schema => ({ type: 'any' });
export const mapOf = (values: Schema): Schema => ({ type: 'map', values });
/** listOf: a list; with mergeKey it merges by that key in a strategic merge patch, else it is replaced. */
export const listOf = (items: Schema, opts: { mergeKey?: string; strategy?: 'merge' | 'replace' } = {}): Schema => ({
  type: 'list',
  items,
  ...opts,
});
/** obj: an object with known fields; a field may be a thunk for recursive schemas. */
export const obj = (fields: Record<string, Schema | (() => Schema)>): Schema => ({ type: 'object', fields });

/** fieldSchema resolves a (possibly lazy) field schema. */
export function fieldSchema(s: Schema | (() => Schema)): Schema {
  return typeof s === 'function' ? s() : s;
}

/** childSchema is the schema of field or map key `key` inside an object or map schema. */
export function childSchema(schema: Schema | undefined, key: string): Schema | undefined {
  if (!schema) return undefined;
  if (schema.type === 'object') {
    const f = schema.fields[key];
    return f ? fieldSchema(f) : undefined;
  }
  if (schema.type === 'map') return schema.values;
  return undefined;
}

/** schemaAt walks a schema down a path of field names (list items are entered transparently). */
export function schemaAt(root: Schema, path: readonly string[]): Schema | undefined {
  let cur: Schema | undefined = root;
  for (const name of path) {
    while (cur && cur.type === 'list') cur = cur.items;
    if (!cur) return undefined;
    if (cur.type === 'object') {
      const f: Schema | (() => Schema) | undefined = cur.fields[name];
      cur = f ? fieldSchema(f) : undefined;
    } else if (cur.type === 'map') {
      cur = cur.values;
    } else if (cur.type === 'any') {
      return cur;
    } else {
      return undefined;
    }
  }
  return cur;
}

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** structuralErrors checks a value against its schema: unknown fields and wrong JSON types. */
export function structuralErrors(schema: Schema, value: unknown, path: FieldPath = new FieldPath()): FieldError[] {
  if (value === null || value === undefined) return [];
  const errs: FieldError[] = [];
  switch (schema.type) {
    case 'any':
      break;
    case 'string':
      if (typeof value !== 'string') errs.push(typeInvalid(path, value, 'must be of type string'));
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) errs.push(typeInvalid(path, value, 'must be of type integer'));
      break;
    case 'number':
      if (typeof value !== 'number') errs.push(typeInvalid(path, value, 'must be of type number'));
      break;
    case 'boolean':
      if (typeof value !== 'boolean') errs.push(typeInvalid(path, value, 'must be of type boolean'));
      break;
    case 'quantity':
      if (typeof value === 'number') break;
      if (typeof value !== 'string' || !QUANTITY.test(value)) {
        errs.push(typeInvalid(path, value, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
      }
      break;
    case 'int-or-string':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
        errs.push(typeInvalid(path, value, 'must be an integer or a string'));
      }
      break;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) {
        errs.push(typeInvalid(path, value, 'must be of type object'));
        break;
      }
      for (const [k, v] of Object.entries(value)) errs.push(...structuralErrors(schema.values, v, path.key(k)));
      break;
    case 'list':
      if (!Array.isArray(value)) {
        errs.push(typeInvalid(path, value, 'must be of type array'));
        break;
      }
      value.forEach((item, i) => errs.push(...structuralErrors(schema.items, item, path.index(i))));
      break;
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) {
        errs.push(typeInvalid(path, value, 'must be of type object'));
        break;
      }
      for (const [k, v] of Object.entries(value)) {
        const f = schema.fields[k];
        if (!f) errs.push(unknownField(path.child(k)));
        else errs.push(...structuralErrors(fieldSchema(f), v, path.child(k)));
      }
      break;
  }
  return errs;
}
