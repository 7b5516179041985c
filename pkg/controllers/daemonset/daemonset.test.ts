import test from 'ava';
import type { DaemonSet } from '../../api/apps/daemonset.js';
import type { Node } from '../../api/core/node.js';
import type { Pod } from '../../api/core/pod-types.js';
import { newControllerRef } from '../../api/kind.js';
import { rfc3339 } from '../../api/meta.js';
import { newDaemonSet, newNode } from '../testing/builders.js';
import { type FakeEnv, startFakeEnv } from '../testing/env.js';
import { DaemonSetController } from './daemonset.js';
import { CONTROLLER_REVISION_HASH_LABEL, daemonPodTolerations, newDaemonPod, nodeShouldRunDaemonPod, targetNodeName, templateHash } from './util.js';

const gvk = { group: 'apps', version: 'v1', kind: 'DaemonSet' };
const pods = (env: FakeEnv) => env.server.objects('/v1/pods') as Pod[];
const dsOf = (env: FakeEnv, name = 'agent') => env.server.objects('apps/v1/daemonsets').find((r) => r.metadata.name === name) as DaemonSet;
const byNode = (env: FakeEnv) => pods(env).map((p) => targetNodeName(p)).sort();

async function setup(t: { teardown(fn: () => Promise<void>): void }, ds: DaemonSet, nodes: Node[]): Promise<{ env: FakeEnv; c: DaemonSetController; ds: DaemonSet }> {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  for (const n of nodes) env.server.seed('/v1/nodes', n);
  const stored = env.server.seed('apps/v1/daemonsets', ds) as DaemonSet;
  const c = new DaemonSetController(env.ctx);
  return { env, c, ds: stored };
}

/** bindAndReady plays scheduler and kubelet: every pod goes to its affinity node and becomes Ready at `at`. */
function bindAndReady(env: FakeEnv, at: number, filter: (p: Pod) => boolean = () => true): void {
  for (const p of pods(env).filter(filter)) {
    const next = structuredClone(p);
    next.spec.nodeName = targetNodeName(p);
    next.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(new Date(at)) }] };
    env.server.seed('/v1/pods', next);
  }
}

test('nodeShouldRunDaemonPod: selector, affinity, taints and the daemon default tolerations (table)', (t) => {
  const cases: { name: string; node: Node; ds?: DaemonSet; want: [boolean, boolean] }[] = [
    { name: 'plain node', node: newNode('n'), want: [true, true] },
    { name: 'nodeSelector mismatch', node: newNode('n'), ds: newDaemonSet('agent', { nodeSelector: { disk: 'ssd' } }), want: [false, false] },
    { name: 'nodeSelector match', node: newNode('n', { labels: { disk: 'ssd' } }), ds: newDaemonSet('agent', { nodeSelector: { disk: 'ssd' } }), want: [true, true] },
    { name: 'untolerated NoSchedule', node: newNode('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), want: [false, true] },
    { name: 'untolerated NoExecute', node: newNode('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }), want: [false, false] },
    {
      name: 'tolerated NoExecute',
      node: newNode('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }),
      ds: newDaemonSet('agent', { tolerations: [{ key: 'dedicated', operator: 'Exists' }] }),
      want: [true, true],
    },
    { name: 'unreachable (default toleration)', node: newNode('n', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }), want: [true, true] },
    { name: 'not-ready (default toleration)', node: newNode('n', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), want: [true, true] },
    { name: 'cordoned (default toleration)', node: newNode('n', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), want: [true, true] },
    { name: 'memory pressure (default toleration)', node: newNode('n', { taints: [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }] }), want: [true, true] },
    { name: 'PreferNoSchedule is ignored', node: newNode('n', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), want: [true, true] },
  ];
  for (const c of cases) {
    const v = nodeShouldRunDaemonPod(c.node, c.ds ?? newDaemonSet('agent'));
    t.deepEqual([v.shouldRun, v.shouldContinueRunning], c.want, c.name);
  }
});

test('newDaemonPod pins the pod to its node by matchFields and adds the default tolerations', (t) => {
  const ds = newDaemonSet('agent', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] });
  ds.spec.template.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] } } };
  const pod = newDaemonPod(ds, 'node-1', 'h1');
  t.deepEqual(pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }],
  });
  t.is(pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL], 'h1');
  // The user's not-ready toleration is replaced by the daemon default (no tolerationSeconds).
  t.deepEqual(pod.spec.tolerations, daemonPodTolerations(false));
  t.is(targetNodeName(pod), 'node-1');
});

