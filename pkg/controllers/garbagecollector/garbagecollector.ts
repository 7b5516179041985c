// Package garbagecollector: deletes objects whose owners are gone, and carries out the
// foreground and orphan propagation policies. It watches every resource the scheme serves
// (events excepted) and keeps them indexed by owner uid (see graph.ts).
//
//   owner deleted ──► dependents queued ──► all owners gone? ──► delete dependent (background)
//   owner has foregroundDeletion ──► dependents deleted ──► no blocking dependent left ──► finalizer removed
//   owner has orphan ──► ownerReferences to it removed from dependents ──► finalizer removed
import { isConflict, isNotFound } from '../../api/errors.js';
import type { DeleteOptions, KubeObject, OwnerReference } from '../../api/meta.js';
import { allKinds } from '../../api/scheme.js';
import { Controller, type SyncResult } from '../../client/controller.js';
import type { ResourceDescriptor } from '../../client/descriptor.js';
import type { ResourceEventHandler } from '../../client/informer.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../context.js';
import { unwrapTombstone } from '../enqueue.js';
import { type GraphNode, objectKey, OwnerGraph } from './graph.js';

/** FINALIZER_FOREGROUND marks an owner that waits for its dependents to be deleted. */
export const FINALIZER_FOREGROUND = 'foregroundDeletion';
/** FINALIZER_ORPHAN marks an owner whose dependents are to be released, not deleted. */
export const FINALIZER_ORPHAN = 'orphan';

/** GarbageCollectorOptions tune the collector. */
export interface GarbageCollectorOptions {
  /** resources lists what to watch (default: every kind in the scheme except events). */
  resources?: () => ResourceDescriptor[];
  /** recheckMs is how soon an owner waiting for dependents is looked at again (default 2000). */
  recheckMs?: number;
  workers?: number;
}

/** OwnerState classifies one ownerReference of a dependent. */
export type OwnerState = 'solid' | 'dangling' | 'waitingForDependentsDeletion';

/** GarbageCollector is the ownerReferences-driven garbage collector. */
export class GarbageCollector implements Runnable {
  readonly name = 'garbage-collector';
  readonly queue: WorkQueue;
  readonly graph: OwnerGraph;
  private readonly ctx: ResolvedContext;

  constructor(
    context: ControllerContext,
    private readonly opts: GarbageCollectorOptions = {},
  ) {
    this.ctx = resolveContext(context, this.name);
    this.queue = newQueue(this.ctx, this.name);
    const resources = opts.resources?.() ?? allKinds().filter((k) => !(k.group === '' && k.resource === 'events'));
    this.graph = new OwnerGraph(this.ctx.informers, resources);
    for (const { desc, informer } of this.graph.informers.values()) informer.addEventHandler(this.handler(desc));
  }

