// serviceaccount.ts: the ServiceAccount kind (core/v1 serviceaccounts): an identity for pods.
import { kindSchema, localObjectReferenceSchema, objectReferenceSchema } from '../common-schema.js';
import { FieldPath, required, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { KubeObject } from '../meta.js';
import { bool, listOf } from '../schema.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import type { LocalObjectReference, ObjectReference } from './pod-types.js';

/** ServiceAccount is the identity pods run as, with the image pull secrets they get. */
export interface ServiceAccount extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'ServiceAccount';
  secrets?: ObjectReference[];
  imagePullSecrets?: LocalObjectReference[];
  automountServiceAccountToken?: boolean;
}

function validate(sa: ServiceAccount): FieldError[] {
  const errs = validateObjectMeta(sa.metadata, { namespaced: true });
  (sa.imagePullSecrets ?? []).forEach((s, i) => {
    if (!s.name) errs.push(required(new FieldPath('imagePullSecrets').index(i).child('name')));
  });
  return errs;
}

/** serviceAccountKind is the ServiceAccount's KindInfo. */
export const serviceAccountKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  resource: 'serviceaccounts',
  namespaced: true,
  shortNames: ['sa'],
  subresources: ['token'],
  schema: kindSchema({
    secrets: listOf(objectReferenceSchema, { mergeKey: 'name' }),
    imagePullSecrets: listOf(localObjectReferenceSchema),
    automountServiceAccountToken: bool(),
  }),
  defaults: () => {},
  validate: (obj: KubeObject) => validate(obj as ServiceAccount),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateObjectMetaUpdate(obj.metadata, old.metadata),
});
