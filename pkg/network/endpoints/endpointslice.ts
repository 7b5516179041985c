// endpointslice.ts: the EndpointSlice controller. For every Service with a selector it keeps
// the managed EndpointSlices equal to the pods that back it: one group of slices per set of
// resolved ports (pods may resolve a named target port differently), at most 100 endpoints
// per slice, ready and not-ready pods both listed with their conditions. Slices are owned by
// the Service, so the garbage collector removes them with it.
//
//   Service / Pod / EndpointSlice events ─► queue "ns/name" ─► sync: desired slices from
//   listers ─► create / update (with resourceVersion) / delete ─► remember what was written
//   until the informer has seen it (a stale cache must not make a duplicate slice)
import type { Pod } from '../../api/core/pod-types.js';
import type { Service } from '../../api/core/service.js';
import { type Endpoint, type EndpointSlice, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../../api/discovery.js';
import { deepEqual } from '../../api/equality.js';
import { isNotFound } from '../../api/errors.js';
import { newControllerRef } from '../../api/kind.js';
import { Controller, type SyncResult } from '../../client/controller.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Lister } from '../../client/lister.js';
import { Resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../../controllers/context.js';
import { keyHandler, unwrapTombstone } from '../../controllers/enqueue.js';
import { podHandler } from './handlers.js';
import { type PodEndpoint, podEndpoints, portsKey } from './pods.js';

/** CONTROLLER_NAME is the managed-by label value of the slices this controller owns. */
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** MAX_ENDPOINTS_PER_SLICE as kube-controller-manager's default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

const serviceGVK = { group: '', version: 'v1', kind: 'Service' };

/** DesiredSlice is the content of one slice, without identity. */
export type DesiredSlice = Pick<EndpointSlice, 'addressType' | 'endpoints' | 'ports'>;

function toEndpoint(e: PodEndpoint): Endpoint {
  return {
    addresses: [e.ip],
    conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
    ...(e.hostname ? { hostname: e.hostname } : {}),
    targetRef: { kind: 'Pod', namespace: e.pod.metadata.namespace, name: e.pod.metadata.name, uid: e.pod.metadata.uid },
    ...(e.pod.spec.nodeName ? { nodeName: e.pod.spec.nodeName } : {}),
  };
}

/** desiredSlices computes the slices of a Service from its pod endpoints. */
export function desiredSlices(svc: Service, endpoints: PodEndpoint[]): DesiredSlice[] {
  const groups = new Map<string, PodEndpoint[]>();
  for (const e of endpoints) {
    if (e.ports.length === 0 && (svc.spec?.ports ?? []).length > 0) continue;
    const key = portsKey(e.ports);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const out: DesiredSlice[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!;
    const ports = group[0].ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    for (let i = 0; i < group.length; i += MAX_ENDPOINTS_PER_SLICE) {
      out.push({ addressType: 'IPv4', endpoints: group.slice(i, i + MAX_ENDPOINTS_PER_SLICE).map(toEndpoint), ports });
    }
  }
  // A Service with a selector but no endpoints still gets one (empty) slice, as in Kubernetes.
  if (out.length === 0) out.push({ addressType: 'IPv4', endpoints: [], ports: [] });
  return out;
}

/** EndpointSliceController keeps EndpointSlices equal to the pods behind each Service. */
export class EndpointSliceController implements Runnable {
  readonly name = 'endpointslice';
  readonly queue: WorkQueue;
  private readonly ctx: ResolvedContext;
  private readonly informers: SharedIndexInformer<any>[];
  private readonly services: Lister<Service>;
  private readonly pods: Lister<Pod>;
  private readonly slices: Lister<EndpointSlice>;
  /** written maps service key → slice name → resourceVersion written ("" = deleted). */
  private readonly written = new Map<string, Map<string, string>>();

  constructor(context: ControllerContext) {
    this.ctx = resolveContext(context, this.name);
    this.queue = newQueue(this.ctx, this.name);
    const svcInformer = this.ctx.informers.informerFor<Service>(Resources.services);
    const podInformer = this.ctx.informers.informerFor<Pod>(Resources.pods);
    const sliceInformer = this.ctx.informers.informerFor<EndpointSlice>(Resources.endpointslices);
    this.informers = [svcInformer, podInformer, sliceInformer];
    this.services = svcInformer.lister();
    this.pods = podInformer.lister();
    this.slices = sliceInformer.lister();
    svcInformer.addEventHandler(keyHandler((key) => this.queue.add(key)));
    podInformer.addEventHandler(podHandler(this.services, (key) => this.queue.add(key)));
    const sliceChanged = (s: EndpointSlice) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME) this.queue.add(`${s.metadata.namespace}/${svc}`);
    };
    sliceInformer.addEventHandler({ onAdd: sliceChanged, onUpdate: (_o, s) => sliceChanged(s), onDelete: (t) => sliceChanged(unwrapTombstone(t)) });
  }

  /** run reconciles until signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({ name: this.name, queue: this.queue, informers: this.informers, sync: (key) => this.sync(key), workers: 5, logger: this.ctx.logger }).run(signal);
  }

  private managedSlices(namespace: string, service: string): EndpointSlice[] {
    return this.slices
      .list(namespace)
      .filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === service && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME)
      .sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  }

  /** cacheCaughtUp tells whether the informer has seen every write of an earlier sync. */
  private cacheCaughtUp(key: string, namespace: string): boolean {
    const written = this.written.get(key);
    if (!written) return true;
    for (const [name, rv] of written) {
      const cached = this.slices.get(namespace, name);
      if (rv === '' ? cached : !cached || Number(cached.metadata.resourceVersion) < Number(rv)) return false;
    }
    this.written.delete(key);
    return true;
  }

  private remember(key: string, name: string, rv: string): void {
    const m = this.written.get(key) ?? new Map<string, string>();
    m.set(name, rv);
    this.written.set(key, m);
  }

  /** sync reconciles the slices of Service "namespace/name". */
  async sync(key: string): Promise<SyncResult> {
    const [namespace, name] = key.split('/');
    if (!this.cacheCaughtUp(key, namespace)) return { requeueAfter: 50 };
    const client = this.ctx.client.resource<EndpointSlice>(Resources.endpointslices).namespace(namespace);
    const existing = this.managedSlices(namespace, name);
    const svc = this.services.get(namespace, name);
    const log = this.ctx.logger.child({ service: key });
    const desired = svc?.spec?.selector && Object.keys(svc.spec.selector).length > 0 && svc.spec.type !== 'ExternalName' ? desiredSlices(svc, podEndpoints(svc, this.pods.list(namespace))) : [];
    for (let i = 0; i < desired.length; i++) {
      const want = desired[i];
      const have = existing[i];
      const labels = { ...(svc!.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: CONTROLLER_NAME };
      if (!have) {
        const created = await client.create({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { generateName: `${name}-`, namespace, labels, ownerReferences: [newControllerRef(svc!, serviceGVK)] },
          ...want,
        });
        this.remember(key, created.metadata.name!, created.metadata.resourceVersion!);
        continue;
      }
      if (deepEqual(have.endpoints ?? [], want.endpoints) && deepEqual(have.ports ?? [], want.ports ?? []) && deepEqual(have.metadata.labels ?? {}, labels)) continue;
      const next = structuredClone(have);
      next.metadata.labels = labels;
      next.endpoints = want.endpoints;
      next.ports = want.ports;
      const updated = await client.update(next);
      this.remember(key, updated.metadata.name!, updated.metadata.resourceVersion!);
    }
    for (const extra of existing.slice(desired.length)) {
      try {
        await client.delete(extra.metadata.name!, { preconditions: { uid: extra.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.remember(key, extra.metadata.name!, '');
    }
    if (desired.length || existing.length) log.debug({ slices: desired.length, endpoints: desired.reduce((n, s) => n + s.endpoints.length, 0) }, 'endpoint slices synced');
  }
}

/** register builds the EndpointSlice controller for the controller manager. */
export function register(ctx: ControllerContext): EndpointSliceController {
  return new EndpointSliceController(ctx);
}
