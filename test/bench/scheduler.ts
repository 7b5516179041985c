// bench:scheduler — pods bound per second through a real `skiff server` process and etcd, onto
// hollow nodes (Node objects with capacity, a Ready condition, a pod CIDR and a node Lease this
// bench renews, as kubemark's hollow kubelets do; no agents):
//   1. create N hollow nodes and P pending pods (before the scheduler starts);
//   2. "pending": start the scheduler in this process; time from its caches syncing until the
//      last binding shows up in its pod informer (pods/s with the pods already pending);
//   3. "while creating": with the scheduler running, create Q more pods (64 in flight) and time
//      from the first create until the last of them is bound (pods/s end to end, against the
//      create rate of the same phase: the scheduler can at best keep up);
//   4. report both rates, the algorithm's own time per pod, and check from the API that no node
//      is over-committed and every pod is bound once.
// The pods name this bench's scheduler (spec.schedulerName), so the scheduler inside
// `skiff server` leaves them alone and only the one measured here binds them.
// Hollow nodes carry spec.podCIDR so the server's node IPAM controller has nothing to do (its
// default 10.42.0.0/16 holds 256 /24s, and with 1,000 nodes it kept retrying the other 744
// and took a quarter of the server's CPU), and their Leases are renewed every 20 s (spread
// evenly, 50 writes/s for 1,000 nodes) so node lifecycle does not mark them Unknown and taint
// them mid-run.
// --max-seconds bounds each binding phase: if not every pod is bound by then, the rate is the
// pods bound so far over the time taken, and the figure says so (for loaded machines and the
// time-boxed `npm run bench`). Progress (with the rate of the last interval) goes to stderr.
// Usage: node --import tsx test/bench/scheduler.ts [--nodes 1000] [--pods 10000]
//          [--pods-while-creating P/2] [--no-events] [--max-seconds S] [--max-in-flight B]
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pino } from 'pino';
import '../../pkg/api/index.js';
import type { Lease } from '../../pkg/api/coordination.js';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { formatMicroTime } from '../../pkg/client/leaderelection.js';
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

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    pods: { type: 'string', default: '10000' },
    'pods-while-creating': { type: 'string' },
    'no-events': { type: 'boolean', default: false },
    'max-seconds': { type: 'string' },
    'max-in-flight': { type: 'string' },
  },
});
const MAX_SECONDS = values['max-seconds'] ? Number(values['max-seconds']) : Infinity;
const progress = (line: string) => process.stderr.write(`scheduler bench: ${line}\n`);
const NODES = Number(values.nodes);
const PODS = Number(values.pods);
const PODS_WHILE_CREATING = values['pods-while-creating'] ? Number(values['pods-while-creating']) : Math.floor(PODS / 2);
const BENCH_SCHEDULER = 'skiff-bench-scheduler';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_RENEW_MS = 20_000;
/** CLOCK_TICKS is USER_HZ, the unit of /proc/PID/stat CPU times (100 on Linux). */
const CLOCK_TICKS = 100;

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

function benchPod(name: string, i: number): Pod {
  const pod = newPod(name, { cpu: '100m', memory: '128Mi', labels: { app: `app-${i % 50}` } });
  delete pod.metadata.uid;
  delete pod.status;
  pod.spec.schedulerName = BENCH_SCHEDULER;
  return pod;
}

function hollowNode(i: number): Node {
  const node = newNode(nodeName(i), { cpu: '32', memory: '128Gi', pods: 110, labels: { zone: `zone-${i % 3}` } });
  delete node.metadata.uid;
  // A /24 of 10.128.0.0/9 per node, outside the cluster range node IPAM hands out.
  const cidr = `10.${128 + (i >> 8)}.${i & 255}.0/24`;
  node.spec = { ...node.spec, podCIDR: cidr, podCIDRs: [cidr] };
  return node;
}

function nodeName(i: number): string {
  return `hollow-${String(i).padStart(5, '0')}`;
}

