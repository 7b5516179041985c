// common-schema.ts: schemas shared by every kind: object metadata, label selectors, object
// references, conditions, and the envelope (apiVersion, kind, metadata, spec, status).
import { any, bool, int, listOf, mapOf, obj, str, type Schema } from './schema.js';

/** ownerReferenceSchema: metadata.ownerReferences items. */
export const ownerReferenceSchema = obj({
  apiVersion: str(),
  kind: str(),
  name: str(),
  uid: str(),
  controller: bool(),
  blockOwnerDeletion: bool(),
});

/** managedFieldsEntrySchema: metadata.managedFields items (fieldsV1 is free-form). */
export const managedFieldsEntrySchema = obj({
  manager: str(),
  operation: str(),
  apiVersion: str(),
  time: str(),
  fieldsType: str(),
  fieldsV1: any(),
  subresource: str(),
});

/** objectMetaSchema: metadata of every object (and of pod templates). */
export const objectMetaSchema = obj({
  name: str(),
  generateName: str(),
  namespace: str(),
  selfLink: str(),
  uid: str(),
  resourceVersion: str(),
  generation: int(),
  creationTimestamp: str(),
  deletionTimestamp: str(),
  deletionGracePeriodSeconds: int(),
  labels: mapOf(str()),
  annotations: mapOf(str()),
  ownerReferences: listOf(ownerReferenceSchema, { mergeKey: 'uid' }),
  finalizers: listOf(str(), { strategy: 'merge' }),
  managedFields: listOf(managedFieldsEntrySchema),
});

/** labelSelectorSchema: meta/v1 LabelSelector. */
export const labelSelectorSchema = obj({
  matchLabels: mapOf(str()),
  matchExpressions: listOf(obj({ key: str(), operator: str(), values: listOf(str()) })),
});

/** objectReferenceSchema: core/v1 ObjectReference. */
export const objectReferenceSchema = obj({
  kind: str(),
  namespace: str(),
  name: str(),
  uid: str(),
  apiVersion: str(),
  resourceVersion: str(),
  fieldPath: str(),
});

/** localObjectReferenceSchema: {name}, e.g. imagePullSecrets items. */
export const localObjectReferenceSchema = obj({ name: str() });

/** conditionSchema: the common condition shape (any kind's status.conditions items). */
export const conditionSchema = obj({
  type: str(),
  status: str(),
  observedGeneration: int(),
  lastProbeTime: str(),
  lastHeartbeatTime: str(),
  lastTransitionTime: str(),
  lastUpdateTime: str(),
  reason: str(),
  message: str(),
});

/** conditionsSchema: status.conditions, merged by type. */
export const conditionsSchema = (): Schema => listOf(conditionSchema, { mergeKey: 'type' });

/** kindSchema: the envelope of a kind: apiVersion, kind, metadata plus the kind's own top-level fields. */
export function kindSchema(fields: Record<string, Schema | (() => Schema)>): Schema {
  return obj({ apiVersion: str(), kind: str(), metadata: objectMetaSchema, ...fields });
}
