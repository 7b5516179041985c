import test from 'ava';
import type { KubeObject } from '../../api/meta.js';
import { Resources } from '../../client/resources.js';
import { type FakeEnv, startFakeEnv } from '../testing/env.js';
import { NamespaceController } from './namespace.js';

function newNamespace(name: string, terminating: boolean): KubeObject {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  if (terminating) {
    ns.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    ns.status = { phase: 'Terminating' };
  }
  return ns;
}

function newObj(kind: string, name: string, namespace: string, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind, metadata: { name, namespace }, ...extra };
}

const kinds = () => [Resources.pods, Resources.configmaps];

// The fake API server does not know /finalize (it reads it as a resource): answer it as the real
// one does when nothing else holds the namespace, by deleting it.
function serveFinalize(env: FakeEnv): void {
  env.server.inject((r) => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/finalize$/.exec(r.path);
    if (r.method !== 'PUT' || !m) return undefined;
    env.server.remove('/v1/namespaces', undefined, m[1]);
    return { status: 200, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: m[1] }, spec: { finalizers: [] } } };
  });
}

test('a terminating namespace is emptied, then finalized', async (t) => {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  env.server.seed('/v1/namespaces', newNamespace('doomed', true));
  env.server.seed('/v1/namespaces', newNamespace('kept', false));
  env.server.seed('/v1/configmaps', newObj('ConfigMap', 'a', 'doomed'));
  env.server.seed('/v1/configmaps', newObj('ConfigMap', 'b', 'kept'));
  env.server.seed('/v1/pods', newObj('Pod', 'p', 'doomed', { spec: { containers: [] } }));
  serveFinalize(env);
  const c = new NamespaceController(env.ctx, { kinds });
  await env.start();

  t.is(await c.sync('doomed'), undefined);
  t.deepEqual(env.server.objects('/v1/configmaps').map((o) => o.metadata.name), ['b']);
  t.deepEqual(env.server.objects('/v1/pods'), []);
  const finalize = env.server.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/finalize'));
  t.deepEqual(finalize.map((r) => r.path), ['/api/v1/namespaces/doomed/finalize']);
  t.deepEqual(env.server.objects('/v1/namespaces').map((n) => n.metadata.name), ['kept']);

  // An active namespace is left alone.
  await c.sync('kept');
  t.is(env.server.objects('/v1/configmaps').length, 1);
  // So is one that is gone.
  t.is(await c.sync('missing'), undefined);
});

test('pods still terminating hold the namespace; those on deleted nodes are force-deleted', async (t) => {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  env.server.seed('/v1/namespaces', newNamespace('doomed', true));
  env.server.seed('/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'alive' } });
  const terminating = { deletionTimestamp: '2024-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 };
  for (const [name, node] of [['on-alive', 'alive'], ['on-gone', 'gone']]) {
    env.server.seed('/v1/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'doomed', ...terminating }, spec: { nodeName: node, containers: [] } });
  }
  // The real API server keeps pods bound to nodes until their grace period ends: so does this one.
  env.server.inject((r) => (r.method === 'DELETE' && r.path === '/api/v1/namespaces/doomed/pods' ? { status: 200, body: { kind: 'PodList', items: [] } } : undefined));
  serveFinalize(env);
  const c = new NamespaceController(env.ctx, { kinds, recheckMs: 500 });
  await env.start();

  t.deepEqual(await c.sync('doomed'), { requeueAfter: 500 });
  t.deepEqual(env.server.objects('/v1/pods').map((p) => p.metadata.name), ['on-alive']);
  t.false(env.server.requests.some((r) => r.path.endsWith('/finalize')));

  // Once the agent has removed the last pod, the namespace is released.
  env.server.remove('/v1/pods', 'doomed', 'on-alive');
  t.is(await c.sync('doomed'), undefined);
  t.true(env.server.requests.some((r) => r.path === '/api/v1/namespaces/doomed/finalize'));
});

test('a namespace whose kubernetes finalizer is already gone is not touched', async (t) => {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  const ns = newNamespace('done', true);
  ns.spec = { finalizers: [] };
  env.server.seed('/v1/namespaces', ns);
  env.server.seed('/v1/configmaps', newObj('ConfigMap', 'a', 'done'));
  const c = new NamespaceController(env.ctx, { kinds });
  await env.start();
  const before = env.server.requests.length;
  await c.sync('done');
  t.is(env.server.requests.length, before);
  t.is(env.server.objects('/v1/configmaps').length, 1);
});
