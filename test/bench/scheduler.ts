// bench:scheduler — pods bound per second end to end, with hollow nodes (Node objects with
// capacity and a Ready condition, no agents), through a real `skiff server` process and etcd:
//   1. create N hollow nodes and P pending pods (before the scheduler starts);
//   2. start the scheduler in this process; time from its caches syncing until the last
//      binding shows up in its pod informer;
//   3. report pods/s end to end, the algorithm's own time per pod, and check no node is
//      over-committed (from the API).
// The pods name this bench's scheduler (spec.schedulerName), so the scheduler inside
// `skiff server` leaves them alone and only the one measured here binds them.
// --max-seconds bounds the binding phase: if not every pod is bound by then, the rate is the
// pods bound so far over the time taken, and the figure says so (for loaded machines and the
// time-boxed `npm run bench`). Progress goes to stderr.
// Usage: node --import tsx test/bench/scheduler.ts [--nodes 1000] [--pods 10000] [--no-events] [--max-seconds S]
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { pino } from 'pino';
import '../../pkg/api/index.js';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { GenericScheduler } from '../../pkg/scheduler/algorithm.js';
import { SchedulerCache } from '../../pkg/scheduler/cache.js';
import { newPodInfo } from '../../pkg/scheduler/pod-info.js';
import { newProfile } from '../../pkg/scheduler/profile.js';
import { Scheduler } from '../../pkg/scheduler/scheduler.js';
import { newNode, newPod } from '../../pkg/scheduler/testing/builders.js';
import { startTestEtcd } from '../lib/etcd.js';
import { removeDir, startServerProcess } from '../lib/apiserver.js';
import { emit } from './report.js';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '1000' }, pods: { type: 'string', default: '10000' }, 'no-events': { type: 'boolean', default: false }, 'max-seconds': { type: 'string' } } });
const MAX_SECONDS = values['max-seconds'] ? Number(values['max-seconds']) : Infinity;
const progress = (line: string) => process.stderr.write(`scheduler bench: ${line}\n`);
const NODES = Number(values.nodes);
const PODS = Number(values.pods);
const BENCH_SCHEDULER = 'skiff-bench-scheduler';

async function pool(n: number, inFlight: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) await fn(next++);
  }));
}

/** algorithmOnly schedules and assumes every pod against an in-memory cache: the algorithm's cost alone. */
function algorithmOnly(): Record<string, number> {
  const cache = new SchedulerCache();
  for (let i = 0; i < NODES; i++) cache.addNode(newNode(`hollow-${i}`, { cpu: '32', memory: '128Gi', pods: 110, labels: { zone: `zone-${i % 3}` } }));
  const algo = new GenericScheduler(newProfile(), cache);
  const infos = Array.from({ length: PODS }, (_, i) => newPod(`bench-${i}`, { cpu: '100m', memory: '128Mi', labels: { app: `app-${i % 50}` } }));
  const t0 = performance.now();
  let algoMs = 0;
  for (const pod of infos) {
    const info = newPodInfo(pod);
    const a = performance.now();
    const { nodeName } = algo.schedule(info);
    algoMs += performance.now() - a;
    cache.assumePod(info, nodeName);
  }
  const total = performance.now() - t0;
  return { algorithmMicrosPerPod: Math.round((algoMs * 1000) / PODS), withPodInfoAndAssumeMicrosPerPod: Math.round((total * 1000) / PODS), decisionsPerSec: Math.round(PODS / (total / 1000)) };
}

