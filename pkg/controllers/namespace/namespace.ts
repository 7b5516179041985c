// Package namespace: the namespace controller. A Namespace with a deletionTimestamp (phase
// Terminating) is emptied: every namespaced resource is deleted with deletecollection, and
// once nothing is left the "kubernetes" finalizer is removed through /finalize, after which
// the API server deletes the namespace itself.
import { isNotFound } from '../../api/errors.js';
import type { Namespace } from '../../api/core/namespace.js';
import type { KubeObject } from '../../api/meta.js';
import { allKinds } from '../../api/scheme.js';
import { Controller, type SyncResult } from '../../client/controller.js';
import { type ResourceDescriptor, resourcePath } from '../../client/descriptor.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Lister } from '../../client/lister.js';
import { Resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../context.js';
import { keyHandler } from '../enqueue.js';

/** FINALIZER_KUBERNETES is the spec.finalizers entry this controller owns. */
export const FINALIZER_KUBERNETES = 'kubernetes';

/** NamespaceControllerOptions tune the controller. */
export interface NamespaceControllerOptions {
  /** kinds lists the resources to empty (default: every namespaced kind in the scheme). */
  kinds?: () => ResourceDescriptor[];
  /** recheckMs is how long to wait before looking again while content remains (default 1000). */
  recheckMs?: number;
}

type PodLike = KubeObject & { spec?: { nodeName?: string } };

/** NamespaceController empties terminating namespaces and then releases them. */
export class NamespaceController implements Runnable {
  readonly name = 'namespace';
  readonly queue: WorkQueue;
  private readonly ctx: ResolvedContext;
  private readonly informer: SharedIndexInformer<Namespace>;
  private readonly namespaces: Lister<Namespace>;

  constructor(
    context: ControllerContext,
    private readonly opts: NamespaceControllerOptions = {},
  ) {
    this.ctx = resolveContext(context, this.name);
    this.queue = newQueue(this.ctx, this.name);
    this.informer = this.ctx.informers.informerFor<Namespace>(Resources.namespaces);
    this.namespaces = this.informer.lister();
    this.informer.addEventHandler(keyHandler((key) => this.queue.add(key)));
  }

  /** run syncs namespaces until signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({ name: this.name, queue: this.queue, informers: [this.informer], sync: (key) => this.sync(key), workers: 2, logger: this.ctx.logger }).run(signal);
  }

  /** sync empties the namespace named key if it is terminating, then removes its finalizer. */
  async sync(key: string): Promise<SyncResult> {
    const ns = this.namespaces.get(undefined, key);
    if (!ns?.metadata.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(FINALIZER_KUBERNETES)) return;
    const log = this.ctx.logger.child({ namespace: key });
    const remaining = await this.deleteContent(key);
    if (remaining.length > 0) {
      log.debug({ remaining: remaining.slice(0, 10) }, 'content remains, checking again');
      return { requeueAfter: this.opts.recheckMs ?? 1000 };
    }
    await this.finalize(ns);
    log.info('namespace emptied and finalized');
  }

  /** deleteContent deletes everything in the namespace and returns what is still there ("resource/name"). */
  private async deleteContent(namespace: string): Promise<string[]> {
    const remaining: string[] = [];
    const nodeExists = new Map<string, boolean>();
    for (const desc of this.namespacedResources()) {
      const resource = this.ctx.client.resource<KubeObject>(desc).namespace(namespace);
      let items: KubeObject[];
      try {
        items = (await resource.listAll()).items;
      } catch (err) {
        if (isNotFound(err)) continue; // the resource is not served
        throw err;
      }
      if (items.length === 0) continue;
      await resource.deleteCollection();
      items = (await resource.listAll()).items;
      for (const item of items) {
        if (isPod(desc) && (await this.forceDeleteOrphanedPod(item as PodLike, nodeExists))) continue;
        remaining.push(`${desc.resource}/${item.metadata.name}`);
      }
    }
    return remaining;
  }

  /**
   * forceDeleteOrphanedPod deletes a terminating pod at once when the node it is bound to is
   * gone: no agent will ever confirm it stopped. Returns whether the pod was deleted.
   */
  private async forceDeleteOrphanedPod(pod: PodLike, nodeExists: Map<string, boolean>): Promise<boolean> {
    const nodeName = pod.spec?.nodeName;
    if (!pod.metadata.deletionTimestamp || !nodeName) return false;
    if (!nodeExists.has(nodeName)) {
      try {
        await this.ctx.client.resource(Resources.nodes).get(nodeName);
        nodeExists.set(nodeName, true);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        nodeExists.set(nodeName, false);
      }
    }
    if (nodeExists.get(nodeName)) return false;
    try {
      await this.ctx.client.resource(Resources.pods).namespace(pod.metadata.namespace ?? '').delete(pod.metadata.name ?? '', { gracePeriodSeconds: 0 });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return true;
  }

  /** finalize removes "kubernetes" from spec.finalizers through PUT .../finalize. */
  private async finalize(ns: Namespace): Promise<void> {
    const next = structuredClone(ns);
    next.spec = { ...next.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== FINALIZER_KUBERNETES) };
    try {
      await this.ctx.client.request({ method: 'PUT', path: resourcePath(Resources.namespaces, undefined, ns.metadata.name, 'finalize'), body: { apiVersion: 'v1', kind: 'Namespace', ...next } });
    } catch (err) {
      // A conflict means the cache was stale: the error requeues the key and the next sync reads anew.
      if (!isNotFound(err)) throw err;
    }
  }

  private namespacedResources(): ResourceDescriptor[] {
    const kinds = this.opts.kinds?.() ?? allKinds().filter((k) => k.namespaced);
    // Pods last: controllers' objects go first, so nothing is left to recreate them.
    return [...kinds].sort((a, b) => Number(isPod(a)) - Number(isPod(b)));
  }
}

function isPod(desc: ResourceDescriptor): boolean {
  return desc.group === '' && desc.resource === 'pods';
}

/** register builds the namespace controller. */
export function register(ctx: ControllerContext, opts?: NamespaceControllerOptions): NamespaceController {
  return new NamespaceController(ctx, opts);
}
