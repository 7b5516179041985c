// node-info.ts: one node as the scheduler sees it: allocatable and requested resources in plain
// numbers, its pods (bound and assumed), host ports in use, images, and the parsed fields the
// filters read (taints, readiness). Kept up to date incrementally, so a filter costs a few
// comparisons per node instead of re-adding every pod's requests.
import type { Node, Taint } from '../api/core/node.js';
import { getCondition } from '../api/kind.js';
import { tryParseQuantity } from '../api/quantity.js';
import { hasAffinityTerms, normalizeImage, type PodInfo } from './pod-info.js';

/** Resources is an amount of each resource the scheduler counts. */
export interface Resources {
  cpuMilli: number;
  memoryBytes: number;
  ephemeralBytes: number;
  pods: number;
  scalar: Map<string, number>;
}

function emptyResources(): Resources {
  return { cpuMilli: 0, memoryBytes: 0, ephemeralBytes: 0, pods: 0, scalar: new Map() };
}

/** NodeInfo aggregates a node and the pods placed on it. */
export class NodeInfo {
  node: Node | undefined;
  readonly allocatable: Resources = emptyResources();
  readonly requested: Resources = emptyResources();
  /** nonZeroRequested counts pods without requests at the scoring defaults. */
  nonZeroCpuMilli = 0;
  nonZeroMemoryBytes = 0;
  readonly pods = new Map<string, PodInfo>();
  /** podsWithAffinity are the pods here with any pod (anti-)affinity term. */
  readonly podsWithAffinity = new Map<string, PodInfo>();
  /** podsWithRequiredAntiAffinity are the pods here whose required anti-affinity new pods must respect. */
  readonly podsWithRequiredAntiAffinity = new Map<string, PodInfo>();
  /** usedPorts maps "protocol/port" to the host IPs using it ('0.0.0.0' = all). */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** imageSizes maps a normalized image name to its size in bytes. */
  readonly imageSizes = new Map<string, number>();
  /** hardTaints are NoSchedule and NoExecute taints; preferTaints are PreferNoSchedule ones. */
  hardTaints: Taint[] = [];
  preferTaints: Taint[] = [];
  ready = false;
  unschedulable = false;
  labels: Record<string, string> = {};
  /** generation changes whenever the node or its pods change (for snapshots and tests). */
  generation = 0;

  constructor(readonly name: string) {}

  /** setNode replaces the node object and recomputes what depends on it. */
  setNode(node: Node): void {
    this.node = node;
    const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
    this.allocatable.scalar.clear();
    this.allocatable.cpuMilli = 0;
    this.allocatable.memoryBytes = 0;
    this.allocatable.ephemeralBytes = 0;
    this.allocatable.pods = 0;
    for (const [name, value] of Object.entries(alloc)) {
      const q = tryParseQuantity(value);
      if (!q) continue;
      if (name === 'cpu') this.allocatable.cpuMilli = q.milliValue();
      else if (name === 'memory') this.allocatable.memoryBytes = q.value();
      else if (name === 'ephemeral-storage') this.allocatable.ephemeralBytes = q.value();
      else if (name === 'pods') this.allocatable.pods = q.value();
      else this.allocatable.scalar.set(name, q.value());
    }
    const taints = node.spec?.taints ?? [];
    this.hardTaints = taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    this.preferTaints = taints.filter((t) => t.effect === 'PreferNoSchedule');
    this.ready = getCondition(node.status, 'Ready')?.status === 'True';
    this.unschedulable = node.spec?.unschedulable === true;
    this.labels = node.metadata.labels ?? {};
    this.imageSizes.clear();
    for (const image of node.status?.images ?? []) {
      for (const name of image.names ?? []) this.imageSizes.set(normalizeImage(name), image.sizeBytes ?? 0);
    }
    this.generation++;
  }

  /** addPod counts a pod on this node. */
  addPod(info: PodInfo): void {
    this.update(info, 1);
    this.pods.set(info.key, info);
    if (hasAffinityTerms(info)) this.podsWithAffinity.set(info.key, info);
    if (info.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity.set(info.key, info);
  }

  /** removePod uncounts a pod (by key); it returns false if the pod was not here. */
  removePod(key: string): boolean {
    const info = this.pods.get(key);
    if (!info) return false;
    this.update(info, -1);
    this.pods.delete(key);
    this.podsWithAffinity.delete(key);
    this.podsWithRequiredAntiAffinity.delete(key);
    return true;
  }

  /** free returns allocatable minus requested CPU (millicores). */
  freeCpuMilli(): number {
    return this.allocatable.cpuMilli - this.requested.cpuMilli;
  }

  /** freeMemoryBytes returns allocatable minus requested memory. */
  freeMemoryBytes(): number {
    return this.allocatable.memoryBytes - this.requested.memoryBytes;
  }

  private update(info: PodInfo, sign: 1 | -1): void {
    const r = this.requested;
    r.cpuMilli += sign * info.cpuMilli;
    r.memoryBytes += sign * info.memoryBytes;
    r.ephemeralBytes += sign * info.ephemeralBytes;
    r.pods += sign;
    if (info.scalar) for (const [name, v] of info.scalar) r.scalar.set(name, (r.scalar.get(name) ?? 0) + sign * v);
    this.nonZeroCpuMilli += sign * info.nonZeroCpuMilli;
    this.nonZeroMemoryBytes += sign * info.nonZeroMemoryBytes;
    for (const hp of info.hostPorts) {
      const id = `${hp.protocol}/${hp.port}`;
      let ips = this.usedPorts.get(id);
      if (!ips) this.usedPorts.set(id, (ips = new Map()));
      const n = (ips.get(hp.ip) ?? 0) + sign;
      if (n > 0) ips.set(hp.ip, n);
      else ips.delete(hp.ip);
      if (ips.size === 0) this.usedPorts.delete(id);
    }
    this.generation++;
  }
}
