// bench:agent — the node agent against a real API server + etcd (in-process) and crun:
//
//   1. one pod create → Running (image present, `sleep 3600`, imagePullPolicy Never), measured
//      from the create call until a watch on the pod says Running; RUNS sequential runs, each
//      pod deleted and gone before the next, against an in-process agent (startTestNode).
//      Baseline, interleaved in the same run: `crun run --detach` of an equivalent busybox
//      bundle (the config.json of a running pod's container, with fresh namespaces instead of the
//      sandbox's), as test/bench/runtime.ts does.
//   2. PODS pods bound to one node (spec.nodeName) created at once: time until all are Running.
//      This part runs the agent as a child process (startNodeProcess), so that
//   3. the agent's own RSS and CPU (from /proc/PID of the child, conmon and containers excluded)
//      can be sampled over SAMPLE seconds with those pods idle; baseline: the same agent with no
//      pods, sampled before they were created.
//
// Every node uses the skifftest-<rand> layout of test/lib/cluster-node.ts and is removed with
// cleanupNode (containers, conmon, mounts, netns, cgroups, files), also on failure or SIGTERM.
// The whole run is bounded by --max-seconds: part 1 stops early (and says how many runs it did)
// when its share of the time is spent.
//
// Usage: npm run bench:agent [-- --runs 50 --pods 100 --sample-seconds 20 --max-seconds 285]  (as root)
import { spawn } from 'node:child_process';
import { exitCode, spawnProcess } from '../../pkg/util/spawn.js';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isGone, isNotFound, statusFromBody } from '../../pkg/api/errors.js';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import type { ResourceClient } from '../../pkg/client/resource.js';
import { FsImageStore } from '../../pkg/runtime/image/store.js';
import { ContainerRuntime } from '../../pkg/runtime/runtime.js';
import { detectCgroupMode, removeCgroup } from '../../pkg/runtime/sys/cgroups.js';
import { startTestApiServer, type TestApiServer } from '../lib/apiserver.js';
import { cleanupNode, importSamples, newNodeLayout, startNodeProcess, startTestNode, type NodeLayout, type NodeProcess, type TestNode } from '../lib/cluster-node.js';
import { emit, round, rssBytes } from './report.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    pods: { type: 'string', default: '100' },
    'sample-seconds': { type: 'string', default: '20' },
    'max-seconds': { type: 'string', default: '285' },
    /** agent-log: copy the child agent's log here before its data dir is removed. */
    'agent-log': { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const PODS = Number(values.pods);
const SAMPLE_SECONDS = Number(values['sample-seconds']);
const STARTED = performance.now();
const DEADLINE = STARTED + Number(values['max-seconds']) * 1000;
const RUNTIME = 'crun';
const BUSYBOX = 'skiff.local/busybox:latest';
const MiB = 2 ** 20;
// Part 2+3 need a child agent's start (~15 s), its idle baseline, up to START_BUDGET_MS for the
// pods to start, the samples and the cleanup; part 1 gets what is left before that and stops
// early (saying how many runs it did) when the machine is too loaded for all of its runs.
const START_BUDGET_MS = 75_000;
const RESERVED_FOR_PART_2_MS = START_BUDGET_MS + (65 + 1.5 * SAMPLE_SECONDS) * 1000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function say(line: string): void {
  const t = round((performance.now() - STARTED) / 1000);
  process.stdout.write(`[${t} s] ${line}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** newBenchPod is a busybox pod bound to nodeName running `sleep 3600`. */
function newBenchPod(name: string, nodeName: string): Pod {
  return {
    metadata: { name, labels: { 'skiff.bench': 'agent' } },
    spec: {
      nodeName,
      // sleep is PID 1 of its container and ignores SIGTERM: 1 s bounds each deletion.
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'sleep', image: BUSYBOX, imagePullPolicy: 'Never', command: ['sleep', '3600'] }],
    },
  } as Pod;
}

/** Waiter is a condition on one pod (undefined: the pod is gone) and when it first held. */
interface Waiter {
  name: string;
  holds: (pod: Pod | undefined) => boolean;
  resolve: (at: number) => void;
}

/**
 * PodWatcher keeps the latest state of the bench's pods from one watch and stamps the moment an
 * event makes a condition true (performance.now() in the event handler, before any await).
 */
class PodWatcher {
  private readonly pods = new Map<string, Pod>();
  private readonly waiters = new Set<Waiter>();
  private readonly abort = new AbortController();
  private running?: Promise<void>;

  constructor(private readonly client: ResourceClient<Pod>) {}

  async start(): Promise<void> {
    let rv = await this.relist();
    this.running = (async () => {
      while (!this.abort.signal.aborted) {
        try {
          for await (const ev of this.client.watch({ resourceVersion: rv, labelSelector: 'skiff.bench=agent', allowWatchBookmarks: true, signal: this.abort.signal })) {
            const now = performance.now();
            if (ev.type === 'ERROR') throw statusFromBody((ev.object as { code?: number }).code ?? 500, ev.object);
            rv = (ev.object as Pod).metadata.resourceVersion ?? rv;
            if (ev.type === 'BOOKMARK') continue;
            const pod = ev.object as Pod;
            if (ev.type === 'DELETED') this.pods.delete(pod.metadata.name!);
            else this.pods.set(pod.metadata.name!, pod);
            this.check(pod.metadata.name!, now);
          }
        } catch (e) {
          if (this.abort.signal.aborted) return;
          if (isGone(e)) rv = await this.relist();
          else await sleep(100);
        }
      }
    })();
  }

  private async relist(): Promise<string | undefined> {
    const list = await this.client.list({ labelSelector: 'skiff.bench=agent' });
    this.pods.clear();
    for (const p of list.items) this.pods.set(p.metadata.name!, p);
    const now = performance.now();
    for (const w of [...this.waiters]) this.check(w.name, now);
    return list.metadata.resourceVersion;
  }

  private check(name: string, now: number): void {
    for (const w of this.waiters) {
      if (w.name === name && w.holds(this.pods.get(name))) {
        this.waiters.delete(w);
        w.resolve(now);
      }
    }
  }

  /** until resolves with the time the condition became true (now if it already holds). */
  until(name: string, holds: (pod: Pod | undefined) => boolean, timeoutMs: number): Promise<number> {
    if (holds(this.pods.get(name))) return Promise.resolve(performance.now());
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for pod ${name} (phase ${this.pods.get(name)?.status?.phase ?? 'gone'})`));
      }, timeoutMs);
      const w: Waiter = { name, holds, resolve: (at) => (clearTimeout(timer), resolve(at)) };
      this.waiters.add(w);
    });
  }

  phases(): Map<string, number> {
    const out = new Map<string, number>();
    for (const p of this.pods.values()) out.set(p.status?.phase ?? 'none', (out.get(p.status?.phase ?? 'none') ?? 0) + 1);
    return out;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }
}

