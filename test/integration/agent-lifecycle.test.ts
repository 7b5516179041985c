// The node agent's lifecycle guarantees with a real API server, etcd, crun + conmon and the
// sample images: CrashLoopBackOff with growing delays and OOMKilled, liveness restarts and
// readiness flips, graceful termination (SIGTERM honoured vs ignored), and kill -9 of the agent
// with pods deleted and created while it is down.
import test from 'ava';
import type { Pod, PodSpec } from '../../pkg/api/core/pod-types.js';
import { Resources } from '../../pkg/client/resources.js';
import { useTestApiServer } from '../lib/apiserver.js';
import { cleanupNode, importSamples, newNodeLayout, startNodeProcess, startTestNode, type NodeLayout, type NodeProcess, type TestNode } from '../lib/cluster-node.js';
import { exitAfterFile } from '../lib/exit-guard.js';
import { type Poll, waitFor as sharedWaitFor } from '../lib/wait.js';

exitAfterFile(test);

const fixture = useTestApiServer(test);

const pods = () => fixture.client.resource<Pod>(Resources.pods).namespace('default');
const busybox = 'skiff.local/busybox:latest';

const waitFor = <T>(what: string, fn: Poll<T>, timeoutMs = 40_000) => sharedWaitFor(what, fn, timeoutMs, 200);

function podOn(node: string, name: string, spec: Partial<PodSpec>): Pod {
  return { metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [], ...spec } } as Pod;
}

async function withNode(t: { teardown: (f: () => Promise<void>) => void }): Promise<TestNode> {
  const node = await startTestNode(fixture.srv.url);
  t.teardown(() => node.cleanup());
  return node;
}

test.serial('a container that exits 1 goes into CrashLoopBackOff with growing delays; OOM is reported as OOMKilled', async (t) => {
  const node = await withNode(t);
  await pods().create(podOn(node.layout.nodeName, 'crash', { containers: [{ name: 'c', image: busybox, imagePullPolicy: 'Never', command: ['sh', '-c', 'echo crashing; exit 1'] }] }));
  await pods().create(
    podOn(node.layout.nodeName, 'oom', {
      restartPolicy: 'Never',
      containers: [{ name: 'c', image: busybox, imagePullPolicy: 'Never', command: ['sh', '-c', 'sleep 0.3; x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived'], resources: { limits: { memory: '20Mi' } } }],
    }),
  );
  // Restart 1 is immediate, restart 2 waits 10 s: within ~4 s we see CrashLoopBackOff with restartCount 1.
  const looping = await waitFor('CrashLoopBackOff', async () => {
    const p = await pods().get('crash');
    const cs = p.status?.containerStatuses?.[0];
    return cs?.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
  });
  const cs = looping.status!.containerStatuses![0]!;
  t.is(cs.restartCount, 1);
  t.is(cs.lastState?.terminated?.exitCode, 1);
  t.is(cs.lastState?.terminated?.reason, 'Error');
  t.regex(cs.state!.waiting!.message!, /back-off 10s/);
  t.is(looping.status?.phase, 'Running');
  const firstFinish = Date.parse(cs.lastState!.terminated!.finishedAt!);
  // The next restart comes ~10 s after that exit, then the back-off doubles to 20 s.
  const second = await waitFor('restart 2 and back-off 20s', async () => {
    const p = await pods().get('crash');
    const s = p.status?.containerStatuses?.[0];
    return s?.restartCount === 2 && s.state?.waiting?.message?.includes('back-off 20s') ? s : undefined;
  }, 30_000);
  const secondStart = Date.parse(second.lastState!.terminated!.startedAt!);
  t.true(secondStart - firstFinish >= 9_000, `restart waited ${secondStart - firstFinish} ms`);
  const logs = await (await fetch(`${node.agentUrl}/containerLogs/default/crash/c?previous=true`)).text();
  t.is(logs, 'crashing\n');

  const oom = await waitFor('oom Failed', async () => {
    const p = await pods().get('oom');
    return p.status?.phase === 'Failed' ? p : undefined;
  });
  t.is(oom.status!.containerStatuses![0]!.state?.terminated?.reason, 'OOMKilled');
});

test.serial('liveness failure restarts only that container; readiness failure flips Ready and back', async (t) => {
  const node = await withNode(t);
  await pods().create(
    podOn(node.layout.nodeName, 'probed', {
      containers: [
        { name: 'live', image: busybox, imagePullPolicy: 'Never', command: ['sh', '-c', 'touch /tmp/alive; exec sleep 3600'], livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 } },
        { name: 'ready', image: busybox, imagePullPolicy: 'Never', command: ['sh', '-c', 'touch /tmp/ready; exec sleep 3600'], readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 } },
        { name: 'tcp', image: 'skiff.local/web:v1', imagePullPolicy: 'Never', livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 2 } },
      ],
    }),
  );
  const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const first = await waitFor('probed Ready', async () => {
    const p = await pods().get('probed');
    return ready(p) === 'True' ? p : undefined;
  });
  const ids = Object.fromEntries(first.status!.containerStatuses!.map((c) => [c.name, c.containerID]));
  const exec = async (container: string, cmd: string) => {
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`${node.agentUrl.replace('http', 'ws')}/exec/default/probed/${container}?command=sh&command=-c&command=${encodeURIComponent(cmd)}&stdout=1`, ['v5.channel.k8s.io']);
    await new Promise<void>((resolve) => {
      ws.on('close', () => resolve());
      ws.on('error', () => resolve());
    });
  };
  await exec('ready', 'rm /tmp/ready');
  await waitFor('Ready False', async () => ready(await pods().get('probed')) === 'False');
  await exec('ready', 'touch /tmp/ready');
  await waitFor('Ready True again', async () => ready(await pods().get('probed')) === 'True');

  await exec('live', 'rm /tmp/alive');
  const restarted = await waitFor('live restarted', async () => {
    const p = await pods().get('probed');
    const live = p.status?.containerStatuses?.find((c) => c.name === 'live');
    return live?.restartCount === 1 && live.state?.running ? p : undefined;
  });
  const after = Object.fromEntries(restarted.status!.containerStatuses!.map((c) => [c.name, c]));
  t.not(after.live!.containerID, ids.live);
  t.is(after.ready!.containerID, ids.ready, 'the other containers are untouched');
  t.is(after.tcp!.containerID, ids.tcp);
  t.is(after.ready!.restartCount, 0);
  t.is(after.tcp!.restartCount, 0, 'tcpSocket liveness passes');
});

