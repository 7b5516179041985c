import test from 'ava';
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, newPodInfo, normalizeImage, termMatches } from './pod-info.js';
import { newPod } from './testing/builders.js';

test('newPodInfo: requests in plain numbers, defaults for scoring', (t) => {
  const info = newPodInfo(newPod('a', { cpu: '250m', memory: '64Mi', extra: { 'example.com/gpu': '2' } }));
  t.is(info.cpuMilli, 250);
  t.is(info.memoryBytes, 64 * 1024 * 1024);
  t.is(info.scalar?.get('example.com/gpu'), 2);
  t.is(info.nonZeroCpuMilli, 250);
  const empty = newPodInfo(newPod('b'));
  t.is(empty.cpuMilli, 0);
  t.is(empty.nonZeroCpuMilli, DEFAULT_MILLI_CPU_REQUEST);
  t.is(empty.nonZeroMemoryBytes, DEFAULT_MEMORY_REQUEST);
  t.is(empty.scalar, undefined);
});

test('newPodInfo: init containers raise requests as Kubernetes counts them', (t) => {
  const pod = newPod('a', { cpu: '100m', initContainers: [{ name: 'init', image: 'x', resources: { requests: { cpu: '1' } } }] });
  t.is(newPodInfo(pod).cpuMilli, 1000);
  const sidecar = newPod('b', { cpu: '100m', initContainers: [{ name: 'side', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } }] });
  t.is(newPodInfo(sidecar).cpuMilli, 300);
});

test('newPodInfo: host ports and images', (t) => {
  const info = newPodInfo(newPod('a', { hostPorts: [80, 443], image: 'nginx' }));
  t.deepEqual(info.hostPorts, [
    { protocol: 'TCP', ip: '0.0.0.0', port: 80 },
    { protocol: 'TCP', ip: '0.0.0.0', port: 443 },
  ]);
  t.deepEqual(info.images, ['nginx:latest']);
});

test('normalizeImage keeps tags, digests and registry ports', (t) => {
  t.is(normalizeImage('busybox'), 'busybox:latest');
  t.is(normalizeImage('busybox:1.36'), 'busybox:1.36');
  t.is(normalizeImage('registry:5000/app'), 'registry:5000/app:latest');
  t.is(normalizeImage('app@sha256:abc'), 'app@sha256:abc');
});

test('affinity terms: default namespace is the pod’s own; {} namespaceSelector is all', (t) => {
  const info = newPodInfo(
    newPod('a', {
      namespace: 'team',
      labels: { app: 'web' },
      affinity: {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' }] },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname', namespaceSelector: {} }],
        },
      },
    }),
  );
  const [aff] = info.requiredAffinity;
  t.true(termMatches(aff, newPod('db', { namespace: 'team', labels: { app: 'db' } })));
  t.false(termMatches(aff, newPod('db', { namespace: 'other', labels: { app: 'db' } })));
  const [anti] = info.requiredAntiAffinity;
  t.true(termMatches(anti, newPod('w', { namespace: 'other', labels: { app: 'web' } })));
});

test('affinity terms: matchLabelKeys narrows the selector with the pod’s own labels', (t) => {
  const info = newPodInfo(
    newPod('a', {
      labels: { app: 'web', rev: '2' },
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone', matchLabelKeys: ['rev'] }],
        },
      },
    }),
  );
  const [anti] = info.requiredAntiAffinity;
  t.true(termMatches(anti, newPod('x', { labels: { app: 'web', rev: '2' } })));
  t.false(termMatches(anti, newPod('y', { labels: { app: 'web', rev: '1' } })));
});

test('spread constraints: defaults for policies and minDomains', (t) => {
  const info = newPodInfo(
    newPod('a', { labels: { app: 'web' }, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] }),
  );
  const [c] = info.spreadConstraints;
  t.is(c.minDomains, 1);
  t.true(c.honorNodeAffinity);
  t.false(c.honorNodeTaints);
  t.true(c.selector.matches({ app: 'web' }));
});