async function main(): Promise<void> {
  const inMemory = algorithmOnly();
  const etcd = await startTestEtcd();
  const srv = await startServerProcess({ etcdEndpoints: etcd.endpoint });
  const client = new RestClient({ server: srv.url, timeoutMs: 120_000 });
  const ac = new AbortController();
  const results: Record<string, unknown> = { machine: `${cpus().length} cores, node ${process.version}`, date: new Date().toISOString(), nodes: NODES, pods: PODS, inMemory };
  try {
    const nodes = client.resource<Node>(Resources.nodes);
    const pods = client.resource<Pod>(Resources.pods).namespace('default');
    let t0 = performance.now();
    await pool(NODES, 32, async (i) => {
      const node = newNode(`hollow-${String(i).padStart(5, '0')}`, { cpu: '32', memory: '128Gi', pods: 110, labels: { zone: `zone-${i % 3}` } });
      delete node.metadata.uid;
      await nodes.create(node);
    });
    results.nodeCreateSecs = Math.round(performance.now() - t0) / 1000;
    progress(`${NODES} nodes created in ${results.nodeCreateSecs} s`);
    t0 = performance.now();
    await pool(PODS, 64, async (i) => {
      const pod = newPod(`bench-${i}`, { cpu: '100m', memory: '128Mi', labels: { app: `app-${i % 50}` } });
      delete pod.metadata.uid;
      delete pod.status;
      pod.spec.schedulerName = BENCH_SCHEDULER;
      await pods.create(pod);
    });
    results.podCreateSecs = Math.round(performance.now() - t0) / 1000;
    progress(`${PODS} pods created in ${results.podCreateSecs} s`);

    const scheduler = new Scheduler({ client, logger: pino({ level: 'warn' }), profile: { schedulerName: BENCH_SCHEDULER }, ...(values['no-events'] ? { events: null } : {}) });
    let bound = 0;
    let done!: () => void;
    const allBound = new Promise<void>((r) => (done = r));
    const informer = (scheduler as unknown as { informers: { informerFor(r: unknown): { addEventHandler(h: object): void } } }).informers.informerFor(Resources.pods);
    informer.addEventHandler({
      onUpdate: (o: Pod, n: Pod) => {
        if (!o.spec.nodeName && n.spec.nodeName && ++bound === PODS) done();
      },
    });
    const tStart = performance.now();
    await scheduler.start(ac.signal);
    const tSynced = performance.now();
    const loop = scheduler.schedulingLoop(ac.signal);
    progress(`caches synced in ${Math.round(tSynced - tStart) / 1000} s; scheduling`);
    const ticker = setInterval(() => progress(`${bound} bound after ${Math.round((performance.now() - tSynced) / 1000)} s`), 10_000);
    let limit: NodeJS.Timeout | undefined;
    await Promise.race([allBound, new Promise<void>((r) => (limit = setTimeout(r, MAX_SECONDS === Infinity ? 2 ** 31 - 1 : MAX_SECONDS * 1000)))]);
    clearTimeout(limit);
    clearInterval(ticker);
    const tEnd = performance.now();
    const secs = (tEnd - tSynced) / 1000;
    results.boundInTime = bound;
    results.complete = bound >= PODS;
    progress(`${bound} bound in ${Math.round(secs * 10) / 10} s`);
    results.cacheSyncSecs = Math.round(tSynced - tStart) / 1000;
    results.scheduleSecs = Math.round(secs * 1000) / 1000;
    results.podsBoundPerSec = Math.round(bound / secs);
    results.algorithmMicrosPerPod = Math.round((scheduler.stats.algorithmMs * 1000) / Math.max(1, scheduler.stats.attempts));
    results.attempts = scheduler.stats.attempts;
    results.bindErrors = scheduler.stats.bindErrors;
    ac.abort();
    await loop;
    await scheduler.flushEvents();

    // Verify from the API: every pod bound, no node over-committed.
    const list = (await pods.listAll({ limit: 2000 })).items;
    const perNode = new Map<string, number>();
    for (const p of list) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    results.boundFromApi = [...perNode.values()].reduce((s, n) => s + n, 0);
    results.maxPodsPerNode = Math.max(...perNode.values());
    results.overCommittedNodes = [...perNode.values()].filter((n) => n > 110 || n * 100 > 32_000).length;
  } finally {
    ac.abort();
    client.close();
    await srv.stop();
    await etcd.cleanup();
    removeDir(srv.dataDir);
  }
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  const podCreatesPerSec = Math.round(PODS / (results.podCreateSecs as number));
  emit({
    bench: 'scheduler',
    name: 'pods_bound_rate',
    label: `${PODS} pods onto ${NODES} hollow nodes, bound per second end to end through the API server and etcd (${results.bindErrors} bind errors${results.complete ? '' : `; stopped after ${MAX_SECONDS} s with ${results.boundInTime} bound`})`,
    value: results.podsBoundPerSec as number,
    unit: 'pods/s',
    baseline: podCreatesPerSec,
    baselineLabel: 'API pod creates/s (same run)',
    goal: '≥ 1,000 pods/s',
  });
  emit({
    bench: 'scheduler',
    name: 'algorithm_us',
    label: `scheduling algorithm per pod (filters, scores, selection) in the run; baseline: the same ${PODS} decisions on an in-memory cache`,
    value: results.algorithmMicrosPerPod as number,
    unit: 'µs/pod',
    baseline: inMemory.algorithmMicrosPerPod,
    baselineLabel: 'in-memory µs/pod',
  });
  emit({ bench: 'scheduler', name: 'overcommitted_nodes', label: 'nodes over-committed after the run (from the API)', value: results.overCommittedNodes as number, unit: 'nodes', goal: '0' });
}

await main();