const running = (p: Pod | undefined) => p?.status?.phase === 'Running';
const gone = (p: Pod | undefined) => p === undefined;

/** RawBaseline starts an equivalent busybox bundle with `crun run --detach` (see runtime.ts). */
class RawBaseline {
  private ids: string[] = [];
  private cgroups: string[] = [];
  private n = 0;

  private constructor(
    private readonly wrapper: string,
    private readonly bundle: string,
    private readonly spec: any,
    private readonly layout: NodeLayout,
  ) {}

  /**
   * from copies the config.json of a running container of the node (same rootfs, mounts, user,
   * command) and gives it namespaces of its own, as a pod's first container gets new ones.
   */
  static async from(layout: NodeLayout, containerId: string): Promise<RawBaseline> {
    const stateDir = path.join(layout.dataDir, 'runtime');
    const spec = JSON.parse(await readFile(path.join(stateDir, 'containers', containerId, 'bundle', 'config.json'), 'utf8'));
    for (const ns of spec.linux?.namespaces ?? []) delete ns.path;
    const bundle = path.join(layout.dataDir, 'raw-bundle');
    await mkdir(bundle, { recursive: true });
    const wrapper = path.join(stateDir, 'bin', RUNTIME);
    return new RawBaseline(existsSync(wrapper) ? wrapper : RUNTIME, bundle, spec, layout);
  }