test('creates one pod per eligible node, skips tainted and unselected nodes, and reports status', async (t) => {
  const nodes = [newNode('n1'), newNode('n2'), newNode('n3', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })];
  const { env, c } = await setup(t, newDaemonSet('agent'), nodes);
  await env.start();
  await c.sync('default/agent');
  t.deepEqual(byNode(env), ['n1', 'n2']);
  for (const p of pods(env)) {
    t.true(p.metadata.name?.startsWith('agent-'));
    t.is(p.metadata.ownerReferences?.[0].kind, 'DaemonSet');
    t.is(p.spec.nodeName, undefined, 'the scheduler binds daemon pods');
  }
  // Expectations hold the next sync back until the cache shows the pods.
  await c.sync('default/agent');
  t.is(pods(env).length, 2);
  await env.settle();
  bindAndReady(env, env.clock.now());
  await env.settle();
  await c.sync('default/agent');
  t.is(pods(env).length, 2);
  t.like(dsOf(env).status, { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, numberAvailable: 2, updatedNumberScheduled: 2, numberMisscheduled: 0, numberUnavailable: 0, observedGeneration: 1 });
});

test('a node that gains an untolerated NoExecute taint loses its pod; a NoSchedule taint only counts it misscheduled', async (t) => {
  const { env, c } = await setup(t, newDaemonSet('agent'), [newNode('n1'), newNode('n2')]);
  await env.start();
  await c.sync('default/agent');
  await env.settle();
  bindAndReady(env, env.clock.now());
  env.server.seed('/v1/nodes', newNode('n1', { taints: [{ key: 'dedicated', effect: 'NoSchedule' }] }));
  env.server.seed('/v1/nodes', newNode('n2', { taints: [{ key: 'evict', effect: 'NoExecute' }] }));
  await env.settle();
  await c.sync('default/agent');
  t.deepEqual(byNode(env), ['n1']);
  await env.settle();
  await c.sync('default/agent');
  t.like(dsOf(env).status, { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 1 });
});

test('surplus pods on a node are deleted (oldest kept) and unbound pods for vanished nodes go', async (t) => {
  const { env, c, ds } = await setup(t, newDaemonSet('agent', { uid: 'ds-uid' }), [newNode('n1')]);
  const owner = newControllerRef(ds, gvk);
  const hash = templateHash(ds);
  const now = env.clock.now();
  const mk = (name: string, node: string, created: number, bound = true): Pod => {
    const p = newDaemonPod(ds, node, hash);
    p.metadata.name = name;
    p.metadata.ownerReferences = [owner];
    p.metadata.creationTimestamp = rfc3339(new Date(created));
    if (bound) p.spec.nodeName = node;
    return p;
  };
  env.server.seed('/v1/pods', mk('old', 'n1', now - 60_000));
  env.server.seed('/v1/pods', mk('young', 'n1', now - 1_000));
  env.server.seed('/v1/pods', mk('ghost', 'gone', now - 1_000, false));
  await env.start();
  await c.sync('default/agent');
  t.deepEqual(pods(env).map((p) => p.metadata.name), ['old']);
});

test('failed daemon pods are deleted with a backoff per node', async (t) => {
  const { env, c, ds } = await setup(t, newDaemonSet('agent', { uid: 'ds-uid' }), [newNode('n1')]);
  const failed = (name: string): Pod => {
    const p = newDaemonPod(ds, 'n1', templateHash(ds));
    p.metadata.name = name;
    p.metadata.ownerReferences = [newControllerRef(ds, gvk)];
    p.spec.nodeName = 'n1';
    p.status = { phase: 'Failed' };
    return p;
  };
  env.server.seed('/v1/pods', failed('f1'));
  await env.start();
  await c.sync('default/agent');
  t.is(pods(env).length, 0);
  await env.settle();
  await c.sync('default/agent');
  t.is(pods(env).length, 1, 'a replacement is created');
  // The replacement fails at once: it waits out the doubled backoff before being deleted.
  await env.settle();
  env.server.remove('/v1/pods', 'default', pods(env)[0].metadata.name ?? '');
  env.server.seed('/v1/pods', failed('f2'));
  await env.settle();
  const r = await c.sync('default/agent');
  t.is(pods(env).length, 1);
  t.truthy(r && r.requeueAfter > 0 && r.requeueAfter <= 2000);
  env.clock.step(2000);
  await c.sync('default/agent');
  t.is(pods(env).length, 0);
});

