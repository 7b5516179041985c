import test from 'ava';
import { newPod } from '../api/core/pod-builders.js';
import type { Container } from '../api/core/pod-types.js';
import { buildEnv, expandVars } from './env.js';
import { ContainerConfigError, mapObjectSource } from './objects.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const objects = mapObjectSource(
  [{ metadata: { name: 'cfg', namespace: 'default' }, data: { MODE: 'prod', LEVEL: 'debug' } }],
  [{ metadata: { name: 'creds', namespace: 'default' }, data: { PASSWORD: b64('s3cret'), USER: b64('admin') } }],
);

function podWith(c: Partial<Container>) {
  const pod = newPod({ spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'x', ...c }] } });
  pod.metadata.uid = 'uid-1';
  pod.metadata.labels = { app: 'web' };
  pod.status = { hostIP: '10.0.0.5', podIP: '10.244.0.7' };
  return pod;
}

const cases: { name: string; container: Partial<Container>; want: Record<string, string> }[] = [
  { name: 'literal with $(VAR) expansion', container: { env: [{ name: 'A', value: 'x' }, { name: 'B', value: '$(A)-y-$(MISSING)-$$(A)' }] }, want: { A: 'x', B: 'x-y-$(MISSING)-$(A)' } },
  { name: 'configMap and secret keys', container: { env: [{ name: 'M', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } }, { name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } }] }, want: { M: 'prod', P: 's3cret' } },
  { name: 'envFrom with prefix, env overrides', container: { envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'creds' } }], env: [{ name: 'MODE', value: 'dev' }] }, want: { MODE: 'dev', LEVEL: 'debug', S_PASSWORD: 's3cret', S_USER: 'admin' } },
  {
    name: 'downward API',
    container: { env: ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'status.hostIP', 'status.podIP', "metadata.labels['app']"].map((f, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath: f } } })) },
    want: { F0: 'web', F1: 'default', F2: 'uid-1', F3: 'node-a', F4: '10.0.0.5', F5: '10.244.0.7', F6: 'web' },
  },
  { name: 'resourceFieldRef in divisor units', container: { resources: { limits: { memory: '64Mi', cpu: '500m' } }, env: [{ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } }, { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] }, want: { MEM: '64', CPU: '1' } },
  { name: 'optional missing sources are skipped', container: { envFrom: [{ configMapRef: { name: 'nope', optional: true } }], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'NOPE', optional: true } } }] }, want: {} },
];

for (const c of cases) {
  test(`buildEnv: ${c.name}`, (t) => {
    const pod = podWith(c.container);
    const got = Object.fromEntries(buildEnv(pod, pod.spec.containers[0]!, objects).map((e) => [e.name, e.value]));
    t.deepEqual(got, c.want);
  });
}

test('buildEnv: a missing ConfigMap, Secret or key is a ContainerConfigError', (t) => {
  for (const env of [
    [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }],
    [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }],
    [{ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }],
  ]) {
    const pod = podWith({ env });
    const err = t.throws(() => buildEnv(pod, pod.spec.containers[0]!, objects));
    t.true(err instanceof ContainerConfigError);
  }
});

test('expandVars leaves unknown references and unescapes $$', (t) => {
  t.is(expandVars('$(A) $(B) $$(A) $', (n) => (n === 'A' ? '1' : undefined)), '1 $(B) $(A) $');
});
