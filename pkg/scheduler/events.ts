// events.ts: which cluster events can make a parked pod fit, named by the filters whose
// rejections they could undo (kube-scheduler's EventsToRegister, reduced to what Skiff checks).
import type { Node } from '../api/core/node.js';
import { getCondition } from '../api/kind.js';
import type { ClusterEvent } from './queue.js';

/** NODE_ADD: a new node could fit any pod. */
export const NODE_ADD: ClusterEvent = { name: 'NodeAdd' };
/** NODE_UPDATE: a node changed in a way filters look at. */
export const NODE_UPDATE: ClusterEvent = { name: 'NodeUpdate' };
/** ASSIGNED_POD_DELETE: a pod left a node, freeing resources, ports and anti-affinity domains. */
export const ASSIGNED_POD_DELETE: ClusterEvent = {
  name: 'AssignedPodDelete',
  plugins: new Set(['NodeResourcesFit', 'NodePorts', 'InterPodAffinity', 'PodTopologySpread']),
};
/** ASSIGNED_POD_ADD: a pod landed on a node; it can satisfy affinity or change spread counts. */
export const ASSIGNED_POD_ADD: ClusterEvent = { name: 'AssignedPodAdd', plugins: new Set(['InterPodAffinity', 'PodTopologySpread']) };
/** ASSIGNED_POD_UPDATE: a placed pod's labels changed (affinity, spread) or it shrank. */
export const ASSIGNED_POD_UPDATE: ClusterEvent = { name: 'AssignedPodUpdate', plugins: new Set(['InterPodAffinity', 'PodTopologySpread', 'NodeResourcesFit']) };

/** nodeSchedulingChanged tells whether a node update touched anything a filter reads. */
export function nodeSchedulingChanged(oldNode: Node, newNode: Node): boolean {
  if (oldNode === newNode) return false;
  if (JSON.stringify(oldNode.status?.allocatable) !== JSON.stringify(newNode.status?.allocatable)) return true;
  if (JSON.stringify(oldNode.metadata.labels ?? {}) !== JSON.stringify(newNode.metadata.labels ?? {})) return true;
  if (JSON.stringify(oldNode.spec?.taints ?? []) !== JSON.stringify(newNode.spec?.taints ?? [])) return true;
  if ((oldNode.spec?.unschedulable ?? false) !== (newNode.spec?.unschedulable ?? false)) return true;
  if (getCondition(oldNode.status, 'Ready')?.status !== getCondition(newNode.status, 'Ready')?.status) return true;
  return JSON.stringify(oldNode.status?.images ?? []) !== JSON.stringify(newNode.status?.images ?? []);
}
