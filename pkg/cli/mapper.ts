// mapper.ts: kubectl's RESTMapper. It reads discovery (/api/v1, /apis, /apis/G/V) once per
// invocation and maps what users type — plural, singular, short name, kind, "type.group",
// "type.version.group" — and what manifests carry — apiVersion + kind — to a resource.
import type { ResourceDescriptor } from '../client/descriptor.js';
import type { RestClient } from '../client/rest.js';
import { UserError } from './io.js';

/** ApiResource is one served resource as discovery describes it. */
export interface ApiResource extends ResourceDescriptor {
  kind: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** subresources lists the subresource names served ("status", "scale", "log", ...). */
  subresources: string[];
}

interface DiscoveryResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

/** kindPrefix is how kubectl names a resource's objects in output: "deployment.apps", "pod". */
export function kindPrefix(res: { kind: string; group: string }): string {
  const k = res.kind.toLowerCase();
  return res.group ? `${k}.${res.group}` : k;
}

/** apiVersionOfResource is the apiVersion of a resource's objects. */
export function apiVersionOfResource(res: { group: string; version: string }): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

/** RestMapper resolves resource names against the server's discovery documents. */
export class RestMapper {
  private loaded?: Promise<ApiResource[]>;

  constructor(private readonly client?: RestClient, preloaded?: ApiResource[]) {
    if (preloaded) this.loaded = Promise.resolve(preloaded);
  }

  /** resources lists every served resource (discovery is read once and cached). */
  resources(): Promise<ApiResource[]> {
    this.loaded ??= this.discover();
    return this.loaded;
  }

  /** resourceFor maps a user-typed resource name ("deploy", "deployments.apps", "Pod") to a resource. */
  async resourceFor(arg: string): Promise<ApiResource> {
    const all = await this.resources();
    const found = matchResource(all, arg);
    if (!found) throw new UserError(`the server doesn't have a resource type "${arg}"`);
    return found;
  }

  /** resourcesFor expands "deploy,svc" and the "all" category into resources, in the order given. */
  async resourcesFor(arg: string): Promise<ApiResource[]> {
    const out: ApiResource[] = [];
    for (const part of arg.split(',').filter(Boolean)) {
      const all = await this.resources();
      const inCategory = all.filter((r) => r.categories.includes(part));
      const direct = matchResource(all, part);
      const found = direct ? [direct] : inCategory;
      if (found.length === 0) throw new UserError(`the server doesn't have a resource type "${part}"`);
      for (const r of found) if (!out.includes(r)) out.push(r);
    }
    return out;
  }

  /** mappingFor maps a manifest's apiVersion and kind to its resource. */
  async mappingFor(apiVersion: string, kind: string): Promise<ApiResource> {
    const all = await this.resources();
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    const found = all.find((r) => r.group === group && r.version === version && r.kind === kind);
    if (!found) throw new UserError(`no matches for kind "${kind}" in version "${apiVersion}"`);
    return found;
  }

  private async discover(): Promise<ApiResource[]> {
    const client = this.client;
    if (!client) return [];
    const docs: { group: string; version: string; path: string }[] = [{ group: '', version: 'v1', path: '/api/v1' }];
    const groups = await client.request<{ groups?: { name: string; preferredVersion?: { version: string }; versions: { version: string }[] }[] }>({ method: 'GET', path: '/apis' });
    for (const g of groups.groups ?? []) {
      const version = g.preferredVersion?.version ?? g.versions[0]?.version;
      if (version) docs.push({ group: g.name, version, path: `/apis/${g.name}/${version}` });
    }
    const lists = await Promise.all(docs.map((d) => client.request<{ resources?: DiscoveryResource[] }>({ method: 'GET', path: d.path }).then((l) => ({ ...d, l }))));
    return lists.flatMap(({ group, version, l }) => fromDiscovery(group, version, l.resources ?? []));
  }
}

/** fromDiscovery turns one APIResourceList's entries into ApiResources (subresources folded in). */
export function fromDiscovery(group: string, version: string, entries: DiscoveryResource[]): ApiResource[] {
  const out: ApiResource[] = [];
  for (const e of entries) {
    if (e.name.includes('/')) continue;
    out.push({
      group,
      version,
      resource: e.name,
      namespaced: e.namespaced,
      kind: e.kind,
      singular: e.singularName || e.kind.toLowerCase(),
      shortNames: e.shortNames ?? [],
      categories: e.categories ?? [],
      verbs: e.verbs ?? [],
      subresources: entries.filter((s) => s.name.startsWith(`${e.name}/`)).map((s) => s.name.slice(e.name.length + 1)),
    });
  }
  return out;
}

/** matchResource finds the resource a name refers to, preferring the core group on ties (as kubectl). */
export function matchResource(all: ApiResource[], arg: string): ApiResource | undefined {
  const lower = arg.toLowerCase();
  const names = (r: ApiResource) => [r.resource, r.singular, r.kind.toLowerCase(), ...r.shortNames];
  const direct = all.filter((r) => names(r).includes(lower));
  if (direct.length) return direct.find((r) => r.group === '') ?? direct[0];
  // "type.group" or "type.version.group"
  const dot = lower.indexOf('.');
  if (dot < 0) return undefined;
  const type = lower.slice(0, dot);
  const rest = lower.slice(dot + 1);
  return all.find((r) => names(r).includes(type) && (r.group === rest || `${r.version}.${r.group}` === rest || (r.group === '' && rest === r.version)));
}
