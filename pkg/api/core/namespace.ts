// namespace.ts: the Namespace kind (core/v1 namespaces), cluster-scoped.
import { conditionsSchema, kindSchema } from '../common-schema.js';
import { FieldPath, invalid, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { Condition, KubeObject } from '../meta.js';
import { listOf, obj, str } from '../schema.js';
import { isQualifiedName, messagesToErrors, nameIsDNSLabel, oneOf, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';

/** NAMESPACE_NAME_LABEL is the label Kubernetes puts on every namespace: its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Namespace groups namespaced objects. */
export interface Namespace extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'Namespace';
  spec?: { finalizers?: string[] };
  status?: { phase?: 'Active' | 'Terminating'; conditions?: Condition[] };
}

function defaults(ns: Namespace): void {
  ns.spec ??= {};
  ns.spec.finalizers ??= ['kubernetes'];
  ns.status ??= {};
  ns.status.phase ??= 'Active';
  if (ns.metadata.name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns.metadata.name };
}

function validate(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameValidator: nameIsDNSLabel });
  const fin = new FieldPath('spec').child('finalizers');
  (ns.spec?.finalizers ?? []).forEach((f, i) => errs.push(...messagesToErrors(fin.index(i), f, isQualifiedName(f))));
  errs.push(...oneOf(ns.status?.phase, ['Active', 'Terminating'], new FieldPath('status').child('phase')));
  return errs;
}

function validateUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  // A namespace that started terminating never becomes active again.
  if (old.status?.phase === 'Terminating' && ns.status?.phase !== 'Terminating') {
    errs.push(invalid(new FieldPath('status').child('phase'), ns.status?.phase ?? '', 'may not change once the namespace is Terminating'));
  }
  return errs;
}

/** namespaceKind is the Namespace's KindInfo. */
export const namespaceKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  resource: 'namespaces',
  namespaced: false,
  shortNames: ['ns'],
  subresources: ['status', 'finalize'],
  hasStatus: true,
  schema: kindSchema({
    spec: obj({ finalizers: listOf(str()) }),
    status: obj({ phase: str(), conditions: conditionsSchema() }),
  }),
  defaults: (obj: KubeObject) => defaults(obj as Namespace),
  validate: (obj: KubeObject) => validate(obj as Namespace),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateUpdate(obj as Namespace, old as Namespace),
  selectableFields: (obj: KubeObject) => ({ 'status.phase': (obj as Namespace).status?.phase ?? '' }),
});
