// node-resources-fit.ts: a pod fits a node when the node's allocatable minus what its pods
// (bound and assumed) request covers the pod's requests: CPU, memory, ephemeral storage,
// extended resources, and one more pod under the node's pod count.
import type { FilterPlugin } from '../framework.js';

/** REASON_TOO_MANY_PODS is the rejection when the node's pod count is full. */
export const REASON_TOO_MANY_PODS = 'Too many pods';

/** insufficient is the rejection for one resource, as Kubernetes words it. */
export function insufficient(resource: string): string {
  return `Insufficient ${resource}`;
}

const INSUFFICIENT_CPU = insufficient('cpu');
const INSUFFICIENT_MEMORY = insufficient('memory');
const INSUFFICIENT_EPHEMERAL = insufficient('ephemeral-storage');

/** nodeResourcesFit is the NodeResourcesFit filter; every shortfall is reported, not just the first. */
export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  unresolvable: false,
  filter(pod, node) {
    const a = node.allocatable;
    const r = node.requested;
    let reasons: string[] | undefined;
    if (r.pods + 1 > a.pods) (reasons ??= []).push(REASON_TOO_MANY_PODS);
    if (pod.cpuMilli > 0 && r.cpuMilli + pod.cpuMilli > a.cpuMilli) (reasons ??= []).push(INSUFFICIENT_CPU);
    if (pod.memoryBytes > 0 && r.memoryBytes + pod.memoryBytes > a.memoryBytes) (reasons ??= []).push(INSUFFICIENT_MEMORY);
    if (pod.ephemeralBytes > 0 && r.ephemeralBytes + pod.ephemeralBytes > a.ephemeralBytes) (reasons ??= []).push(INSUFFICIENT_EPHEMERAL);
    if (pod.scalar) {
      for (const [name, want] of pod.scalar) {
        if ((r.scalar.get(name) ?? 0) + want > (a.scalar.get(name) ?? 0)) (reasons ??= []).push(insufficient(name));
      }
    }
    if (!reasons) return undefined;
    return reasons.length === 1 ? reasons[0] : { reasons, unresolvable: false };
  },
};
