// node-ready.ts: only nodes whose Ready condition is True take pods; pods that tolerate the
// node.kubernetes.io/not-ready taint (DaemonSet pods) may go anyway. Kubernetes does this through
// taints the node lifecycle controller adds; Skiff checks the condition directly so a node whose
// agent stopped reporting is avoided even before any controller reacts.
import type { Taint } from '../../api/core/node.js';
import type { FilterPlugin } from '../framework.js';
import { toleratesAny } from '../tolerations.js';

/** REASON_NODE_NOT_READY is NodeReady's rejection. */
export const REASON_NODE_NOT_READY = 'node(s) were not ready';

const notReadyTaint: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

/** nodeReady is the NodeReady filter. */
export const nodeReady: FilterPlugin = {
  name: 'NodeReady',
  unresolvable: true,
  filter(pod, node) {
    if (node.ready) return undefined;
    return toleratesAny(pod.pod.spec.tolerations, notReadyTaint) ? undefined : REASON_NODE_NOT_READY;
  },
};
