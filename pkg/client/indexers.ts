// indexers.ts: the standard indexes informers keep, so controllers find related objects
// without scanning: by namespace, pods by node, dependents by their owner.
import type { Keyed } from './store.js';

/** NamespaceIndex files objects by metadata.namespace. */
export const NamespaceIndex = 'namespace';
/** NodeNameIndex files pods by spec.nodeName (unscheduled pods are not filed). */
export const NodeNameIndex = 'spec.nodeName';
/** ControllerUIDIndex files objects by the uid of their controller ownerReference. */
export const ControllerUIDIndex = 'controller-uid';
/** OwnerUIDIndex files objects by the uid of every ownerReference (for garbage collection). */
export const OwnerUIDIndex = 'owner-uid';

/** indexByNamespace is the NamespaceIndex function. */
export function indexByNamespace(obj: Keyed): string[] {
  return obj.metadata.namespace ? [obj.metadata.namespace] : [];
}

/** indexByNodeName is the NodeNameIndex function. */
export function indexByNodeName(obj: Keyed): string[] {
  const nodeName = (obj as { spec?: { nodeName?: string } }).spec?.nodeName;
  return nodeName ? [nodeName] : [];
}

/** indexByControllerUID is the ControllerUIDIndex function. */
export function indexByControllerUID(obj: Keyed): string[] {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? [ref.uid] : [];
}

/** indexByOwnerUID is the OwnerUIDIndex function. */
export function indexByOwnerUID(obj: Keyed): string[] {
  return (obj.metadata.ownerReferences ?? []).map((r) => r.uid);
}
