// resources.ts: turning "TYPE[,TYPE] [NAME...]" or "TYPE/NAME ..." arguments into requests,
// and the small object helpers commands share.
import type { DeleteOptions, KubeObject } from '../api/meta.js';
import type { Factory } from './factory.js';
import { UserError } from './io.js';
import { apiVersionOfResource, kindPrefix, type ApiResource } from './mapper.js';

/** ResourceRequest is one resource type and the names asked for (none = list). */
export interface ResourceRequest {
  resource: ApiResource;
  names: string[];
}

/** resolveResourceArgs parses "deploy,svc [names]" or "deploy/web svc/web" into requests, in order. */
export async function resolveResourceArgs(f: Factory, args: string[]): Promise<ResourceRequest[]> {
  if (args.length === 0) throw new UserError('you must specify the type of resource to get');
  const mapper = f.mapper();
  if (args.some((a) => a.includes('/'))) {
    const out: ResourceRequest[] = [];
    for (const a of args) {
      const i = a.indexOf('/');
      if (i <= 0 || i === a.length - 1) throw new UserError(`arguments in resource/name form must have a single resource and name`);
      const res = await mapper.resourceFor(a.slice(0, i));
      const existing = out.find((r) => r.resource === res);
      if (existing) existing.names.push(a.slice(i + 1));
      else out.push({ resource: res, names: [a.slice(i + 1)] });
    }
    return out;
  }
  const [types, ...names] = args;
  const resources = await mapper.resourcesFor(types);
  if (names.length && resources.length > 1) throw new UserError(`you must specify only one resource type when naming objects: ${types}`);
  return resources.map((resource) => ({ resource, names }));
}

/** withType fills apiVersion and kind, which list items may lack. */
export function withType(obj: KubeObject, res: ApiResource): KubeObject {
  if (obj.apiVersion && obj.kind) return obj;
  return { apiVersion: apiVersionOfResource(res), kind: res.kind, ...obj };
}

/** objectName is "kind.group/name", how kubectl names an object in messages. */
export function objectName(res: { kind: string; group: string }, name: string | undefined): string {
  return `${kindPrefix(res)}/${name ?? ''}`;
}

/** TABLE_ACCEPT asks for a server-side Table, falling back to JSON. */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** deleteObject deletes one object; dry run goes in the query, where the API server reads it. */
export function deleteObject(f: Factory, res: ApiResource, namespace: string | undefined, name: string, options: DeleteOptions, dryRun = false): Promise<unknown> {
  return f.client().request({
    method: 'DELETE',
    path: f.resource(res, namespace).path(name),
    query: dryRun ? { dryRun: 'All' } : undefined,
    body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options, ...(dryRun ? { dryRun: ['All'] } : {}) },
  });
}