test('RollingUpdate replaces at most maxUnavailable pods at a time and only after replacements are available', async (t) => {
  const nodes = [newNode('n1'), newNode('n2'), newNode('n3')];
  const { env, c } = await setup(t, newDaemonSet('agent', { maxUnavailable: 1 }), nodes);
  await env.start();
  await c.sync('default/agent');
  await env.settle();
  bindAndReady(env, env.clock.now());
  await env.settle();
  await c.sync('default/agent');
  const oldHash = templateHash(dsOf(env));

  const next = structuredClone(dsOf(env));
  next.spec.template.spec.containers[0].image = 'registry.local/agent:2';
  next.metadata.generation = 2;
  env.server.seed('apps/v1/daemonsets', next);
  const newHash = templateHash(next);
  t.not(newHash, oldHash);
  await env.settle();
  await c.sync('default/agent');
  // One old pod is deleted; nothing else happens while its replacement is missing or not ready.
  t.is(pods(env).length, 2);
  for (let round = 0; round < 10 && pods(env).some((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] !== newHash); round++) {
    await env.settle();
    await c.sync('default/agent'); // creates the missing pod
    await env.settle();
    const unready = pods(env).filter((p) => p.status?.phase !== 'Running');
    t.true(unready.length <= 1, 'at most one node is without an available pod');
    await c.sync('default/agent'); // its replacement is not ready: no further deletion
    t.true(pods(env).length >= 2);
    bindAndReady(env, env.clock.now(), (p) => p.status?.phase !== 'Running');
    await env.settle();
    await c.sync('default/agent'); // next old pod goes
  }
  await env.settle();
  await c.sync('default/agent');
  t.deepEqual(byNode(env), ['n1', 'n2', 'n3']);
  t.true(pods(env).every((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === newHash));
  bindAndReady(env, env.clock.now(), (p) => p.status?.phase !== 'Running');
  await env.settle();
  await c.sync('default/agent');
  t.like(dsOf(env).status, { updatedNumberScheduled: 3, numberAvailable: 3, observedGeneration: 2 });
});

test('RollingUpdate with maxSurge starts the new pod beside the old one and deletes the old once the new is available', async (t) => {
  const { env, c } = await setup(t, newDaemonSet('agent', { maxUnavailable: 0, maxSurge: 1 }), [newNode('n1'), newNode('n2')]);
  await env.start();
  await c.sync('default/agent');
  await env.settle();
  bindAndReady(env, env.clock.now());
  await env.settle();
  const next = structuredClone(dsOf(env));
  next.spec.template.spec.containers[0].image = 'registry.local/agent:2';
  env.server.seed('apps/v1/daemonsets', next);
  const newHash = templateHash(next);
  await env.settle();
  await c.sync('default/agent');
  t.is(pods(env).length, 3, 'one surge pod');
  await env.settle();
  await c.sync('default/agent');
  t.is(pods(env).length, 3, 'no second surge while the first is not available');
  bindAndReady(env, env.clock.now(), (p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === newHash);
  await env.settle();
  await c.sync('default/agent');
  // n1's old pod goes; the same sync may already surge onto n2 (never more than one surge pod).
  const onN1 = pods(env).filter((p) => targetNodeName(p) === 'n1');
  t.deepEqual(onN1.map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]), [newHash]);
  t.true(pods(env).length <= 3);
  await env.settle();
  await c.sync('default/agent');
  bindAndReady(env, env.clock.now(), (p) => p.status?.phase !== 'Running');
  await env.settle();
  await c.sync('default/agent');
  await env.settle();
  await c.sync('default/agent');
  t.deepEqual(byNode(env), ['n1', 'n2']);
  t.true(pods(env).every((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === newHash));
});

test('OnDelete never replaces old pods itself; a deleted pod comes back with the new template', async (t) => {
  const { env, c } = await setup(t, newDaemonSet('agent', { onDelete: true }), [newNode('n1'), newNode('n2')]);
  await env.start();
  await c.sync('default/agent');
  await env.settle();
  bindAndReady(env, env.clock.now());
  await env.settle();
  const next = structuredClone(dsOf(env));
  next.spec.template.spec.containers[0].image = 'registry.local/agent:2';
  next.metadata.generation = 2;
  env.server.seed('apps/v1/daemonsets', next);
  const newHash = templateHash(next);
  await env.settle();
  await c.sync('default/agent');
  t.is(pods(env).length, 2);
  t.false(pods(env).some((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === newHash));
  await env.settle();
  await c.sync('default/agent');
  t.like(dsOf(env).status, { updatedNumberScheduled: 0, currentNumberScheduled: 2, observedGeneration: 2 });
  const victim = pods(env).find((p) => targetNodeName(p) === 'n1')!;
  env.server.remove('/v1/pods', 'default', victim.metadata.name ?? '');
  await env.settle();
  await c.sync('default/agent');
  const fresh = pods(env).find((p) => targetNodeName(p) === 'n1')!;
  t.is(fresh.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL], newHash);
  t.is(fresh.spec.containers[0].image, 'registry.local/agent:2');
});