test.serial('deletion: a SIGTERM handler exits promptly; an ignoring process is killed after the grace period', async (t) => {
  const node = await withNode(t);
  await pods().create(podOn(node.layout.nodeName, 'polite', { terminationGracePeriodSeconds: 10, containers: [{ name: 'c', image: busybox, imagePullPolicy: 'Never', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'] }] }));
  await pods().create(podOn(node.layout.nodeName, 'stubborn', { terminationGracePeriodSeconds: 3, containers: [{ name: 'c', image: busybox, imagePullPolicy: 'Never', command: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.2; done'] }] }));
  for (const name of ['polite', 'stubborn']) await waitFor(`${name} Running`, async () => (await pods().get(name)).status?.phase === 'Running');
  const gone = (name: string) => pods().get(name).then(() => false, () => true);
  let t0 = Date.now();
  await pods().delete('polite');
  await waitFor('polite gone', () => gone('polite'));
  const politeMs = Date.now() - t0;
  t0 = Date.now();
  await pods().delete('stubborn');
  await waitFor('stubborn gone', () => gone('stubborn'));
  const stubbornMs = Date.now() - t0;
  t.true(politeMs < 4_000, `polite took ${politeMs} ms`);
  t.true(stubbornMs >= 3_000 && stubbornMs < 9_000, `stubborn took ${stubbornMs} ms`);
  const left = await node.agent.syncer.readState('x');
  t.deepEqual(left.containers, []);
});

test.serial('kill -9 of the agent: running pods keep their containers, deleted ones go, new ones start', async (t) => {
  t.timeout(240_000);
  const layout: NodeLayout = newNodeLayout();
  let proc: NodeProcess | undefined;
  const t0 = Date.now();
  const phase = (what: string) => t.log(`${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  t.teardown(async () => {
    await proc?.kill9();
    await cleanupNode(layout);
  });
  await importSamples(layout);
  proc = await startNodeProcess(fixture.srv.url, layout);
  const names = Array.from({ length: 10 }, (_, i) => `keep-${i}`);
  for (const name of names) await pods().create(podOn(layout.nodeName, name, { containers: [{ name: 'c', image: busybox, imagePullPolicy: 'Never', command: ['sleep', '3600'] }] }));
  const before = new Map<string, { id: string; startedAt: string }>();
  await waitFor('10 pods Running', async () => {
    for (const name of names) {
      const p = await pods().get(name);
      const cs = p.status?.containerStatuses?.[0];
      if (!cs?.state?.running) return undefined;
      before.set(name, { id: cs.containerID!, startedAt: cs.state.running.startedAt! });
    }
    return true;
  }, 90_000);
  phase('10 pods running');
  await proc.kill9();
  // While the agent is down: delete two (the API keeps them until the agent confirms), force-delete one more, create two.
  await pods().delete('keep-0');
  await pods().delete('keep-1', { gracePeriodSeconds: 0 });
  for (const name of ['new-0', 'new-1']) await pods().create(podOn(layout.nodeName, name, { containers: [{ name: 'c', image: busybox, imagePullPolicy: 'Never', command: ['sleep', '3600'] }] }));
  proc = await startNodeProcess(fixture.srv.url, layout);
  phase('agent restarted');
  await waitFor('deleted pods gone and new pods running', async () => {
    const list = (await pods().list()).items;
    const byName = new Map(list.map((p) => [p.metadata.name, p]));
    if (byName.has('keep-0') || byName.has('keep-1')) return undefined;
    return ['new-0', 'new-1'].every((n) => byName.get(n)?.status?.containerStatuses?.[0]?.state?.running) ? true : undefined;
  }, 60_000);
  phase('converged');
  for (const name of names.slice(2)) {
    const cs = (await pods().get(name)).status!.containerStatuses![0]!;
    t.is(cs.containerID, before.get(name)!.id, `${name} keeps its container`);
    t.is(cs.state?.running?.startedAt, before.get(name)!.startedAt, `${name} keeps its start time`);
    t.is(cs.restartCount, 0);
  }
  // The force-deleted pod's containers are cleaned up from the runtime too.
  const { ContainerRuntime } = await import('../../pkg/runtime/runtime.js');
  const { FsImageStore } = await import('../../pkg/runtime/image/store.js');
  const { join } = await import('node:path');
  await waitFor('orphans removed', async () => {
    const rt = await ContainerRuntime.open({ stateDir: join(layout.dataDir, 'runtime'), imageStore: await FsImageStore.open({ root: join(layout.dataDir, 'images') }) });
    const uids = new Set((await rt.listPodSandbox()).map((s) => s.metadata.name));
    await rt.close();
    return !uids.has('keep-0') && !uids.has('keep-1') && uids.size === 10 ? true : undefined;
  });
  t.pass();
});
