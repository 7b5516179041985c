import test from 'ava';
import { FieldPath } from './field.js';
import type { ObjectMeta } from './meta.js';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  nameIsDNSLabel,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './validation.js';

const stringCases: { name: string; fn: (v: string) => string[]; valid: string[]; invalid: string[] }[] = [
  { name: 'DNS-1123 label', fn: isDNS1123Label, valid: ['a', 'my-name', '123-abc', 'a'.repeat(63)], invalid: ['', 'A', '-a', 'a-', 'a.b', 'a'.repeat(64)] },
  { name: 'DNS-1123 subdomain', fn: isDNS1123Subdomain, valid: ['example.com', 'a', 'a-b.c-d', '1.2'], invalid: ['', 'Example', '.a', 'a..b', 'a_b', 'a'.repeat(254)] },
  { name: 'DNS-1035 label', fn: isDNS1035Label, valid: ['my-name', 'abc-123'], invalid: ['123-abc', '-a', 'A', ''] },
  { name: 'qualified name', fn: isQualifiedName, valid: ['app', 'MyName', 'my.name', 'example.com/MyName', 'k8s.io/a_b'], invalid: ['', '/a', 'a/', 'a/b/c', '-a', 'Example.com/a', 'a'.repeat(64)] },
  { name: 'label value', fn: isValidLabelValue, valid: ['', 'MyValue', 'my_value', '12345'], invalid: ['-a', 'a b', 'a'.repeat(64)] },
  { name: 'config map key', fn: isConfigMapKey, valid: ['key.name', 'KEY_NAME', 'key-name', '.dockercfg'], invalid: ['', '.', '..', '..a', 'a/b', 'a b'] },
  { name: 'env var name', fn: isEnvVarName, valid: ['A', 'my.env-name', 'MY_ENV.NAME', '_x'], invalid: ['', '1A', 'a b', '..'] },
  { name: 'port name', fn: isValidPortName, valid: ['http', 'web-8080', 'h2c'], invalid: ['', '8080', 'HTTP', 'a--b', '-a', 'a'.repeat(16)] },
  { name: 'IP', fn: isValidIP, valid: ['10.0.0.1', '::1', '2001:db8::1'], invalid: ['', '10.0.0', '10.0.0.256', 'host'] },
  { name: 'CIDR', fn: isValidCIDR, valid: ['10.244.0.0/16', 'fd00::/64'], invalid: ['10.0.0.0', '10.0.0.0/33', 'x/8'] },
];
for (const c of stringCases) {
  test(`${c.name}: valid and invalid values`, (t) => {
    for (const v of c.valid) t.deepEqual(c.fn(v), [], `expected ${JSON.stringify(v)} to be valid`);
    for (const v of c.invalid) t.not(c.fn(v).length, 0, `expected ${JSON.stringify(v)} to be invalid`);
  });
}

test('generateName prefixes may end in a dash', (t) => {
  t.deepEqual(nameIsDNSLabel('web-', true), []);
  t.not(nameIsDNSLabel('web-', false).length, 0);
});

const metaCases: { name: string; meta: ObjectMeta; namespaced?: boolean; fields: string[] }[] = [
  { name: 'valid', meta: { name: 'a', namespace: 'default', labels: { app: 'x' }, annotations: { 'example.com/a': 'b' } }, fields: [] },
  { name: 'generateName without name', meta: { generateName: 'web-', namespace: 'default' }, fields: [] },
  { name: 'missing name', meta: { namespace: 'default' }, fields: ['metadata.name'] },
  { name: 'bad name', meta: { name: 'Web', namespace: 'default' }, fields: ['metadata.name'] },
  { name: 'bad generateName', meta: { generateName: 'Web-', namespace: 'default' }, fields: ['metadata.generateName'] },
  { name: 'missing namespace', meta: { name: 'a' }, fields: ['metadata.namespace'] },
  { name: 'namespace on cluster-scoped', meta: { name: 'a', namespace: 'default' }, namespaced: false, fields: ['metadata.namespace'] },
  { name: 'bad label key', meta: { name: 'a', namespace: 'd', labels: { '-x': 'y' } }, fields: ['metadata.labels'] },
  { name: 'bad label value', meta: { name: 'a', namespace: 'd', labels: { x: 'y y' } }, fields: ['metadata.labels'] },
  { name: 'bad annotation key', meta: { name: 'a', namespace: 'd', annotations: { 'a b': 'y' } }, fields: ['metadata.annotations'] },
  { name: 'annotations too large', meta: { name: 'a', namespace: 'd', annotations: { big: 'x'.repeat(256 * 1024) } }, fields: ['metadata.annotations'] },
  {
    name: 'owner reference missing uid',
    meta: { name: 'a', namespace: 'd', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: '' }] },
    fields: ['metadata.ownerReferences[0].uid'],
  },
  {
    name: 'two controllers',
    meta: {
      name: 'a',
      namespace: 'd',
      ownerReferences: [
        { apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
        { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true },
      ],
    },
    fields: ['metadata.ownerReferences'],
  },
  { name: 'bad finalizer', meta: { name: 'a', namespace: 'd', finalizers: ['a b'] }, fields: ['metadata.finalizers[0]'] },
  { name: 'duplicate finalizer', meta: { name: 'a', namespace: 'd', finalizers: ['x/y', 'x/y'] }, fields: ['metadata.finalizers[1]'] },
];
for (const c of metaCases) {
  test(`validateObjectMeta: ${c.name}`, (t) => {
    const errs = validateObjectMeta(c.meta, { namespaced: c.namespaced ?? true });
    t.deepEqual(errs.map((e) => e.field), c.fields, JSON.stringify(errs));
  });
}

const updateCases: { name: string; meta: ObjectMeta; old: ObjectMeta; fields: string[] }[] = [
  { name: 'labels may change', meta: { name: 'a', uid: 'u', labels: { x: 'y' } }, old: { name: 'a', uid: 'u' }, fields: [] },
  { name: 'name is immutable', meta: { name: 'b', uid: 'u' }, old: { name: 'a', uid: 'u' }, fields: ['metadata.name'] },
  { name: 'uid is immutable', meta: { name: 'a', uid: 'v' }, old: { name: 'a', uid: 'u' }, fields: ['metadata.uid'] },
  { name: 'namespace is immutable', meta: { name: 'a', namespace: 'x' }, old: { name: 'a', namespace: 'y' }, fields: ['metadata.namespace'] },
  {
    name: 'no new finalizers while deleting',
    meta: { name: 'a', deletionTimestamp: 't', finalizers: ['a/b'] },
    old: { name: 'a', deletionTimestamp: 't' },
    fields: ['metadata.finalizers'],
  },
];
for (const c of updateCases) {
  test(`validateObjectMetaUpdate: ${c.name}`, (t) => {
    t.deepEqual(validateObjectMetaUpdate(c.meta, c.old, new FieldPath('metadata')).map((e) => e.field), c.fields);
  });
}
