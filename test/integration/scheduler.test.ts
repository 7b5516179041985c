// Scheduler against the real API server and etcd: pending with the aggregated reason until a
// node fits, no over-commit under a race of 500 pods, preemption of the minimum lowest-priority
// victims, and `why` over the live cache.
import test, { type ExecutionContext } from 'ava';
import { pino } from 'pino';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { toMilli } from '../../pkg/api/quantity.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { Scheduler } from '../../pkg/scheduler/scheduler.js';
import { newNode, newPod } from '../../pkg/scheduler/testing/builders.js';
import { startTestApiServer } from '../lib/apiserver.js';
import { type Poll, waitFor as sharedWaitFor } from '../lib/wait.js';

async function setup(t: ExecutionContext, opts: { start?: boolean } = {}) {
  const server = await startTestApiServer();
  const client = new RestClient({ server: server.url });
  const ac = new AbortController();
  const scheduler = new Scheduler({ client, logger: pino({ level: process.env.SKIFF_TEST_LOG ?? 'silent' }), initialBackoffMs: 200, maxBackoffMs: 1000 });
  let running: Promise<void> | undefined;
  const start = () => (running = scheduler.run(ac.signal));
  if (opts.start !== false) start();
  t.teardown(async () => {
    ac.abort();
    await running?.catch(() => undefined);
    await scheduler.flushEvents();
    client.close();
    await server.cleanup();
  });
  const nodes = client.resource<Node>(Resources.nodes);
  const pods = client.resource<Pod>(Resources.pods).namespace('default');
  return { server, client, scheduler, nodes, pods, start };
}

/** hollow strips the builder's test-only fields so the API server stores the object as sent. */
function apiPod(name: string, opts: Parameters<typeof newPod>[1] = {}): Pod {
  const pod = newPod(name, opts);
  delete pod.metadata.uid;
  delete pod.status;
  pod.spec.terminationGracePeriodSeconds = 0;
  return pod;
}

function apiNode(name: string, opts: Parameters<typeof newNode>[1] = {}): Node {
  const node = newNode(name, opts);
  delete node.metadata.uid;
  return node;
}

const waitFor = <T>(what: string, fn: Poll<T>, timeoutMs = 20_000) => sharedWaitFor(what, fn, timeoutMs);

