import test from 'ava';
import { clusterOf, filterResults } from '../testing/harness.js';
import { newNode, newPod, type PodOptions } from '../testing/builders.js';
import { nodeResourcesFit } from './node-resources-fit.js';

const node = newNode('n1', { cpu: '2', memory: '4Gi', pods: 3, ephemeralStorage: '10Gi', extra: { 'example.com/gpu': '1' } });
const placed = [newPod('p1', { cpu: '1', memory: '1Gi', nodeName: 'n1' })];

const cases: { name: string; pod: PodOptions; want: unknown }[] = [
  { name: 'fits', pod: { cpu: '1', memory: '3Gi' }, want: undefined },
  { name: 'no requests fit', pod: {}, want: undefined },
  { name: 'cpu short', pod: { cpu: '1001m' }, want: 'Insufficient cpu' },
  { name: 'memory short', pod: { memory: '3073Mi' }, want: 'Insufficient memory' },
  { name: 'both short: both reported', pod: { cpu: '2', memory: '4Gi' }, want: { reasons: ['Insufficient cpu', 'Insufficient memory'], unresolvable: false } },
  { name: 'ephemeral storage short', pod: { ephemeralStorage: '11Gi' }, want: 'Insufficient ephemeral-storage' },
  { name: 'extended resource fits', pod: { extra: { 'example.com/gpu': '1' } }, want: undefined },
  { name: 'extended resource short', pod: { extra: { 'example.com/gpu': '2' } }, want: 'Insufficient example.com/gpu' },
  { name: 'unknown extended resource', pod: { extra: { 'example.com/fpga': '1' } }, want: 'Insufficient example.com/fpga' },
  {
    name: 'init container counted at its peak',
    pod: { cpu: '100m', initContainers: [{ name: 'init', image: 'x', resources: { requests: { cpu: '1500m' } } }] },
    want: 'Insufficient cpu',
  },
];

for (const c of cases) {
  test(`NodeResourcesFit: ${c.name}`, (t) => {
    t.deepEqual(filterResults(nodeResourcesFit, newPod('new', c.pod), clusterOf([node], placed)).n1, c.want);
  });
}

test('NodeResourcesFit: pod count is a resource', (t) => {
  const full = [newPod('a', { nodeName: 'n1' }), newPod('b', { nodeName: 'n1' }), newPod('c', { nodeName: 'n1' })];
  t.is(filterResults(nodeResourcesFit, newPod('new'), clusterOf([node], full)).n1, 'Too many pods');
});
