// endpoints.ts: the Endpoints controller, for clients that still read core/v1 Endpoints. One
// Endpoints object per Service with a selector, named like it: subsets grouped by resolved
// ports, ready pods under addresses, not-ready ones under notReadyAddresses; terminating pods
// are left out (as Kubernetes does unless the Service publishes not-ready addresses).
import type { EndpointAddress, Endpoints, EndpointSubset } from '../../api/core/endpoints.js';
import type { Pod } from '../../api/core/pod-types.js';
import type { Service } from '../../api/core/service.js';
import { deepEqual } from '../../api/equality.js';
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import { Controller, type SyncResult } from '../../client/controller.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Lister } from '../../client/lister.js';
import { Resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../../controllers/context.js';
import { keyHandler } from '../../controllers/enqueue.js';
import { podHandler } from './handlers.js';
import { type PodEndpoint, podEndpoints, portsKey } from './pods.js';

function toAddress(e: PodEndpoint): EndpointAddress {
  return {
    ip: e.ip,
    ...(e.hostname ? { hostname: e.hostname } : {}),
    ...(e.pod.spec.nodeName ? { nodeName: e.pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: e.pod.metadata.namespace, name: e.pod.metadata.name, uid: e.pod.metadata.uid },
  };
}

/** desiredSubsets computes the subsets of a Service's Endpoints. */
export function desiredSubsets(svc: Service, endpoints: PodEndpoint[]): EndpointSubset[] {
  const groups = new Map<string, EndpointSubset>();
  for (const e of endpoints) {
    if (e.terminating && !svc.spec?.publishNotReadyAddresses) continue;
    if (e.ports.length === 0 && (svc.spec?.ports ?? []).length > 0) continue;
    const key = portsKey(e.ports);
    let subset = groups.get(key);
    if (!subset) {
      subset = { ports: e.ports.map((p) => ({ name: p.name || undefined, port: p.port, protocol: p.protocol })) };
      groups.set(key, subset);
    }
    if (e.ready) (subset.addresses ??= []).push(toAddress(e));
    else (subset.notReadyAddresses ??= []).push(toAddress(e));
  }
  return [...groups.keys()].sort().map((k) => JSON.parse(JSON.stringify(groups.get(k))) as EndpointSubset);
}

/** EndpointsController keeps core/v1 Endpoints equal to the pods behind each Service. */
export class EndpointsController implements Runnable {
  readonly name = 'endpoints';
  readonly queue: WorkQueue;
  private readonly ctx: ResolvedContext;
  private readonly informers: SharedIndexInformer<any>[];
  private readonly services: Lister<Service>;
  private readonly pods: Lister<Pod>;
  private readonly endpoints: Lister<Endpoints>;

  constructor(context: ControllerContext) {
    this.ctx = resolveContext(context, this.name);
    this.queue = newQueue(this.ctx, this.name);
    const svcInformer = this.ctx.informers.informerFor<Service>(Resources.services);
    const podInformer = this.ctx.informers.informerFor<Pod>(Resources.pods);
    const epInformer = this.ctx.informers.informerFor<Endpoints>(Resources.endpoints);
    this.informers = [svcInformer, podInformer, epInformer];
    this.services = svcInformer.lister();
    this.pods = podInformer.lister();
    this.endpoints = epInformer.lister();
    svcInformer.addEventHandler(keyHandler((key) => this.queue.add(key)));
    podInformer.addEventHandler(podHandler(this.services, (key) => this.queue.add(key)));
    epInformer.addEventHandler(keyHandler((key) => this.queue.add(key)));
  }

  /** run reconciles until signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({ name: this.name, queue: this.queue, informers: this.informers, sync: (key) => this.sync(key), workers: 5, logger: this.ctx.logger }).run(signal);
  }

  /** sync reconciles the Endpoints of Service "namespace/name". */
  async sync(key: string): Promise<SyncResult> {
    const [namespace, name] = key.split('/');
    const client = this.ctx.client.resource<Endpoints>(Resources.endpoints).namespace(namespace);
    const svc = this.services.get(namespace, name);
    const current = this.endpoints.get(namespace, name);
    const managed = svc?.spec?.selector && Object.keys(svc.spec.selector).length > 0 && svc.spec.type !== 'ExternalName';
    if (!svc || !managed) {
      // Endpoints of a selector-less Service are the user's; only a deleted Service's go.
      if (!svc && current) {
        await client.delete(name, { preconditions: { uid: current.metadata.uid } }).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
      }
      return;
    }
    const subsets = desiredSubsets(svc, podEndpoints(svc, this.pods.list(namespace)));
    const labels = { ...(svc.metadata.labels ?? {}) };
    if (!current) {
      try {
        await client.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets });
      } catch (err) {
        // The cache is behind: it will deliver the object and requeue us.
        if (isAlreadyExists(err)) return { requeueAfter: 100 };
        throw err;
      }
      return;
    }
    if (deepEqual(current.subsets ?? [], subsets) && deepEqual(current.metadata.labels ?? {}, labels)) return;
    const next = structuredClone(current);
    next.subsets = subsets;
    next.metadata.labels = labels;
    await client.update(next);
    this.ctx.logger.debug({ service: key, subsets: subsets.length }, 'endpoints synced');
  }
}

/** registerEndpoints builds the Endpoints controller for the controller manager. */
export function registerEndpoints(ctx: ControllerContext): EndpointsController {
  return new EndpointsController(ctx);
}
