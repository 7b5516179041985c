// End-to-end scenarios 6 and 8 on a two-node local cluster: a node fails (its agent killed by
// PID and its network cut) and its pods come back on the other node within the tuned timeouts,
// then the node returns Ready; and kill -9 of etcd, of the control plane and of an agent during
// a rollout: the cluster converges and no object is lost.
import test from 'ava';
import yaml from 'js-yaml';
import { etcdPid, killServer, setNodeNetwork, startAgentProcess, startServerProcess, stopAgent } from '../../pkg/cluster/cluster.js';
import { eventually, sleep, startTestCluster, type TestCluster } from '../lib/cluster.js';

let cluster: TestCluster;

test.before(async () => {
  // Tuned timeouts: leases renewed every 2 s, a node silent for 8 s is NotReady (Kubernetes: 10 s, 40 s).
  cluster = await startTestCluster({ nodes: 2, agentArgs: ['--node-lease-duration', '8'], env: { SKIFF_NODE_MONITOR_GRACE_PERIOD: '8s', SKIFF_NODE_MONITOR_PERIOD: '1s' } });
});

test.after.always(async () => {
  await cluster?.down();
});

const kubectl = async (args: string[], input?: string): Promise<string> => {
  const r = await cluster.kubectl(args, { input, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
};
const apply = (ns: string, obj: unknown) => kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(obj));
const namespace = (name: string) => kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase?: string; conditions?: { type: string; status: string }[] };
}
const pods = async (ns: string): Promise<PodJson[]> => (JSON.parse(await kubectl(['get', 'pods', '-n', ns, '-o', 'json'])) as { items: PodJson[] }).items;
const isReady = (p: PodJson) => !p.metadata.deletionTimestamp && p.status.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const nodeReady = async (name: string): Promise<string> => {
  const n = JSON.parse(await kubectl(['get', 'node', name, '-o', 'json'])) as { status: { conditions: { type: string; status: string }[] } };
  return n.status.conditions.find((c) => c.type === 'Ready')?.status ?? '';
};

function web(replicas: number, image: string, tolerationSeconds?: number) {
  const tolerations =
    tolerationSeconds === undefined
      ? undefined
      : ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'].map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          tolerations,
          terminationGracePeriodSeconds: 2,
          containers: [{ name: 'web', image, imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2 } }],
        },
      },
    },
  };
}

