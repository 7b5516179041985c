// End-to-end scenarios 1–3 (and 9: the same with the real kubectl) on a two-node local
// cluster: the sample app runs and answers by name, scales with pods on both nodes, and rolls
// v1 → v2 → v1 under a continuous request loop from a client pod with zero failed requests.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/apiserver.js';
import { eventually, startTestCluster, stopLoop, type CommandResult, type TestCluster } from '../lib/cluster.js';

let cluster: TestCluster;

test.before(async () => {
  cluster = await startTestCluster({ nodes: 2 });
});

test.after.always(async () => {
  await cluster?.down();
});

type Cli = (args: string[], opts?: { input?: string; timeoutMs?: number }) => Promise<CommandResult>;

const ok = async (cli: Cli, args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string> => {
  const r = await cli(args, opts);
  if (r.code !== 0) throw new Error(`${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
};

interface PodView {
  name: string;
  node: string;
  phase: string;
  ready: boolean;
  ip: string;
  image: string;
  deleting: boolean;
}

async function webPods(ns: string): Promise<PodView[]> {
  const out = await ok(cluster.kubectl, ['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'json']);
  const list = JSON.parse(out) as { items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string; containers: { image: string }[] }; status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] } }[] };
  return list.items.map((p) => ({
    name: p.metadata.name,
    node: p.spec.nodeName ?? '',
    phase: p.status.phase ?? '',
    ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    ip: p.status.podIP ?? '',
    image: p.spec.containers[0]!.image,
    deleting: !!p.metadata.deletionTimestamp,
  }));
}

const allReady = (n: number, ns: string) => async () => {
  const pods = (await webPods(ns)).filter((p) => !p.deleting);
  return pods.length === n && pods.every((p) => p.phase === 'Running' && p.ready) ? pods : undefined;
};

const LOOP = (iterations: number) => `i=0
while [ $i -lt ${iterations} ] && [ ! -f /tmp/stop ]; do
  r=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 10 web 80 2>&1 | tail -1)
  echo "R $r"
  i=$((i+1))
  usleep 50000
done
echo DONE`;

function clientPod(name: string, script: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name, image: 'skiff.local/busybox:latest', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', script] }] },
  });
}

async function scenarios(t: import('ava').ExecutionContext, cliName: 'kubectl' | 'skiff'): Promise<void> {
  const cli: Cli = cliName === 'kubectl' ? cluster.kubectl : cluster.skiff;
  const ns = `e2e-${cliName}`;
  // kubectl's `create namespace` goes through a typed client, in protobuf.
  if (cliName === 'kubectl') await ok(cli, ['create', 'namespace', ns]);
  else await ok(cli, ['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) });

  // 1. The sample app: every pod Running and Ready, the Service answers by name.
  t.regex(await ok(cli, ['apply', '-n', ns, '-f', join(REPO_ROOT, 'manifests/web.yaml')]), /deployment.apps\/web created/);
  t.regex(await ok(cli, ['rollout', 'status', '-n', ns, 'deployment/web', '--timeout=180s'], { timeoutMs: 200_000 }), /successfully rolled out/);
  const pods = await eventually('3 ready web pods', allReady(3, ns));
  t.true(pods.every((p) => /^10\.42\.\d+\.\d+$/.test(p.ip)), `pod IPs from the cluster range: ${pods.map((p) => p.ip)}`);
  t.is(new Set(pods.map((p) => p.ip)).size, 3);
  await ok(cluster.kubectl, ['apply', '-n', ns, '-f', '-'], { input: clientPod('probe', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 web 80 | tail -1; nslookup web.${ns}.svc.cluster.local 2>&1`) });
  await eventually('the probe pod to finish', async () => /Succeeded|Failed/.test(await ok(cluster.kubectl, ['get', 'pod', 'probe', '-n', ns, '-o', 'jsonpath={.status.phase}'])));
  const answer = await ok(cli, ['logs', '-n', ns, 'probe']);
  t.regex(answer, /web v1/, 'the Service answers by name');
  const svcIP = (await ok(cluster.kubectl, ['get', 'svc', 'web', '-n', ns, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  t.true(answer.includes(svcIP), `DNS resolves web.${ns} to its ClusterIP ${svcIP}: ${answer}`);

  // 2. Scale 3 → 10 → 2; pods spread over both nodes.
  await ok(cli, ['scale', '-n', ns, 'deployment/web', '--replicas=10']);
  const ten = await eventually('10 ready web pods', allReady(10, ns), 180_000);
  const nodes10 = new Set(ten.map((p) => p.node));
  t.is(nodes10.size, 2, `10 pods on both nodes: ${ten.map((p) => p.node)}`);
  await ok(cli, ['scale', '-n', ns, 'deployment/web', '--replicas=2']);
  const two = await eventually('2 web pods left', async () => {
    const all = await webPods(ns);
    return all.length === 2 && all.every((p) => p.ready) ? all : undefined;
  });
  t.is(new Set(two.map((p) => p.node)).size, 2, `the 2 remaining pods are on different nodes: ${two.map((p) => p.node)}`);
  await ok(cli, ['scale', '-n', ns, 'deployment/web', '--replicas=3']);
  await eventually('3 ready web pods again', allReady(3, ns));

  // 3. Rolling update v1 → v2 and undo → v1 under a continuous request loop: zero failures.
  await ok(cluster.kubectl, ['apply', '-n', ns, '-f', '-'], { input: clientPod('loop', LOOP(6000)) });
  await eventually('the loop to get answers', async () => (await cluster.kubectl(['logs', '-n', ns, 'loop'])).stdout.includes('R web v1'), 60_000);
  await ok(cli, ['set', 'image', '-n', ns, 'deployment/web', 'web=skiff.local/web:v2']);
  t.regex(await ok(cli, ['rollout', 'status', '-n', ns, 'deployment/web', '--timeout=240s'], { timeoutMs: 260_000 }), /successfully rolled out/);
  const v2 = await eventually('3 ready v2 pods', async () => {
    const ps = await allReady(3, ns)();
    return ps?.every((p) => p.image.endsWith(':v2')) ? ps : undefined;
  });
  t.is(v2.length, 3);
  await eventually('the loop to see v2', async () => (await cluster.kubectl(['logs', '-n', ns, 'loop'])).stdout.includes('R web v2'), 30_000);
  await ok(cli, ['rollout', 'undo', '-n', ns, 'deployment/web']);
  t.regex(await ok(cli, ['rollout', 'status', '-n', ns, 'deployment/web', '--timeout=240s'], { timeoutMs: 260_000 }), /successfully rolled out/);
  await eventually('3 ready v1 pods after undo', async () => {
    const ps = await allReady(3, ns)();
    return ps?.every((p) => p.image.endsWith(':v1')) ? ps : undefined;
  });
  t.regex(await ok(cli, ['rollout', 'history', '-n', ns, 'deployment/web']), /3/);
  // Let the loop run a little on the restored v1, then stop it and count.
  await new Promise((r) => setTimeout(r, 3000));
  await stopLoop(cluster, 'loop', ns);
  await eventually('the loop to stop', async () => (await cluster.kubectl(['logs', '-n', ns, 'loop'])).stdout.includes('DONE'), 30_000);
  const lines = (await ok(cluster.kubectl, ['logs', '-n', ns, 'loop'])).split('\n').filter((l) => l.startsWith('R'));
  const failed = lines.filter((l) => l !== 'R web v1' && l !== 'R web v2');
  t.log(`${cliName}: ${lines.length} requests during v1 → v2 → v1, ${failed.length} failed`);
  t.true(lines.length > 50, `the loop made requests throughout (${lines.length})`);
  t.deepEqual(failed, [], 'zero failed requests');
  t.true(lines.some((l) => l === 'R web v2') && lines.at(-1) === 'R web v1');
  await ok(cluster.kubectl, ['delete', 'namespace', ns, '--wait=false']);
}

test.serial('scenarios 1–3 with the real kubectl: app up, scale and spread, zero-failure rolling update and undo', async (t) => {
  t.timeout(900_000);
  await scenarios(t, 'kubectl');
});

test.serial('scenarios 1–3 with skiff', async (t) => {
  t.timeout(900_000);
  await scenarios(t, 'skiff');
});

test.serial('the README sample manifest is what the scenarios applied', (t) => {
  t.regex(readFileSync(join(REPO_ROOT, 'manifests/web.yaml'), 'utf8'), /image: skiff\.local\/web:v1/);
});
