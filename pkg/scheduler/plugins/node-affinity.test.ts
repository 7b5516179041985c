import test from 'ava';
import type { Affinity } from '../../api/core/pod-types.js';
import { clusterOf, feasibleNames, scoreResults } from '../testing/harness.js';
import { newNode, newPod } from '../testing/builders.js';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity.js';

const nodes = [newNode('a1', { labels: { zone: 'a', disk: 'ssd' } }), newNode('a2', { labels: { zone: 'a' } }), newNode('b1', { labels: { zone: 'b', disk: 'ssd' } })];

const cases: { name: string; nodeSelector?: Record<string, string>; affinity?: Affinity; want: string[] }[] = [
  { name: 'no constraints: every node', want: ['a1', 'a2', 'b1'] },
  { name: 'nodeSelector', nodeSelector: { zone: 'a' }, want: ['a1', 'a2'] },
  { name: 'nodeSelector with no match', nodeSelector: { zone: 'c' }, want: [] },
  {
    name: 'required affinity In',
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }] } } },
    want: ['a1', 'b1'],
  },
  {
    name: 'nodeSelector and affinity are ANDed',
    nodeSelector: { zone: 'a' },
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }] } } },
    want: ['a1'],
  },
  {
    name: 'terms are ORed',
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a2'] }] }],
        },
      },
    },
    want: ['a2', 'b1'],
  },
  {
    name: 'preferred terms do not filter',
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] } }] } },
    want: ['a1', 'a2', 'b1'],
  },
];

for (const c of cases) {
  test(`NodeAffinity filter: ${c.name}`, (t) => {
    t.deepEqual(feasibleNames(nodeAffinityFilter, newPod('p', { nodeSelector: c.nodeSelector, affinity: c.affinity }), clusterOf(nodes)), c.want);
  });
}

test('NodeAffinity score: sums matched weights, scaled to the best node', (t) => {
  const affinity: Affinity = {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 30, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
        { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
      ],
    },
  };
  t.deepEqual(scoreResults(nodeAffinityScore, newPod('p', { affinity }), clusterOf(nodes)), { a1: 100, a2: 75, b1: 25 });
  t.is(scoreResults(nodeAffinityScore, newPod('p'), clusterOf(nodes)), undefined);
});
