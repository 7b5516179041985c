// Tests of the kinds outside core, apps and batch: Lease, EndpointSlice, PriorityClass, and
// the Scale and Eviction subresource bodies.
import test from 'ava';
import { scaleSchema, validateScale, type Scale } from './autoscaling.js';
import { leaseKind } from './coordination.js';
import { endpointSliceKind } from './discovery.js';
import type { KubeObject } from './meta.js';
import { evictionSchema, validateEviction, type Eviction } from './policy.js';
import { structuralErrors } from './schema.js';
import { priorityClassKind } from './scheduling.js';

type Case = { name: string; obj: KubeObject; fields: string[] };
const slice = (over: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'web-abc12', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: true }, nodeName: 'node-a' }],
  ports: [{ name: 'http', port: 8080 }],
  ...over,
});

const cases: { kind: typeof leaseKind; cases: Case[] }[] = [
  {
    kind: leaseKind,
    cases: [
      { name: 'valid', obj: { metadata: { name: 'node-a', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-a', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.000000Z' } }, fields: [] },
      { name: 'zero duration', obj: { metadata: { name: 'l', namespace: 'd' }, spec: { leaseDurationSeconds: 0 } }, fields: ['spec.leaseDurationSeconds'] },
      { name: 'negative transitions', obj: { metadata: { name: 'l', namespace: 'd' }, spec: { leaseTransitions: -1 } }, fields: ['spec.leaseTransitions'] },
      { name: 'bad renewTime', obj: { metadata: { name: 'l', namespace: 'd' }, spec: { renewTime: 'yesterday' } }, fields: ['spec.renewTime'] },
      { name: 'preferredHolder without strategy', obj: { metadata: { name: 'l', namespace: 'd' }, spec: { preferredHolder: 'x' } }, fields: ['spec.strategy'] },
    ],
  },
  {
    kind: endpointSliceKind,
    cases: [
      { name: 'valid', obj: slice(), fields: [] },
      { name: 'bad address type', obj: slice({ addressType: 'IPv5' }), fields: ['addressType'] },
      { name: 'address of the wrong family', obj: slice({ endpoints: [{ addresses: ['fd00::1'] }] }), fields: ['endpoints[0].addresses[0]'] },
      { name: 'endpoint without addresses', obj: slice({ endpoints: [{ addresses: [] }] }), fields: ['endpoints[0].addresses'] },
      { name: 'duplicate port names', obj: slice({ ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] }), fields: ['ports[1].name'] },
      { name: 'too many endpoints', obj: slice({ endpoints: Array.from({ length: 1001 }, () => ({ addresses: ['10.0.0.1'] })) }), fields: ['endpoints'] },
    ],
  },
  {
    kind: priorityClassKind,
    cases: [
      { name: 'valid', obj: { metadata: { name: 'high' }, value: 1000 }, fields: [] },
      { name: 'system class', obj: { metadata: { name: 'system-node-critical' }, value: 2000001000 }, fields: [] },
      { name: 'reserved prefix', obj: { metadata: { name: 'system-mine' }, value: 1 }, fields: ['metadata.name'] },
      { name: 'value too high', obj: { metadata: { name: 'huge' }, value: 1_000_000_001 }, fields: ['value'] },
      { name: 'bad preemption policy', obj: { metadata: { name: 'p' }, value: 1, preemptionPolicy: 'Always' }, fields: ['preemptionPolicy'] },
    ],
  },
];
for (const { kind, cases: list } of cases) {
  for (const c of list) {
    test(`${kind.kind} validation: ${c.name}`, (t) => {
      const obj = structuredClone(c.obj);
      t.deepEqual(structuralErrors(kind.schema, obj), []);
      kind.defaults(obj);
      t.deepEqual(kind.validate(obj).map((e) => e.field), c.fields);
    });
  }
}

test('EndpointSlice defaults port name and protocol; addressType is immutable', (t) => {
  const s = slice({ ports: [{ port: 80 }] });
  endpointSliceKind.defaults(s);
  t.deepEqual(s.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  const next = structuredClone(s);
  next.addressType = 'IPv6';
  t.deepEqual(endpointSliceKind.validateUpdate!(next, s).map((e) => e.field), ['addressType']);
});

test('PriorityClass defaults preemptionPolicy; value is immutable', (t) => {
  const pc: KubeObject = { metadata: { name: 'high' }, value: 10 };
  priorityClassKind.defaults(pc);
  t.is(pc.preemptionPolicy, 'PreemptLowerPriority');
  const next = { ...structuredClone(pc), value: 11 };
  t.deepEqual(priorityClassKind.validateUpdate!(next, pc).map((e) => e.field), ['value']);
  t.false(priorityClassKind.namespaced);
});

test('Lease schema rejects unknown fields', (t) => {
  const lease = { metadata: { name: 'l', namespace: 'd' }, spec: { holder: 'x' } };
  t.deepEqual(structuralErrors(leaseKind.schema, lease).map((e) => e.field), ['spec.holder']);
});

test('Scale body', (t) => {
  const scale: Scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'd' }, spec: { replicas: -1 }, status: { replicas: 2, selector: 'app=web' } };
  t.deepEqual(structuralErrors(scaleSchema, scale), []);
  t.deepEqual(validateScale(scale).map((e) => e.field), ['spec.replicas']);
  t.deepEqual(structuralErrors(scaleSchema, { ...scale, spec: { replica: 1 } }).map((e) => e.field), ['spec.replica']);
});

test('Eviction body', (t) => {
  const ev: Eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web', namespace: 'd' }, deleteOptions: { gracePeriodSeconds: 0, propagationPolicy: 'Background' } };
  t.deepEqual(structuralErrors(evictionSchema, ev), []);
  t.deepEqual(validateEviction(ev), []);
  t.deepEqual(validateEviction({ ...ev, deleteOptions: { gracePeriodSeconds: -1, propagationPolicy: 'Later' as never } }).map((e) => e.field), [
    'deleteOptions.gracePeriodSeconds',
    'deleteOptions.propagationPolicy',
  ]);
});
