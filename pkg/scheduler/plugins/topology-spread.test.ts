import test from 'ava';
import type { TopologySpreadConstraint } from '../../api/core/pod-types.js';
import { clusterOf, feasibleNames, filterResults, scoreResults } from '../testing/harness.js';
import { newNode, newPod } from '../testing/builders.js';
import { REASON_TOPOLOGY_MISSING_LABEL, REASON_TOPOLOGY_SPREAD, topologySpreadFilter, topologySpreadScore } from './topology-spread.js';

const nodes = [
  newNode('a1', { labels: { zone: 'a' } }),
  newNode('a2', { labels: { zone: 'a' } }),
  newNode('b1', { labels: { zone: 'b' } }),
  newNode('c1', { labels: { zone: 'c' }, taints: [{ key: 'x', effect: 'NoSchedule' }] }),
];

const spread = (maxSkew: number, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew,
  topologyKey: 'zone',
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
  ...extra,
});
const web = (name: string, node: string) => newPod(name, { nodeName: node, labels: { app: 'web' } });

const cases: { name: string; constraint: TopologySpreadConstraint; placed: string[]; want: string[] }[] = [
  { name: 'empty cluster: every zone', constraint: spread(1), placed: [], want: ['a1', 'a2', 'b1', 'c1'] },
  { name: 'one in a: b and c only (c has none)', constraint: spread(1), placed: ['a1'], want: ['b1', 'c1'] },
  { name: 'maxSkew 2 allows a again', constraint: spread(2), placed: ['a1'], want: ['a1', 'a2', 'b1', 'c1'] },
  { name: 'taints ignored by default: c counts as an empty domain', constraint: spread(1), placed: ['a1', 'b1'], want: ['c1'] },
  { name: 'nodeTaintsPolicy Honor: c is not a domain', constraint: spread(1, { nodeTaintsPolicy: 'Honor' }), placed: ['a1', 'b1'], want: ['a1', 'a2', 'b1', 'c1'] },
  { name: 'minDomains above domain count: min is 0', constraint: spread(1, { minDomains: 5 }), placed: ['a1', 'b1'], want: ['c1'] },
];

for (const c of cases) {
  test(`PodTopologySpread filter: ${c.name}`, (t) => {
    const placed = c.placed.map((n, i) => web(`w${i}`, n));
    const pod = newPod('new', { labels: { app: 'web' }, topologySpreadConstraints: [c.constraint] });
    t.deepEqual(feasibleNames(topologySpreadFilter, pod, clusterOf(nodes, placed)), c.want);
  });
}

test('PodTopologySpread filter: nodes without the key are rejected, unresolvably', (t) => {
  const cache = clusterOf([...nodes, newNode('nozone')]);
  const got = filterResults(topologySpreadFilter, newPod('new', { labels: { app: 'web' }, topologySpreadConstraints: [spread(1)] }), cache);
  t.deepEqual(got.nozone, { reasons: [REASON_TOPOLOGY_MISSING_LABEL], unresolvable: true });
});

test('PodTopologySpread filter: the skew reason', (t) => {
  const got = filterResults(topologySpreadFilter, newPod('new', { labels: { app: 'web' }, topologySpreadConstraints: [spread(1)] }), clusterOf(nodes, [web('w', 'a1')]));
  t.is(got.a2, REASON_TOPOLOGY_SPREAD);
});

test('PodTopologySpread filter: pods in other namespaces or not matching do not count', (t) => {
  const placed = [newPod('o', { nodeName: 'a1', labels: { app: 'web' }, namespace: 'other' }), newPod('d', { nodeName: 'a1', labels: { app: 'db' } })];
  const pod = newPod('new', { labels: { app: 'web' }, topologySpreadConstraints: [spread(1)] });
  t.deepEqual(feasibleNames(topologySpreadFilter, pod, clusterOf(nodes, placed)), ['a1', 'a2', 'b1', 'c1']);
});

test('PodTopologySpread score: ScheduleAnyway prefers emptier domains', (t) => {
  const pod = newPod('new', { labels: { app: 'web' }, topologySpreadConstraints: [spread(1, { whenUnsatisfiable: 'ScheduleAnyway' })] });
  const scores = scoreResults(topologySpreadScore, pod, clusterOf(nodes, [web('w1', 'a1'), web('w2', 'a2'), web('w3', 'b1')]))!;
  t.true(scores.c1 > scores.b1);
  t.true(scores.b1 > scores.a1);
  t.is(scores.a1, scores.a2);
  t.deepEqual(feasibleNames(topologySpreadFilter, pod, clusterOf(nodes)), ['a1', 'a2', 'b1', 'c1']);
});
