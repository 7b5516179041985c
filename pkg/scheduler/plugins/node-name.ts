// node-name.ts: a pod that names its node (spec.nodeName) fits only that node. The scheduler
// never queues such pods, but `why` and dry runs evaluate them.
import type { FilterPlugin } from '../framework.js';

/** REASON_NODE_NAME is NodeName's rejection. */
export const REASON_NODE_NAME = "node(s) didn't match the requested node name";

/** nodeName is the NodeName filter. */
export const nodeName: FilterPlugin = {
  name: 'NodeName',
  unresolvable: true,
  preFilter: (pod) => !!pod.pod.spec.nodeName,
  filter: (pod, node) => (pod.pod.spec.nodeName === node.name ? undefined : REASON_NODE_NAME),
};
