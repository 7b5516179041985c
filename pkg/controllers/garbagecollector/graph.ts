// graph.ts: the ownerReferences graph, read from informer caches. Every watched resource is
// indexed by the uids of its owners, so an owner's dependents are one index lookup per
// resource; an owner is found from a dependent's reference by apiVersion, kind and name.
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { kindFor } from '../../api/scheme.js';
import { descriptorKey, type ResourceDescriptor } from '../../client/descriptor.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { indexByOwnerUID, OwnerUIDIndex } from '../../client/indexers.js';
import type { SharedInformerFactory } from '../../client/factory.js';
import { metaNamespaceKey } from '../../client/store.js';

/** Node is one object of the graph: which resource it lives in, and the object. */
export interface GraphNode {
  desc: ResourceDescriptor;
  obj: KubeObject;
}

/** objectKey is the GC work queue key of an object: "group/version/resource|namespace/name". */
export function objectKey(desc: ResourceDescriptor, obj: { metadata: { namespace?: string; name?: string } }): string {
  return `${descriptorKey(desc)}|${metaNamespaceKey(obj as KubeObject)}`;
}

/** parseObjectKey splits an objectKey into the resource key and the cache key. */
export function parseObjectKey(key: string): { resourceKey: string; cacheKey: string } {
  const i = key.indexOf('|');
  return { resourceKey: key.slice(0, i), cacheKey: key.slice(i + 1) };
}

/** OwnerGraph answers "who depends on this uid" and "where is this owner" from informer caches. */
export class OwnerGraph {
  readonly informers = new Map<string, { desc: ResourceDescriptor; informer: SharedIndexInformer<KubeObject> }>();

  constructor(informers: SharedInformerFactory, resources: ResourceDescriptor[]) {
    for (const desc of resources) {
      const informer = informers.informerFor<KubeObject>(desc, { indexers: { [OwnerUIDIndex]: indexByOwnerUID } });
      this.informers.set(descriptorKey(desc), { desc, informer });
    }
  }

  /** get returns the cached object of a GC key. */
  get(key: string): GraphNode | undefined {
    const { resourceKey, cacheKey } = parseObjectKey(key);
    const entry = this.informers.get(resourceKey);
    const obj = entry?.informer.store.getByKey(cacheKey);
    return entry && obj ? { desc: entry.desc, obj } : undefined;
  }

  /** dependents lists every cached object with an ownerReference to uid. */
  dependents(uid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const { desc, informer } of this.informers.values()) {
      for (const obj of informer.store.byIndex(OwnerUIDIndex, uid)) out.push({ desc, obj });
    }
    return out;
  }

  /** ownerDescriptor resolves an ownerReference's apiVersion and kind to a watched resource. */
  ownerDescriptor(ref: OwnerReference): ResourceDescriptor | undefined {
    const info = kindFor(ref.apiVersion, ref.kind);
    if (info) return this.informers.get(descriptorKey(info))?.desc ?? info;
    for (const { desc } of this.informers.values()) {
      if (desc.kind === ref.kind && (desc.group ? `${desc.group}/${desc.version}` : desc.version) === ref.apiVersion) return desc;
    }
    return undefined;
  }

  /** ownerKey is the GC key of the owner a dependent references (namespaced owners share the dependent's namespace). */
  ownerKey(dependent: KubeObject, ref: OwnerReference): string | undefined {
    const desc = this.ownerDescriptor(ref);
    if (!desc) return undefined;
    return objectKey(desc, { metadata: { namespace: desc.namespaced ? dependent.metadata.namespace : undefined, name: ref.name } });
  }

  /** hasSynced tells whether every informer has synced. */
  hasSynced(): boolean {
    return [...this.informers.values()].every((e) => e.informer.hasSynced());
  }
}
