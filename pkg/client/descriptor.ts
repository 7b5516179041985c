// descriptor.ts: where a resource lives in the REST API. Clients accept an explicit descriptor,
// or an apiVersion + kind looked up in the scheme, so they work before every kind is registered.
import { apiVersionOf, kindFor } from '../api/scheme.js';

/** ResourceDescriptor names a resource's group, version, plural name and scope (KindInfo fits it). */
export interface ResourceDescriptor {
  group: string; // '' for the core group
  version: string;
  resource: string; // plural, lower case: 'pods'
  namespaced: boolean;
  kind?: string;
}

/** ResourceRef is a descriptor, or an apiVersion + kind to look up in the scheme. */
export type ResourceRef = ResourceDescriptor | { apiVersion: string; kind: string };

/** toDescriptor resolves a ResourceRef; an unregistered apiVersion + kind is an error. */
export function toDescriptor(ref: ResourceRef): ResourceDescriptor {
  if ('resource' in ref) return ref;
  const info = kindFor(ref.apiVersion, ref.kind);
  if (!info) throw new Error(`no resource registered for ${ref.apiVersion} ${ref.kind}`);
  return info;
}

/** descriptorKey identifies a resource: "group/version/resource". */
export function descriptorKey(desc: ResourceDescriptor): string {
  return `${desc.group}/${desc.version}/${desc.resource}`;
}

/** descriptorApiVersion is the apiVersion objects of the resource carry ("apps/v1", "v1"). */
export function descriptorApiVersion(desc: ResourceDescriptor): string {
  return apiVersionOf(desc);
}

/** resourcePath builds the REST path of a collection, an object, or an object's subresource. */
export function resourcePath(desc: ResourceDescriptor, namespace?: string, name?: string, subresource?: string): string {
  const root = desc.group ? `/apis/${desc.group}/${desc.version}` : `/api/${desc.version}`;
  let p = root;
  if (desc.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${desc.resource}`;
  if (name !== undefined) {
    if (name === '') throw new Error(`resource name may not be empty (${desc.resource})`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}
