import test from 'ava';
import type { Node, Taint } from './node.js';
import { nodeSelectorTermMatches, podMatchesNode, preferredNodeAffinityScore } from './node-affinity.js';
import { newPod } from './pod-builders.js';
import type { NodeSelectorTerm, Toleration } from './pod-types.js';
import { findUntoleratedTaint, toleratesTaint } from './taints.js';

const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

const tolerationCases: { name: string; toleration: Toleration; want: boolean }[] = [
  { name: 'equal key, value and effect', toleration: { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, want: true },
  { name: 'default operator is Equal', toleration: { key: 'dedicated', value: 'gpu' }, want: true },
  { name: 'wrong value', toleration: { key: 'dedicated', value: 'cpu' }, want: false },
  { name: 'wrong effect', toleration: { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, want: false },
  { name: 'exists on key', toleration: { key: 'dedicated', operator: 'Exists' }, want: true },
  { name: 'exists with empty key tolerates everything', toleration: { operator: 'Exists' }, want: true },
  { name: 'other key', toleration: { key: 'other', operator: 'Exists' }, want: false },
];
for (const c of tolerationCases) {
  test(`toleratesTaint: ${c.name}`, (t) => {
    t.is(toleratesTaint(c.toleration, taint), c.want);
  });
}

test('findUntoleratedTaint ignores PreferNoSchedule and finds the first untolerated', (t) => {
  const taints: Taint[] = [{ key: 'soft', effect: 'PreferNoSchedule' }, taint, { key: 'b', effect: 'NoExecute' }];
  t.is(findUntoleratedTaint(taints, []), taint);
  t.deepEqual(findUntoleratedTaint(taints, [{ key: 'dedicated', operator: 'Exists' }]), { key: 'b', effect: 'NoExecute' });
  t.is(findUntoleratedTaint(taints, [{ operator: 'Exists' }]), undefined);
});

const node: Node = { metadata: { name: 'node-a', labels: { zone: 'a', cores: '8', 'kubernetes.io/os': 'linux' } } };

const termCases: { name: string; term: NodeSelectorTerm; want: boolean }[] = [
  { name: 'In', term: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, want: true },
  { name: 'NotIn', term: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, want: false },
  { name: 'Exists', term: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, want: true },
  { name: 'DoesNotExist', term: { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }, want: true },
  { name: 'Gt', term: { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }, want: true },
  { name: 'Lt', term: { matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }, want: false },
  { name: 'matchFields by name', term: { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] }, want: true },
  { name: 'empty term matches nothing', term: {}, want: false },
];
for (const c of termCases) {
  test(`nodeSelectorTermMatches: ${c.name}`, (t) => {
    t.is(nodeSelectorTermMatches(c.term, node), c.want);
  });
}

test('podMatchesNode: nodeSelector and required affinity', (t) => {
  t.true(podMatchesNode(newPod(), node));
  t.true(podMatchesNode(newPod({ spec: { nodeSelector: { zone: 'a' } } }), node));
  t.false(podMatchesNode(newPod({ spec: { nodeSelector: { zone: 'b' } } }), node));
  const affinity = (values: string[]) => ({
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' as const, values }] }] } },
  });
  t.true(podMatchesNode(newPod({ spec: { affinity: affinity(['a']) } }), node));
  t.false(podMatchesNode(newPod({ spec: { affinity: affinity(['c']) } }), node));
  t.is(
    preferredNodeAffinityScore(
      [
        { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
        { weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] } },
      ],
      node,
    ),
    10,
  );
});
