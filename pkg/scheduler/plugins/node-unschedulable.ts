// node-unschedulable.ts: a cordoned node (spec.unschedulable) takes no new pods, unless the pod
// tolerates the node.kubernetes.io/unschedulable:NoSchedule taint (DaemonSet pods do).
import type { Taint } from '../../api/core/node.js';
import type { FilterPlugin } from '../framework.js';
import { toleratesAny } from '../tolerations.js';

/** REASON_NODE_UNSCHEDULABLE is NodeUnschedulable's rejection. */
export const REASON_NODE_UNSCHEDULABLE = "node(s) were unschedulable";

const unschedulableTaint: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** nodeUnschedulable is the NodeUnschedulable filter. */
export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  unresolvable: true,
  filter(pod, node) {
    if (!node.unschedulable) return undefined;
    return toleratesAny(pod.pod.spec.tolerations, unschedulableTaint) ? undefined : REASON_NODE_UNSCHEDULABLE;
  },
};
