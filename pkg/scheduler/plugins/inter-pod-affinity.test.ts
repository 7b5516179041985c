import test from 'ava';
import type { Affinity, PodAffinityTerm } from '../../api/core/pod-types.js';
import { clusterOf, feasibleNames, filterResults, scoreResults } from '../testing/harness.js';
import { newNode, newPod } from '../testing/builders.js';
import { interPodAffinityFilter, interPodAffinityScore, REASON_AFFINITY, REASON_ANTI_AFFINITY, REASON_EXISTING_ANTI_AFFINITY } from './inter-pod-affinity.js';

// Four nodes in two zones.
const nodes = [
  newNode('a1', { labels: { zone: 'a' } }),
  newNode('a2', { labels: { zone: 'a' } }),
  newNode('b1', { labels: { zone: 'b' } }),
  newNode('nozone'),
];

const term = (app: string, topologyKey: string): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey });
const affinity = (t: PodAffinityTerm): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } });
const anti = (t: PodAffinityTerm): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } });

const cases: { name: string; labels?: Record<string, string>; affinity?: Affinity; placed: { node: string; labels: Record<string, string>; affinity?: Affinity; namespace?: string }[]; want: string[] }[] = [
  { name: 'no terms, no placed terms', placed: [{ node: 'a1', labels: { app: 'db' } }], want: ['a1', 'a2', 'b1', 'nozone'] },
  { name: 'affinity to zone of db', affinity: affinity(term('db', 'zone')), placed: [{ node: 'a1', labels: { app: 'db' } }], want: ['a1', 'a2'] },
  { name: 'affinity by hostname', affinity: affinity(term('db', 'kubernetes.io/hostname')), placed: [{ node: 'b1', labels: { app: 'db' } }], want: ['b1'] },
  { name: 'affinity to a pod in another namespace does not count', affinity: affinity(term('db', 'zone')), placed: [{ node: 'a1', labels: { app: 'db' }, namespace: 'other' }], want: [] },
  {
    name: 'first pod of a self-affine group may go anywhere with the key',
    labels: { app: 'web' },
    affinity: affinity(term('web', 'zone')),
    placed: [],
    want: ['a1', 'a2', 'b1'],
  },
  { name: 'anti-affinity to zone of web', labels: { app: 'web' }, affinity: anti(term('web', 'zone')), placed: [{ node: 'a2', labels: { app: 'web' } }], want: ['b1', 'nozone'] },
  {
    name: 'anti-affinity by hostname',
    labels: { app: 'web' },
    affinity: anti(term('web', 'kubernetes.io/hostname')),
    placed: [
      { node: 'a1', labels: { app: 'web' } },
      { node: 'b1', labels: { app: 'web' } },
    ],
    want: ['a2', 'nozone'],
  },
  {
    name: 'existing pod’s anti-affinity repels the new pod (symmetry)',
    labels: { app: 'web' },
    placed: [{ node: 'b1', labels: { app: 'cache' }, affinity: anti(term('web', 'zone')) }],
    want: ['a1', 'a2', 'nozone'],
  },
];

for (const c of cases) {
  test(`InterPodAffinity filter: ${c.name}`, (t) => {
    const placed = c.placed.map((p, i) => newPod(`placed-${i}`, { nodeName: p.node, labels: p.labels, affinity: p.affinity, namespace: p.namespace }));
    t.deepEqual(feasibleNames(interPodAffinityFilter, newPod('new', { labels: c.labels, affinity: c.affinity }), clusterOf(nodes, placed)), c.want);
  });
}

test('InterPodAffinity filter: reasons name the rule and whether preemption could help', (t) => {
  const cache = clusterOf(nodes, [
    newPod('db', { nodeName: 'a1', labels: { app: 'db' } }),
    newPod('web', { nodeName: 'b1', labels: { app: 'web' } }),
    newPod('cache', { nodeName: 'a2', labels: { app: 'cache' }, affinity: anti(term('web', 'kubernetes.io/hostname')) }),
  ]);
  const both: Affinity = { ...affinity(term('db', 'zone')), ...anti(term('web', 'zone')) };
  const got = filterResults(interPodAffinityFilter, newPod('new', { labels: { app: 'web' }, affinity: both }), cache);
  t.is(got.a1, undefined);
  t.is(got.a2, REASON_EXISTING_ANTI_AFFINITY);
  t.deepEqual(got.b1, { reasons: [REASON_AFFINITY], unresolvable: true });
  const antiOnly = filterResults(interPodAffinityFilter, newPod('new2', { labels: { app: 'x' }, affinity: anti(term('web', 'zone')) }), cache);
  t.is(antiOnly.b1, REASON_ANTI_AFFINITY);
});

test('InterPodAffinity score: preferred affinity pulls, preferred anti-affinity pushes', (t) => {
  const cache = clusterOf(nodes, [newPod('db', { nodeName: 'a1', labels: { app: 'db' } }), newPod('web', { nodeName: 'b1', labels: { app: 'web' } })]);
  const aff: Affinity = {
    podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('db', 'zone') }] },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('web', 'zone') }] },
  };
  const scores = scoreResults(interPodAffinityScore, newPod('new', { affinity: aff }), cache)!;
  t.is(scores.a1, 100);
  t.is(scores.a2, 100);
  t.is(scores.b1, 0);
  t.is(scores.nozone, 50);
  t.is(scoreResults(interPodAffinityScore, newPod('plain'), cache), undefined);
});