  /** run collects garbage until signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({
      name: this.name,
      queue: this.queue,
      informers: [this.graph],
      sync: (key) => this.sync(key),
      workers: this.opts.workers ?? 4,
      logger: this.ctx.logger,
    }).run(signal);
  }

  private handler(desc: ResourceDescriptor): ResourceEventHandler<KubeObject> {
    return {
      onAdd: (obj) => {
        if (obj.metadata.ownerReferences?.length || hasGCFinalizer(obj)) this.queue.add(objectKey(desc, obj));
      },
      onUpdate: (old, obj) => {
        if (obj.metadata.ownerReferences?.length || hasGCFinalizer(obj)) this.queue.add(objectKey(desc, obj));
        const startedDeleting = !old.metadata.deletionTimestamp && obj.metadata.deletionTimestamp;
        if (startedDeleting || hasGCFinalizer(obj) !== hasGCFinalizer(old)) this.enqueueDependents(obj);
        // An owner waiting for its dependents looks again when one of them changes.
        if (startedDeleting || JSON.stringify(old.metadata.ownerReferences) !== JSON.stringify(obj.metadata.ownerReferences)) {
          this.enqueueOwners(old);
          this.enqueueOwners(obj);
        }
      },
      onDelete: (tomb) => {
        const obj = unwrapTombstone(tomb);
        this.enqueueDependents(obj);
        this.enqueueOwners(obj);
      },
    };
  }

  private enqueueDependents(obj: KubeObject): void {
    if (!obj.metadata.uid) return;
    for (const dep of this.graph.dependents(obj.metadata.uid)) this.queue.add(objectKey(dep.desc, dep.obj));
  }

  private enqueueOwners(obj: KubeObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const key = this.graph.ownerKey(obj, ref);
      if (key) this.queue.add(key);
    }
  }

  /** sync looks at one object (key from objectKey): as an owner being deleted, or as a dependent. */
  async sync(key: string): Promise<SyncResult> {
    const node = this.graph.get(key);
    if (!node) return;
    const { obj } = node;
    const finalizers = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && finalizers.includes(FINALIZER_ORPHAN)) {
      await this.orphanDependents(node);
      return;
    }
    if (obj.metadata.deletionTimestamp && finalizers.includes(FINALIZER_FOREGROUND)) {
      const result = await this.processDeletingDependents(node);
      if (result) return result;
    }
    if (obj.metadata.ownerReferences?.length) await this.attemptToDelete(node);
  }

  /**
   * attemptToDelete deletes a dependent none of whose owners remains. Owners are looked up in
   * the caches first and confirmed with a live read before anything is deleted, since the
   * caches of different resources are not in step with each other.
   */
  private async attemptToDelete(node: GraphNode): Promise<void> {
    const { obj, desc } = node;
    const states = new Map<OwnerReference, OwnerState>();
    for (const ref of obj.metadata.ownerReferences ?? []) states.set(ref, await this.ownerState(obj, ref));
    const solid = [...states.values()].filter((s) => s === 'solid').length;
    const gone = [...states].filter(([, s]) => s !== 'solid').map(([ref]) => ref.uid);
    if (gone.length === 0) return;
    const log = this.ctx.logger.child({ object: objectKey(desc, obj) });
    if (solid > 0) {
      // Other owners remain: only drop the references to owners that are gone or going.
      log.debug({ owners: gone }, 'removing references to owners that are gone');
      await this.updateLive(desc, obj, (live) => {
        live.metadata.ownerReferences = (live.metadata.ownerReferences ?? []).filter((r) => !gone.includes(r.uid));
      });
      return;
    }
    if (obj.metadata.deletionTimestamp) return;
    const waiting = [...states.values()].includes('waitingForDependentsDeletion');
    const hasDependents = obj.metadata.uid ? this.graph.dependents(obj.metadata.uid).length > 0 : false;
    const propagationPolicy: DeleteOptions['propagationPolicy'] = waiting && hasDependents ? 'Foreground' : 'Background';
    log.info({ propagationPolicy }, 'deleting object whose owners are gone');
    await this.deleteObject(desc, obj, propagationPolicy);
  }

  /** ownerState tells whether the owner a reference points at exists, is gone, or waits for dependents. */
  private async ownerState(dependent: KubeObject, ref: OwnerReference): Promise<OwnerState> {
    const desc = this.graph.ownerDescriptor(ref);
    // An owner of a kind we do not know is never judged gone: deleting on a guess is worse.
    if (!desc || (desc.namespaced && !dependent.metadata.namespace)) return 'solid';
    const ownerKey = objectKey(desc, { metadata: { namespace: desc.namespaced ? dependent.metadata.namespace : undefined, name: ref.name } });
    let owner = this.graph.get(ownerKey)?.obj;
    if (owner?.metadata.uid !== ref.uid) {
      try {
        const client = this.ctx.client.resource<KubeObject>(desc);
        owner = await (desc.namespaced ? client.namespace(dependent.metadata.namespace ?? '') : client).get(ref.name);
      } catch (err) {
        if (isNotFound(err)) return 'dangling';
        throw err;
      }
      if (owner.metadata.uid !== ref.uid) return 'dangling';
    }
    if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FINALIZER_FOREGROUND)) return 'waitingForDependentsDeletion';
    return 'solid';
  }

  /**
   * processDeletingDependents handles an owner with the foregroundDeletion finalizer: its
   * dependents are queued (their own sync deletes them, since the owner is waiting), and the
   * finalizer goes once no dependent with blockOwnerDeletion is left.
   */
  private async processDeletingDependents(node: GraphNode): Promise<SyncResult> {
    const uid = node.obj.metadata.uid ?? '';
    const dependents = this.graph.dependents(uid);
    const blocking = dependents.filter((d) => d.obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion));
    if (blocking.length === 0) {
      this.ctx.logger.info({ object: objectKey(node.desc, node.obj) }, 'dependents deleted, removing foregroundDeletion finalizer');
      await this.removeFinalizer(node, FINALIZER_FOREGROUND);
      return undefined;
    }
    const ordered = [...blocking, ...dependents.filter((d) => !blocking.includes(d))];
    for (const d of ordered) if (!d.obj.metadata.deletionTimestamp) this.queue.add(objectKey(d.desc, d.obj));
    return { requeueAfter: this.opts.recheckMs ?? 2000 };
  }

  /** orphanDependents removes references to the owner from its dependents, then the orphan finalizer. */
  private async orphanDependents(node: GraphNode): Promise<void> {
    const uid = node.obj.metadata.uid ?? '';
    for (const dep of this.graph.dependents(uid)) {
      await this.updateLive(dep.desc, dep.obj, (live) => {
        live.metadata.ownerReferences = (live.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      });
    }
    this.ctx.logger.info({ object: objectKey(node.desc, node.obj) }, 'dependents orphaned, removing orphan finalizer');
    await this.removeFinalizer(node, FINALIZER_ORPHAN);
  }

  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    await this.updateLive(node.desc, node.obj, (live) => {
      live.metadata.finalizers = (live.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    });
  }

  /**
   * updateLive reads the object fresh, applies change, and writes it back with the version it
   * read (compare-and-swap). A vanished or replaced object (other uid) is left alone; a
   * conflict propagates so the key is retried.
   */
  private async updateLive(desc: ResourceDescriptor, cached: KubeObject, change: (live: KubeObject) => void): Promise<void> {
    const base = this.ctx.client.resource<KubeObject>(desc);
    const client = desc.namespaced ? base.namespace(cached.metadata.namespace ?? '') : base;
    let live: KubeObject;
    try {
      live = await client.get(cached.metadata.name ?? '');
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (live.metadata.uid !== cached.metadata.uid) return;
    const before = JSON.stringify(live.metadata);
    change(live);
    if (JSON.stringify(live.metadata) === before) return;
    try {
      await client.update(live);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async deleteObject(desc: ResourceDescriptor, obj: KubeObject, propagationPolicy: DeleteOptions['propagationPolicy']): Promise<void> {
    const base = this.ctx.client.resource<KubeObject>(desc);
    const client = desc.namespaced ? base.namespace(obj.metadata.namespace ?? '') : base;
    try {
      await client.delete(obj.metadata.name ?? '', { propagationPolicy, preconditions: { uid: obj.metadata.uid } });
    } catch (err) {
      // Gone already, or replaced by a new object of the same name (uid precondition): nothing to do.
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}

function hasGCFinalizer(obj: KubeObject): boolean {
  const f = obj.metadata.finalizers ?? [];
  return f.includes(FINALIZER_FOREGROUND) || f.includes(FINALIZER_ORPHAN);
}

/** register builds the garbage collector. */
export function register(ctx: ControllerContext, opts?: GarbageCollectorOptions): GarbageCollector {
  return new GarbageCollector(ctx, opts);
}
