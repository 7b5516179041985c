import test from 'ava';
import { clusterOf, scoreResults } from '../testing/harness.js';
import { newNode, newPod } from '../testing/builders.js';
import { resourceAllocationScore } from './resource-allocation.js';

const nodes = [newNode('empty', { cpu: '4', memory: '4Gi' }), newNode('half', { cpu: '4', memory: '4Gi' })];
const pods = [newPod('p', { cpu: '2', memory: '2Gi', nodeName: 'half' })];

const cases = [
  { name: 'LeastAllocated prefers the empty node', strategy: 'LeastAllocated' as const, want: { empty: 75, half: 25 } },
  { name: 'MostAllocated prefers the fuller node', strategy: 'MostAllocated' as const, want: { empty: 25, half: 75 } },
];

for (const c of cases) {
  test(`resource allocation: ${c.name}`, (t) => {
    t.deepEqual(scoreResults(resourceAllocationScore(c.strategy), newPod('new', { cpu: '1', memory: '1Gi' }), clusterOf(nodes, pods)), c.want);
  });
}

test('resource allocation: pods without requests count at the defaults', (t) => {
  const scores = scoreResults(resourceAllocationScore(), newPod('new'), clusterOf([newNode('a', { cpu: '1', memory: '1Gi' }), newNode('b', { cpu: '1', memory: '1Gi' })], [newPod('x', { nodeName: 'b' })]));
  t.true(scores!.a > scores!.b);
});
