// node-ports.ts: two pods cannot take the same host port and protocol on a node, unless they bind
// different specific host IPs ("0.0.0.0" conflicts with every IP).
import type { FilterPlugin } from '../framework.js';

/** REASON_NODE_PORTS is NodePorts' rejection. */
export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

/** nodePorts is the NodePorts filter. */
export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  unresolvable: false,
  preFilter: (pod) => pod.hostPorts.length > 0,
  filter(pod, node) {
    for (const hp of pod.hostPorts) {
      const ips = node.usedPorts.get(`${hp.protocol}/${hp.port}`);
      if (!ips) continue;
      if (hp.ip === '0.0.0.0' || ips.has('0.0.0.0') || ips.has(hp.ip)) return REASON_NODE_PORTS;
    }
    return undefined;
  },
};
