import test from 'ava';
import type { Lease } from '../../api/coordination.js';
import type { Node, Taint } from '../../api/core/node.js';
import type { Pod, Toleration } from '../../api/core/pod-types.js';
import { getCondition } from '../../api/kind.js';
import { rfc3339 } from '../../api/meta.js';
import { newNode, newPod } from '../testing/builders.js';
import { type FakeEnv, startFakeEnv } from '../testing/env.js';
import { evictionDeadline, NodeLifecycleController } from './nodelifecycle.js';

const nodeOf = (env: FakeEnv, name = 'n1') => env.server.objects('/v1/nodes').find((n) => n.metadata.name === name) as Node;
const podNames = (env: FakeEnv) => (env.server.objects('/v1/pods') as Pod[]).map((p) => p.metadata.name).sort();
const podOf = (env: FakeEnv, name: string) => (env.server.objects('/v1/pods') as Pod[]).find((p) => p.metadata.name === name);
const taintsOf = (env: FakeEnv, name = 'n1') => (nodeOf(env, name).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

function lease(name: string, renewMs: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date(renewMs).toISOString().replace('Z', '000Z') },
  };
}

function podOn(name: string, node: string, tolerations?: Toleration[]): Pod {
  const pod = newPod(name, { nodeName: node, readySince: Date.UTC(2024, 0, 1) - 60_000 });
  if (tolerations) pod.spec.tolerations = tolerations;
  return pod;
}

const unreachableFor = (seconds?: number): Toleration => ({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) });

async function setup(t: { teardown(fn: () => Promise<void>): void }, nodes: Node[], pods: Pod[] = []): Promise<{ env: FakeEnv; c: NodeLifecycleController }> {
  const env = await startFakeEnv();
  t.teardown(() => env.stop());
  for (const n of nodes) {
    env.server.seed('/v1/nodes', n);
    env.server.seed('coordination.k8s.io/v1/leases', lease(n.metadata.name ?? '', env.clock.now()));
  }
  for (const p of pods) env.server.seed('/v1/pods', p);
  const c = new NodeLifecycleController(env.ctx, { nodeMonitorGracePeriodMs: 40_000, nodeMonitorPeriodMs: 5_000 });
  await env.start();
  return { env, c };
}

