// End-to-end networking on a two-node local cluster with real agents: pods reach each other
// across nodes by IP; a Service spreads requests over all its replicas by DNS name; a replica
// that turns not-ready stops receiving traffic within two probe periods and returns when ready;
// a NodePort answers on the node's address from the host; pod IPs and containers survive an
// agent restart (kill -9).
import test from 'ava';
import { stopAgent, startAgentProcess } from '../../pkg/cluster/cluster.js';
import { eventually, sleep, startTestCluster, type TestCluster } from '../lib/cluster.js';

let cluster: TestCluster;
const NS = 'e2e-net';

test.before(async () => {
  cluster = await startTestCluster({ nodes: 2 });
  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }));
});

test.after.always(async () => {
  await cluster?.down();
});

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, { input, timeoutMs: 200_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}
const apply = (obj: unknown) => kubectl(['apply', '-n', NS, '-f', '-'], JSON.stringify(obj));

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; startTime?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { containerID?: string }[] };
}
const pods = async (selector: string): Promise<PodJson[]> => (JSON.parse(await kubectl(['get', 'pods', '-n', NS, '-l', selector, '-o', 'json'])) as { items: PodJson[] }).items;
const ready = (p: PodJson) => !p.metadata.deletionTimestamp && p.status.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** A replica that serves its own hostname, ready while /www/healthz exists. */
const echo = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'echo' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'echo' } },
    template: {
      metadata: { labels: { app: 'echo' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'echo' } } }],
        containers: [
          {
            name: 'echo',
            image: 'skiff.local/busybox:latest',
            imagePullPolicy: 'IfNotPresent',
            command: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www'],
            ports: [{ containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2, failureThreshold: 1 },
          },
        ],
      },
    },
  },
};

/** clientScript asks url n times and prints one answer (or the error) per line. */
const clientScript = (url: string, n: number) => `i=0; while [ $i -lt ${n} ]; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${url} 2>&1 | tail -1; i=$((i+1)); done`;

async function ask(target: string, n: number, node = 'node-1'): Promise<string[]> {
  const name = `client-${Date.now().toString(36)}`;
  await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, restartPolicy: 'Never', containers: [{ name: 'c', image: 'skiff.local/busybox:latest', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', clientScript(target, n)] }] } });
  await eventually(`${name} to finish`, async () => /Succeeded|Failed/.test(await kubectl(['get', 'pod', name, '-n', NS, '-o', 'jsonpath={.status.phase}'])), 120_000, 500);
  const out = await kubectl(['logs', '-n', NS, name]);
  await kubectl(['delete', 'pod', name, '-n', NS, '--wait=false']);
  return out.split('\n').filter(Boolean);
}

test.serial('pods reach each other across nodes; a Service spreads over its replicas; not-ready replicas drop out and return', async (t) => {
  t.timeout(600_000);
  await apply(echo);
  await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { type: 'NodePort', selector: { app: 'echo' }, ports: [{ port: 80, targetPort: 8080 }] } });
  const replicas = await eventually('3 ready echo pods on both nodes', async () => {
    const ps = (await pods('app=echo')).filter(ready);
    return ps.length === 3 && new Set(ps.map((p) => p.spec.nodeName)).size === 2 ? ps : undefined;
  }, 180_000);
  const names = replicas.map((p) => p.metadata.name).sort();

  // Pod to pod by IP, from node-1 to every replica (at least one is on node-2).
  for (const p of replicas) t.deepEqual(await ask(`${p.status.podIP} 8080`, 1), [p.metadata.name], `reach ${p.metadata.name} at ${p.status.podIP} on ${p.spec.nodeName}`);

  // Through the Service by name: all three answer.
  const spread = await ask('echo 80', 45);
  t.deepEqual([...new Set(spread)].sort(), names, `answers: ${spread.join(',')}`);

  // NodePort on each node's address, from the host.
  const nodePort = Number(await kubectl(['get', 'svc', 'echo', '-n', NS, '-o', 'jsonpath={.spec.ports[0].nodePort}']));
  for (const a of cluster.state.agents) {
    const res = await fetch(`http://${a.address}:${nodePort}/`, { signal: AbortSignal.timeout(5000) });
    t.true(names.includes((await res.text()).trim()), `NodePort ${nodePort} on ${a.nodeName}`);
  }

  // One replica turns not-ready: within two probe periods it is out of the Service.
  const victim = replicas[0]!.metadata.name;
  await kubectl(['exec', '-n', NS, victim, '--', 'rm', '/www/healthz']);
  const t0 = Date.now();
  await eventually('the victim not ready', async () => !ready((await pods('app=echo')).find((p) => p.metadata.name === victim)!), 10_000, 200);
  const notReadyMs = Date.now() - t0;
  t.log(`Ready=False ${notReadyMs} ms after the probe target went away (period 2 s)`);
  t.true(notReadyMs <= 2 * 2_000 + 1_500, `not ready within two probe periods (+ status write): ${notReadyMs} ms`);
  await sleep(1000); // the service rules follow the EndpointSlice
  const without = await ask('echo 80', 30);
  t.false(without.includes(victim), `no answers from ${victim}: ${without.join(',')}`);
  t.is(without.length, 30);
  await kubectl(['exec', '-n', NS, victim, '--', 'sh', '-c', 'echo ok > /www/healthz']);
  await eventually('the victim ready again', async () => ready((await pods('app=echo')).find((p) => p.metadata.name === victim)!), 20_000, 200);
  await sleep(1000);
  const back = await ask('echo 80', 45);
  t.true(back.includes(victim), `${victim} answers again`);
});

test.serial('pod IPs, containers and start times survive kill -9 of an agent', async (t) => {
  t.timeout(300_000);
  const before = (await pods('app=echo')).filter((p) => p.spec.nodeName === 'node-1');
  t.true(before.length >= 1);
  await stopAgent(cluster.state, 'node-1', 'SIGKILL');
  await sleep(2000);
  await startAgentProcess(cluster.state, 'node-1');
  await sleep(5000); // a few sync passes of the restarted agent
  const after = await eventually('node-1 pods ready after the restart', async () => {
    const ps = (await pods('app=echo')).filter((p) => p.spec.nodeName === 'node-1');
    return ps.length === before.length && ps.every(ready) ? ps : undefined;
  }, 60_000);
  for (const p of before) {
    const q = after.find((x) => x.metadata.name === p.metadata.name);
    t.truthy(q, `${p.metadata.name} still there`);
    t.is(q?.status.podIP, p.status.podIP);
    t.is(q?.status.startTime, p.status.startTime);
    t.is(q?.status.containerStatuses?.[0]?.containerID, p.status.containerStatuses?.[0]?.containerID);
  }
  const answers = await ask('echo 80', 20);
  t.true(answers.every((a) => a.startsWith('echo-')), answers.join(','));
});
