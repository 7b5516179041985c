// Graceful node shutdown with a real API server, etcd, and `skiff agent` as a child process with
// real containers: SIGPWR makes the node NotReady ("node is shutting down"), stops the regular
// pod within shutdownGracePeriod − shutdownGracePeriodCriticalPods, then the critical pod, reports
// both Failed/Terminated, and the agent exits 0. SIGTERM alone leaves pods running.
import test from 'ava';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod, PodSpec } from '../../pkg/api/core/pod-types.js';
import type { PriorityClass } from '../../pkg/api/scheduling.js';
import { Resources } from '../../pkg/client/resources.js';
import { REPO_ROOT, useTestApiServer } from '../lib/apiserver.js';
import { cleanupNode, importSamples, newNodeLayout, type NodeLayout } from '../lib/cluster-node.js';
import { exitAfterFile } from '../lib/exit-guard.js';
import { waitFor } from '../lib/wait.js';

exitAfterFile(test);

const fixture = useTestApiServer(test);
test.serial.before(async () => {
  await fixture.client.resource<PriorityClass>({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false }).create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-node-critical' }, value: 2_000_001_000 });
});

const pods = () => fixture.client.resource<Pod>(Resources.pods).namespace('default');
const busybox = 'skiff.local/busybox:latest';

/** startAgentCommand runs `skiff agent` (the real command line) over layout; resolves with its exit code. */
function startAgentCommand(layout: NodeLayout, extra: string[]) {
  const logFile = join(layout.dataDir, `agent-${Date.now()}.log`);
  const fd = openSync(logFile, 'a');
  const args = ['--import', 'tsx', join(REPO_ROOT, 'cmd/skiff/main.ts'), 'agent', '--server', fixture.srv.url, '--node-name', layout.nodeName, '--data-dir', layout.dataDir, '--port', '0', '--address', '127.0.0.1', '--node-ip', '127.0.0.1', '--cgroup-parent', layout.cgroupParent, '--netns-prefix', layout.netnsPrefix, '--pod-network', 'loopback', ...extra];
  const child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], cwd: REPO_ROOT, env: { ...process.env, SKIFF_LOG_LEVEL: 'info' } });
  closeSync(fd);
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? String(signal))));
  return { child, exited, logs: () => readFileSync(logFile, 'utf8') };
}

function podOn(node: string, name: string, spec: Partial<PodSpec>): Pod {
  return { metadata: { name }, spec: { nodeName: node, containers: [], ...spec } } as Pod;
}

test.serial('SIGPWR: node NotReady, the regular pod stopped first, then the critical one, both Failed/Terminated; the agent exits 0', async (t) => {
  t.timeout(180_000);
  const layout = newNodeLayout();
  await importSamples(layout).catch(async (e) => {
    await cleanupNode(layout);
    throw e;
  });
  // 6 s in all, the last 3 s for critical pods: the regular pod gets 3 s, the critical pod 3 s.
  const agent = startAgentCommand(layout, ['--shutdown-grace-period', '6s', '--shutdown-grace-period-critical-pods', '3s']);
  t.teardown(async () => {
    if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill('SIGKILL');
    await agent.exited;
    await cleanupNode(layout);
  });
  const node = layout.nodeName;
  // The regular pod ignores SIGTERM (killed when its 3 s run out); the critical one exits on SIGTERM.
  await pods().create(podOn(node, 'regular', { terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: busybox, imagePullPolicy: 'Never', command: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.2; done'] }] }));
  await pods().create(podOn(node, 'critical', { priorityClassName: 'system-node-critical', terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: busybox, imagePullPolicy: 'Never', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'] }] }));
  for (const name of ['regular', 'critical']) await waitFor(`${name} Running`, async () => (await pods().get(name)).status?.containerStatuses?.[0]?.state?.running, 90_000);
  t.is((await pods().get('critical')).spec.priority, 2_000_001_000);

  const t0 = Date.now();
  agent.child.kill('SIGPWR');
  const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready');
  const notReady = await waitFor('node NotReady', async () => {
    const c = ready(await fixture.client.resource<Node>(Resources.nodes).get(node));
    return c?.status === 'False' ? c : undefined;
  }, 10_000);
  t.is(notReady.reason, 'KubeletNotReady');
  t.is(notReady.message, 'node is shutting down');

  const code = await Promise.race([agent.exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
  const elapsed = Date.now() - t0;
  t.is(code, 0, agent.logs().slice(-3000));
  t.true(elapsed >= 3_000 && elapsed < 20_000, `shutdown took ${elapsed} ms`);

  const finished: Record<string, number> = {};
  for (const name of ['regular', 'critical']) {
    const p = await pods().get(name);
    t.is(p.status?.phase, 'Failed', name);
    t.is(p.status?.reason, 'Terminated', name);
    t.is(p.status?.message, 'Pod was terminated in response to imminent node shutdown.', name);
    t.like(p.status?.conditions?.find((c) => c.type === 'DisruptionTarget'), { status: 'True', reason: 'TerminationByKubelet' }, name);
    t.is(p.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False', name);
    const term = p.status?.containerStatuses?.[0]?.state?.terminated;
    t.truthy(term, `${name} container terminated`);
    finished[name] = Date.parse(term!.finishedAt!);
  }
  // Regular first (killed after its 3 s), then critical (exits at once on SIGTERM): RFC 3339 seconds.
  t.true(finished.critical! >= finished.regular!, `critical finished ${finished.critical! - finished.regular!} ms after regular`);
  t.true(finished.regular! - Math.floor(t0 / 1000) * 1000 >= 2_000, 'the regular pod got its grace period');
  const log = agent.logs();
  t.true(log.indexOf('"group":"regular"') < log.indexOf('"group":"critical"'), 'regular group logged first');
});

test.serial('SIGTERM only stops the agent: pods keep running (a restart re-adopts them)', async (t) => {
  t.timeout(120_000);
  const layout = newNodeLayout();
  let agent: ReturnType<typeof startAgentCommand> | undefined;
  t.teardown(async () => {
    if (agent && agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill('SIGKILL');
    await agent?.exited;
    await cleanupNode(layout);
  });
  await importSamples(layout);
  agent = startAgentCommand(layout, ['--shutdown-grace-period', '6s']);
  await pods().create(podOn(layout.nodeName, 'survivor', { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: busybox, imagePullPolicy: 'Never', command: ['sleep', '3600'] }] }));
  const before = await waitFor('survivor Running', async () => (await pods().get('survivor')).status?.containerStatuses?.[0]?.state?.running, 90_000);
  agent.child.kill('SIGTERM');
  t.is(await agent.exited, 0);
  const p = await pods().get('survivor');
  t.is(p.status?.phase, 'Running');
  agent = startAgentCommand(layout, ['--shutdown-grace-period', '6s']);
  const after = await waitFor('survivor re-adopted', async () => {
    const s = (await pods().get('survivor')).status?.containerStatuses?.[0];
    return s?.state?.running && s.ready ? s : undefined;
  }, 60_000);
  t.is(after.state!.running!.startedAt, before.startedAt, 'same container');
  agent.child.kill('SIGTERM');
  await agent.exited;
  await pods().delete('survivor', { gracePeriodSeconds: 0 });
});