  /** time starts one container and returns how long `crun run --detach` took; it is removed after. */
  async time(): Promise<number> {
    const id = `${this.layout.prefix}-raw-${++this.n}`;
    const spec = structuredClone(this.spec);
    const cgroupsPath = `${this.layout.cgroupParent}/${id}`;
    spec.linux.cgroupsPath = cgroupsPath;
    const config = path.join(this.bundle, `${id}.json`);
    await writeFile(config, JSON.stringify(spec));
    this.ids.push(id);
    this.cgroups.push(cgroupsPath);
    const t0 = performance.now();
    // Launched as the runtime launches conmon (posix_spawn): neither side pays for forking Node.
    const child = spawnProcess(this.wrapper, ['run', '--detach', '--bundle', this.bundle, '--config', config, id], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
    const code = exitCode(await child.wait());
    const took = performance.now() - t0;
    if (code !== 0) throw new Error(`${RUNTIME} run ${id} exited with ${code}`);
    await this.cleanup();
    return took;
  }

  async cleanup(): Promise<void> {
    for (const id of this.ids.splice(0)) {
      await new Promise<void>((resolve) => spawn(this.wrapper, ['delete', '--force', id], { stdio: 'ignore' }).once('exit', () => resolve()).once('error', () => resolve()));
    }
    const mode = detectCgroupMode();
    for (const cg of this.cgroups.splice(0)) {
      try {
        removeCgroup(mode, cg);
      } catch {
        // already gone
      }
    }
  }
}

/** ProcSample is a process's CPU time (clock ticks) and RSS at one moment. */
interface ProcSample {
  at: number;
  ticks: number;
  rss: number;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

async function procSample(pid: number): Promise<ProcSample> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" closing comm: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { at: performance.now(), ticks, rss: await rssBytes(pid) };
}

/** sampleProcess reads the process every second for seconds: mean/max RSS and CPU % of one core. */
async function sampleProcess(pid: number, seconds: number): Promise<{ rssMeanMiB: number; rssMaxMiB: number; cpuPercent: number }> {
  const samples: ProcSample[] = [await procSample(pid)];
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    samples.push(await procSample(pid));
  }
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const rss = samples.map((s) => s.rss);
  return {
    rssMeanMiB: round(rss.reduce((a, b) => a + b, 0) / rss.length / MiB),
    rssMaxMiB: round(Math.max(...rss) / MiB),
    cpuPercent: round(((last.ticks - first.ticks) / CLOCK_TICKS / ((last.at - first.at) / 1000)) * 100, 2),
  };
}

