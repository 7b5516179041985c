// describe.ts: `skiff describe TYPE [NAME...] | TYPE/NAME | TYPE -l SEL` — the object, what
// it relates to (ReplicaSets, Endpoints, a node's pods and lease) and its Events.
import type { KubeObject } from '../../api/meta.js';
import type { Command } from '../command.js';
import { formatError } from '../command.js';
import { eventsFieldSelector, eventsFor } from '../describe/events.js';
import { describePod, type DescribeContext } from '../describe/pod.js';
import { describeDeployment, describeGeneric, describeNode, describeService } from '../describe/workloads.js';
import type { Factory } from '../factory.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import type { ApiResource } from '../mapper.js';
import { resolveResourceArgs, withType } from '../resources.js';

/** describerFor picks the describer of a kind. */
export function describerFor(kind: string): (obj: KubeObject, ctx: DescribeContext) => string {
  switch (kind) {
    case 'Pod':
      return describePod;
    case 'Deployment':
      return describeDeployment;
    case 'Service':
      return describeService;
    case 'Node':
      return describeNode;
    default:
      return describeGeneric;
  }
}

async function listPath<T = KubeObject>(f: Factory, path: string, query: Record<string, string | undefined> = {}): Promise<T[]> {
  try {
    return (await f.client().request<{ items?: T[] }>({ method: 'GET', path, query })).items ?? [];
  } catch {
    return [];
  }
}

async function contextFor(f: Factory, res: ApiResource, obj: KubeObject, showEvents: boolean): Promise<DescribeContext> {
  const ns = obj.metadata.namespace;
  const ctx: DescribeContext = { now: f.now(), related: {} };
  if (showEvents) {
    const path = ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/events` : '/api/v1/events';
    ctx.events = eventsFor(obj, await listPath(f, path, { fieldSelector: eventsFieldSelector(obj, res.kind) }));
  }
  const enc = encodeURIComponent;
  if (res.kind === 'Deployment') ctx.related!.replicasets = await listPath(f, `/apis/apps/v1/namespaces/${enc(ns!)}/replicasets`);
  if (res.kind === 'Service') {
    try {
      ctx.related!.endpoints = [await f.client().request<KubeObject>({ method: 'GET', path: `/api/v1/namespaces/${enc(ns!)}/endpoints/${enc(obj.metadata.name!)}` })];
    } catch {
      ctx.related!.endpoints = [];
    }
  }
  if (res.kind === 'Node') {
    ctx.related!.pods = await listPath(f, '/api/v1/pods', { fieldSelector: `spec.nodeName=${obj.metadata.name}` });
    ctx.related!.leases = await listPath(f, '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { fieldSelector: `metadata.name=${obj.metadata.name}` });
  }
  return ctx;
}

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Show details of a specific resource or group of resources',
  async run(f, args) {
    const { values, positionals } = parseFlags<{ selector?: string; 'all-namespaces'?: boolean; 'show-events': boolean }>('describe', args, {
      selector: { type: 'string', short: 'l' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      'show-events': { type: 'boolean', default: true },
    });
    const outputs: string[] = [];
    let failed = false;
    for (const req of await resolveResourceArgs(f, positionals)) {
      const rc = f.resource(req.resource, values['all-namespaces'] ? undefined : f.namespace());
      let objects: KubeObject[] = [];
      if (req.names.length) {
        for (const name of req.names) {
          try {
            objects.push(await rc.get(name));
          } catch (err) {
            failed = true;
            f.io.stderr.write(formatError(err) + '\n');
          }
        }
      } else {
        objects = (await rc.listAll({ labelSelector: values.selector })).items;
      }
      for (const obj of objects) {
        const typed = withType(obj, req.resource);
        outputs.push(describerFor(req.resource.kind)(typed, await contextFor(f, req.resource, typed, values['show-events'])));
      }
    }
    if (outputs.length === 0 && !failed) {
      if (positionals.length === 0) throw new UserError('You must specify the type of resource to describe.');
      f.io.stderr.write(`No resources found in ${f.namespace()} namespace.\n`);
    }
    f.io.stdout.write(outputs.join('\n\n'));
    return failed ? 1 : 0;
  },
};