test.serial('pods too big for every node stay Pending with the aggregated reason; a big node schedules them', async (t) => {
  const { nodes, pods, client } = await setup(t);
  await nodes.create(apiNode('small-1', { cpu: '1' }));
  await nodes.create(apiNode('small-2', { cpu: '1' }));
  await nodes.create(apiNode('gpu-1', { cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  for (let i = 0; i < 3; i++) await pods.create(apiPod(`big-${i}`, { cpu: '2' }));
  const want = '0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 2 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.';
  for (let i = 0; i < 3; i++) {
    const cond = await waitFor(`PodScheduled=False on big-${i}`, async () => {
      const p = await pods.get(`big-${i}`);
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    t.is(cond.reason, 'Unschedulable');
    t.is(cond.message, want);
    t.is((await pods.get(`big-${i}`)).spec.nodeName, undefined);
  }
  const events = await waitFor('FailedScheduling events', async () => {
    const list = await client.resource(Resources.events).namespace('default').list();
    const failed = list.items.filter((e: any) => e.reason === 'FailedScheduling');
    return failed.length >= 3 && failed;
  });
  t.true(events.every((e: any) => e.type === 'Warning' && e.message === want));

  await nodes.create(apiNode('big-node', { cpu: '8' }));
  for (let i = 0; i < 3; i++) {
    const p = await waitFor(`big-${i} bound`, async () => {
      const p = await pods.get(`big-${i}`);
      return p.spec.nodeName ? p : undefined;
    });
    t.is(p.spec.nodeName, 'big-node');
    t.is(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
  }
});

test.serial('no over-commit: 500 pods racing onto 10 nodes never exceed allocatable', async (t) => {
  const { nodes, pods, scheduler } = await setup(t);
  for (let i = 0; i < 10; i++) await nodes.create(apiNode(`node-${i}`, { cpu: '2', memory: '2Gi', pods: 110 }));
  // 500 pods of 100m/64Mi: 200 fit by CPU (20 per node); 300 must stay pending.
  const names = Array.from({ length: 500 }, (_, i) => `racer-${i}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < names.length) await pods.create(apiPod(names[next++], { cpu: '100m', memory: '64Mi' }));
    }),
  );
  await waitFor('200 pods bound and the rest judged', async () => {
    const list = await pods.list();
    const bound = list.items.filter((p) => p.spec.nodeName).length;
    const judged = list.items.filter((p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')).length;
    return bound === 200 && judged === 300;
  }, 60_000);
  await scheduler.waitForBindings();
  const list = await pods.list();
  const perNode = new Map<string, { cpu: number; mem: number; count: number }>();
  for (const p of list.items) {
    if (!p.spec.nodeName) continue;
    const used = perNode.get(p.spec.nodeName) ?? { cpu: 0, mem: 0, count: 0 };
    used.cpu += toMilli(String(p.spec.containers[0].resources?.requests?.cpu));
    used.mem += 64;
    used.count++;
    perNode.set(p.spec.nodeName, used);
  }
  t.is(perNode.size, 10);
  for (const [name, used] of perNode) {
    t.true(used.cpu <= 2000, `${name} cpu ${used.cpu}m`);
    t.true(used.mem <= 2048, `${name} memory ${used.mem}Mi`);
  }
  t.is([...perNode.values()].reduce((s, u) => s + u.count, 0), 200);
});

test.serial('preemption evicts only the lowest-priority victims, the minimum needed', async (t) => {
  const { nodes, pods, client } = await setup(t);
  const classes = client.resource({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false });
  await classes.create({ metadata: { name: 'low' }, value: 10 } as never);
  await classes.create({ metadata: { name: 'mid' }, value: 100 } as never);
  await classes.create({ metadata: { name: 'high' }, value: 1000 } as never);
  await nodes.create(apiNode('n1', { cpu: '2' }));
  await nodes.create(apiNode('n2', { cpu: '2' }));
  // n1: two low pods of 500m and a mid pod of 1; n2: a mid pod of 1.5 and a low pod of 500m.
  const place = async (name: string, node: string, cpu: string, priorityClassName: string) => {
    await pods.create(apiPod(name, { cpu, priorityClassName, nodeSelector: { 'kubernetes.io/hostname': node } }));
    await waitFor(`${name} bound`, async () => (await pods.get(name)).spec.nodeName);
  };
  await place('n1-low-a', 'n1', '500m', 'low');
  await place('n1-low-b', 'n1', '500m', 'low');
  await place('n1-mid', 'n1', '1', 'mid');
  await place('n2-mid', 'n2', '1500m', 'mid');
  await place('n2-low', 'n2', '500m', 'low');
  // The high pod needs 1 CPU: on n1 it takes both low pods (1 CPU); on n2 it would need the mid pod.
  await pods.create(apiPod('urgent', { cpu: '1', priorityClassName: 'high' }));
  const urgent = await waitFor('urgent bound', async () => {
    const p = await pods.get('urgent');
    return p.spec.nodeName ? p : undefined;
  });
  t.is(urgent.spec.nodeName, 'n1');
  const left = (await pods.list()).items.map((p) => p.metadata.name).sort();
  t.deepEqual(left, ['n1-mid', 'n2-low', 'n2-mid', 'urgent']);
  const preempted = (await client.resource(Resources.events).namespace('default').list()).items.filter((e: any) => e.reason === 'Preempted').map((e: any) => e.involvedObject.name);
  t.deepEqual(preempted.sort(), ['n1-low-a', 'n1-low-b']);
});

test.serial('why explains a pending pod over the live cache', async (t) => {
  const { nodes, pods, scheduler } = await setup(t);
  await nodes.create(apiNode('a', { cpu: '1' }));
  await nodes.create(apiNode('b', { cpu: '4', unschedulable: true }));
  await pods.create(apiPod('w', { cpu: '2' }));
  await waitFor('w judged', async () => (await pods.get('w')).status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'));
  const pod = scheduler.getPod('default', 'w')!;
  const e = scheduler.explain(pod);
  t.deepEqual(
    e.rows.map((r) => [r.node, r.fits, r.reasons]),
    [
      ['a', false, ['Insufficient cpu']],
      ['b', false, ['node(s) were unschedulable']],
    ],
  );
});
