// configmap.ts: the ConfigMap kind (core/v1 configmaps): configuration as key/value data.
import { kindSchema } from '../common-schema.js';
import { deepEqual } from '../equality.js';
import { FieldPath, forbidden, duplicate, invalid, tooLong, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { KubeObject } from '../meta.js';
import { bool, mapOf, str } from '../schema.js';
import { isConfigMapKey, messagesToErrors, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';

/** MAX_DATA_SIZE is the most bytes the data of one ConfigMap or Secret may hold (1 MiB). */
export const MAX_DATA_SIZE = 1024 * 1024;

/** ConfigMap holds configuration for pods: text in data, bytes (base64) in binaryData. */
export interface ConfigMap extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'ConfigMap';
  immutable?: boolean;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** validateDataKeys checks keys of data maps; the same key may not appear in two maps. */
export function validateDataKeys(maps: { path: FieldPath; data: Record<string, string> | undefined }[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const { path, data } of maps) {
    for (const key of Object.keys(data ?? {})) {
      errs.push(...messagesToErrors(path.key(key), key, isConfigMapKey(key)));
      if (seen.has(key)) errs.push(duplicate(path.key(key), key));
      seen.add(key);
    }
  }
  return errs;
}

function validate(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, { namespaced: true });
  errs.push(...validateDataKeys([
    { path: new FieldPath('data'), data: cm.data },
    { path: new FieldPath('binaryData'), data: cm.binaryData },
  ]));
  let size = 0;
  for (const v of Object.values(cm.data ?? {})) size += Buffer.byteLength(v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v)) errs.push(invalid(new FieldPath('binaryData').key(k), '<binary data>', 'illegal base64 data'));
    size += Buffer.from(v, 'base64').length;
  }
  if (size > MAX_DATA_SIZE) errs.push(tooLong(new FieldPath(''), MAX_DATA_SIZE));
  return errs;
}

/** validateImmutableData: once immutable is true, data and the flag itself may not change. */
export function validateImmutableData(obj: { immutable?: boolean } & Record<string, unknown>, old: typeof obj, dataFields: string[]): FieldError[] {
  if (!old.immutable) return [];
  const errs: FieldError[] = [];
  if (!obj.immutable) errs.push(forbidden(new FieldPath('immutable'), 'field is immutable when `immutable` is set'));
  for (const f of dataFields) {
    if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) errs.push(forbidden(new FieldPath(f), 'field is immutable when `immutable` is set'));
  }
  return errs;
}

/** configMapKind is the ConfigMap's KindInfo. */
export const configMapKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  resource: 'configmaps',
  namespaced: true,
  shortNames: ['cm'],
  schema: kindSchema({ immutable: bool(), data: mapOf(str()), binaryData: mapOf(str()) }),
  defaults: () => {},
  validate: (obj: KubeObject) => validate(obj as ConfigMap),
  validateUpdate: (obj: KubeObject, old: KubeObject) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...validateImmutableData(obj as ConfigMap, old as ConfigMap, ['data', 'binaryData']),
  ],
});
