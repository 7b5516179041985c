import test from 'ava';
import type { Node } from '../api/core/node.js';
import type { Pod } from '../api/core/pod-types.js';
import { GenericScheduler, selectHost } from './algorithm.js';
import { SchedulerCache } from './cache.js';
import { FitError, summarizeReasons } from './fit-error.js';
import { newPodInfo } from './pod-info.js';
import { newProfile, type ProfileConfig } from './profile.js';
import { newNode, newPod } from './testing/builders.js';

function setup(nodes: Node[], config: ProfileConfig = {}) {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  const algo = new GenericScheduler(newProfile(config), cache);
  /** place schedules a pod and assumes it, as the scheduler does. */
  const place = (pod: Pod): string => {
    const info = newPodInfo(pod);
    const { nodeName } = algo.schedule(info);
    cache.assumePod(info, nodeName);
    return nodeName;
  };
  return { cache, algo, place };
}

test('schedule: fit error aggregates reasons over all nodes', (t) => {
  const { algo } = setup([
    newNode('n1', { cpu: '1' }),
    newNode('n2', { cpu: '1' }),
    newNode('n3', { cpu: '1' }),
    newNode('t1', { cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    newNode('t2', { cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
  ]);
  const err = t.throws(() => algo.schedule(newPodInfo(newPod('big', { cpu: '2' }))), { instanceOf: FitError }) as FitError;
  t.is(err.message, '0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}.');
  t.is(err.diagnosis.nodes.get('t1')?.plugin, 'TaintToleration');
  t.true(err.diagnosis.nodes.get('t1')?.unresolvable);
  t.false(err.diagnosis.nodes.get('n1')?.unresolvable);
});

test('schedule: no nodes at all', (t) => {
  const { algo } = setup([]);
  t.throws(() => algo.schedule(newPodInfo(newPod('p'))), { message: 'no nodes available to schedule pods' });
});

test('schedule: least-allocated spreads, most-allocated packs', (t) => {
  const nodes = () => [newNode('a', { cpu: '4', memory: '4Gi' }), newNode('b', { cpu: '4', memory: '4Gi' })];
  const spread = setup(nodes());
  const s = [0, 1, 2, 3].map((i) => spread.place(newPod(`p${i}`, { cpu: '1', memory: '1Gi' })));
  t.is(s.filter((n) => n === 'a').length, 2);
  const pack = setup(nodes(), { scoringStrategy: 'MostAllocated' });
  const p = [0, 1, 2, 3].map((i) => pack.place(newPod(`p${i}`, { cpu: '1', memory: '1Gi' })));
  t.is(new Set(p).size, 1);
});

test('schedule: assumed pods prevent over-commit across consecutive decisions', (t) => {
  const nodes = Array.from({ length: 10 }, (_, i) => newNode(`n${i}`, { cpu: '1', memory: '1Gi' }));
  const { place, cache, algo } = setup(nodes);
  for (let i = 0; i < 40; i++) place(newPod(`p${i}`, { cpu: '250m', memory: '100Mi' }));
  for (const ni of cache.nodes()) t.is(ni.requested.cpuMilli, 1000);
  t.throws(() => algo.schedule(newPodInfo(newPod('extra', { cpu: '250m' }))), { instanceOf: FitError, message: /0\/10 nodes are available: 10 Insufficient cpu\./ });
});

test('schedule: the same pod and state give the same node (seeded ties)', (t) => {
  const nodes = () => Array.from({ length: 20 }, (_, i) => newNode(`n${i}`));
  const picks = [0, 1].map(() => setup(nodes()).algo.schedule(newPodInfo(newPod('p', { uid: 'fixed-uid' }))).nodeName);
  t.is(picks[0], picks[1]);
  const others = new Set(Array.from({ length: 30 }, (_, i) => setup(nodes()).algo.schedule(newPodInfo(newPod('p', { uid: `uid-${i}` }))).nodeName));
  t.true(others.size > 3, 'different uids spread over tied nodes');
});

test('schedule: samples feasible nodes on big clusters and rotates the start', (t) => {
  const nodes = Array.from({ length: 1000 }, (_, i) => newNode(`n${String(i).padStart(4, '0')}`));
  const { algo } = setup(nodes);
  const r1 = algo.schedule(newPodInfo(newPod('a')));
  t.is(r1.feasibleNodes, 420);
  t.is(r1.evaluatedNodes, 420);
  const r2 = algo.schedule(newPodInfo(newPod('b')));
  t.is(r2.feasibleNodes, 420);
  const all = setup(nodes, { percentageOfNodesToScore: 100 }).algo.schedule(newPodInfo(newPod('c')));
  t.is(all.feasibleNodes, 1000);
});

test('schedule: a nominated node that fits is taken first', (t) => {
  const { algo } = setup([newNode('a', { cpu: '8' }), newNode('b', { cpu: '1' })]);
  const pod = newPod('p', { cpu: '500m' });
  pod.status = { phase: 'Pending', nominatedNodeName: 'b' };
  t.is(algo.schedule(newPodInfo(pod)).nodeName, 'b');
});

test('selectHost: highest total wins, ties by the generator', (t) => {
  t.is(selectHost(Float64Array.from([1, 5, 3]), 3, () => 0.99), 1);
  t.is(selectHost(Float64Array.from([5, 5]), 2, () => 0.1), 1);
  t.is(selectHost(Float64Array.from([5, 5]), 2, () => 0.9), 0);
});

test('summarizeReasons orders by count then text', (t) => {
  t.is(
    summarizeReasons(
      new Map([
        ['b', 1],
        ['a', 1],
        ['c', 3],
      ]),
    ),
    '3 c, 1 a, 1 b',
  );
});

// Scenario tests: several nodes, several pods, the constraints together.

test('scenario: anti-affinity spreads replicas one per node, the extra one fails', (t) => {
  const { place, algo } = setup([newNode('n1'), newNode('n2'), newNode('n3')]);
  const replica = (i: number) =>
    newPod(`web-${i}`, {
      labels: { app: 'web' },
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    });
  const placed = [0, 1, 2].map((i) => place(replica(i)));
  t.deepEqual([...placed].sort(), ['n1', 'n2', 'n3']);
  t.throws(() => algo.schedule(newPodInfo(replica(3))), { message: "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules." });
});

test('scenario: affinity co-locates with the database zone', (t) => {
  const { place } = setup([newNode('a1', { labels: { zone: 'a' } }), newNode('a2', { labels: { zone: 'a' } }), newNode('b1', { labels: { zone: 'b' } }), newNode('b2', { labels: { zone: 'b' } })]);
  t.is(place(newPod('db', { labels: { app: 'db' }, nodeSelector: { 'kubernetes.io/hostname': 'b2' } })), 'b2');
  for (let i = 0; i < 6; i++) {
    const node = place(
      newPod(`api-${i}`, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' }] } } }),
    );
    t.true(node === 'b1' || node === 'b2');
  }
});

test('scenario: topology spread keeps zones within maxSkew 1', (t) => {
  const nodes = ['a', 'b', 'c'].flatMap((z) => [newNode(`${z}1`, { labels: { zone: z } }), newNode(`${z}2`, { labels: { zone: z } })]);
  const { place } = setup(nodes);
  const zones: Record<string, number> = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 9; i++) {
    const node = place(
      newPod(`w${i}`, {
        labels: { app: 'web' },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
      }),
    );
    zones[node[0]]++;
    const counts = Object.values(zones);
    t.true(Math.max(...counts) - Math.min(...counts) <= 1);
  }
  t.deepEqual(zones, { a: 3, b: 3, c: 3 });
});

test('scenario: taints keep ordinary pods off dedicated nodes; tolerating pods may use them', (t) => {
  const { place } = setup([newNode('gpu1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), newNode('plain1'), newNode('plain2')]);
  for (let i = 0; i < 5; i++) t.not(place(newPod(`p${i}`)), 'gpu1');
  const tolerant = newPod('ml', {
    tolerations: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['gpu1'] }] }] } } },
  });
  t.is(place(tolerant), 'gpu1');
});

test('scenario: preferred node affinity outweighs spreading', (t) => {
  const { place } = setup([newNode('fast', { labels: { disk: 'ssd' } }), newNode('slow1'), newNode('slow2')]);
  const pref = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'disk', operator: 'In' as const, values: ['ssd'] }] } }] } };
  for (let i = 0; i < 3; i++) t.is(place(newPod(`p${i}`, { cpu: '500m', affinity: pref })), 'fast');
});
