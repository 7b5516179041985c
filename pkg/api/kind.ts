// kind.ts: helpers shared by the kind modules: filling the routine parts of a KindInfo, and
// owner-reference and condition helpers other components use.
import type { Condition, KubeObject, ObjectMeta, OwnerReference } from './meta.js';
import { apiVersionOf, registerKind, type KindInfo } from './scheme.js';

/** KindSpec is a KindInfo whose routine fields may be left out (listKind, singular, ...). */
export type KindSpec = Omit<KindInfo, 'listKind' | 'singular' | 'shortNames' | 'categories' | 'subresources' | 'hasStatus'> &
  Partial<Pick<KindInfo, 'listKind' | 'singular' | 'shortNames' | 'categories' | 'subresources' | 'hasStatus'>>;

/** defineKind fills the routine fields of a KindInfo and registers it. */
export function defineKind(spec: KindSpec): KindInfo {
  const info: KindInfo = {
    listKind: `${spec.kind}List`,
    singular: spec.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    subresources: [],
    hasStatus: false,
    ...spec,
  };
  registerKind(info);
  return info;
}

/** controllerOf returns the owner reference marked controller, if any. */
export function controllerOf(obj: { metadata?: ObjectMeta }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** isControlledBy tells whether owner is the controller of obj (compared by uid). */
export function isControlledBy(obj: { metadata?: ObjectMeta }, owner: { metadata?: ObjectMeta }): boolean {
  const ref = controllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata?.uid;
}

/** newControllerRef builds the owner reference a controller puts on what it creates. */
export function newControllerRef(owner: KubeObject, gvk: { group: string; version: string; kind: string }): OwnerReference {
  return {
    apiVersion: apiVersionOf(gvk),
    kind: gvk.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** getCondition returns the condition of a type from a status, if present. */
export function getCondition<C extends { type: string } = Condition>(status: { conditions?: C[] } | undefined, type: string): C | undefined {
  return status?.conditions?.find((c) => c.type === type);
}