async function deleteAndWait(pods: ResourceClient<Pod>, watcher: PodWatcher, name: string, timeoutMs: number): Promise<void> {
  const goneAt = watcher.until(name, gone, timeoutMs);
  try {
    await pods.delete(name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await goneAt;
}

/** part1 measures one pod's create → Running, interleaved with the raw crun baseline. */
async function part1(srv: TestApiServer, pods: ResourceClient<Pod>, watcher: PodWatcher, track: (n: TestNode) => void): Promise<void> {
  say(`part 1: starting an in-process agent`);
  const node = await startTestNode(srv.url);
  track(node);
  const nodeName = node.layout.nodeName;
  // The template pod warms the agent up and keeps the rootfs the raw baseline's bundle uses.
  await pods.create(newBenchPod('skifftest-template', nodeName));
  await watcher.until('skifftest-template', running, 60_000);
  const template = await pods.get('skifftest-template');
  const containerId = template.status!.containerStatuses![0]!.containerID!.replace(/^[a-z]+:\/\//, '');
  const raw = await RawBaseline.from(node.layout, containerId);
  await raw.time(); // warm up

  const podTimes: number[] = [];
  const rawTimes: number[] = [];
  const stopAt = DEADLINE - RESERVED_FOR_PART_2_MS;
  for (let i = 0; i < RUNS; i++) {
    if (performance.now() > stopAt) {
      say(`part 1: time is up after ${i} runs`);
      break;
    }
    const name = `skifftest-start-${i}`;
    const t0 = performance.now();
    const runningAt = watcher.until(name, running, 60_000);
    await pods.create(newBenchPod(name, nodeName));
    podTimes.push((await runningAt) - t0);
    const d0 = performance.now();
    await deleteAndWait(pods, watcher, name, 60_000);
    const deleted = performance.now() - d0;
    rawTimes.push(await raw.time());
    if ((i + 1) % 10 === 0) say(`part 1: ${i + 1} runs; last: pod ${round(podTimes[i]!)} ms, its deletion ${round(deleted)} ms, raw ${round(rawTimes[i]!)} ms`);
  }
  await raw.cleanup();
  await deleteAndWait(pods, watcher, 'skifftest-template', 30_000).catch((e) => say(`template pod: ${(e as Error).message}`));
  await node.cleanup();
  if (podTimes.length === 0) throw new Error('part 1: no run completed');

  podTimes.sort((x, y) => x - y);
  rawTimes.sort((x, y) => x - y);
  const n = podTimes.length;
  const p50 = percentile(podTimes, 50);
  const p99 = percentile(podTimes, 99);
  const r50 = percentile(rawTimes, 50);
  const r99 = percentile(rawTimes, 99);
  say(`pod create → Running, ${n} sequential runs (in-process agent, ${RUNTIME}, loopback pod network):`);
  say(`  pod        p50 ${round(p50)} ms  p99 ${round(p99)} ms  (min ${round(podTimes[0]!)}, max ${round(podTimes[n - 1]!)})`);
  say(`  raw ${RUNTIME}  p50 ${round(r50)} ms  p99 ${round(r99)} ms`);
  say(`  ratio      p50 ${round(p50 / r50, 2)}×  (goal ≤ 2×)`);
  emit({ bench: 'agent', name: 'pod_start_p50', label: `one pod create → Running (watched), image present, in-process agent, p50 of ${n}; vs \`${RUNTIME} run --detach\` of an equivalent busybox bundle`, value: round(p50), unit: 'ms', baseline: round(r50), baselineLabel: `${RUNTIME} run p50`, goal: '≤ 2× raw' });
  emit({ bench: 'agent', name: 'pod_start_p99', label: `one pod create → Running, p99 of ${n}`, value: round(p99), unit: 'ms', baseline: round(r99), baselineLabel: `${RUNTIME} run p99`, goal: '—' });
}

/** part2and3 starts PODS pods at once on a child-process agent, then samples that agent idle. */
async function part2and3(srv: TestApiServer, client: RestClient, pods: ResourceClient<Pod>, watcher: PodWatcher, track: (l: NodeLayout, p?: NodeProcess) => void): Promise<void> {
  const layout = newNodeLayout();
  track(layout);
  say(`part 2: importing the sample images and starting the agent as a child process`);
  await importSamples(layout);
  const proc = await startNodeProcess(srv.url, layout);
  track(layout, proc);
  const pid = proc.child.pid!;
  const nodes = client.resource<Node>(Resources.nodes);
  const readyBy = performance.now() + 60_000;
  for (;;) {
    const n = await nodes.get(layout.nodeName).catch(() => undefined);
    if (n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
    if (performance.now() > readyBy || proc.child.exitCode !== null) throw new Error(`agent child did not become Ready:\n${proc.logs().slice(-2000)}`);
    await sleep(200);
  }
  await sleep(3000); // let start-up settle before the idle baseline
  const idleSeconds = Math.min(5, SAMPLE_SECONDS);
  say(`part 3 baseline: sampling the idle agent (pid ${pid}, no pods) for ${idleSeconds} s`);
  const idle = await sampleProcess(pid, idleSeconds);
  say(`  idle agent: RSS mean ${idle.rssMeanMiB} MiB (max ${idle.rssMaxMiB}), CPU ${idle.cpuPercent} % of one core`);

  const names = Array.from({ length: PODS }, (_, i) => `skifftest-many-${i}`);
  const budgetMs = Math.max(20_000, Math.min(START_BUDGET_MS, DEADLINE - performance.now() - (SAMPLE_SECONDS + 30) * 1000));
  const t0 = performance.now();
  const allRunning = Promise.allSettled(names.map((n) => watcher.until(n, running, budgetMs)));
  await Promise.all(names.map((n) => pods.create(newBenchPod(n, layout.nodeName))));
  const created = performance.now() - t0;
  const progress = setInterval(() => say(`part 2: ${JSON.stringify(Object.fromEntries(watcher.phases()))}`), 10_000);
  const results = await allRunning;
  clearInterval(progress);
  const ok = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value);
  const failed = results.length - ok.length;
  const wall = (Math.max(...ok, t0) - t0) / 1000;
  const budget = round(budgetMs / 1000);
  say(`part 2: ${PODS} pods created in ${round(created)} ms; ${ok.length} Running after ${round(wall, 2)} s${failed ? `, ${failed} not Running within ${budget} s` : ''}`);
  emit({
    bench: 'agent',
    name: 'pods_all_running',
    label: failed
      ? `${PODS} pods created at once on one node (child-process agent): only ${ok.length} Running when the bench stopped waiting (value: the wait, a lower bound)`
      : `${PODS} pods created at once on one node (child-process agent): create → all Running`,
    value: failed ? budget : round(wall, 2),
    unit: 's',
    goal: '≤ 10 s',
  });

  await sleep(2000);
  const what = failed ? `${ok.length} of ${PODS} pods Running (${failed} still starting: not idle)` : `${PODS} pods idle`;
  say(`part 3: sampling the agent (pid ${pid}) with ${what} for ${SAMPLE_SECONDS} s`);
  const busy = await sampleProcess(pid, SAMPLE_SECONDS);
  say(`  agent with ${what}: RSS mean ${busy.rssMeanMiB} MiB (max ${busy.rssMaxMiB}), CPU ${busy.cpuPercent} % of one core`);
  emit({ bench: 'agent', name: 'agent_rss', label: `agent process RSS (child process alone; conmon and containers excluded) with ${what}, mean of ${SAMPLE_SECONDS} s (max ${busy.rssMaxMiB} MiB)`, value: busy.rssMeanMiB, unit: 'MiB', baseline: idle.rssMeanMiB, baselineLabel: 'same agent, no pods' });
  emit({ bench: 'agent', name: 'agent_cpu', label: `agent process CPU with ${what}, over ${SAMPLE_SECONDS} s (% of one core)`, value: busy.cpuPercent, unit: '%', baseline: idle.cpuPercent, baselineLabel: 'same agent, no pods' });
}

/**
 * removeRuntimeObjects removes the node's sandboxes and containers through the runtime, several
 * at a time (cleanupNode does it one by one, which takes minutes for 100 pods on a loaded
 * machine); the agent must be stopped first. What is left, cleanupNode removes.
 */
async function removeRuntimeObjects(layout: NodeLayout, deadlineMs: number): Promise<void> {
  const store = await FsImageStore.open({ root: path.join(layout.dataDir, 'images') });
  const rt = await ContainerRuntime.open({ stateDir: path.join(layout.dataDir, 'runtime'), imageStore: store, killWaitMs: 2000 });
  try {
    const ids = (await rt.listPodSandbox()).map((s) => s.id);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < ids.length && performance.now() < deadlineMs) await rt.removePodSandbox(ids[next++]!).catch(() => undefined);
      }),
    );
  } finally {
    await rt.close();
  }
}