/** renewLeases keeps the hollow nodes' Leases fresh until signal aborts: a slice of them every second, so the writes are even. */
async function renewLeases(client: RestClient, signal: AbortSignal): Promise<void> {
  const leases = client.resource<Lease>(Resources.leases).namespace(NODE_LEASE_NAMESPACE);
  const perTick = Math.ceil((NODES * 1000) / LEASE_RENEW_MS);
  let next = 0;
  while (!signal.aborted) {
    const tick = performance.now();
    const names = Array.from({ length: Math.min(perTick, NODES) }, () => nodeName(next++ % NODES));
    await pool(names.length, 16, async (j) => {
      if (signal.aborted) return;
      await leases.patch(names[j], 'merge', { spec: { renewTime: formatMicroTime(Date.now()) } }).catch((err) => {
        if (!signal.aborted) progress(`lease renewal failed: ${(err as Error).message}`);
      });
    });
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - tick))));
  }
}

/** CpuSample is CPU time used so far (ms) by the API server, etcd and this process (scheduler and pod creator). */
interface CpuSample {
  server: number;
  etcd: number;
  bench: number;
}

/** cpuMsOf reads a process's user + system CPU time from /proc (0 if it is gone). */
function cpuMsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // Fields after the command name (which may hold spaces): state is 3rd, utime 14th, stime 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** perPod turns two CPU samples into CPU ms per pod for each process: comparable across loaded and idle runs, unlike rates. */
function perPod(a: CpuSample, b: CpuSample, pods: number): Record<string, number> {
  const per = (k: keyof CpuSample): number => Math.round(((b[k] - a[k]) / Math.max(1, pods)) * 100) / 100;
  return { serverMs: per('server'), etcdMs: per('etcd'), benchMs: per('bench'), totalMs: Math.round((per('server') + per('etcd') + per('bench')) * 100) / 100 };
}

/** boundBy resolves when done resolves or after seconds, whichever is first. */
async function boundBy(done: Promise<void>, seconds: number): Promise<void> {
  let limit: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((r) => (limit = setTimeout(r, seconds === Infinity ? 2 ** 31 - 1 : seconds * 1000)))]);
  clearTimeout(limit);
}

/** BoundCounter counts bindings of one phase's pods as the scheduler's informer sees them. */
class BoundCounter {
  bound = 0;
  readonly all: Promise<void>;
  private resolve!: () => void;
  private lastBound = 0;
  private lastAt = performance.now();

  constructor(
    readonly prefix: string,
    readonly total: number,
  ) {
    this.all = new Promise<void>((r) => (this.resolve = r));
    if (total === 0) this.resolve();
  }

  seen(pod: Pod): void {
    if (!pod.metadata.name?.startsWith(this.prefix)) return;
    if (++this.bound === this.total) this.resolve();
  }

  /** start begins the phase's first interval. */
  start(): void {
    this.lastAt = performance.now();
  }

  /** tick reports the count and the rate since the previous tick. */
  tick(since: number): string {
    const now = performance.now();
    const rate = Math.round(((this.bound - this.lastBound) * 1000) / (now - this.lastAt));
    this.lastBound = this.bound;
    this.lastAt = now;
    return `${this.bound}/${this.total} bound after ${Math.round((now - since) / 100) / 10} s (${rate} pods/s in the last interval)`;
  }
}