test.serial('scenario 6: a failed node’s pods are recreated on the other node; the node comes back Ready', async (t) => {
  t.timeout(600_000);
  await namespace('e2e-node');
  await apply('e2e-node', web(4, 'skiff.local/web:v1', 5));
  await kubectl(['rollout', 'status', '-n', 'e2e-node', 'deployment/web', '--timeout=180s']);
  const before = await eventually('4 ready pods on both nodes', async () => {
    const ps = (await pods('e2e-node')).filter(isReady);
    return ps.length === 4 && new Set(ps.map((p) => p.spec.nodeName)).size === 2 ? ps : undefined;
  });
  const victim = 'node-2';
  const onVictim = before.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
  t.true(onVictim.length >= 1);

  const failedAt = Date.now();
  await stopAgent(cluster.state, victim, 'SIGKILL');
  await setNodeNetwork(cluster.state, victim, false);
  await eventually(`${victim} NotReady`, async () => (await nodeReady(victim)) === 'Unknown', 60_000);
  const notReadyAfter = Date.now() - failedAt;
  const recovered = await eventually(
    '4 ready pods on node-1',
    async () => {
      const ps = (await pods('e2e-node')).filter(isReady);
      return ps.length === 4 && ps.every((p) => p.spec.nodeName === 'node-1') ? ps : undefined;
    },
    120_000,
  );
  const recoveredAfter = Date.now() - failedAt;
  t.log(`node NotReady after ${notReadyAfter} ms; pods running on node-1 after ${recoveredAfter} ms`);
  t.true(recovered.every((p) => !onVictim.includes(p.metadata.name)), 'the victim’s pods were replaced, not kept');
  const taints = JSON.parse(await kubectl(['get', 'node', victim, '-o', 'jsonpath={.spec.taints}'])) as { key: string; effect: string }[];
  t.true(taints.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute'));

  await setNodeNetwork(cluster.state, victim, true);
  await startAgentProcess(cluster.state, victim);
  await eventually(`${victim} Ready again`, async () => (await nodeReady(victim)) === 'True', 90_000);
  // The returning agent finishes the deletion of the pods evicted while it was away.
  await eventually('no pods left on the returned node', async () => (await pods('e2e-node')).every((p) => p.spec.nodeName !== victim), 90_000);
  const taintsAfter = (await kubectl(['get', 'node', victim, '-o', 'jsonpath={.spec.taints}'])).trim();
  t.false(taintsAfter.includes('unreachable'), `taint removed: ${taintsAfter}`);
  await kubectl(['delete', 'namespace', 'e2e-node', '--wait=false']);
});

test.serial('scenario 8: kill -9 of etcd, the control plane and an agent during a rollout: converges, nothing lost', async (t) => {
  t.timeout(900_000);
  await namespace('e2e-kill');
  // Objects that must survive: 20 ConfigMaps with known data.
  const cms = Array.from({ length: 20 }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `keep-${i}` }, data: { i: String(i) } }));
  await kubectl(['apply', '-n', 'e2e-kill', '-f', '-'], cms.map((c) => yaml.dump(c)).join('---\n'));
  await apply('e2e-kill', web(6, 'skiff.local/web:v1'));
  await kubectl(['rollout', 'status', '-n', 'e2e-kill', 'deployment/web', '--timeout=240s']);

  await kubectl(['set', 'image', '-n', 'e2e-kill', 'deployment/web', 'web=skiff.local/web:v2']);
  await sleep(1500);
  // etcd: the server's supervisor restarts it.
  const etcd = await etcdPid(cluster.state);
  t.true(etcd > 0);
  process.kill(etcd, 'SIGKILL');
  await eventually('etcd back', async () => {
    const p = await etcdPid(cluster.state);
    return p > 0 && p !== etcd && (await fetch(`${cluster.url}/readyz`)).ok;
  }, 60_000, 500);
  await sleep(1500);
  // The control plane (API server, controller manager, scheduler): restarted as a supervisor would.
  await killServer(cluster.state);
  await startServerProcess(cluster.state);
  await sleep(1500);
  // An agent: its containers keep running; the restarted agent re-adopts them.
  await stopAgent(cluster.state, 'node-1', 'SIGKILL');
  await startAgentProcess(cluster.state, 'node-1');

  t.regex(await kubectl(['rollout', 'status', '-n', 'e2e-kill', 'deployment/web', '--timeout=300s']), /successfully rolled out/);
  const ready = await eventually('6 ready v2 pods', async () => {
    const ps = (await pods('e2e-kill')).filter(isReady);
    return ps.length === 6 && ps.every((p) => p.spec.containers[0]!.image.endsWith(':v2')) ? ps : undefined;
  }, 120_000);
  t.is(ready.length, 6);
  const got = JSON.parse(await kubectl(['get', 'configmaps', '-n', 'e2e-kill', '-o', 'json'])) as { items: { metadata: { name: string }; data?: Record<string, string> }[] };
  for (let i = 0; i < 20; i++) t.is(got.items.find((c) => c.metadata.name === `keep-${i}`)?.data?.i, String(i), `keep-${i} survived`);
  const rs = JSON.parse(await kubectl(['get', 'replicasets', '-n', 'e2e-kill', '-o', 'json'])) as { items: { spec: { replicas: number } }[] };
  t.is(rs.items.length, 2, 'one ReplicaSet per revision, none duplicated by a restarted controller');
  t.is(rs.items.reduce((n, r) => n + r.spec.replicas, 0), 6);
});
