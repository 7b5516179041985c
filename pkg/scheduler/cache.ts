// cache.ts: the scheduler's picture of the cluster: every node and every pod placed on one,
// including *assumed* pods — pods the scheduler has decided to place but whose binding the API
// server has not yet confirmed through the watch. Counting assumed pods at once is what lets
// the next decision, a microsecond later, see the capacity the previous one took.
//
// An assumed pod lives until the informer reports it bound (confirmed), the binding fails
// (forgotten), or its binding finished but the pod never showed up within the TTL: then the
// scheduler asks the API server whether it is bound before confirming or forgetting it.
import { type Clock, realClock } from '../client/clock.js';
import type { Node } from '../api/core/node.js';
import { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

/** DEFAULT_ASSUMED_POD_TTL_MS is how long an assumed pod may wait for its binding to show up after the write finished. */
export const DEFAULT_ASSUMED_POD_TTL_MS = 30_000;

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
  bindingFinished: boolean;
  deadline: number;
}

/** CacheOptions configure a SchedulerCache. */
export interface CacheOptions {
  clock?: Clock;
  assumedPodTtlMs?: number;
}

/** SchedulerCache holds nodes and placed pods, with assumed pods counted until confirmed. */
export class SchedulerCache {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private list: NodeInfo[] = [];
  private listDirty = false;
  private readonly podStates = new Map<string, PodState>();
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly namespaceLabelMap = new Map<string, Record<string, string>>();
  /** imageNodeCounts maps a normalized image name to the number of nodes that have it. */
  readonly imageNodeCounts = new Map<string, number>();
  /** podsWithAffinityCount is the number of placed pods with pod (anti-)affinity terms. */
  private withAffinity = 0;
  private withRequiredAnti = 0;

  constructor(opts: CacheOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.ttlMs = opts.assumedPodTtlMs ?? DEFAULT_ASSUMED_POD_TTL_MS;
  }

  /** addNode adds or replaces a node. */
  addNode(node: Node): void {
    const name = node.metadata.name as string;
    let ni = this.nodeInfos.get(name);
    if (!ni) this.nodeInfos.set(name, (ni = new NodeInfo(name)));
    if (ni.node) this.countImages(ni, -1);
    else this.listDirty = true;
    ni.setNode(node);
    this.countImages(ni, 1);
  }

  /** updateNode is addNode. */
  updateNode(node: Node): void {
    this.addNode(node);
  }

  /** removeNode forgets a node; its pods stay counted on a ghost entry until they are removed too. */
  removeNode(name: string): void {
    const ni = this.nodeInfos.get(name);
    if (!ni?.node) return;
    this.countImages(ni, -1);
    ni.node = undefined;
    this.listDirty = true;
    if (ni.pods.size === 0) this.nodeInfos.delete(name);
  }

  /** nodes lists the NodeInfo of every known node, in a stable order (by name). Do not modify. */
  nodes(): readonly NodeInfo[] {
    if (this.listDirty) {
      this.list = [...this.nodeInfos.values()].filter((n) => n.node).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.listDirty = false;
    }
    return this.list;
  }

  /** nodeInfo returns one node's info (also for a node known only through its pods). */
  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  /** numNodes is the number of known nodes. */
  get numNodes(): number {
    return this.nodes().length;
  }

  /** podCount is the number of placed pods, assumed ones included. */
  get podCount(): number {
    return this.podStates.size;
  }

  /** hasPodsWithAffinity tells whether any placed pod has pod (anti-)affinity terms. */
  hasPodsWithAffinity(): boolean {
    return this.withAffinity > 0;
  }

  /** hasPodsWithRequiredAntiAffinity tells whether any placed pod has a required anti-affinity term. */
  hasPodsWithRequiredAntiAffinity(): boolean {
    return this.withRequiredAnti > 0;
  }

  /** assumePod counts a pod on a node before the binding is confirmed. */
  assumePod(info: PodInfo, nodeName: string): void {
    if (this.podStates.has(info.key)) throw new Error(`pod ${info.key} is already in the scheduler cache`);
    this.place(info, nodeName);
    this.podStates.set(info.key, { info, nodeName, assumed: true, bindingFinished: false, deadline: 0 });
  }

