import test from 'ava';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { Resources } from '../../client/resources.js';
import { type FakeEnv, startFakeEnv } from '../testing/env.js';
import { GarbageCollector } from './garbagecollector.js';
import { objectKey } from './graph.js';

const resources = () => [Resources.replicasets, Resources.pods];

function newOwner(name: string, uid: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', uid, ...extra }, spec: {} };
}

function ownerRef(name: string, uid: string, block = true): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid, controller: true, blockOwnerDeletion: block };
}

function newDependent(name: string, owners: OwnerReference[], extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ownerReferences: owners, ...extra }, spec: { containers: [] } };
}

const podKey = (name: string) => objectKey(Resources.pods, { metadata: { namespace: 'default', name } });
const rsKey = (name: string) => objectKey(Resources.replicasets, { metadata: { namespace: 'default', name } });
const pods = (env: FakeEnv) => env.server.objects('/v1/pods');
const podNames = (env: FakeEnv) => pods(env).map((p) => p.metadata.name).sort();

async function setup(t: { teardown(fn: () => Promise<void>): void }): Promise<{ env: FakeEnv; gc: GarbageCollector }> {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  const gc = new GarbageCollector(env.ctx, { resources, recheckMs: 100 });
  return { env, gc };
}

test('background: dependents of a vanished owner are deleted, those of a live owner kept', async (t) => {
  const { env, gc } = await setup(t);
  const live = env.server.seed('apps/v1/replicasets', newOwner('live', 'uid-live'));
  env.server.seed('/v1/pods', newDependent('orphaned', [ownerRef('gone', 'uid-gone')]));
  env.server.seed('/v1/pods', newDependent('owned', [ownerRef('live', live.metadata.uid ?? '')]));
  // Same name, different uid: the owner was deleted and recreated, so the pod is garbage.
  env.server.seed('/v1/pods', newDependent('stale-uid', [ownerRef('live', 'uid-old-incarnation')]));
  await env.start();

  for (const name of ['orphaned', 'owned', 'stale-uid']) await gc.sync(podKey(name));
  t.deepEqual(podNames(env), ['owned']);
  const deletes = env.server.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
  t.deepEqual(deletes.sort(), ['/api/v1/namespaces/default/pods/orphaned', '/api/v1/namespaces/default/pods/stale-uid']);
});

test('an owner missing from the cache but present on the server is not judged gone', async (t) => {
  const { env, gc } = await setup(t);
  env.server.seed('/v1/pods', newDependent('p', [ownerRef('late', 'uid-late')]));
  await env.start();
  // Created after the caches synced and not yet seen by the informer's handlers: a live read finds it.
  env.server.seed('apps/v1/replicasets', newOwner('late', 'uid-late'));
  await gc.sync(podKey('p'));
  t.deepEqual(podNames(env), ['p']);
});

test('with another owner still there, only the dangling reference is removed', async (t) => {
  const { env, gc } = await setup(t);
  const live = env.server.seed('apps/v1/replicasets', newOwner('live', 'uid-live'));
  env.server.seed('/v1/pods', newDependent('shared', [ownerRef('gone', 'uid-gone', false), { ...ownerRef('live', live.metadata.uid ?? ''), controller: false }]));
  await env.start();
  await gc.sync(podKey('shared'));
  t.deepEqual(podNames(env), ['shared']);
  t.deepEqual(pods(env)[0].metadata.ownerReferences?.map((r) => r.name), ['live']);
});

test('foreground: blocking dependents are deleted first, then the finalizer is removed', async (t) => {
  const { env, gc } = await setup(t);
  const owner = env.server.seed('apps/v1/replicasets', newOwner('rs', 'uid-rs', { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }));
  const uid = owner.metadata.uid ?? '';
  env.server.seed('/v1/pods', newDependent('a', [ownerRef('rs', uid)]));
  env.server.seed('/v1/pods', newDependent('b', [ownerRef('rs', uid)]));
  env.server.seed('/v1/pods', newDependent('loose', [ownerRef('rs', uid, false)]));
  await env.start();

  // While blocking dependents exist the owner waits, and its dependents are queued.
  t.deepEqual(await gc.sync(rsKey('rs')), { requeueAfter: 100 });
  t.deepEqual(env.server.objects('apps/v1/replicasets')[0].metadata.finalizers, ['foregroundDeletion']);
  // Each dependent sees its owner waiting for it, and deletes itself.
  await gc.sync(podKey('a'));
  await gc.sync(podKey('b'));
  t.deepEqual(podNames(env), ['loose']);
  await env.settle();
  // Non-blocking dependents do not hold the owner.
  t.is(await gc.sync(rsKey('rs')), undefined);
  t.deepEqual(env.server.objects('apps/v1/replicasets')[0].metadata.finalizers, []);
});

test('orphan: references to the owner are removed from dependents, then the orphan finalizer', async (t) => {
  const { env, gc } = await setup(t);
  const owner = env.server.seed('apps/v1/replicasets', newOwner('rs', 'uid-rs', { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['orphan', 'example.com/other'] }));
  const other: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'uid-cm' };
  env.server.seed('/v1/pods', newDependent('a', [ownerRef('rs', owner.metadata.uid ?? '')]));
  env.server.seed('/v1/pods', newDependent('b', [ownerRef('rs', owner.metadata.uid ?? ''), other]));
  await env.start();

  await gc.sync(rsKey('rs'));
  t.deepEqual(podNames(env), ['a', 'b']);
  t.deepEqual(pods(env).map((p) => p.metadata.ownerReferences ?? []), [[], [other]]);
  t.deepEqual(env.server.objects('apps/v1/replicasets')[0].metadata.finalizers, ['example.com/other']);
});

test('deleting an owner queues its dependents', async (t) => {
  const { env, gc } = await setup(t);
  const owner = env.server.seed('apps/v1/replicasets', newOwner('rs', 'uid-rs'));
  env.server.seed('/v1/pods', newDependent('a', [ownerRef('rs', owner.metadata.uid ?? '')]));
  await env.start();
  while (gc.queue.len() > 0) {
    const k = await gc.queue.get();
    gc.queue.done(k as string);
  }
  env.server.remove('apps/v1/replicasets', 'default', 'rs');
  await env.settle();
  const queued: string[] = [];
  while (gc.queue.len() > 0) queued.push((await gc.queue.get()) as string);
  t.true(queued.includes(podKey('a')));
});
