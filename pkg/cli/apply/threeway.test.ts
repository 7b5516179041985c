import test from 'ava';
import '../../api/index.js';
import { applyStrategicMergePatch } from '../../apiserver/patch.js';
import { kindFor } from '../../api/scheme.js';
import { threeWayMergePatch } from './threeway.js';

const deploymentSchema = kindFor('apps/v1', 'Deployment')!.schema;

function deployment(opts: { image?: string; env?: Record<string, string>; labels?: Record<string, string>; replicas?: number; sidecar?: boolean }) {
  const containers: Record<string, unknown>[] = [
    { name: 'web', image: opts.image ?? 'web:v1', ...(opts.env ? { env: Object.entries(opts.env).map(([name, value]) => ({ name, value })) } : {}) },
  ];
  if (opts.sidecar) containers.push({ name: 'sidecar', image: 'busybox' });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: opts.labels ?? { app: 'web' } },
    spec: {
      ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    },
  };
}

// live is what the server holds after applying `applied`, plus what others (defaults, scale) set.
function live(applied: ReturnType<typeof deployment>, extra: { replicas?: number } = {}) {
  const l = structuredClone(applied) as any;
  l.metadata.uid = 'u1';
  l.metadata.resourceVersion = '7';
  l.spec.replicas = extra.replicas ?? applied.spec.replicas ?? 1;
  l.spec.strategy = { type: 'RollingUpdate' };
  for (const c of l.spec.template.spec.containers) {
    c.imagePullPolicy = 'IfNotPresent';
    c.terminationMessagePath = '/dev/termination-log';
  }
  l.status = { replicas: 1 };
  return l;
}

test('three-way patches: table of cases', (t) => {
  const cases = [
    {
      name: 'nothing changed is an empty patch',
      original: deployment({ env: { A: '1' } }),
      modified: deployment({ env: { A: '1' } }),
      want: {},
    },
    {
      name: 'image change patches only the container by name',
      original: deployment({}),
      modified: deployment({ image: 'web:v2' }),
      want: { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:v2' }] } } } },
    },
    {
      name: 'a removed env var is deleted by key, the rest is kept',
      original: deployment({ env: { A: '1', B: '2' } }),
      modified: deployment({ env: { A: '1' } }),
      want: { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'B', $patch: 'delete' }] }] } } } },
    },
    {
      name: 'a removed label is nulled, an added one set',
      original: deployment({ labels: { app: 'web', old: 'x' } }),
      modified: deployment({ labels: { app: 'web', tier: 'front' } }),
      want: { metadata: { labels: { tier: 'front', old: null } } },
    },
    {
      name: 'a removed container is deleted by name',
      original: deployment({ sidecar: true }),
      modified: deployment({}),
      want: { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } },
    },
    {
      name: 'replicas set by others are kept when the file never had them',
      original: deployment({}),
      modified: deployment({}),
      liveExtra: { replicas: 5 },
      want: {},
    },
    {
      name: 'replicas the file dropped are removed',
      original: deployment({ replicas: 3 }),
      modified: deployment({}),
      want: { spec: { replicas: null } },
    },
  ];
  for (const c of cases) {
    const current = live(c.original, c.liveExtra);
    const patch = threeWayMergePatch(c.original, c.modified, current, deploymentSchema);
    t.deepEqual(patch, c.want, c.name);
  }
});

test('applying the patch gives exactly the file plus what others set', (t) => {
  const original = deployment({ env: { A: '1', B: '2' }, labels: { app: 'web', old: 'x' }, sidecar: true });
  const modified = deployment({ image: 'web:v2', env: { A: '1' }, labels: { app: 'web', tier: 'front' } });
  const current = live(original, { replicas: 4 });
  const result = applyStrategicMergePatch(current, threeWayMergePatch(original, modified, current, deploymentSchema), deploymentSchema) as any;
  t.deepEqual(result.metadata.labels, { app: 'web', tier: 'front' });
  t.is(result.spec.replicas, 4, 'scaled replicas survive');
  t.deepEqual(result.spec.template.spec.containers, [
    { name: 'web', image: 'web:v2', env: [{ name: 'A', value: '1' }], imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' },
  ]);
  t.deepEqual(result.spec.strategy, { type: 'RollingUpdate' }, 'defaults set by the server are kept');
});

test('without a last-applied configuration nothing is deleted; without a schema lists are replaced', (t) => {
  const modified = deployment({ image: 'web:v2' });
  const current = live(deployment({ sidecar: true }));
  const patch = threeWayMergePatch(undefined, modified, current, deploymentSchema) as any;
  t.deepEqual(patch, { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:v2' }] } } } });
  const noSchema = threeWayMergePatch({ a: [1, 2] }, { a: [1] }, { a: [1, 2], b: 1 }) as any;
  t.deepEqual(noSchema, { a: [1] });
});
