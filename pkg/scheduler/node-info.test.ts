import test from 'ava';
import { NodeInfo } from './node-info.js';
import { newPodInfo } from './pod-info.js';
import { newNode, newPod } from './testing/builders.js';

test('NodeInfo parses allocatable, taints and readiness', (t) => {
  const ni = new NodeInfo('n1');
  ni.setNode(
    newNode('n1', {
      cpu: '2',
      memory: '4Gi',
      pods: 10,
      extra: { 'example.com/gpu': '1' },
      taints: [
        { key: 'a', effect: 'NoSchedule' },
        { key: 'b', effect: 'PreferNoSchedule' },
      ],
      images: [{ names: ['busybox', 'docker.io/library/busybox:1.36'], sizeBytes: 5_000_000 }],
    }),
  );
  t.is(ni.allocatable.cpuMilli, 2000);
  t.is(ni.allocatable.memoryBytes, 4 * 1024 ** 3);
  t.is(ni.allocatable.pods, 10);
  t.is(ni.allocatable.scalar.get('example.com/gpu'), 1);
  t.deepEqual(ni.hardTaints.map((x) => x.key), ['a']);
  t.deepEqual(ni.preferTaints.map((x) => x.key), ['b']);
  t.true(ni.ready);
  t.is(ni.imageSizes.get('busybox:latest'), 5_000_000);
  ni.setNode(newNode('n1', { ready: 'False' }));
  t.false(ni.ready);
});

test('NodeInfo adds and removes pods incrementally', (t) => {
  const ni = new NodeInfo('n1');
  ni.setNode(newNode('n1'));
  const a = newPodInfo(newPod('a', { cpu: '500m', memory: '1Gi', hostPorts: [80] }));
  const b = newPodInfo(
    newPod('b', {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { x: 'y' } }, topologyKey: 'zone' }] } },
    }),
  );
  ni.addPod(a);
  ni.addPod(b);
  t.is(ni.requested.cpuMilli, 500);
  t.is(ni.requested.pods, 2);
  t.is(ni.nonZeroCpuMilli, 600);
  t.true(ni.usedPorts.has('TCP/80'));
  t.true(ni.podsWithRequiredAntiAffinity.has('default/b'));
  t.true(ni.removePod('default/a'));
  t.false(ni.removePod('default/a'));
  t.is(ni.requested.cpuMilli, 0);
  t.is(ni.requested.memoryBytes, 0);
  t.false(ni.usedPorts.has('TCP/80'));
  t.true(ni.removePod('default/b'));
  t.is(ni.podsWithRequiredAntiAffinity.size, 0);
  t.is(ni.requested.pods, 0);
});
