// Tests of the smaller core/v1 kinds: Namespace, Node, Endpoints, ConfigMap, Secret, Event,
// ServiceAccount, and the Binding body.
import test from 'ava';
import type { KubeObject } from '../meta.js';
import { structuralErrors } from '../schema.js';
import { kindFor } from '../scheme.js';
import { validateBinding } from './binding.js';
import { configMapKind } from './configmap.js';
import { endpointsKind } from './endpoints.js';
import { eventKind } from './event.js';
import { namespaceKind } from './namespace.js';
import { nodeKind } from './node.js';
import { secretKind } from './secret.js';
import { serviceAccountKind } from './serviceaccount.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('core kinds are registered', (t) => {
  for (const kind of ['Namespace', 'Node', 'Endpoints', 'ConfigMap', 'Secret', 'Event', 'ServiceAccount']) t.truthy(kindFor('v1', kind), kind);
  t.false(namespaceKind.namespaced);
  t.false(nodeKind.namespaced);
  t.is(endpointsKind.listKind, 'EndpointsList');
});

test('Namespace defaults: finalizer, phase, name label', (t) => {
  const ns = { metadata: { name: 'team-a' } } as KubeObject;
  namespaceKind.defaults(ns);
  t.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  t.deepEqual(ns.status, { phase: 'Active' });
  t.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  t.deepEqual(namespaceKind.validate(ns), []);
  t.deepEqual(namespaceKind.selectableFields!(ns), { 'status.phase': 'Active' });
});

