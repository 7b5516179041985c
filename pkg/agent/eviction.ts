// eviction.ts: node-pressure eviction (kubelet's eviction manager, hard thresholds only). Every
// monitoring interval it compares the node's signals — memory.available, nodefs.available —
// with their thresholds; while one is crossed it evicts one pod per interval, ranked as kubelet
// ranks them: BestEffort before Burstable before Guaranteed, lower priority first, then the pod
// that started last. The agent's worker then stops the pod's containers (no grace, as a hard
// eviction) and reports it Failed with reason Evicted; its controller replaces it elsewhere.
import type { Pod } from '../api/core/pod-types.js';
import { qosClass } from '../api/core/pod-helpers.js';
import type { Pressure } from './machine.js';

/** EvictionThresholds are the hard thresholds (kubelet's evictionHard). */
export interface EvictionThresholds {
  /** memoryAvailableBytes: evict below this (kubelet: memory.available<100Mi). */
  memoryAvailableBytes: number;
  /** nodefsAvailableFraction: evict below this share of the data dir's disk (nodefs.available<10%). */
  nodefsAvailableFraction: number;
}

/** DEFAULT_EVICTION_THRESHOLDS are kubelet's defaults. */
export const DEFAULT_EVICTION_THRESHOLDS: EvictionThresholds = { memoryAvailableBytes: 100 * 1024 * 1024, nodefsAvailableFraction: 0.1 };

/** Signal is a crossed threshold: which resource and the message pods get. */
export interface Signal {
  resource: 'memory' | 'ephemeral-storage';
  message: string;
}

/** crossedSignal returns the first crossed threshold (memory first), or undefined. */
export function crossedSignal(p: Pressure, t: EvictionThresholds = DEFAULT_EVICTION_THRESHOLDS): Signal | undefined {
  if (p.memoryAvailableBytes < t.memoryAvailableBytes) {
    return { resource: 'memory', message: `The node was low on resource: memory. Threshold quantity: ${t.memoryAvailableBytes}, available: ${p.memoryAvailableBytes}. ` };
  }
  if (p.diskCapacityBytes > 0 && p.diskAvailableBytes / p.diskCapacityBytes < t.nodefsAvailableFraction) {
    return { resource: 'ephemeral-storage', message: `The node was low on resource: ephemeral-storage. Threshold quantity: ${Math.round(t.nodefsAvailableFraction * 100)}%, available: ${p.diskAvailableBytes}. ` };
  }
  return undefined;
}

const qosRank = { BestEffort: 0, Burstable: 1, Guaranteed: 2 } as const;

/** rankForEviction orders pods, first = evicted first. Static pods and mirror pods are never ranked. */
export function rankForEviction(pods: readonly Pod[]): Pod[] {
  const candidates = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata.annotations?.['kubernetes.io/config.mirror']);
  return [...candidates].sort((a, b) => {
    const qa = qosRank[qosClass(a)];
    const qb = qosRank[qosClass(b)];
    if (qa !== qb) return qa - qb;
    const pa = a.spec.priority ?? 0;
    const pb = b.spec.priority ?? 0;
    if (pa !== pb) return pa - pb;
    const sa = Date.parse(a.status?.startTime ?? '') || 0;
    const sb = Date.parse(b.status?.startTime ?? '') || 0;
    return sb - sa;
  });
}

/** EvictionManagerOptions wire the manager to the agent. */
export interface EvictionManagerOptions {
  pressure: () => Promise<Pressure>;
  pods: () => Pod[];
  /** evict asks the agent to stop the pod and report it Evicted (it wakes the pod's worker). */
  evict: (pod: Pod, message: string) => void;
  thresholds?: EvictionThresholds;
}

/** EvictionManager decides; the agent's pod workers carry evictions out. */
export class EvictionManager {
  /** evicted maps pod uid → the message its status carries. */
  private readonly evicted = new Map<string, string>();

  constructor(private readonly o: EvictionManagerOptions) {}

  /** message is set for pods this node evicted. */
  message(uid: string): string | undefined {
    return this.evicted.get(uid);
  }

  forget(uid: string): void {
    this.evicted.delete(uid);
  }

  /** check runs one monitoring pass and returns the pod it evicted, if any. */
  async check(): Promise<Pod | undefined> {
    const signal = crossedSignal(await this.o.pressure(), this.o.thresholds);
    if (!signal) return undefined;
    const victim = rankForEviction(this.o.pods()).find((p) => !this.evicted.has(p.metadata.uid ?? ''));
    if (!victim?.metadata.uid) return undefined;
    this.evicted.set(victim.metadata.uid, signal.message);
    this.o.evict(victim, signal.message);
    return victim;
  }
}
