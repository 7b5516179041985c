// Package api: the object model shared by every Skiff component. It imports nothing of Skiff.
// meta.ts holds the metadata types every object carries (apimachinery's meta/v1).

/** TypeMeta names an object's apiVersion and kind. */
export interface TypeMeta {
  apiVersion?: string;
  kind?: string;
}

/** OwnerReference points from a dependent to the object that owns it (garbage collection). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** ManagedFieldsEntry records which manager owns which fields (server-side apply). */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** ObjectMeta is the metadata of every persisted object. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

/** ListMeta is the metadata of a list: its resourceVersion and the continue token for paging. */
export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** KubeObject is any persisted object: type, metadata, and kind-specific fields. */
export interface KubeObject extends TypeMeta {
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** KubeList is a list of objects as the API returns it. */
export interface KubeList<T extends KubeObject = KubeObject> extends TypeMeta {
  metadata: ListMeta;
  items: T[];
}

/** Condition is the common shape of status conditions (NodeCondition, PodCondition, ...). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string | null;
  observedGeneration?: number;
}

/** WatchEventType is the type of one event in a watch stream. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** WatchEvent is one line of a watch stream. */
export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** DeleteOptions is the body (or query) of a delete request. */
export interface DeleteOptions {
  kind?: 'DeleteOptions';
  apiVersion?: string;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

/** namespacedKey returns the cache key "namespace/name" (or "name" for cluster-scoped objects). */
export function namespacedKey(meta: { namespace?: string; name?: string }): string {
  return meta.namespace ? `${meta.namespace}/${meta.name}` : `${meta.name}`;
}

/** splitKey is the inverse of namespacedKey. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** rfc3339 formats a date as Kubernetes timestamps are written: seconds precision, UTC. */
export function rfc3339(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
