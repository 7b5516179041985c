import test from 'ava';
import { FakeClock } from '../client/testing/fake_clock.js';
import { SchedulerCache } from './cache.js';
import { newPodInfo } from './pod-info.js';
import { newNode, newPod } from './testing/builders.js';

function setup() {
  const clock = new FakeClock();
  const cache = new SchedulerCache({ clock, assumedPodTtlMs: 1000 });
  cache.addNode(newNode('n1', { cpu: '2' }));
  cache.addNode(newNode('n2', { cpu: '2' }));
  return { clock, cache };
}

test('assumed pods count at once and are confirmed by the informer', (t) => {
  const { cache } = setup();
  const pod = newPod('a', { cpu: '1' });
  cache.assumePod(newPodInfo(pod), 'n1');
  t.is(cache.nodeInfo('n1')?.requested.cpuMilli, 1000);
  t.true(cache.isAssumed('default/a'));
  t.throws(() => cache.assumePod(newPodInfo(pod), 'n2'));
  cache.addPod(newPodInfo({ ...pod, spec: { ...pod.spec, nodeName: 'n1' } }));
  t.false(cache.isAssumed('default/a'));
  t.is(cache.nodeInfo('n1')?.requested.cpuMilli, 1000);
  t.is(cache.podCount, 1);
});

test('an assumed pod that shows up on another node moves there', (t) => {
  const { cache } = setup();
  const pod = newPod('a', { cpu: '1' });
  cache.assumePod(newPodInfo(pod), 'n1');
  cache.addPod(newPodInfo({ ...pod, spec: { ...pod.spec, nodeName: 'n2' } }));
  t.is(cache.nodeInfo('n1')?.requested.cpuMilli, 0);
  t.is(cache.nodeInfo('n2')?.requested.cpuMilli, 1000);
});

test('forgetPod undoes an assumption', (t) => {
  const { cache } = setup();
  cache.assumePod(newPodInfo(newPod('a', { cpu: '1' })), 'n1');
  cache.forgetPod('default/a');
  t.is(cache.nodeInfo('n1')?.requested.cpuMilli, 0);
  t.is(cache.podCount, 0);
});

test('assumptions whose binding finished are reported after the TTL, still counted; unfinished ones are not', (t) => {
  const { cache, clock } = setup();
  cache.assumePod(newPodInfo(newPod('a', { cpu: '1' })), 'n1');
  cache.assumePod(newPodInfo(newPod('b', { cpu: '1' })), 'n2');
  cache.finishBinding('default/a');
  clock.step(999);
  t.deepEqual(cache.expiredAssumedPods(), []);
  clock.step(1);
  t.deepEqual(cache.expiredAssumedPods(), ['default/a']);
  t.is(cache.nodeInfo('n1')?.requested.cpuMilli, 1000, 'still counted until checked');
  t.deepEqual(cache.expiredAssumedPods(), [], 'reported once per TTL');
  clock.step(1000);
  t.deepEqual(cache.expiredAssumedPods(), ['default/a']);
  cache.forgetPod('default/a');
  t.is(cache.nodeInfo('n1')?.requested.cpuMilli, 0);
  t.true(cache.isAssumed('default/b'));
});

test('removing a node keeps its pods counted until they go; nodes() lists live nodes by name', (t) => {
  const { cache } = setup();
  const pod = newPod('a', { cpu: '1', nodeName: 'n2' });
  cache.addPod(newPodInfo(pod));
  cache.removeNode('n2');
  t.deepEqual(cache.nodes().map((n) => n.name), ['n1']);
  t.is(cache.nodeInfo('n2')?.requested.cpuMilli, 1000);
  cache.removePod('default/a');
  t.is(cache.nodeInfo('n2'), undefined);
  cache.addNode(newNode('n0'));
  t.deepEqual(cache.nodes().map((n) => n.name), ['n0', 'n1']);
});

test('image node counts follow node updates', (t) => {
  const { cache } = setup();
  cache.addNode(newNode('n1', { images: [{ names: ['app:1'], sizeBytes: 10 }] }));
  cache.addNode(newNode('n2', { images: [{ names: ['app:1'], sizeBytes: 10 }] }));
  t.is(cache.imageNodeCounts.get('app:1'), 2);
  cache.addNode(newNode('n2'));
  t.is(cache.imageNodeCounts.get('app:1'), 1);
  cache.removeNode('n1');
  t.false(cache.imageNodeCounts.has('app:1'));
});

test('affinity counters track placed pods with terms', (t) => {
  const { cache } = setup();
  const anti = newPod('a', {
    nodeName: 'n1',
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { a: 'b' } }, topologyKey: 'zone' }] } },
  });
  cache.addPod(newPodInfo(anti));
  t.true(cache.hasPodsWithAffinity());
  t.true(cache.hasPodsWithRequiredAntiAffinity());
  cache.removePod('default/a');
  t.false(cache.hasPodsWithAffinity());
  t.false(cache.hasPodsWithRequiredAntiAffinity());
});
