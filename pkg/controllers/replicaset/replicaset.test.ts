import test from 'ava';
import type { ReplicaSet } from '../../api/apps/replicaset.js';
import type { Pod } from '../../api/core/pod-types.js';
import { newControllerRef } from '../../api/kind.js';
import { newPod, newReplicaSet } from '../testing/builders.js';
import { type FakeEnv, startFakeEnv } from '../testing/env.js';
import { ReplicaSetController } from './replicaset.js';

const gvk = { group: 'apps', version: 'v1', kind: 'ReplicaSet' };
const pods = (env: FakeEnv) => env.server.objects('/v1/pods') as Pod[];
const rsOf = (env: FakeEnv, name = 'web') => env.server.objects('apps/v1/replicasets').find((r) => r.metadata.name === name) as ReplicaSet;

async function setup(t: { teardown(fn: () => Promise<void>): void }, rs: ReplicaSet): Promise<{ env: FakeEnv; c: ReplicaSetController; rs: ReplicaSet }> {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  const stored = env.server.seed('apps/v1/replicasets', rs) as ReplicaSet;
  const c = new ReplicaSetController(env.ctx);
  return { env, c, rs: stored };
}

test('creates the missing pods once, even before the informer has seen them', async (t) => {
  const { env, c } = await setup(t, newReplicaSet('web', 3));
  await env.start();
  await c.sync('default/web');
  t.is(pods(env).length, 3);
  for (const p of pods(env)) {
    t.is(p.metadata.labels?.app, 'web');
    t.true(p.metadata.name?.startsWith('web-'));
    t.is(p.metadata.ownerReferences?.[0].kind, 'ReplicaSet');
    t.true(p.metadata.ownerReferences?.[0].controller);
  }
  // The expectations hold a second sync back although the cache may not show the pods yet.
  await c.sync('default/web');
  t.is(pods(env).length, 3);
  await env.settle();
  t.true(c.expectations.satisfied('default/web'));
  await c.sync('default/web');
  t.is(pods(env).length, 3);
  t.is(rsOf(env).status?.replicas, 3);
  t.is(rsOf(env).status?.observedGeneration, 1);
});

test('scales down unscheduled, then not-ready, then newest pods first', async (t) => {
  const { env, c, rs } = await setup(t, newReplicaSet('web', 2, { uid: 'rs-uid' }));
  const owner = newControllerRef(rs, gvk);
  const now = env.clock.now();
  const labels = { app: 'web' };
  env.server.seed('/v1/pods', newPod('old-ready', { labels, owner, nodeName: 'n1', readySince: now - 100_000, created: now - 200_000 }));
  env.server.seed('/v1/pods', newPod('new-ready', { labels, owner, nodeName: 'n1', readySince: now - 100_000, created: now - 100_000 }));
  env.server.seed('/v1/pods', newPod('not-ready', { labels, owner, nodeName: 'n1', phase: 'Running', created: now - 300_000 }));
  env.server.seed('/v1/pods', newPod('unscheduled', { labels, owner, created: now - 400_000 }));
  await env.start();
  await c.sync('default/web');
  t.deepEqual(pods(env).map((p) => p.metadata.name).sort(), ['new-ready', 'old-ready']);

  // Among equally ready pods, the newer goes.
  const scaled = structuredClone(rsOf(env));
  scaled.spec.replicas = 1;
  env.server.seed('apps/v1/replicasets', scaled);
  await env.settle();
  await c.sync('default/web');
  t.deepEqual(pods(env).map((p) => p.metadata.name), ['old-ready']);
});

test('adopts matching orphans and releases owned pods that stop matching', async (t) => {
  const { env, c, rs } = await setup(t, newReplicaSet('web', 2));
  env.server.seed('/v1/pods', newPod('orphan', { labels: { app: 'web' } }));
  env.server.seed('/v1/pods', newPod('relabelled', { labels: { app: 'other' }, owner: newControllerRef(rs, gvk) }));
  env.server.seed('/v1/pods', newPod('foreign', { labels: { app: 'web' }, owner: { ...newControllerRef(rs, gvk), uid: 'someone-else' } }));
  await env.start();
  await c.sync('default/web');
  const byName = new Map(pods(env).map((p) => [p.metadata.name, p]));
  t.is(byName.get('orphan')?.metadata.ownerReferences?.[0].uid, rs.metadata.uid);
  t.deepEqual(byName.get('relabelled')?.metadata.ownerReferences, []);
  t.is(byName.get('foreign')?.metadata.ownerReferences?.[0].uid, 'someone-else');
  // One adopted pod plus one new pod make two.
  t.is(pods(env).filter((p) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid).length, 2);
});

test('availableReplicas waits for minReadySeconds on the injected clock', async (t) => {
  const { env, c, rs } = await setup(t, newReplicaSet('web', 2, { minReadySeconds: 10 }));
  const owner = newControllerRef(rs, gvk);
  const now = env.clock.now();
  env.server.seed('/v1/pods', newPod('a', { labels: { app: 'web' }, owner, nodeName: 'n', readySince: now - 20_000 }));
  env.server.seed('/v1/pods', newPod('b', { labels: { app: 'web' }, owner, nodeName: 'n', readySince: now - 4_000 }));
  await env.start();
  const result = await c.sync('default/web');
  t.deepEqual(result, { requeueAfter: 6_001 });
  t.like(rsOf(env).status, { replicas: 2, readyReplicas: 2, availableReplicas: 1 });
  await env.settle();
  env.clock.step(6_001);
  t.is(await c.sync('default/web'), undefined);
  t.like(rsOf(env).status, { replicas: 2, readyReplicas: 2, availableReplicas: 2 });
});

test('a failed create is reported in status and retried', async (t) => {
  const { env, c } = await setup(t, newReplicaSet('web', 4));
  env.server.failNext(1, { status: 403, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 403, reason: 'Forbidden', message: 'namespace is terminating' } }, (r) => r.method === 'POST');
  await env.start();
  await t.throwsAsync(c.sync('default/web'));
  // Slow start: the first batch of one failed, so nothing else was tried.
  t.is(pods(env).length, 0);
  t.true(c.expectations.satisfied('default/web'));
  t.is(rsOf(env).status?.conditions?.[0].type, 'ReplicaFailure');
  await env.settle();
  await c.sync('default/web');
  t.is(pods(env).length, 4);
});
