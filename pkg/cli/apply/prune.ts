// prune.ts: `apply --prune -l SELECTOR` deletes objects that carry the selector's labels and a
// last-applied annotation (so apply made them) but are no longer in the applied files. Like
// kubectl, it looks only at a fixed set of common kinds, in the namespaces the files touched.
import type { KubeObject } from '../../api/meta.js';
import type { Factory } from '../factory.js';
import { kindPrefix, type ApiResource } from '../mapper.js';
import { LAST_APPLIED } from './last-applied.js';
import type { ResolvedDoc } from './resolve.js';

/** PRUNE_KINDS is kubectl's default prune allowlist ("group/Kind"). */
export const PRUNE_KINDS = [
  '/ConfigMap', '/Endpoints', '/Namespace', '/PersistentVolumeClaim', '/PersistentVolume', '/Pod', '/ReplicationController', '/Secret', '/Service',
  'batch/Job', 'batch/CronJob', 'networking.k8s.io/Ingress', 'apps/DaemonSet', 'apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet',
];

/** PruneCandidate is an object prune would delete. */
export interface PruneCandidate {
  resource: ApiResource;
  object: KubeObject;
}

/** findPruneCandidates lists labelled, apply-made objects not among the applied documents. */
export async function findPruneCandidates(f: Factory, applied: ResolvedDoc[], selector: string, opts: { allNamespaces?: boolean } = {}): Promise<PruneCandidate[]> {
  const resources = (await f.mapper().resources()).filter((r) => PRUNE_KINDS.includes(`${r.group}/${r.kind}`) && r.verbs.includes('list') !== false);
  const keep = new Set(applied.map((d) => key(d.resource, d.namespace, d.name)));
  const namespaces = new Set(applied.filter((d) => d.namespace).map((d) => d.namespace!));
  if (namespaces.size === 0 && !opts.allNamespaces) namespaces.add(f.namespace());
  const out: PruneCandidate[] = [];
  for (const res of resources) {
    const scopes: (string | undefined)[] = !res.namespaced ? [undefined] : opts.allNamespaces ? [undefined] : [...namespaces];
    for (const ns of scopes) {
      const list = await f.resource(res, ns).listAll({ labelSelector: selector });
      for (const obj of list.items) {
        if (!obj.metadata.annotations?.[LAST_APPLIED]) continue;
        if (obj.metadata.deletionTimestamp) continue;
        if (keep.has(key(res, obj.metadata.namespace, obj.metadata.name ?? ''))) continue;
        out.push({ resource: res, object: obj });
      }
    }
  }
  return out;
}

function key(res: ApiResource, ns: string | undefined, name: string): string {
  return `${kindPrefix(res)}/${ns ?? ''}/${name}`;
}
