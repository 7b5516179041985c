// cluster.ts: whole-cluster figures on a real two-node local cluster (`skiff cluster up`):
//   - rolling update of 20 replicas v1 → v2 under a continuous request loop from a client pod:
//     duration and failed requests; baseline: scaling the same Deployment 0 → 20 in this run;
//   - node-loss recovery: one node's agent killed by PID and its link cut, time until all 20
//     replicas are ready on the other node; baseline: the tuned detection budget (node monitor
//     grace period + the pods' tolerationSeconds).
//
//   node --import tsx test/bench/cluster.ts [--replicas 20]
import { parseArgs } from 'node:util';
import { setNodeNetwork, stopAgent } from '../../pkg/cluster/cluster.js';
import { eventually, sleep, startTestCluster, stopLoop, type TestCluster } from '../lib/cluster.js';
import { emit, round } from './report.js';

const { values } = parseArgs({ options: { replicas: { type: 'string', default: '20' } } });
const replicas = Number(values.replicas);
const GRACE_S = 8;
const TOLERATION_S = 5;

let cluster: TestCluster | undefined;

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await cluster!.kubectl(args, { input, timeoutMs: 400_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}
const apply = (obj: unknown) => kubectl(['apply', '-f', '-'], JSON.stringify(obj));

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase?: string; conditions?: { type: string; status: string }[] };
}
const readyPods = async (): Promise<PodJson[]> =>
  (JSON.parse(await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: PodJson[] }).items.filter(
    (p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );

const deployment = (n: number, image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: n,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        tolerations: ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'].map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: TOLERATION_S })),
        containers: [
          {
            name: 'web',
            image,
            imagePullPolicy: 'IfNotPresent',
            ports: [{ containerPort: 8080 }],
            resources: { requests: { cpu: '10m', memory: '8Mi' } },
            readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2 },
            lifecycle: { preStop: { exec: { command: ['sleep', '3'] } } },
          },
        ],
      },
    },
  },
});

async function main(): Promise<void> {
  cluster = await startTestCluster({ nodes: 2, agentArgs: ['--node-lease-duration', String(GRACE_S)], env: { SKIFF_NODE_MONITOR_GRACE_PERIOD: `${GRACE_S}s`, SKIFF_NODE_MONITOR_PERIOD: '1s', SKIFF_TEST_LOG: 'warn' } });
  await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });

  // Baseline: 0 → N replicas.
  let t0 = Date.now();
  await apply(deployment(replicas, 'skiff.local/web:v1'));
  await eventually(`${replicas} ready pods`, async () => ((await readyPods()).length === replicas ? true : undefined), 300_000, 250);
  const scaleUpMs = Date.now() - t0;

  // Rolling update under a request loop from a client pod.
  const loop = `i=0; while [ ! -f /tmp/stop ] && [ $i -lt 20000 ]; do r=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 10 web 80 2>&1 | tail -1); echo "R $r"; i=$((i+1)); usleep 50000; done; echo DONE`;
  await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'loop' }, spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'loop', image: 'skiff.local/busybox:latest', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', loop] }] } });
  await eventually('the loop answering', async () => ((await cluster!.kubectl(['logs', 'loop'])).stdout.includes('R web v1') ? true : undefined), 120_000, 500);
  t0 = Date.now();
  await kubectl(['set', 'image', 'deployment/web', 'web=skiff.local/web:v2']);
  await kubectl(['rollout', 'status', 'deployment/web', '--timeout=600s']);
  const rolloutMs = Date.now() - t0;
  await sleep(2000);
  await stopLoop(cluster!, 'loop');
  await eventually('the loop to stop', async () => ((await cluster!.kubectl(['logs', 'loop'])).stdout.includes('DONE') ? true : undefined), 60_000, 500);
  const lines = (await kubectl(['logs', 'loop'])).split('\n').filter((l) => l.startsWith('R'));
  const failures = lines.filter((l) => l !== 'R web v1' && l !== 'R web v2');
  const failed = failures.length;
  if (failed) process.stderr.write(`failed requests: ${JSON.stringify(failures.slice(0, 10))}\n`);
  await kubectl(['delete', 'pod', 'loop', '--wait=false']);
  emit({ bench: 'cluster', name: 'rolling_update', label: `rolling update of ${replicas} replicas v1 → v2`, value: round(rolloutMs / 1000, 1), unit: 's', baseline: round(scaleUpMs / 1000, 1), baselineLabel: `scale 0 → ${replicas} in the same run` });
  emit({ bench: 'cluster', name: 'rolling_update_failed', label: `failed requests during the rolling update (of ${lines.length})`, value: failed, unit: 'requests', goal: '0' });

  // Node loss: kill node-2's agent by PID and cut its link.
  const onVictim = (await readyPods()).filter((p) => p.spec.nodeName === 'node-2').length;
  t0 = Date.now();
  await stopAgent(cluster.state, 'node-2', 'SIGKILL');
  await setNodeNetwork(cluster.state, 'node-2', false);
  await eventually(`${replicas} ready pods on node-1`, async () => {
    const ps = await readyPods();
    return ps.length === replicas && ps.every((p) => p.spec.nodeName === 'node-1') ? true : undefined;
  }, 300_000, 250);
  const recoveryMs = Date.now() - t0;
  emit({ bench: 'cluster', name: 'node_loss_recovery', label: `node loss: ${onVictim} pods back on the other node`, value: round(recoveryMs / 1000, 1), unit: 's', baseline: GRACE_S + TOLERATION_S, baselineLabel: 'node monitor grace + tolerationSeconds (tuned)' });
}

try {
  await main();
} finally {
  await cluster?.down().catch((e: Error) => process.stderr.write(`cleanup: ${e.message}\n`));
}
