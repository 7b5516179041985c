// Table tests of the small node filters: NodeUnschedulable, NodeReady, NodeName, NodePorts.
import test from 'ava';
import type { FilterPlugin } from '../framework.js';
import { clusterOf, filterResults } from '../testing/harness.js';
import { newNode, newPod, type NodeOptions, type PodOptions } from '../testing/builders.js';
import { nodeName, REASON_NODE_NAME } from './node-name.js';
import { nodePorts, REASON_NODE_PORTS } from './node-ports.js';
import { nodeReady, REASON_NODE_NOT_READY } from './node-ready.js';
import { nodeUnschedulable, REASON_NODE_UNSCHEDULABLE } from './node-unschedulable.js';

const cases: { name: string; plugin: FilterPlugin; node?: NodeOptions; pod?: PodOptions; placed?: PodOptions[]; want: string | undefined }[] = [
  { name: 'schedulable node', plugin: nodeUnschedulable, want: undefined },
  { name: 'cordoned node', plugin: nodeUnschedulable, node: { unschedulable: true }, want: REASON_NODE_UNSCHEDULABLE },
  {
    name: 'cordoned node, tolerated',
    plugin: nodeUnschedulable,
    node: { unschedulable: true },
    pod: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] },
    want: undefined,
  },
  { name: 'ready node', plugin: nodeReady, want: undefined },
  { name: 'not ready node', plugin: nodeReady, node: { ready: 'False' }, want: REASON_NODE_NOT_READY },
  { name: 'unknown readiness', plugin: nodeReady, node: { ready: 'Unknown' }, want: REASON_NODE_NOT_READY },
  { name: 'no Ready condition yet', plugin: nodeReady, node: { ready: 'missing' }, want: REASON_NODE_NOT_READY },
  { name: 'not ready, tolerated', plugin: nodeReady, node: { ready: 'False' }, pod: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] }, want: undefined },
  { name: 'no nodeName', plugin: nodeName, want: undefined },
  { name: 'nodeName matches', plugin: nodeName, pod: { nodeName: 'n1' }, want: undefined },
  { name: 'nodeName differs', plugin: nodeName, pod: { nodeName: 'n2' }, want: REASON_NODE_NAME },
  { name: 'free host port', plugin: nodePorts, pod: { hostPorts: [80] }, placed: [{ hostPorts: [81] }], want: undefined },
  { name: 'host port taken', plugin: nodePorts, pod: { hostPorts: [8080, 80] }, placed: [{ hostPorts: [80] }], want: REASON_NODE_PORTS },
  { name: 'no host ports', plugin: nodePorts, placed: [{ hostPorts: [80] }], want: undefined },
];

for (const c of cases) {
  test(`${c.plugin.name}: ${c.name}`, (t) => {
    const placed = (c.placed ?? []).map((p, i) => newPod(`placed-${i}`, { ...p, nodeName: 'n1' }));
    t.is(filterResults(c.plugin, newPod('new', c.pod), clusterOf([newNode('n1', c.node)], placed)).n1, c.want);
  });
}

test('NodePorts: distinct specific host IPs do not conflict, 0.0.0.0 conflicts with all', (t) => {
  const withIp = (name: string, ip: string, nodeName?: string) => {
    const p = newPod(name, { nodeName });
    p.spec.containers[0].ports = [{ containerPort: 53, hostPort: 53, hostIP: ip, protocol: 'UDP' }];
    return p;
  };
  const cache = clusterOf([newNode('n1')], [withIp('a', '10.0.0.1', 'n1')]);
  t.is(filterResults(nodePorts, withIp('b', '10.0.0.2'), cache).n1, undefined);
  t.is(filterResults(nodePorts, withIp('c', '10.0.0.1'), cache).n1, REASON_NODE_PORTS);
  t.is(filterResults(nodePorts, withIp('d', '0.0.0.0'), cache).n1, REASON_NODE_PORTS);
});