async function main(): Promise<void> {
  const inMemory = algorithmOnly();
  const etcd = await startTestEtcd();
  const srv = await startServerProcess({ etcdEndpoints: etcd.endpoint });
  const client = new RestClient({ server: srv.url, timeoutMs: 120_000 });
  const ac = new AbortController();
  // Leases are renewed until the checks at the end are done: a node silent for 40 s gets tainted.
  const leasesAc = new AbortController();
  const results: Record<string, unknown> = { machine: `${cpus().length} cores, node ${process.version}`, date: new Date().toISOString(), nodes: NODES, pods: PODS, podsWhileCreating: PODS_WHILE_CREATING, inMemory };
  let leaseLoop: Promise<void> = Promise.resolve();
  const cpu = (): CpuSample => {
    const self = process.cpuUsage();
    return { server: cpuMsOf(srv.child.pid), etcd: cpuMsOf(etcd.current().pid), bench: (self.user + self.system) / 1000 };
  };
  try {
    const nodes = client.resource<Node>(Resources.nodes);
    const leases = client.resource<Lease>(Resources.leases).namespace(NODE_LEASE_NAMESPACE);
    const pods = client.resource<Pod>(Resources.pods).namespace('default');
    let t0 = performance.now();
    await pool(NODES, 32, async (i) => {
      await nodes.create(hollowNode(i));
      const name = nodeName(i);
      await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: NODE_LEASE_NAMESPACE }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: formatMicroTime(Date.now()) } });
    });
    results.nodeCreateSecs = Math.round(performance.now() - t0) / 1000;
    progress(`${NODES} nodes (and their Leases) created in ${results.nodeCreateSecs} s`);
    leaseLoop = renewLeases(client, leasesAc.signal);
    const cpuCreate = cpu();
    t0 = performance.now();
    await pool(PODS, 64, (i) => pods.create(benchPod(`bench-${i}`, i)).then(() => undefined));
    results.podCreateSecs = Math.round(performance.now() - t0) / 1000;
    progress(`${PODS} pods created in ${results.podCreateSecs} s`);
    results.cpuPerPodCreate = perPod(cpuCreate, cpu(), PODS);

    const scheduler = new Scheduler({ client, logger: pino({ level: 'warn' }), profile: { schedulerName: BENCH_SCHEDULER }, ...(values['max-in-flight'] ? { maxInFlightBindings: Number(values['max-in-flight']) } : {}), ...(values['no-events'] ? { events: null } : {}) });
    const pending = new BoundCounter('bench-', PODS);
    const live = new BoundCounter('live-', PODS_WHILE_CREATING);
    const informer = (scheduler as unknown as { informers: { informerFor(r: unknown): { addEventHandler(h: object): void } } }).informers.informerFor(Resources.pods);
    informer.addEventHandler({
      onUpdate: (o: Pod, n: Pod) => {
        if (o.spec.nodeName || !n.spec.nodeName) return;
        pending.seen(n);
        live.seen(n);
      },
    });

    // Phase 1: every pod already pending.
    const tStart = performance.now();
    await scheduler.start(ac.signal);
    const tSynced = performance.now();
    const cpuPending = cpu();
    const loop = scheduler.schedulingLoop(ac.signal);
    progress(`caches synced in ${Math.round(tSynced - tStart) / 1000} s; scheduling`);
    const written = (): string => `; ${scheduler.stats.scheduled} bindings written, ${scheduler.stats.attempts} attempts`;
    pending.start();
    let ticker = setInterval(() => progress(`pending: ${pending.tick(tSynced)}${written()}`), 2500);
    await boundBy(pending.all, MAX_SECONDS);
    clearInterval(ticker);
    const secs = (performance.now() - tSynced) / 1000;
    results.boundInTime = pending.bound;
    results.complete = pending.bound >= PODS;
    progress(`pending: ${pending.bound} bound in ${Math.round(secs * 10) / 10} s`);
    results.cacheSyncSecs = Math.round(tSynced - tStart) / 1000;
    results.scheduleSecs = Math.round(secs * 1000) / 1000;
    results.podsBoundPerSec = Math.round(pending.bound / secs);
    results.cpuPerPodBound = perPod(cpuPending, cpu(), pending.bound);

    // Phase 2: pods created while the scheduler runs; end to end from the first create to the last binding.
    const cpuLive = cpu();
    const t2 = performance.now();
    live.start();
    ticker = setInterval(() => progress(`while creating: ${live.tick(t2)}${written()}`), 2500);
    let createSecs2 = 0;
    const creating = pool(PODS_WHILE_CREATING, 64, (i) => pods.create(benchPod(`live-${i}`, i)).then(() => undefined)).then(() => {
      createSecs2 = (performance.now() - t2) / 1000;
      progress(`while creating: ${PODS_WHILE_CREATING} pods created in ${Math.round(createSecs2 * 10) / 10} s`);
    });
    await boundBy(Promise.all([live.all, creating]).then(() => undefined), MAX_SECONDS);
    clearInterval(ticker);
    const secs2 = (performance.now() - t2) / 1000;
    await creating;
    progress(`while creating: ${live.bound} bound in ${Math.round(secs2 * 10) / 10} s`);
    results.whileCreating = {
      bound: live.bound,
      complete: live.bound >= PODS_WHILE_CREATING,
      createSecs: Math.round(createSecs2 * 1000) / 1000,
      endToEndSecs: Math.round(secs2 * 1000) / 1000,
      podCreatesPerSec: Math.round(PODS_WHILE_CREATING / createSecs2),
      podsBoundPerSec: Math.round(live.bound / secs2),
      cpuPerPodCreatedAndBound: perPod(cpuLive, cpu(), PODS_WHILE_CREATING),
    };

    results.algorithmMicrosPerPod = Math.round((scheduler.stats.algorithmMs * 1000) / Math.max(1, scheduler.stats.attempts));
    results.attempts = scheduler.stats.attempts;
    results.bindErrors = scheduler.stats.bindErrors;
    results.scheduledEventsDropped = (scheduler as unknown as { events?: { dropped?: number } }).events?.dropped ?? 0;
    const tFlush = performance.now();
    ac.abort();
    await loop;
    await scheduler.flushEvents();
    results.eventFlushSecs = Math.round(performance.now() - tFlush) / 1000;

    // Verify from the API: every pod bound, no node over-committed, no node tainted by node lifecycle.
    const list = (await pods.listAll({ limit: 2000 })).items;
    const perNode = new Map<string, number>();
    for (const p of list) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    results.boundFromApi = [...perNode.values()].reduce((s, n) => s + n, 0);
    results.unboundFromApi = list.length - (results.boundFromApi as number);
    results.maxPodsPerNode = Math.max(...perNode.values());
    results.overCommittedNodes = [...perNode.values()].filter((n) => n > 110 || n * 100 > 32_000).length;
    results.taintedNodes = (await nodes.listAll({ limit: 2000 })).items.filter((n) => n.spec?.taints?.length).length;
  } finally {
    ac.abort();
    leasesAc.abort();
    await leaseLoop;
    client.close();
    await srv.stop();
    await etcd.cleanup();
    await removeDir(srv.dataDir);
  }
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  const podCreatesPerSec = Math.round(PODS / (results.podCreateSecs as number));
  const live = results.whileCreating as Record<string, number | boolean>;
  emit({
    bench: 'scheduler',
    name: 'pods_bound_rate',
    label: `${PODS} pods already pending onto ${NODES} hollow nodes, bound per second through the API server and etcd (from caches synced to the last binding seen; ${results.bindErrors} bind errors${results.complete ? '' : `; stopped after ${MAX_SECONDS} s with ${results.boundInTime} bound`})`,
    value: results.podsBoundPerSec as number,
    unit: 'pods/s',
    baseline: podCreatesPerSec,
    baselineLabel: 'API pod creates/s (same run, no scheduler)',
    goal: '≥ 1,000 pods/s',
  });
  emit({
    bench: 'scheduler',
    name: 'pods_bound_rate_while_creating',
    label: `${PODS_WHILE_CREATING} more pods created (64 in flight) while the scheduler runs, bound per second end to end (first create to last binding seen${live.complete ? '' : `; stopped with ${live.bound} bound`})`,
    value: live.podsBoundPerSec as number,
    unit: 'pods/s',
    baseline: live.podCreatesPerSec as number,
    baselineLabel: 'pod creates/s in the same phase',
  });
  const bindCpu = results.cpuPerPodBound as Record<string, number>;
  const createCpu = results.cpuPerPodCreate as Record<string, number>;
  emit({
    bench: 'scheduler',
    name: 'cpu_per_pod_bound',
    label: `CPU time per pod bound with pods pending, all processes (API server ${bindCpu.serverMs} ms, etcd ${bindCpu.etcdMs} ms, scheduler ${bindCpu.benchMs} ms): less sensitive to other tenants than rates`,
    value: bindCpu.totalMs,
    unit: 'ms/pod',
    baseline: createCpu.totalMs,
    baselineLabel: 'CPU per pod created, same run',
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
