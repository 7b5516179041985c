// Package nodelifecycle: watches node heartbeats (the Lease in kube-node-lease and the Ready
// condition's lastHeartbeatTime) and reacts to silence, as Kubernetes' node lifecycle
// controller and its NoExecute taint manager:
//
//   Lease / Node / Pod events ─► sync(node)
//     1. heartbeat seen since last time? → probe time = now (the controller's own clock)
//     2. silent for nodeMonitorGracePeriod → Ready, MemoryPressure, DiskPressure, PIDPressure = Unknown
//     3. taints from conditions: Ready=False → not-ready, Ready=Unknown → unreachable (NoExecute and
//        NoSchedule); pressure conditions and spec.unschedulable → NoSchedule taints; Ready=True clears them
//     4. node not Ready → its pods' Ready condition = False
//     5. pods that do not tolerate a NoExecute taint are deleted; pods that tolerate it for
//        tolerationSeconds are deleted when that time has passed since the taint's timeAdded
//     → requeue when the grace period or the next eviction runs out
import type { Lease } from '../../api/coordination.js';
import type { Node, Taint } from '../../api/core/node.js';
import { isPodTerminal } from '../../api/core/pod-helpers.js';
import type { Pod, TaintEffect } from '../../api/core/pod-types.js';
import { toleratesTaint } from '../../api/core/taints.js';
import { deepEqual } from '../../api/equality.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import { getCondition } from '../../api/kind.js';
import { type Condition, rfc3339 } from '../../api/meta.js';
import { Controller, type SyncResult } from '../../client/controller.js';
import { NodeNameIndex } from '../../client/indexers.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Lister } from '../../client/lister.js';
import { Resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../context.js';
import { unwrapTombstone } from '../enqueue.js';
import {
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
} from '../daemonset/util.js';

/** NODE_LEASE_NAMESPACE holds one Lease per node, renewed by its agent. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Defaults as kube-controller-manager's --node-monitor-grace-period, --node-monitor-period and --node-startup-grace-period. */
export const DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS = 40_000;
export const DEFAULT_NODE_MONITOR_PERIOD_MS = 5_000;
export const DEFAULT_NODE_STARTUP_GRACE_PERIOD_MS = 60_000;

/** NodeLifecycleOptions tune the controller (tests and e2e shorten the periods). */
export interface NodeLifecycleOptions {
  /** nodeMonitorGracePeriodMs: silence after which a node's Ready condition becomes Unknown (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** nodeMonitorPeriodMs: how often every node is looked at even without events (default 5 s). */
  nodeMonitorPeriodMs?: number;
  /** nodeStartupGracePeriodMs: the grace period of a node that never posted a Ready condition (default 60 s). */
  nodeStartupGracePeriodMs?: number;
  workers?: number;
}

/** The conditions a silent node's kubelet can no longer vouch for (Ready first). */
const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** taintsOwned are the taints this controller adds and removes; others are left alone. */
const CONDITION_TAINTS: { key: string; effect: TaintEffect; when: (node: Node) => boolean }[] = [
  { key: TAINT_NODE_NOT_READY, effect: 'NoExecute', when: (n) => readyStatus(n) === 'False' },
  { key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute', when: (n) => readyStatus(n) === 'Unknown' },
  { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule', when: (n) => readyStatus(n) === 'False' },
  { key: TAINT_NODE_UNREACHABLE, effect: 'NoSchedule', when: (n) => readyStatus(n) === 'Unknown' },
  { key: TAINT_NODE_MEMORY_PRESSURE, effect: 'NoSchedule', when: (n) => conditionStatus(n, 'MemoryPressure') === 'True' },
  { key: TAINT_NODE_DISK_PRESSURE, effect: 'NoSchedule', when: (n) => conditionStatus(n, 'DiskPressure') === 'True' },
  { key: TAINT_NODE_PID_PRESSURE, effect: 'NoSchedule', when: (n) => conditionStatus(n, 'PIDPressure') === 'True' },
  { key: TAINT_NODE_NETWORK_UNAVAILABLE, effect: 'NoSchedule', when: (n) => conditionStatus(n, 'NetworkUnavailable') === 'True' },
  { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule', when: (n) => n.spec?.unschedulable === true },
];

function conditionStatus(node: Node, type: string): string | undefined {
  return getCondition(node.status, type)?.status;
}

/** readyStatus is the node's Ready condition status; a node without one counts as Unknown. */
function readyStatus(node: Node): string {
  return conditionStatus(node, 'Ready') ?? 'Unknown';
}

/** NodeHealth is what the controller remembers of a node's heartbeats. */
interface NodeHealth {
  /** probeTime is when (on the controller's clock) a heartbeat was last seen. */
  probeTime: number;
  heartbeat?: string;
  leaseRenewTime?: string;
}

/** NodeLifecycleController marks silent nodes, taints them, and evicts pods from NoExecute-tainted nodes. */
export class NodeLifecycleController implements Runnable {
  readonly name = 'nodelifecycle';
  readonly queue: WorkQueue;
  private readonly ctx: ResolvedContext;
  private readonly nodeInformer: SharedIndexInformer<Node>;
  private readonly leaseInformer: SharedIndexInformer<Lease>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly nodes: Lister<Node>;
  private readonly leases: Lister<Lease>;
  private readonly pods: Lister<Pod>;
  private readonly health = new Map<string, NodeHealth>();
  /** taintSeen remembers when a NoExecute taint without timeAdded was first seen ("node/key:effect"). */
  private readonly taintSeen = new Map<string, number>();
  readonly gracePeriodMs: number;
  readonly monitorPeriodMs: number;
  readonly startupGracePeriodMs: number;

  constructor(
    context: ControllerContext,
    private readonly opts: NodeLifecycleOptions = {},
  ) {
    this.ctx = resolveContext(context, this.name);
    this.gracePeriodMs = opts.nodeMonitorGracePeriodMs ?? DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS;
    this.monitorPeriodMs = opts.nodeMonitorPeriodMs ?? DEFAULT_NODE_MONITOR_PERIOD_MS;
    this.startupGracePeriodMs = opts.nodeStartupGracePeriodMs ?? DEFAULT_NODE_STARTUP_GRACE_PERIOD_MS;
    this.queue = newQueue(this.ctx, this.name);
    this.nodeInformer = this.ctx.informers.informerFor<Node>(Resources.nodes);
    this.leaseInformer = this.ctx.informers.informerFor<Lease>(Resources.leases, { namespace: NODE_LEASE_NAMESPACE });
    this.podInformer = this.ctx.informers.informerFor<Pod>(Resources.pods);
    this.nodes = this.nodeInformer.lister();
    this.leases = this.leaseInformer.lister();
    this.pods = this.podInformer.lister();
    const nodeKey = (n: Node): void => this.queue.add(n.metadata.name ?? '');
    this.nodeInformer.addEventHandler({ onAdd: nodeKey, onUpdate: (_o, n) => nodeKey(n), onDelete: (t) => nodeKey(unwrapTombstone(t)) });
    const leaseKey = (l: Lease): void => this.queue.add(l.metadata.name ?? '');
    this.leaseInformer.addEventHandler({ onAdd: leaseKey, onUpdate: (_o, l) => leaseKey(l), onDelete: (t) => leaseKey(unwrapTombstone(t)) });
    // A pod bound to a node that is not Ready or has NoExecute taints may need marking or evicting.
    const podKey = (p: Pod): void => {
      const node = p.spec.nodeName ? this.nodes.get(undefined, p.spec.nodeName) : undefined;
      if (node && (readyStatus(node) !== 'True' || (node.spec?.taints ?? []).some((t) => t.effect === 'NoExecute'))) this.queue.add(p.spec.nodeName ?? '');
    };
    this.podInformer.addEventHandler({ onAdd: podKey, onUpdate: (_o, p) => podKey(p) });
  }

  /** run reconciles until signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({
      name: this.name,
      queue: this.queue,
      informers: [this.nodeInformer, this.leaseInformer, this.podInformer],
      sync: (key) => this.sync(key),
      workers: this.opts.workers ?? 2,
      logger: this.ctx.logger,
    }).run(signal);
  }

  /** sync looks after the node named key. */
  async sync(key: string): Promise<SyncResult> {
    let node = this.nodes.get(undefined, key);
    if (!node) {
      this.health.delete(key);
      for (const k of this.taintSeen.keys()) if (k.startsWith(`${key}/`)) this.taintSeen.delete(k);
      return;
    }
    const log = this.ctx.logger.child({ node: key });
    const now = this.ctx.clock.now();
    const probeTime = this.observeHeartbeat(node, now);
    const hadReady = getCondition(node.status, 'Ready') !== undefined;
    const grace = hadReady ? this.gracePeriodMs : this.startupGracePeriodMs;
    const silentFor = now - probeTime;
    const waits: number[] = [this.monitorPeriodMs];
    if (silentFor > grace) node = await this.markUnknown(node, hadReady, now, log);
    else waits.push(grace - silentFor + 1);
    node = await this.reconcileTaints(node, now, log);
    if (readyStatus(node) !== 'True') await this.markPodsNotReady(node, now, log);
    const next = await this.evictPods(node, now, log);
    if (next !== undefined) waits.push(next);
    return { requeueAfter: Math.max(1, Math.min(...waits)) };
  }

  /** observeHeartbeat updates the node's probe time when its Lease or Ready heartbeat moved, and returns it. */
  private observeHeartbeat(node: Node, now: number): number {
    const name = node.metadata.name ?? '';
    const heartbeat = getCondition(node.status, 'Ready')?.lastHeartbeatTime;
    const leaseRenewTime = this.leases.get(NODE_LEASE_NAMESPACE, name)?.spec?.renewTime;
    const saved = this.health.get(name);
    if (!saved) {
      // First sight (or a restarted controller): the node gets a full grace period from now.
      this.health.set(name, { probeTime: now, heartbeat, leaseRenewTime });
      return now;
    }
    if ((heartbeat && heartbeat !== saved.heartbeat) || (leaseRenewTime && leaseRenewTime !== saved.leaseRenewTime)) {
      saved.probeTime = now;
      saved.heartbeat = heartbeat;
      saved.leaseRenewTime = leaseRenewTime;
    }
    return saved.probeTime;
  }

  /** markUnknown sets the monitored conditions to Unknown, as Kubernetes does when the kubelet falls silent. */
  private async markUnknown(node: Node, hadReady: boolean, now: number, log: ResolvedContext['logger']): Promise<Node> {
    const at = rfc3339(new Date(now));
    const conditions: Condition[] = structuredClone(node.status?.conditions ?? []);
    for (const type of MONITORED_CONDITIONS) {
      const c = conditions.find((x) => x.type === type);
      if (!c) {
        // Only Ready is added for a node that never posted one (NodeStatusNeverUpdated).
        if (type !== 'Ready' || hadReady) continue;
        conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: at, lastTransitionTime: at });
        continue;
      }
      if (c.status === 'Unknown') continue;
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = at;
    }
    if (deepEqual(conditions, node.status?.conditions ?? [])) return node;
    const next: Node = { ...structuredClone(node), status: { ...structuredClone(node.status ?? {}), conditions } };
    log.info({ silentForMs: now - (this.health.get(node.metadata.name ?? '')?.probeTime ?? now) }, 'node stopped posting status: Ready=Unknown');
    const written = await this.ctx.client.resource<Node>(Resources.nodes).updateStatus(next);
    this.ctx.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
    return written;
  }

  /** reconcileTaints makes the condition taints match the node's conditions; timeAdded is kept for taints already there. */
  private async reconcileTaints(node: Node, now: number, log: ResolvedContext['logger']): Promise<Node> {
    const current = node.spec?.taints ?? [];
    const owned = (t: Taint): boolean => CONDITION_TAINTS.some((c) => c.key === t.key && c.effect === t.effect);
    const next: Taint[] = current.filter((t) => !owned(t) || CONDITION_TAINTS.some((c) => c.key === t.key && c.effect === t.effect && c.when(node)));
    for (const c of CONDITION_TAINTS) {
      if (!c.when(node) || next.some((t) => t.key === c.key && t.effect === c.effect)) continue;
      const taint: Taint = { key: c.key, effect: c.effect };
      if (c.effect === 'NoExecute') taint.timeAdded = rfc3339(new Date(now));
      next.push(taint);
    }
    if (deepEqual(next, current)) return node;
    const updated: Node = structuredClone(node);
    updated.spec = { ...(updated.spec ?? {}), taints: next };
    if (next.length === 0) delete updated.spec.taints;
    log.info({ taints: next.map((t) => `${t.key}:${t.effect}`) }, 'node taints updated');
    return this.ctx.client.resource<Node>(Resources.nodes).update(updated);
  }

  /** markPodsNotReady sets Ready=False on the pods of a node that is not Ready (Kubernetes' MarkPodsNotReady). */
  private async markPodsNotReady(node: Node, now: number, log: ResolvedContext['logger']): Promise<void> {
    const at = rfc3339(new Date(now));
    const api = this.ctx.client.resource<Pod>(Resources.pods);
    let conflict: unknown;
    for (const pod of this.pods.byIndex(NodeNameIndex, node.metadata.name ?? '')) {
      const ready = getCondition(pod.status, 'Ready');
      if (!ready || ready.status === 'False' || isPodTerminal(pod)) continue;
      const next: Pod = structuredClone(pod);
      next.status = {
        ...next.status,
        conditions: (next.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False' as const, lastTransitionTime: at } : c)),
      };
      try {
        await api.namespace(pod.metadata.namespace ?? '').updateStatus(next);
        log.debug({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'marked pod not ready');
      } catch (err) {
        if (isNotFound(err)) continue;
        if (isConflict(err)) conflict = err;
        else throw err;
      }
    }
    if (conflict) throw conflict;
  }

  /**
   * evictPods deletes the node's pods that do not tolerate one of its NoExecute taints, or whose
   * toleration ran out (tolerationSeconds after the taint's timeAdded). Returns the ms until the
   * next pod's toleration runs out.
   */
  private async evictPods(node: Node, now: number, log: ResolvedContext['logger']): Promise<number | undefined> {
    const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (taints.length === 0) return undefined;
    let next: number | undefined;
    const api = this.ctx.client.resource<Pod>(Resources.pods);
    for (const pod of this.pods.byIndex(NodeNameIndex, node.metadata.name ?? '')) {
      if (pod.metadata.deletionTimestamp) continue;
      const deadline = evictionDeadline(pod, taints, now, (t) => this.taintAddedAt(node, t, now));
      if (deadline === undefined) continue;
      if (deadline > now) {
        next = next === undefined ? deadline - now : Math.min(next, deadline - now);
        continue;
      }
      const podKey = `${pod.metadata.namespace}/${pod.metadata.name}`;
      try {
        await api.namespace(pod.metadata.namespace ?? '').delete(pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
        log.info({ pod: podKey }, 'evicted pod from NoExecute-tainted node');
        this.ctx.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${podKey}`);
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    return next;
  }

  /** taintAddedAt is a taint's timeAdded, or when this controller first saw it (a taint added without one). */
  private taintAddedAt(node: Node, taint: Taint, now: number): number {
    const added = Date.parse(taint.timeAdded ?? '');
    if (Number.isFinite(added)) return added;
    const key = `${node.metadata.name}/${taint.key}:${taint.effect}`;
    const seen = this.taintSeen.get(key);
    if (seen !== undefined) return seen;
    this.taintSeen.set(key, now);
    return now;
  }
}

/**
 * evictionDeadline is when a pod must leave a node with these NoExecute taints: now if a taint
 * is not tolerated, timeAdded + tolerationSeconds for taints tolerated for a while (the
 * earliest wins), undefined if it tolerates them all forever.
 */
export function evictionDeadline(pod: Pod, noExecuteTaints: readonly Taint[], now: number, addedAt: (taint: Taint) => number): number | undefined {
  let deadline: number | undefined;
  for (const taint of noExecuteTaints) {
    const matching = (pod.spec.tolerations ?? []).filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return now;
    if (matching.some((t) => t.tolerationSeconds === undefined || t.tolerationSeconds === null)) continue;
    const seconds = Math.max(0, Math.max(...matching.map((t) => t.tolerationSeconds ?? 0)));
    const at = addedAt(taint) + seconds * 1000;
    deadline = deadline === undefined ? at : Math.min(deadline, at);
  }
  return deadline;
}

/** register builds the node lifecycle controller. */
export function register(ctx: ControllerContext, opts: NodeLifecycleOptions = {}): NodeLifecycleController {
  return new NodeLifecycleController(ctx, opts);
}