/**
 * killNodeProcesses SIGKILLs every process in the node's cgroups and its conmons, so that
 * cleanupNode's per-container removal (sequential, SIGKILL and wait each) finds them gone and is
 * quick even with 100 pods.
 */
async function killNodeProcesses(layout: NodeLayout): Promise<void> {
  const pids = new Set<number>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const p of (await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n')) if (Number(p) > 0) pids.add(Number(p));
    for (const e of entries) if (e.isDirectory()) await walk(path.join(dir, e.name));
  };
  const roots = ['/sys/fs/cgroup', ...(await readdir('/sys/fs/cgroup').catch(() => [] as string[])).map((c) => path.join('/sys/fs/cgroup', c))];
  for (const root of roots) await walk(path.join(root, layout.cgroupParent));
  const stateDir = path.join(layout.dataDir, 'runtime');
  for (const kind of ['sandboxes', 'containers']) {
    for (const id of await readdir(path.join(stateDir, kind)).catch(() => [] as string[])) {
      const pid = Number((await readFile(path.join(stateDir, kind, id, 'bundle', 'conmon.pid'), 'utf8').catch(() => '0')).trim());
      if (pid > 0) pids.add(pid);
    }
  }
  pids.delete(process.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function stopChild(proc: NodeProcess): Promise<void> {
  const child = proc.child;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

async function main(): Promise<void> {
  const srv = await startTestApiServer();
  const client = new RestClient({ server: srv.url });
  const pods = client.resource<Pod>(Resources.pods).namespace('default');
  const watcher = new PodWatcher(pods);
  const nodes: TestNode[] = [];
  const layouts: { layout: NodeLayout; proc?: NodeProcess }[] = [];
  // npm run bench stops a bench that overruns with SIGTERM: clean up on the way out.
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await watcher.stop();
      for (const n of nodes) {
        await n.stop().catch(() => undefined);
        await killNodeProcesses(n.layout).catch((e) => say(`cleanup: ${(e as Error).message}`));
        await n.cleanup().catch((e) => say(`cleanup: ${(e as Error).message}`));
      }
      for (const l of layouts) {
        if (l.proc) await stopChild(l.proc).catch(() => undefined);
        if (l.proc && values['agent-log']) await writeFile(values['agent-log'], l.proc.logs()).catch(() => undefined);
        say('cleanup: agent stopped');
        await killNodeProcesses(l.layout).catch((e) => say(`cleanup: ${(e as Error).message}`));
        await removeRuntimeObjects(l.layout, performance.now() + 60_000).catch((e) => say(`cleanup: ${(e as Error).message}`));
        say('cleanup: runtime objects removed');
        await cleanupNode(l.layout).catch((e) => say(`cleanup: ${(e as Error).message}`));
        say('cleanup: node removed');
      }
      client.close();
      await srv.cleanup();
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  const hardStop = setTimeout(() => {
    say('the run overran --max-seconds by 30 s; cleaning up and exiting');
    void cleanup().finally(() => process.exit(1));
  }, DEADLINE - performance.now() + 30_000);
  hardStop.unref();
  try {
    await watcher.start();
    await part1(srv, pods, watcher, (n) => nodes.push(n));
    await part2and3(srv, client, pods, watcher, (layout, proc) => {
      const l = layouts.find((x) => x.layout === layout);
      if (l) l.proc = proc;
      else layouts.push({ layout, proc });
    });
  } finally {
    say('cleaning up (agents stopped, processes killed, sandboxes removed 8 at a time, then cleanupNode)');
    await cleanup();
    say(`done in ${round((performance.now() - STARTED) / 1000)} s`);
  }
}

await main();
