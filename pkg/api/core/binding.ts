// binding.ts: Binding (core/v1), the body of POST pods/<name>/binding that assigns a pod to a
// node. It is not stored: the API server sets the pod's spec.nodeName from it.
import { objectMetaSchema, objectReferenceSchema } from '../common-schema.js';
import { FieldPath, invalid, required, type FieldError } from '../field.js';
import type { ObjectMeta } from '../meta.js';
import { obj, str, type Schema } from '../schema.js';
import { validateDNSSubdomainField } from '../validation.js';
import type { ObjectReference } from './pod-types.js';

/** Binding ties a pod (metadata.name) to a node (target.name). */
export interface Binding {
  apiVersion?: 'v1';
  kind?: 'Binding';
  metadata: ObjectMeta;
  target: ObjectReference;
}

/** bindingSchema is the structural schema of a Binding body. */
export const bindingSchema: Schema = obj({ apiVersion: str(), kind: str(), metadata: objectMetaSchema, target: objectReferenceSchema });

/** validateBinding checks a binding: the target must be a Node with a valid name. */
export function validateBinding(binding: Binding): FieldError[] {
  const target = new FieldPath('target');
  if (!binding.target) return [required(target)];
  const errs: FieldError[] = [];
  if (binding.target.kind && binding.target.kind !== 'Node') errs.push(invalid(target.child('kind'), binding.target.kind, 'must be empty or "Node"'));
  errs.push(...validateDNSSubdomainField(binding.target.name, target.child('name')));
  return errs;
}
