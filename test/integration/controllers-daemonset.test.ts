// DaemonSets and node lifecycle against the real API server over etcd, with the controller
// manager, the in-process scheduler and hollow nodes (Node objects whose Leases the test renews,
// with a fake kubelet each): one daemon pod per eligible node, a rolling update within
// maxUnavailable, and issue 9's acceptance "a node whose Lease stops → NotReady + taint → pods
// evicted after their toleration and recreated on other nodes by their ReplicaSet".
import test from 'ava';
import type { DaemonSet } from '../../pkg/api/apps/daemonset.js';
import type { Deployment } from '../../pkg/api/apps/deployment.js';
import type { Node } from '../../pkg/api/core/node.js';
import { isPodReady } from '../../pkg/api/core/pod-helpers.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { getCondition } from '../../pkg/api/kind.js';
import { Resources } from '../../pkg/client/resources.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../../pkg/controllers/daemonset/util.js';
import { waitFor } from '../lib/fakekubelet.js';
import { startHollowCluster } from '../lib/hollow-nodes.js';

const controllerOptions = { nodeMonitorGracePeriodMs: 3000, nodeMonitorPeriodMs: 500 };

function newDaemonSet(name: string, ns: string, image: string): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image }] } },
    },
  };
}

const live = (p: Pod) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded';

test.serial('a DaemonSet runs one pod on each of 3 hollow nodes, none on a tainted node, and rolls an update within maxUnavailable', async (t) => {
  const cluster = await startHollowCluster({ controllerOptions });
  t.teardown(() => cluster.cleanup());
  const ns = 'skifftest-ds';
  await cluster.client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const n of ['skifftest-ds-n1', 'skifftest-ds-n2', 'skifftest-ds-n3']) await cluster.addNode({ name: n });
  await cluster.addNode({ name: 'skifftest-ds-gpu', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
  const podApi = cluster.client.resource<Pod>(Resources.pods).namespace(ns);
  const dsApi = cluster.client.resource<DaemonSet>(Resources.daemonsets).namespace(ns);
  await dsApi.create(newDaemonSet('agent', ns, 'registry.local/agent:1'));

  const first = await waitFor(
    '3 ready daemon pods, one per untainted node',
    async () => {
      const pods = (await podApi.list()).items.filter(live);
      const ds = await dsApi.get('agent');
      const ok = pods.length === 3 && pods.every(isPodReady) && ds.status?.numberReady === 3 && ds.status.numberAvailable === 3 && ds.status.updatedNumberScheduled === 3;
      return ok ? { pods, ds } : undefined;
    },
    60_000,
  );
  t.deepEqual(first.pods.map((p) => p.spec.nodeName).sort(), ['skifftest-ds-n1', 'skifftest-ds-n2', 'skifftest-ds-n3']);
  t.like(first.ds.status, { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0 });
  for (const p of first.pods) {
    t.deepEqual(p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName ?? ''] }] }]);
    t.true(p.spec.tolerations?.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute' && x.tolerationSeconds === undefined));
  }
  const oldHash = first.pods[0].metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  t.truthy(oldHash);

  // Update: at every look, at least 2 of the 3 nodes have a Ready pod (maxUnavailable 1).
  const ds = await dsApi.get('agent');
  ds.spec.template.spec.containers[0].image = 'registry.local/agent:2';
  await dsApi.update(ds);
  let minReady = 3;
  const rolled = await waitFor(
    'rolled to agent:2',
    async () => {
      const pods = (await podApi.list()).items.filter(live);
      minReady = Math.min(minReady, new Set(pods.filter(isPodReady).map((p) => p.spec.nodeName)).size);
      const cur = await dsApi.get('agent');
      const done =
        pods.length === 3 &&
        pods.every((p) => isPodReady(p) && p.spec.containers[0].image === 'registry.local/agent:2') &&
        cur.status?.observedGeneration === cur.metadata.generation &&
        cur.status?.updatedNumberScheduled === 3 &&
        cur.status.numberAvailable === 3;
      return done ? pods : undefined;
    },
    90_000,
    30,
  );
  t.true(minReady >= 2, `at least 2 nodes kept a Ready pod (saw ${minReady})`);
  t.deepEqual(rolled.map((p) => p.spec.nodeName).sort(), ['skifftest-ds-n1', 'skifftest-ds-n2', 'skifftest-ds-n3']);
  t.true(rolled.every((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] !== oldHash));
  t.false((await podApi.list()).items.some((p) => p.spec.nodeName === 'skifftest-ds-gpu'));
});