type Case = { name: string; obj: KubeObject; fields: string[] };
const validationCases: { kind: typeof nodeKind; cases: Case[] }[] = [
  {
    kind: namespaceKind,
    cases: [
      { name: 'name must be a DNS label', obj: { metadata: { name: 'a.b' } }, fields: ['metadata.name'] },
      { name: 'namespace not allowed', obj: { metadata: { name: 'a', namespace: 'b' } }, fields: ['metadata.namespace'] },
    ],
  },
  {
    kind: nodeKind,
    cases: [
      { name: 'valid node', obj: { metadata: { name: 'node-a' }, spec: { podCIDR: '10.244.1.0/24', taints: [{ key: 'k', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '2', memory: '4Gi' } } }, fields: [] },
      { name: 'bad taint effect', obj: { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } }, fields: ['spec.taints[0].effect'] },
      { name: 'duplicate taints', obj: { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', value: 'x', effect: 'NoSchedule' }] } }, fields: ['spec.taints[1]'] },
      { name: 'bad podCIDR', obj: { metadata: { name: 'n' }, spec: { podCIDR: '10.244.1.0' } }, fields: ['spec.podCIDR'] },
      { name: 'negative capacity', obj: { metadata: { name: 'n' }, status: { capacity: { cpu: '-1' } } }, fields: ['status.capacity[cpu]', 'status.allocatable[cpu]'] },
    ],
  },
  {
    kind: endpointsKind,
    cases: [
      { name: 'valid', obj: { metadata: { name: 'web', namespace: 'd' }, subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ port: 8080 }] }] }, fields: [] },
      { name: 'bad ip', obj: { metadata: { name: 'web', namespace: 'd' }, subsets: [{ addresses: [{ ip: 'x' }], ports: [{ port: 8080 }] }] }, fields: ['subsets[0].addresses[0].ip'] },
      { name: 'empty subset', obj: { metadata: { name: 'web', namespace: 'd' }, subsets: [{ ports: [{ port: 80 }] }] }, fields: ['subsets[0]'] },
    ],
  },
  {
    kind: configMapKind,
    cases: [
      { name: 'valid', obj: { metadata: { name: 'c', namespace: 'd' }, data: { 'app.conf': 'x' }, binaryData: { blob: b64('y') } }, fields: [] },
      { name: 'bad key', obj: { metadata: { name: 'c', namespace: 'd' }, data: { 'a/b': 'x' } }, fields: ['data[a/b]'] },
      { name: 'key in both maps', obj: { metadata: { name: 'c', namespace: 'd' }, data: { k: 'x' }, binaryData: { k: b64('y') } }, fields: ['binaryData[k]'] },
      { name: 'too large', obj: { metadata: { name: 'c', namespace: 'd' }, data: { k: 'x'.repeat(1024 * 1024 + 1) } }, fields: [''] },
    ],
  },
  {
    kind: secretKind,
    cases: [
      { name: 'valid', obj: { metadata: { name: 's', namespace: 'd' }, data: { password: b64('hunter2') } }, fields: [] },
      { name: 'not base64', obj: { metadata: { name: 's', namespace: 'd' }, data: { password: 'not base64!' } }, fields: ['data[password]'] },
      { name: 'tls needs key and cert', obj: { metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }, fields: ['data[tls.key]'] },
      { name: 'dockerconfigjson must be JSON', obj: { metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{') } }, fields: ['data[.dockerconfigjson]'] },
      { name: 'service account token needs annotation', obj: { metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/service-account-token' }, fields: ['metadata.annotations[kubernetes.io/service-account.name]'] },
      { name: 'too large', obj: { metadata: { name: 's', namespace: 'd' }, data: { k: b64('x'.repeat(1024 * 1024 + 1)) } }, fields: ['data'] },
    ],
  },
  {
    kind: eventKind,
    cases: [
      { name: 'valid', obj: { metadata: { name: 'web.1', namespace: 'd' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'd' }, reason: 'Scheduled', count: 1 }, fields: [] },
      { name: 'namespace mismatch', obj: { metadata: { name: 'e', namespace: 'd' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'x' } }, fields: ['involvedObject.namespace'] },
      { name: 'bad type', obj: { metadata: { name: 'e', namespace: 'd' }, involvedObject: { kind: 'Pod' }, type: 'Error' }, fields: ['type'] },
      { name: 'eventTime needs reporter', obj: { metadata: { name: 'e', namespace: 'd' }, involvedObject: { kind: 'Pod' }, eventTime: '2024-01-01T00:00:00.000000Z' }, fields: ['reportingComponent', 'reportingInstance', 'action'] },
    ],
  },
  {
    kind: serviceAccountKind,
    cases: [
      { name: 'valid', obj: { metadata: { name: 'default', namespace: 'd' }, imagePullSecrets: [{ name: 'regcred' }] }, fields: [] },
      { name: 'pull secret without name', obj: { metadata: { name: 'default', namespace: 'd' }, imagePullSecrets: [{}] }, fields: ['imagePullSecrets[0].name'] },
    ],
  },
];
for (const { kind, cases } of validationCases) {
  for (const c of cases) {
    test(`${kind.kind} validation: ${c.name}`, (t) => {
      const obj = structuredClone(c.obj);
      t.deepEqual(structuralErrors(kind.schema, obj), []);
      kind.defaults(obj);
      const errs = kind.validate(obj);
      t.deepEqual(errs.map((e) => e.field), c.fields, JSON.stringify(errs));
    });
  }
}

test('Node defaults allocatable to capacity; podCIDR is immutable once set', (t) => {
  const node: KubeObject = { metadata: { name: 'n' }, spec: { podCIDR: '10.244.1.0/24' }, status: { capacity: { cpu: '2' } } };
  nodeKind.defaults(node);
  t.deepEqual((node.status as any).allocatable, { cpu: '2' });
  const changed = structuredClone(node);
  (changed.spec as any).podCIDR = '10.244.2.0/24';
  t.deepEqual(nodeKind.validateUpdate!(changed, node).map((e) => e.field), ['spec.podCIDR']);
  t.deepEqual(nodeKind.selectableFields!(node), { 'spec.unschedulable': 'false' });
});

test('Secret defaults: type Opaque, stringData merged into data', (t) => {
  const s: KubeObject = { metadata: { name: 's', namespace: 'd' }, data: { a: b64('1') }, stringData: { b: 'two' } };
  secretKind.defaults(s);
  t.is(s.type, 'Opaque');
  t.deepEqual(s.data, { a: b64('1'), b: b64('two') });
  t.is(s.stringData, undefined);
  t.deepEqual(secretKind.selectableFields!(s), { type: 'Opaque' });
});

const immutableCases: { name: string; kind: typeof secretKind; old: KubeObject; change: (o: KubeObject) => void; fields: string[] }[] = [
  { name: 'mutable ConfigMap data may change', kind: configMapKind, old: { metadata: { name: 'c' }, data: { a: '1' } }, change: (o) => ((o.data as any).a = '2'), fields: [] },
  { name: 'immutable ConfigMap data may not change', kind: configMapKind, old: { metadata: { name: 'c' }, immutable: true, data: { a: '1' } }, change: (o) => ((o.data as any).a = '2'), fields: ['data'] },
  { name: 'immutable flag may not be unset', kind: configMapKind, old: { metadata: { name: 'c' }, immutable: true }, change: (o) => (o.immutable = false), fields: ['immutable'] },
  { name: 'immutable Secret data may not change', kind: secretKind, old: { metadata: { name: 's' }, type: 'Opaque', immutable: true, data: { a: b64('1') } }, change: (o) => ((o.data as any).b = b64('2')), fields: ['data'] },
  { name: 'Secret type is immutable', kind: secretKind, old: { metadata: { name: 's' }, type: 'Opaque' }, change: (o) => (o.type = 'kubernetes.io/tls'), fields: ['type'] },
];
for (const c of immutableCases) {
  test(`update: ${c.name}`, (t) => {
    const next = structuredClone(c.old);
    c.change(next);
    t.deepEqual(c.kind.validateUpdate!(next, c.old).map((e) => e.field), c.fields);
  });
}

test('Event defaults type Normal and exposes selectable fields', (t) => {
  const ev: KubeObject = { metadata: { name: 'e', namespace: 'd' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'd', uid: 'u1' }, reason: 'Pulled', source: { component: 'agent' } };
  eventKind.defaults(ev);
  t.is(ev.type, 'Normal');
  const f = eventKind.selectableFields!(ev);
  t.is(f['involvedObject.kind'], 'Pod');
  t.is(f['involvedObject.name'], 'web');
  t.is(f['involvedObject.uid'], 'u1');
  t.is(f.reason, 'Pulled');
  t.is(f.source, 'agent');
  t.is(f.type, 'Normal');
});

test('Binding validation', (t) => {
  t.deepEqual(validateBinding({ metadata: { name: 'web' }, target: { kind: 'Node', name: 'node-a' } }), []);
  t.deepEqual(validateBinding({ metadata: { name: 'web' }, target: { kind: 'Pod', name: 'Node A' } }).map((e) => e.field), ['target.kind', 'target.name']);
});
