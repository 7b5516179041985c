// Package daemonset: runs one pod of every DaemonSet on each node it should run on (nodeSelector,
// required node affinity, taints against the pod's tolerations plus the daemon defaults). Pods
// are created with a node-name affinity term, so the scheduler binds them to their node. A sync
// creates missing pods and deletes surplus, failed (with backoff) and evicted ones under
// expectations, then rolls pods whose controller-revision-hash is stale (RollingUpdate with
// maxUnavailable or maxSurge; OnDelete waits for the user), then writes status.
//
//   nodes ─┐
//   pods ──┼─► sync(ds) ─► manage (per node: create / delete) ─► rollingUpdate ─► status
//   ds ────┘
import type { DaemonSet, DaemonSetStatus } from '../../api/apps/daemonset.js';
import type { Node } from '../../api/core/node.js';
import { isPodReady, isPodTerminal } from '../../api/core/pod-helpers.js';
import type { Pod } from '../../api/core/pod-types.js';
import { deepEqual } from '../../api/equality.js';
import { isNotFound } from '../../api/errors.js';
import { controllerOf, newControllerRef } from '../../api/kind.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import { type KubeObject, namespacedKey } from '../../api/meta.js';
import { Controller, type SyncResult } from '../../client/controller.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Lister } from '../../client/lister.js';
import { Resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../context.js';
import { keyHandler, ownedPodHandler } from '../enqueue.js';
import { ControllerExpectations } from '../expectations.js';
import { isPodAvailable, nextAvailableIn, slowStartBatch } from '../podutil.js';
import { claimObjects } from '../refmanager.js';
import { compareByCreation, isPodUpdated, newDaemonPod, nodeShouldRunDaemonPod, rollingUpdateCounts, targetNodeName, templateHash } from './util.js';

/** BURST_REPLICAS caps the pods created or deleted in one sync, as Kubernetes' daemon controller (250). */
export const BURST_REPLICAS = 250;
/** Failed daemon pods are deleted with a per-node backoff: 1 s doubling up to 15 min (Kubernetes' failedPodsBackoff). */
const FAILED_BACKOFF_INITIAL_MS = 1000;
const FAILED_BACKOFF_MAX_MS = 15 * 60_000;

const dsGVK = { group: 'apps', version: 'v1', kind: 'DaemonSet' };

/** DaemonSetController reconciles DaemonSets with their pods. */
export class DaemonSetController implements Runnable {
  readonly name = 'daemonset';
  readonly queue: WorkQueue;
  readonly expectations: ControllerExpectations;
  private readonly ctx: ResolvedContext;
  private readonly dsInformer: SharedIndexInformer<DaemonSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly nodeInformer: SharedIndexInformer<Node>;
  private readonly daemonSets: Lister<DaemonSet>;
  private readonly pods: Lister<Pod>;
  private readonly nodes: Lister<Node>;
  /** failedBackoff holds, per "ds/node", when a failed pod was last deleted and the current delay. */
  private readonly failedBackoff = new Map<string, { at: number; delayMs: number }>();

  constructor(
    context: ControllerContext,
    private readonly opts: { workers?: number } = {},
  ) {
    this.ctx = resolveContext(context, this.name);
    this.queue = newQueue(this.ctx, this.name);
    this.expectations = new ControllerExpectations(this.ctx.clock);
    this.dsInformer = this.ctx.informers.informerFor<DaemonSet>(Resources.daemonsets);
    this.podInformer = this.ctx.informers.informerFor<Pod>(Resources.pods);
    this.nodeInformer = this.ctx.informers.informerFor<Node>(Resources.nodes);
    this.daemonSets = this.dsInformer.lister();
    this.pods = this.podInformer.lister();
    this.nodes = this.nodeInformer.lister();
    this.dsInformer.addEventHandler(keyHandler((key) => this.queue.add(key)));
    this.podInformer.addEventHandler(ownedPodHandler({ kind: 'DaemonSet', owners: this.daemonSets, enqueue: (key) => this.queue.add(key), expectations: this.expectations }));
    this.nodeInformer.addEventHandler({
      onAdd: () => this.enqueueAll(),
      onUpdate: (old, node) => this.nodeUpdated(old, node),
      onDelete: () => this.enqueueAll(),
    });
  }

  /** run reconciles until signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({
      name: this.name,
      queue: this.queue,
      informers: [this.dsInformer, this.podInformer, this.nodeInformer],
      sync: (key) => this.sync(key),
      workers: this.opts.workers ?? 2,
      logger: this.ctx.logger,
    }).run(signal);
  }

  private enqueueAll(): void {
    for (const ds of this.daemonSets.list()) this.queue.add(namespacedKey(ds.metadata));
  }

  private nodeUpdated(old: Node, node: Node): void {
    // Heartbeats change nothing a DaemonSet looks at; only enqueue the sets whose verdict moved.
    for (const ds of this.daemonSets.list()) {
      if (!deepEqual(nodeShouldRunDaemonPod(old, ds), nodeShouldRunDaemonPod(node, ds))) this.queue.add(namespacedKey(ds.metadata));
    }
  }

  /** sync reconciles the DaemonSet "namespace/name". */
  async sync(key: string): Promise<SyncResult> {
    const [namespace, name] = key.split('/');
    const ds = this.daemonSets.get(namespace, name);
    if (!ds) {
      this.expectations.delete(key);
      for (const k of this.failedBackoff.keys()) if (k.startsWith(`${key}/`)) this.failedBackoff.delete(k);
      return;
    }
    // A DaemonSet being deleted is left to the garbage collector, as Kubernetes does.
    if (ds.metadata.deletionTimestamp) return;
    const log = this.ctx.logger.child({ daemonset: key });
    const nodes = this.nodes.list();
    const hash = templateHash(ds);
    const claimed = await this.claimPods(ds);
    const byNode = groupByNode(claimed);
    const waits: number[] = [];
    let failure: unknown;
    let observed = false;
    if (this.expectations.satisfied(key)) {
      observed = true;
      try {
        const wait = await this.manage(key, ds, nodes, byNode, hash);
        if (wait !== undefined) waits.push(wait);
        if (this.expectations.satisfied(key) && (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
          await this.rollingUpdate(key, ds, nodes, byNode, hash);
        }
      } catch (err) {
        failure = err;
      }
    }
    const now = this.ctx.clock.now();
    const status = this.calculateStatus(ds, nodes, byNode, hash, observed, now);
    await this.updateStatus(ds, status, log);
    if (failure) throw failure;
    if ((ds.spec.minReadySeconds ?? 0) > 0) {
      const wait = nextAvailableIn(claimed.filter((p) => !p.metadata.deletionTimestamp), ds.spec.minReadySeconds ?? 0, now);
      if (wait !== undefined) waits.push(wait + 1);
    }
    if (waits.length) return { requeueAfter: Math.min(...waits) };
  }

  private async claimPods(ds: DaemonSet): Promise<Pod[]> {
    const namespace = ds.metadata.namespace ?? '';
    const selector = selectorFromLabelSelector(ds.spec.selector);
    const candidates = this.pods.list(namespace).filter((p) => !isPodTerminal(p) || controllerOf(p)?.uid === ds.metadata.uid);
    return claimObjects(candidates, {
      owner: ds,
      controllerRef: newControllerRef(ds, dsGVK),
      matches: (l) => selector.matches(l),
      client: this.ctx.client.resource<Pod>(Resources.pods).namespace(namespace),
      adoptable: (p) => !isPodTerminal(p) && !p.metadata.deletionTimestamp,
      freshOwner: () => this.fresh(ds),
    });
  }

  private async fresh(ds: DaemonSet): Promise<KubeObject | undefined> {
    try {
      return await this.ctx.client.resource<DaemonSet>(Resources.daemonsets).namespace(ds.metadata.namespace ?? '').get(ds.metadata.name ?? '');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * manage works out, node by node, which daemon pods to create and delete (Kubernetes'
   * podsShouldBeOnNode) and does it. Returns a delay when a failed pod waits out its backoff.
   */
  private async manage(key: string, ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string): Promise<number | undefined> {
    const create: string[] = [];
    const remove: Pod[] = [];
    const surge = rollingUpdateCounts(ds, 1).maxSurge > 0;
    const now = this.ctx.clock.now();
    let wait: number | undefined;
    const known = new Set<string>();
    for (const node of nodes) {
      const nodeName = node.metadata.name ?? '';
      known.add(nodeName);
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
      const daemonPods = byNode.get(nodeName) ?? [];
      if (shouldRun && daemonPods.length === 0) {
        create.push(nodeName);
        continue;
      }
      if (!shouldContinueRunning) {
        remove.push(...daemonPods.filter((p) => !p.metadata.deletionTimestamp));
        continue;
      }
      if (daemonPods.length === 0) continue;
      const running: Pod[] = [];
      for (const pod of daemonPods) {
        if (pod.metadata.deletionTimestamp) continue;
        if (pod.status?.phase === 'Failed') {
          // Kubelets that reject a pod would make this a hot loop: back off per node.
          const backoffKey = `${key}/${nodeName}`;
          const b = this.failedBackoff.get(backoffKey);
          if (b && now - b.at < b.delayMs) {
            const left = b.delayMs - (now - b.at);
            wait = wait === undefined ? left : Math.min(wait, left);
            continue;
          }
          this.failedBackoff.set(backoffKey, { at: now, delayMs: b ? Math.min(b.delayMs * 2, FAILED_BACKOFF_MAX_MS) : FAILED_BACKOFF_INITIAL_MS });
          this.ctx.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${namespacedKey(pod.metadata)} on node ${nodeName}, will try to kill it`);
          remove.push(pod);
        } else if (pod.status?.phase === 'Succeeded') {
          remove.push(pod);
        } else {
          running.push(pod);
        }
      }
      running.sort(compareByCreation);
      if (!surge) {
        // More than one running pod on a node: keep the oldest.
        remove.push(...running.slice(1));
        continue;
      }
      if (running.length === 0) {
        if (shouldRun) create.push(nodeName);
        continue;
      }
      // Surging: two pods may share a node only while the new one is not Ready and the old one is.
      let oldestNew: Pod | undefined;
      let oldestOld: Pod | undefined;
      for (const pod of running) {
        if (isPodUpdated(pod, hash)) {
          if (!oldestNew) {
            oldestNew = pod;
            continue;
          }
        } else if (!oldestOld) {
          oldestOld = pod;
          continue;
        }
        remove.push(pod);
      }
      if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodReady(oldestNew))) remove.push(oldestOld);
    }
    // Pods for nodes that are gone and never got bound would wait forever.
    for (const [nodeName, pods] of byNode) {
      if (!known.has(nodeName)) remove.push(...pods.filter((p) => !p.spec.nodeName && !p.metadata.deletionTimestamp));
    }
    await this.syncNodes(key, ds, remove, create, hash);
    return wait;
  }

  /**
   * rollingUpdate replaces pods whose revision is stale (Kubernetes' rollingUpdate): without
   * surge, it deletes old pods while at most maxUnavailable nodes lack an available pod (the
   * manage step then creates the new ones); with surge, it creates new pods next to old ones on
   * at most maxSurge nodes and deletes an old pod once its replacement is available.
   */
  private async rollingUpdate(key: string, ds: DaemonSet, nodes: Node[], byNodeAll: Map<string, Pod[]>, hash: string): Promise<void> {
    const byNode = new Map<string, Pod[]>();
    for (const [n, pods] of byNodeAll) byNode.set(n, pods);
    const nodeByName = new Map(nodes.map((n) => [n.metadata.name ?? '', n]));
    let desired = 0;
    for (const node of nodes) {
      if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
      desired++;
      if (!byNode.has(node.metadata.name ?? '')) byNode.set(node.metadata.name ?? '', []);
    }
    const { maxSurge, maxUnavailable } = rollingUpdateCounts(ds, desired);
    const now = this.ctx.clock.now();
    const minReady = ds.spec.minReadySeconds ?? 0;
    const available = (p: Pod): boolean => isPodAvailable(p, minReady, now);
    const names = [...byNode.keys()].sort();
    if (maxSurge === 0) {
      let unavailable = 0;
      const replace: Pod[] = [];
      const candidates: Pod[] = [];
      for (const nodeName of names) {
        const found = findUpdatedPodsOnNode(byNode.get(nodeName) ?? [], hash);
        if (!found) {
          unavailable++;
          continue;
        }
        const { newPod, oldPod } = found;
        if ((!oldPod && !newPod) || (oldPod && newPod)) unavailable++;
        else if (newPod) {
          if (!available(newPod)) unavailable++;
        } else if (oldPod) {
          if (!available(oldPod)) replace.push(oldPod);
          else if (unavailable < maxUnavailable) candidates.push(oldPod);
        }
      }
      const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
      await this.syncNodes(key, ds, [...replace, ...candidates.slice(0, room)], [], hash);
      return;
    }
    let surged = 0;
    const remove: Pod[] = [];
    const allowed: string[] = [];
    const candidates: string[] = [];
    for (const nodeName of names) {
      const found = findUpdatedPodsOnNode(byNode.get(nodeName) ?? [], hash);
      if (!found) {
        surged++;
        continue;
      }
      const { newPod, oldPod } = found;
      if (!oldPod) continue;
      const node = nodeByName.get(nodeName);
      if (!newPod) {
        if (!node || !nodeShouldRunDaemonPod(node, ds).shouldRun) continue; // manage deletes it
        if (!available(oldPod)) allowed.push(nodeName);
        else if (surged < maxSurge) candidates.push(nodeName);
        continue;
      }
      if (!available(newPod)) {
        surged++;
        continue;
      }
      remove.push(oldPod);
    }
    const room = Math.min(Math.max(0, maxSurge - surged), candidates.length);
    await this.syncNodes(key, ds, remove, [...allowed, ...candidates.slice(0, room)], hash);
  }

  /** syncNodes deletes pods and creates one pod per node name, under expectations, at most BURST_REPLICAS of each. */
  private async syncNodes(key: string, ds: DaemonSet, remove: Pod[], create: string[], hash: string): Promise<void> {
    const namespace = ds.metadata.namespace ?? '';
    const podClient = this.ctx.client.resource<Pod>(Resources.pods).namespace(namespace);
    const toCreate = create.slice(0, BURST_REPLICAS);
    const toDelete = [...new Map(remove.map((p) => [p.metadata.name, p])).values()].slice(0, BURST_REPLICAS);
    let firstError: unknown;
    if (toCreate.length) {
      this.expectations.expectCreations(key, toCreate.length);
      const ref = newControllerRef(ds, dsGVK);
      let next = 0;
      const { successes, error } = await slowStartBatch(toCreate.length, 1, async () => {
        const nodeName = toCreate[next++];
        const pod = newDaemonPod(ds, nodeName, hash);
        pod.metadata.generateName = `${ds.metadata.name}-`;
        pod.metadata.ownerReferences = [ref];
        try {
          const made = await podClient.create(pod);
          this.ctx.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata.name}`);
        } catch (err) {
          this.expectations.creationObserved(key);
          throw err;
        }
      });
      const skipped = toCreate.length - successes - (error ? 1 : 0);
      for (let i = 0; i < skipped; i++) this.expectations.creationObserved(key);
      if (error) {
        this.ctx.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(error as Error).message}`);
        firstError = error;
      }
    }
    if (toDelete.length) {
      this.expectations.expectDeletions(key, toDelete.map((p) => namespacedKey(p.metadata)));
      const results = await Promise.allSettled(
        toDelete.map(async (pod) => {
          try {
            await podClient.delete(pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
            this.ctx.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          } catch (err) {
            this.expectations.deletionObserved(key, namespacedKey(pod.metadata));
            if (!isNotFound(err)) throw err;
          }
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed && !firstError) {
        this.ctx.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${(failed.reason as Error).message}`);
        firstError = failed.reason;
      }
    }
    if (firstError) throw firstError;
  }

  /** calculateStatus computes the status the DaemonSet should show (Kubernetes' updateDaemonSetStatus). */
  calculateStatus(ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string, observed: boolean, now: number): DaemonSetStatus {
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    const minReady = ds.spec.minReadySeconds ?? 0;
    for (const node of nodes) {
      const pods = (byNode.get(node.metadata.name ?? '') ?? []).filter((p) => !(isPodTerminal(p) && p.metadata.deletionTimestamp));
      const scheduled = pods.length > 0;
      if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
        if (scheduled) misscheduled++;
        continue;
      }
      desired++;
      if (!scheduled) continue;
      current++;
      const pod = [...pods].sort(compareByCreation)[0];
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
      }
      if (isPodUpdated(pod, hash)) updated++;
    }
    const status: DaemonSetStatus = {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: observed ? ds.metadata.generation : ds.status?.observedGeneration,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
    };
    if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
    if (ds.status?.conditions) status.conditions = ds.status.conditions;
    if (status.observedGeneration === undefined) delete status.observedGeneration;
    return status;
  }

  private async updateStatus(ds: DaemonSet, status: DaemonSetStatus, log: ResolvedContext['logger']): Promise<void> {
    if (deepEqual(ds.status ?? {}, status)) return;
    const next: DaemonSet = { ...structuredClone(ds), status };
    try {
      await this.ctx.client.resource<DaemonSet>(Resources.daemonsets).namespace(ds.metadata.namespace ?? '').updateStatus(next);
    } catch (err) {
      if (isNotFound(err)) return;
      log.debug({ err }, 'status update failed');
      throw err;
    }
  }
}

/** groupByNode files claimed daemon pods by the node they are for. */
function groupByNode(pods: Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of pods) {
    const node = targetNodeName(pod);
    if (!node) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}

/** findUpdatedPodsOnNode returns a node's one new and one old pod (ignoring terminating ones); undefined if it has two of either. */
function findUpdatedPodsOnNode(pods: Pod[], hash: string): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

/** register builds the DaemonSet controller. */
export function register(ctx: ControllerContext): DaemonSetController {
  return new DaemonSetController(ctx);
}