  /** finishBinding starts an assumed pod's expiry clock: its binding was written. */
  finishBinding(key: string): void {
    const st = this.podStates.get(key);
    if (!st?.assumed) return;
    st.bindingFinished = true;
    st.deadline = this.clock.now() + this.ttlMs;
  }

  /** forgetPod drops an assumed pod (its binding failed). */
  forgetPod(key: string): void {
    const st = this.podStates.get(key);
    if (!st?.assumed) return;
    this.unplace(st);
    this.podStates.delete(key);
  }

  /** isAssumed tells whether a pod is assumed and not yet confirmed. */
  isAssumed(key: string): boolean {
    return this.podStates.get(key)?.assumed === true;
  }

  /** podInfo returns the PodInfo the cache holds for a placed or assumed pod. */
  podInfo(key: string): PodInfo | undefined {
    return this.podStates.get(key)?.info;
  }

  /** podNodeName returns the node a pod is placed (or assumed) on. */
  podNodeName(key: string): string | undefined {
    return this.podStates.get(key)?.nodeName;
  }

  /** addPod records a bound pod from the informer, confirming an assumption (or moving it if it landed elsewhere). */
  addPod(info: PodInfo): void {
    const nodeName = info.pod.spec.nodeName;
    if (!nodeName) return;
    const st = this.podStates.get(info.key);
    if (st) {
      this.unplace(st);
      this.podStates.delete(info.key);
    }
    this.place(info, nodeName);
    this.podStates.set(info.key, { info, nodeName, assumed: false, bindingFinished: false, deadline: 0 });
  }

  /** updatePod replaces a bound pod's info (its requests or labels may have changed). */
  updatePod(info: PodInfo): void {
    this.addPod(info);
  }

  /** removePod forgets a placed pod. */
  removePod(key: string): void {
    const st = this.podStates.get(key);
    if (!st) return;
    this.unplace(st);
    this.podStates.delete(key);
  }

  /**
   * expiredAssumedPods returns the assumed pods whose binding finished more than the TTL ago
   * without the watch confirming it. They stay counted (the watch may only be slow; dropping
   * them could over-commit the node); the caller checks each with the API server and then
   * confirms (addPod) or forgets it. Each is reported again only after another TTL.
   */
  expiredAssumedPods(): string[] {
    const now = this.clock.now();
    const expired: string[] = [];
    for (const [key, st] of this.podStates) {
      if (st.assumed && st.bindingFinished && now >= st.deadline) {
        st.deadline = now + this.ttlMs;
        expired.push(key);
      }
    }
    return expired;
  }

  /** setNamespaceLabels records a namespace's labels (for affinity namespaceSelectors); undefined forgets it. */
  setNamespaceLabels(namespace: string, labels: Record<string, string> | undefined): void {
    if (labels) this.namespaceLabelMap.set(namespace, labels);
    else this.namespaceLabelMap.delete(namespace);
  }

  /** namespaceLabels returns a namespace's labels, if known. */
  readonly namespaceLabels = (namespace: string): Record<string, string> | undefined => this.namespaceLabelMap.get(namespace);

  private place(info: PodInfo, nodeName: string): void {
    let ni = this.nodeInfos.get(nodeName);
    if (!ni) this.nodeInfos.set(nodeName, (ni = new NodeInfo(nodeName)));
    ni.addPod(info);
    if (ni.podsWithAffinity.has(info.key)) this.withAffinity++;
    if (ni.podsWithRequiredAntiAffinity.has(info.key)) this.withRequiredAnti++;
  }

  private unplace(st: PodState): void {
    const ni = this.nodeInfos.get(st.nodeName);
    if (!ni) return;
    if (ni.podsWithAffinity.has(st.info.key)) this.withAffinity--;
    if (ni.podsWithRequiredAntiAffinity.has(st.info.key)) this.withRequiredAnti--;
    ni.removePod(st.info.key);
    if (!ni.node && ni.pods.size === 0) this.nodeInfos.delete(st.nodeName);
  }

  private countImages(ni: NodeInfo, sign: 1 | -1): void {
    for (const image of ni.imageSizes.keys()) {
      const n = (this.imageNodeCounts.get(image) ?? 0) + sign;
      if (n > 0) this.imageNodeCounts.set(image, n);
      else this.imageNodeCounts.delete(image);
    }
  }
}
