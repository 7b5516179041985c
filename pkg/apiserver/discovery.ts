// discovery.ts: the legacy (unaggregated) discovery documents — /api, /apis, /api/v1,
// /apis/<group>/<version> — that kubectl and client libraries read to find resources.
import { apiVersionOf, type KindInfo } from '../api/scheme.js';

const VERBS_COLLECTION = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const SUBRESOURCES: Record<string, { kind: string; group?: string; version?: string; verbs: string[] }> = {
  status: { kind: '', verbs: ['get', 'patch', 'update'] },
  scale: { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  binding: { kind: 'Binding', verbs: ['create'] },
  eviction: { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  log: { kind: 'Pod', verbs: ['get'] },
  exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  finalize: { kind: '', verbs: ['update'] },
  proxy: { kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
};

/** groupVersions returns the served group versions, core first. */
export function groupVersions(kinds: KindInfo[]): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const k of kinds) seen.set(apiVersionOf(k), { group: k.group, version: k.version });
  return [...seen.values()].sort((a, b) => (a.group === '' ? -1 : b.group === '' ? 1 : a.group.localeCompare(b.group)));
}

/** apiVersions is the /api document. */
export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** apiGroupList is the /apis document. */
export function apiGroupList(kinds: KindInfo[]): object {
  const groups = groupVersions(kinds)
    .filter((gv) => gv.group !== '')
    .map((gv) => {
      const groupVersion = `${gv.group}/${gv.version}`;
      return { name: gv.group, versions: [{ groupVersion, version: gv.version }], preferredVersion: { groupVersion, version: gv.version } };
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** apiGroup is the /apis/<group> document. */
export function apiGroup(kinds: KindInfo[], group: string): object | undefined {
  const gv = groupVersions(kinds).find((g) => g.group === group);
  if (!gv) return undefined;
  const groupVersion = `${gv.group}/${gv.version}`;
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [{ groupVersion, version: gv.version }], preferredVersion: { groupVersion, version: gv.version } };
}

/** apiResourceList is the /api/v1 or /apis/<group>/<version> document. */
export function apiResourceList(kinds: KindInfo[], group: string, version: string): object | undefined {
  const served = kinds.filter((k) => k.group === group && k.version === version).sort((a, b) => a.resource.localeCompare(b.resource));
  if (!served.length) return undefined;
  const resources: object[] = [];
  for (const k of served) {
    const entry: Record<string, unknown> = { name: k.resource, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: VERBS_COLLECTION };
    if (k.shortNames.length) entry.shortNames = k.shortNames;
    if (k.categories.length) entry.categories = k.categories;
    resources.push(entry);
    for (const sub of k.subresources) {
      const s = SUBRESOURCES[sub];
      if (!s) continue;
      const subEntry: Record<string, unknown> = { name: `${k.resource}/${sub}`, singularName: '', namespaced: k.namespaced, kind: s.kind || k.kind, verbs: s.verbs };
      if (s.group) {
        subEntry.group = s.group;
        subEntry.version = s.version;
      }
      resources.push(subEntry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