test.serial('acceptance: a node whose Lease stops goes NotReady and tainted; its pods are evicted after their toleration and recreated elsewhere', async (t) => {
  const cluster = await startHollowCluster({ controllerOptions });
  t.teardown(() => cluster.cleanup());
  const ns = 'skifftest-nlc';
  await cluster.client.resource(Resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const names = ['skifftest-nlc-n1', 'skifftest-nlc-n2', 'skifftest-nlc-n3'];
  for (const n of names) await cluster.addNode({ name: n });
  const podApi = cluster.client.resource<Pod>(Resources.pods).namespace(ns);
  const nodeApi = cluster.client.resource<Node>(Resources.nodes);
  const tolerationSeconds = 2;
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns },
    spec: {
      replicas: 6,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'web', image: 'registry.local/web:1' }],
          tolerations: [
            { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds },
            { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds },
          ],
        },
      },
    },
  };
  await cluster.client.resource<Deployment>(Resources.deployments).namespace(ns).create(deployment);
  const before = await waitFor('6 ready pods', async () => {
    const pods = (await podApi.list()).items.filter(live);
    return pods.length === 6 && pods.every(isPodReady) ? pods : undefined;
  }, 60_000);
  // The scheduler spreads them; the victim is a node that got at least one.
  const victim = before[0].spec.nodeName ?? '';
  const doomed = before.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
  t.true(doomed.length >= 1);

  await cluster.silence(victim);
  const tainted = await waitFor(
    `${victim} Ready=Unknown and tainted unreachable:NoExecute`,
    async () => {
      const node = await nodeApi.get(victim);
      const ready = getCondition(node.status, 'Ready');
      const taint = node.spec?.taints?.find((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute');
      return ready?.status === 'Unknown' && taint ? { ready, taint } : undefined;
    },
    30_000,
  );
  t.is(tainted.ready.reason, 'NodeStatusUnknown');
  t.is(tainted.ready.message, 'Kubelet stopped posting node status.');
  // The other nodes keep renewing and stay Ready and untainted.
  for (const n of names.filter((x) => x !== victim)) {
    const node = await nodeApi.get(n);
    t.is(getCondition(node.status, 'Ready')?.status, 'True', n);
    t.falsy(node.spec?.taints?.length, n);
  }

  // Eviction: the victim's pods get a deletionTimestamp (nobody on the dead node finishes the
  // deletion, as in Kubernetes), no earlier than tolerationSeconds after the taint was added.
  const evicted = await waitFor(
    'pods on the silent node evicted',
    async () => {
      const pods = (await podApi.list()).items.filter((p) => doomed.includes(p.metadata.name));
      return pods.length === doomed.length && pods.every((p) => p.metadata.deletionTimestamp) ? pods : undefined;
    },
    30_000,
  );
  const taintAdded = Date.parse(tainted.taint.timeAdded ?? '');
  for (const p of evicted) {
    const deletedAt = Date.parse(p.metadata.deletionTimestamp ?? '') - (p.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    // Second-granular timestamps: allow one second of rounding.
    t.true(deletedAt >= taintAdded + tolerationSeconds * 1000 - 1000, `${p.metadata.name} evicted ${deletedAt - taintAdded} ms after the taint`);
    t.is(getCondition(p.status, 'Ready')?.status, 'False', `${p.metadata.name} was marked not Ready`);
  }

  // The ReplicaSet replaces them on the live nodes.
  const after = await waitFor(
    '6 ready pods on the live nodes',
    async () => {
      const pods = (await podApi.list()).items.filter(live);
      return pods.length === 6 && pods.every((p) => isPodReady(p) && p.spec.nodeName !== victim) ? pods : undefined;
    },
    60_000,
  );
  t.true(after.every((p) => names.includes(p.spec.nodeName ?? '') && p.spec.nodeName !== victim));
  const d = await cluster.client.resource<Deployment>(Resources.deployments).namespace(ns).get('web');
  await waitFor('deployment available', async () => {
    const cur = await cluster.client.resource<Deployment>(Resources.deployments).namespace(ns).get('web');
    return cur.status?.availableReplicas === 6;
  }, 30_000);
  t.is(d.spec.replicas, 6);
});
