// scheduling.ts: the PriorityClass kind (scheduling.k8s.io/v1 priorityclasses), cluster-scoped:
// a named pod priority.
import { kindSchema } from './common-schema.js';
import { FieldPath, forbidden, invalid, required, type FieldError } from './field.js';
import { defineKind } from './kind.js';
import type { KubeObject } from './meta.js';
import { bool, int, str } from './schema.js';
import { immutable, oneOf, validateObjectMeta, validateObjectMetaUpdate } from './validation.js';

/** PriorityClass maps a name to a pod priority value. */
export interface PriorityClass extends KubeObject {
  apiVersion?: 'scheduling.k8s.io/v1';
  kind?: 'PriorityClass';
  value: number;
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
}

/** HIGHEST_USER_DEFINABLE_PRIORITY is the largest value a non-system class may have. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;

/** SYSTEM_PRIORITY_CLASSES are the built-in classes and their values. */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2 * HIGHEST_USER_DEFINABLE_PRIORITY,
  'system-node-critical': 2 * HIGHEST_USER_DEFINABLE_PRIORITY + 1000,
};

function validate(pc: PriorityClass): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, { namespaced: false });
  const name = pc.metadata.name ?? '';
  if (typeof pc.value !== 'number') errs.push(required(new FieldPath('value')));
  if (name in SYSTEM_PRIORITY_CLASSES) {
    if (pc.value !== SYSTEM_PRIORITY_CLASSES[name]) errs.push(invalid(new FieldPath('value'), pc.value, `value of system priority class ${name} must be ${SYSTEM_PRIORITY_CLASSES[name]}`));
  } else if (name.startsWith('system-')) {
    errs.push(forbidden(new FieldPath('metadata').child('name'), 'priority class names with \'system-\' prefix are reserved for system use only'));
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden(new FieldPath('value'), `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  errs.push(...oneOf(pc.preemptionPolicy, ['PreemptLowerPriority', 'Never'], new FieldPath('preemptionPolicy')));
  return errs;
}

function validateUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
  if (pc.value !== old.value) errs.push(forbidden(new FieldPath('value'), 'may not be changed in an update.'));
  if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push(immutable(new FieldPath('preemptionPolicy'), pc.preemptionPolicy));
  return errs;
}

/** priorityClassKind is the PriorityClass's KindInfo. */
export const priorityClassKind = defineKind({
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  resource: 'priorityclasses',
  namespaced: false,
  shortNames: ['pc'],
  schema: kindSchema({ value: int(), globalDefault: bool(), description: str(), preemptionPolicy: str() }),
  defaults: (obj: KubeObject) => {
    (obj as PriorityClass).preemptionPolicy ??= 'PreemptLowerPriority';
  },
  validate: (obj: KubeObject) => validate(obj as PriorityClass),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateUpdate(obj as PriorityClass, old as PriorityClass),
});
