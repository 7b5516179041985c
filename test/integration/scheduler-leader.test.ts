// Two scheduler replicas (separate processes) with leader election on kube-system/skiff-scheduler,
// against the real API server and etcd: only the leader binds; after kill -9 of the leader in
// the middle of a burst, the other takes over and every pod ends up bound exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import test from 'ava';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { newNode, newPod } from '../../pkg/scheduler/testing/builders.js';
import { REPO_ROOT, startTestApiServer } from '../lib/apiserver.js';
import { type Poll, waitFor as sharedWaitFor } from '../lib/wait.js';

interface Replica {
  child: ChildProcess;
  roles: string[];
  exited: Promise<void>;
}

function startReplica(url: string, identity: string): Replica {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'pkg/scheduler/testing/run-scheduler.ts'), url, identity], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const roles: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => roles.push(...d.split('\n').filter(Boolean)));
  return { child, roles, exited: new Promise((r) => child.once('exit', () => r())) };
}

const waitFor = <T>(what: string, fn: Poll<T>, timeoutMs = 60_000) => sharedWaitFor(what, fn, timeoutMs);

function apiPod(name: string): Pod {
  const pod = newPod(name, { cpu: '50m', memory: '32Mi' });
  delete pod.metadata.uid;
  delete pod.status;
  return pod;
}

test('two schedulers: only the leader binds; kill -9 of the leader mid-burst leaves every pod bound exactly once', async (t) => {
  const server = await startTestApiServer();
  const client = new RestClient({ server: server.url });
  const replicas: Replica[] = [];
  t.teardown(async () => {
    for (const r of replicas) {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
      await r.exited;
    }
    client.close();
    await server.cleanup();
  });
  const nodes = client.resource<Node>(Resources.nodes);
  const pods = client.resource<Pod>(Resources.pods).namespace('default');
  for (let i = 0; i < 20; i++) {
    const node = newNode(`node-${i}`, { cpu: '64', memory: '64Gi', pods: 200 });
    delete node.metadata.uid;
    await nodes.create(node);
  }

  const a = startReplica(server.url, 'replica-a');
  replicas.push(a);
  await waitFor('replica-a leading', () => a.roles.includes('leading'));
  const b = startReplica(server.url, 'replica-b');
  replicas.push(b);

  // Phase 1: with both running, only the leader binds.
  for (let i = 0; i < 50; i++) await pods.create(apiPod(`first-${i}`));
  await waitFor('first pods bound', async () => (await pods.list()).items.filter((p) => p.spec.nodeName).length === 50);
  const scheduledBy = async () => {
    const events = (await client.resource(Resources.events).namespace('default').listAll()).items as { reason?: string; involvedObject: { name?: string }; reportingInstance?: string }[];
    return events.filter((e) => e.reason === 'Scheduled');
  };
  const phase1 = await waitFor('Scheduled events of phase 1', async () => {
    const ev = await scheduledBy();
    return ev.length >= 50 && ev;
  });
  t.deepEqual([...new Set(phase1.map((e) => e.reportingInstance))], ['replica-a']);
  t.false(b.roles.includes('leading'));

  // Phase 2: a burst; kill -9 the leader once part of it is bound.
  const burst = Array.from({ length: 400 }, (_, i) => `burst-${i}`);
  let next = 0;
  const creating = Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < burst.length) await pods.create(apiPod(burst[next++]));
    }),
  );
  await waitFor('part of the burst bound', async () => (await pods.list()).items.filter((p) => p.metadata.name?.startsWith('burst-') && p.spec.nodeName).length >= 40);
  a.child.kill('SIGKILL');
  await a.exited;
  const boundAtKill = (await pods.list()).items.filter((p) => p.metadata.name?.startsWith('burst-') && p.spec.nodeName).length;
  await creating;
  t.true(boundAtKill < burst.length, 'the leader died mid-burst');

  await waitFor('replica-b leading', () => b.roles.includes('leading'), 30_000);
  const all = await waitFor(
    'every pod bound',
    async () => {
      const list = (await pods.listAll()).items;
      return list.length === 450 && list.every((p) => p.spec.nodeName) && list;
    },
    90_000,
  );
  t.is(all.length, 450);
  for (const p of all) t.is(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');

  // Exactly once: no pod has two Scheduled events, and replica-b did bind the rest (its Scheduled
  // events wait behind its bindings, so they may arrive a little after the last pod is bound).
  const events = await waitFor('Scheduled events by replica-b', async () => {
    const ev = await scheduledBy();
    return ev.some((e) => e.reportingInstance === 'replica-b') && ev;
  });
  const perPod = new Map<string, number>();
  for (const e of events) perPod.set(e.involvedObject.name ?? '', (perPod.get(e.involvedObject.name ?? '') ?? 0) + 1);
  t.deepEqual([...perPod].filter(([, n]) => n > 1), []);
  t.log(`bound at kill: ${boundAtKill}/400; events by a: ${events.filter((e) => e.reportingInstance === 'replica-a').length}, by b: ${events.filter((e) => e.reportingInstance === 'replica-b').length}`);
});