test('a node whose Lease keeps being renewed stays Ready; one whose Lease stops becomes Unknown and unreachable-tainted', async (t) => {
  const { env, c } = await setup(t, [newNode('n1')]);
  await c.sync('n1');
  for (let i = 0; i < 3; i++) {
    env.clock.step(30_000);
    env.server.seed('coordination.k8s.io/v1/leases', lease('n1', env.clock.now()));
    await env.settle();
    const r = await c.sync('n1');
    t.is(getCondition(nodeOf(env).status, 'Ready')?.status, 'True');
    t.deepEqual(r, { requeueAfter: 5_000 });
  }
  // Silence: not yet at 40 s, then past it.
  env.clock.step(39_000);
  await c.sync('n1');
  t.deepEqual(taintsOf(env), []);
  env.clock.step(2_000);
  await c.sync('n1');
  const ready = getCondition(nodeOf(env).status, 'Ready');
  t.like(ready, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
  t.is(ready?.lastTransitionTime, rfc3339(new Date(env.clock.now())));
  await env.settle();
  await c.sync('n1');
  t.deepEqual(taintsOf(env), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  t.truthy(nodeOf(env).spec?.taints?.find((x) => x.effect === 'NoExecute')?.timeAdded);

  // The kubelet comes back: Lease renewed and Ready=True posted; the taints go.
  env.server.seed('coordination.k8s.io/v1/leases', lease('n1', env.clock.now()));
  const back = structuredClone(nodeOf(env));
  back.status!.conditions = [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: rfc3339(new Date(env.clock.now())) }];
  env.server.seed('/v1/nodes', back);
  await env.settle();
  await c.sync('n1');
  t.deepEqual(taintsOf(env), []);
});

test('Ready=False posted by the kubelet gives the not-ready taints, and user taints are kept', async (t) => {
  const user: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const { env, c } = await setup(t, [newNode('n1', { ready: 'False', taints: [user] })]);
  await c.sync('n1');
  t.deepEqual(taintsOf(env), ['dedicated:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  const cordoned = structuredClone(nodeOf(env));
  cordoned.spec!.unschedulable = true;
  cordoned.status!.conditions = [{ type: 'Ready', status: 'True' }];
  env.server.seed('/v1/nodes', cordoned);
  await env.settle();
  await c.sync('n1');
  t.deepEqual(taintsOf(env), ['dedicated:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
});

test('pods on a silent node are marked not Ready, evicted at once without a toleration and after tolerationSeconds with one', async (t) => {
  const pods = [podOn('plain', 'n1'), podOn('thirty', 'n1', [unreachableFor(30)]), podOn('daemon', 'n1', [unreachableFor()]), podOn('elsewhere', 'n2')];
  const { env, c } = await setup(t, [newNode('n1'), newNode('n2')], pods);
  await c.sync('n1');
  await c.sync('n2');
  env.clock.step(41_000);
  env.server.seed('coordination.k8s.io/v1/leases', lease('n2', env.clock.now()));
  await env.settle();
  await c.sync('n2');
  await c.sync('n1'); // Unknown + taints + pods not ready
  await env.settle();
  const r = await c.sync('n1'); // evictions
  t.deepEqual(podNames(env), ['daemon', 'elsewhere', 'thirty']);
  t.is(getCondition(podOf(env, 'thirty')?.status, 'Ready')?.status, 'False');
  t.is(getCondition(podOf(env, 'daemon')?.status, 'Ready')?.status, 'False');
  t.is(getCondition(podOf(env, 'elsewhere')?.status, 'Ready')?.status, 'True');
  t.truthy(r && r.requeueAfter <= 5_000);
  env.clock.step(29_000);
  await env.settle();
  const r2 = await c.sync('n1');
  t.deepEqual(podNames(env), ['daemon', 'elsewhere', 'thirty']);
  t.deepEqual(r2, { requeueAfter: 1_000 });
  env.clock.step(1_000);
  await c.sync('n1');
  t.deepEqual(podNames(env), ['daemon', 'elsewhere']);
});

test('a node that never posted a Ready condition gets the startup grace period', async (t) => {
  const node = newNode('n1');
  node.status!.conditions = [];
  const { env, c } = await setup(t, [node]);
  env.server.remove('coordination.k8s.io/v1/leases', 'kube-node-lease', 'n1');
  await env.settle();
  await c.sync('n1');
  env.clock.step(50_000);
  await c.sync('n1');
  t.is(getCondition(nodeOf(env).status, 'Ready'), undefined);
  env.clock.step(11_000);
  await c.sync('n1');
  t.like(getCondition(nodeOf(env).status, 'Ready'), { status: 'Unknown', reason: 'NodeStatusNeverUpdated' });
});

test('evictionDeadline (table)', (t) => {
  const added = Date.UTC(2024, 0, 1);
  const now = added + 10_000;
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: rfc3339(new Date(added)) };
  const other: Taint = { key: 'maintenance', effect: 'NoExecute', timeAdded: rfc3339(new Date(added + 5_000)) };
  const at = (x: Taint) => Date.parse(x.timeAdded ?? '');
  const cases: { name: string; tolerations?: Toleration[]; taints: Taint[]; want: number | undefined }[] = [
    { name: 'no toleration: now', taints: [taint], want: now },
    { name: 'forever', tolerations: [unreachableFor()], taints: [taint], want: undefined },
    { name: 'for 300 s after the taint was added', tolerations: [unreachableFor(300)], taints: [taint], want: added + 300_000 },
    { name: 'Exists with empty key tolerates everything forever', tolerations: [{ operator: 'Exists' }], taints: [taint, other], want: undefined },
    { name: 'one of two taints untolerated: now', tolerations: [unreachableFor(300)], taints: [taint, other], want: now },
    { name: 'earliest of two deadlines', tolerations: [unreachableFor(300), { key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }], taints: [taint, other], want: added + 65_000 },
    { name: 'NoSchedule toleration does not cover NoExecute', tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }], taints: [taint], want: now },
  ];
  for (const c of cases) {
    const pod = podOn('p', 'n1', c.tolerations);
    t.is(evictionDeadline(pod, c.taints, now, at), c.want, c.name);
  }
});
