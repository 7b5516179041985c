// validation.ts: validation shared by every kind (apimachinery's api/validation): object
// metadata, labels, annotations, owner references, finalizers, and small field checks.
import { deepEqual } from './equality.js';
import { FieldPath, forbidden, invalid, notSupported, required, tooLong, duplicate, type FieldError } from './field.js';
import type { ObjectMeta, OwnerReference } from './meta.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  nameIsDNSSubdomain,
  type NameValidator,
} from './names.js';

export * from './names.js';

/** TOTAL_ANNOTATION_SIZE_LIMIT is the most bytes all annotations of one object may hold (256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** notFound: the value refers to something that does not exist (e.g. a volume name). */
export function notFound(path: FieldPath | string, value: unknown): FieldError {
  return { type: 'FieldValueNotFound', field: String(path), message: `Not found: ${JSON.stringify(value)}` };
}

/** tooMany: the list has more items than allowed. */
export function tooMany(path: FieldPath | string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field: String(path), message: `Too many: ${actual}: must have at most ${max} items` };
}

/** immutable: the field may not change after creation. */
export function immutable(path: FieldPath | string, value: unknown): FieldError {
  return invalid(path, value, 'field is immutable');
}

/** messagesToErrors turns a string validator's messages into FieldValueInvalid errors. */
export function messagesToErrors(path: FieldPath | string, value: unknown, messages: string[]): FieldError[] {
  return messages.map((m) => invalid(path, value, m));
}

/** validateLabels checks label keys (qualified names) and values. */
export function validateLabels(labels: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...messagesToErrors(path, k, isQualifiedName(k)));
    errs.push(...messagesToErrors(path, v, isValidLabelValue(v)));
  }
  return errs;
}

/** validateAnnotations checks annotation keys and the 256 KiB total size. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    errs.push(...messagesToErrors(path, k, isQualifiedName(k.toLowerCase())));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** validateOwnerReferences checks each reference and that at most one is the controller. */
export function validateOwnerReferences(refs: OwnerReference[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  (refs ?? []).forEach((ref, i) => {
    const p = path.index(i);
    if (!ref.apiVersion) errs.push(invalid(p.child('apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(p.child('kind'), ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(invalid(p.child('name'), ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(invalid(p.child('uid'), ref.uid ?? '', 'uid must not be empty'));
    if (ref.controller) controllers.push(`${ref.kind}/${ref.name}`);
  });
  if (controllers.length > 1) {
    errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`));
  }
  return errs;
}

/** validateFinalizers checks that finalizers are qualified names and unique. */
export function validateFinalizers(finalizers: string[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (finalizers ?? []).forEach((f, i) => {
    errs.push(...messagesToErrors(path.index(i), f, isQualifiedName(f)));
    if (seen.has(f)) errs.push(duplicate(path.index(i), f));
    seen.add(f);
  });
  return errs;
}

/** MetaOptions tells validateObjectMeta the kind's scope and name rule. */
export interface MetaOptions {
  namespaced: boolean;
  nameValidator?: NameValidator;
}

/** validateObjectMeta checks an object's metadata on create (and update). */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: MetaOptions, path = new FieldPath('metadata')): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  const validateName = opts.nameValidator ?? nameIsDNSSubdomain;
  if (m.generateName) errs.push(...messagesToErrors(path.child('generateName'), m.generateName, validateName(m.generateName, true)));
  if (!m.name) {
    if (!m.generateName) errs.push(required(path.child('name'), 'name or generateName is required'));
  } else {
    errs.push(...messagesToErrors(path.child('name'), m.name, validateName(m.name, false)));
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push(required(path.child('namespace')));
    else errs.push(...messagesToErrors(path.child('namespace'), m.namespace, isDNS1123Label(m.namespace)));
  } else if (m.namespace) {
    errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  if (m.generation !== undefined && m.generation < 0) errs.push(invalid(path.child('generation'), m.generation, 'must be greater than or equal to 0'));
  if (m.deletionGracePeriodSeconds !== undefined && m.deletionGracePeriodSeconds < 0) {
    errs.push(invalid(path.child('deletionGracePeriodSeconds'), m.deletionGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, path.child('finalizers')));
  return errs;
}

/** validateObjectMetaUpdate checks what may not change in metadata: name, namespace, uid, creationTimestamp. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, path = new FieldPath('metadata')): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    if (old[f] !== undefined && (meta[f] ?? undefined) !== old[f]) errs.push(immutable(path.child(f), meta[f]));
  }
  if (old.deletionTimestamp && meta.deletionTimestamp !== old.deletionTimestamp) {
    errs.push(immutable(path.child('deletionTimestamp'), meta.deletionTimestamp));
  }
  if (old.deletionTimestamp && (meta.finalizers ?? []).some((f) => !(old.finalizers ?? []).includes(f))) {
    errs.push(forbidden(path.child('finalizers'), 'no new finalizers can be added if the object is being deleted'));
  }
  return errs;
}

/** nonNegative: the number, if set, must be >= 0. */
export function nonNegative(value: number | undefined, path: FieldPath): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(path, value, 'must be greater than or equal to 0')] : [];
}

/** positive: the number, if set, must be > 0. */
export function positive(value: number | undefined, path: FieldPath): FieldError[] {
  return value !== undefined && value <= 0 ? [invalid(path, value, 'must be greater than zero')] : [];
}

/** oneOf: the string, if set, must be one of the allowed values. */
export function oneOf(value: string | undefined, allowed: readonly string[], path: FieldPath, isRequired = false): FieldError[] {
  if (value === undefined || value === '') return isRequired ? [required(path)] : [];
  return allowed.includes(value) ? [] : [notSupported(path, value, allowed)];
}

/** unchanged: the field must be deep-equal in old and new, else "field is immutable". */
export function unchanged(value: unknown, old: unknown, path: FieldPath): FieldError[] {
  return deepEqual(value, old) ? [] : [immutable(path, value)];
}

/** validateDNSLabelField: required DNS-1123 label. */
export function validateDNSLabelField(value: string | undefined, path: FieldPath): FieldError[] {
  if (!value) return [required(path)];
  return messagesToErrors(path, value, isDNS1123Label(value));
}

/** validateDNSSubdomainField: a DNS-1123 subdomain, required when asked. */
export function validateDNSSubdomainField(value: string | undefined, path: FieldPath, isRequired = true): FieldError[] {
  if (!value) return isRequired ? [required(path)] : [];
  return messagesToErrors(path, value, isDNS1123Subdomain(value));
}
