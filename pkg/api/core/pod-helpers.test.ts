import test from 'ava';
import { controllerOf, getCondition, isControlledBy, newControllerRef } from '../kind.js';
import { newContainer, newPod } from './pod-builders.js';
import { isPodActive, isPodReady, isPodTerminal, podKey, podRequests, qosClass } from './pod-helpers.js';
import type { Container, Pod } from './pod-types.js';

const withResources = (name: string, requests: Record<string, string>, extra: Partial<Container> = {}): Container =>
  newContainer({ name, resources: { requests }, ...extra });

const requestCases: { name: string; pod: Pod; cpuMilli: number; memoryBytes: number }[] = [
  { name: 'no requests', pod: newPod(), cpuMilli: 0, memoryBytes: 0 },
  {
    name: 'sum of containers',
    pod: newPod({ spec: { containers: [withResources('a', { cpu: '100m', memory: '64Mi' }), withResources('b', { cpu: '0.5', memory: '1Gi' })] } }),
    cpuMilli: 600,
    memoryBytes: 64 * 2 ** 20 + 2 ** 30,
  },
  {
    name: 'limits stand in for missing requests',
    pod: newPod({ spec: { containers: [newContainer({ resources: { limits: { cpu: '2', memory: '128Mi' } } })] } }),
    cpuMilli: 2000,
    memoryBytes: 128 * 2 ** 20,
  },
  {
    name: 'largest init container wins when above the sum',
    pod: newPod({ spec: { initContainers: [withResources('init', { cpu: '2', memory: '10Mi' })], containers: [withResources('a', { cpu: '1', memory: '20Mi' })] } }),
    cpuMilli: 2000,
    memoryBytes: 20 * 2 ** 20,
  },
  {
    name: 'sidecars add to containers and to later init containers',
    pod: newPod({
      spec: {
        initContainers: [withResources('sidecar', { cpu: '500m' }, { restartPolicy: 'Always' }), withResources('init', { cpu: '1' })],
        containers: [withResources('a', { cpu: '200m' })],
      },
    }),
    cpuMilli: 1500,
    memoryBytes: 0,
  },
  {
    name: 'overhead is added',
    pod: newPod({ spec: { containers: [withResources('a', { cpu: '100m' })], overhead: { cpu: '50m', memory: '1Mi' } } }),
    cpuMilli: 150,
    memoryBytes: 2 ** 20,
  },
];
for (const c of requestCases) {
  test(`podRequests: ${c.name}`, (t) => {
    t.deepEqual(podRequests(c.pod), { cpuMilli: c.cpuMilli, memoryBytes: c.memoryBytes });
  });
}

const qosCases: { name: string; containers: Container[]; want: string }[] = [
  { name: 'nothing set', containers: [newContainer()], want: 'BestEffort' },
  { name: 'requests only', containers: [withResources('a', { cpu: '100m' })], want: 'Burstable' },
  {
    name: 'requests equal limits for cpu and memory',
    containers: [newContainer({ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } })],
    want: 'Guaranteed',
  },
  { name: 'limits below requests is still not guaranteed', containers: [newContainer({ resources: { requests: { cpu: '1' }, limits: { cpu: '2', memory: '1Gi' } } })], want: 'Burstable' },
  {
    name: 'one container without limits',
    containers: [newContainer({ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } } }), newContainer({ name: 'b' })],
    want: 'Burstable',
  },
];
for (const c of qosCases) {
  test(`qosClass: ${c.name}`, (t) => {
    t.is(qosClass(newPod({ spec: { containers: c.containers } })), c.want as ReturnType<typeof qosClass>);
  });
}

test('pod state helpers', (t) => {
  const pod = newPod({ namespace: 'ns1', name: 'p' });
  t.is(podKey(pod), 'ns1/p');
  t.false(isPodReady(pod));
  pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  t.true(isPodReady(pod));
  t.true(isPodActive(pod));
  t.false(isPodTerminal(pod));
  t.is(getCondition(pod.status, 'Ready')?.status, 'True');
  t.is(getCondition(pod.status, 'PodScheduled'), undefined);
  pod.status.phase = 'Succeeded';
  t.true(isPodTerminal(pod));
  t.false(isPodActive(pod));
});

test('owner reference helpers', (t) => {
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'd', uid: 'rs-uid' } };
  const ref = newControllerRef(rs, { group: 'apps', version: 'v1', kind: 'ReplicaSet' });
  t.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs-uid', controller: true, blockOwnerDeletion: true });
  const pod = newPod();
  t.is(controllerOf(pod), undefined);
  pod.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Other', name: 'x', uid: 'x' }, ref];
  t.is(controllerOf(pod), ref);
  t.true(isControlledBy(pod, rs));
  t.false(isControlledBy(pod, { metadata: { uid: 'other' } }));
});
