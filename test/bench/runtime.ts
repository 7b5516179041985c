// bench:runtime — container create+start latency through the runtime's gRPC service
// (RuntimeClient → unix socket → ContainerRuntime: conmon launched, overlay mount and config.json
// at CreateContainer; the start gate opened and `crun run --detach` under conmon at
// StartContainer, called as soon as CreateContainer answered) against the baseline of
// `crun run --detach` of the same bundle in the same run, runs interleaved so both see the same
// load; then 50 containers started in parallel each way. The baseline goes through the
// runtime's crun wrapper too (on hybrid-cgroup hosts it makes a private mount namespace, which
// crun needs there), and is launched the way the runtime launches conmon (posix_spawn), so the
// ratio is the runtime's cost: conmon, gRPC and the runtime's own work.
//
// Usage: npm run bench:runtime [-- --runs 30 --parallel 50 --runtime crun|runc]   (as root)
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { newContainerConfig, newSandboxConfig, newTestEnv, type TestEnv } from '../../pkg/runtime/testing/fixtures.js';
import { startRuntimeServer, type RuntimeServer } from '../../pkg/runtime/cri/server.js';
import { RuntimeClient } from '../../pkg/runtime/cri/client.js';
import { removeCgroup, detectCgroupMode } from '../../pkg/runtime/sys/cgroups.js';
import { exitCode, runCommand, spawnProcess } from '../../pkg/util/spawn.js';
import { emit, round } from './report.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' }, parallel: { type: 'string', default: '50' }, runtime: { type: 'string', default: 'crun' } } });
const RUNS = Number(values.runs);
const PARALLEL = Number(values.parallel);
if (values.runtime !== 'crun' && values.runtime !== 'runc') throw new Error('--runtime is crun or runc');
const RUNTIME: 'crun' | 'runc' = values.runtime;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (ns: bigint): number => Number(ns) / 1e6;

interface Bench {
  env: TestEnv;
  server: RuntimeServer;
  client: RuntimeClient;
  sandbox: string;
  wrapper: string;
  /** bundle: a copy of a real container's config.json (same rootfs, namespaces, mounts). */
  bundle: string;
  rawIds: string[];
  cgroups: string[];
}

async function setup(): Promise<Bench> {
  const env = await newTestEnv(RUNTIME);
  const server = await startRuntimeServer({
    socketPath: path.join(env.dir, 'cri.sock'),
    stateDir: env.stateDir,
    runtime: RUNTIME,
    imageStore: env.store,
    runtimeOptions: { defaultCgroupParent: env.cgroupParent, newId: env.newId },
  });
  const client = new RuntimeClient(server.socketPath);
  await client.waitReady();
  const sandbox = await client.runPodSandbox(newSandboxConfig(env));
  // A template container: created (never started), its bundle and overlay rootfs are the
  // baseline's bundle.
  const template = await client.createContainer(sandbox, newContainerConfig({ metadata: { name: 'template' }, command: ['sleep', '3600'] }));
  const spec = JSON.parse(await readFile(path.join(env.stateDir, 'containers', template, 'bundle', 'config.json'), 'utf8'));
  const bundle = path.join(env.dir, 'raw-bundle');
  await mkdir(bundle, { recursive: true });
  await writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec));
  return { env, server, client, sandbox, wrapper: path.join(env.stateDir, 'bin', RUNTIME), bundle, rawIds: [], cgroups: [] };
}

/** rawPrepare writes the bundle's config under id's own name and cgroup (not timed: the raw
 * baseline runs an existing bundle); rawStart then runs it with `<runtime> run --detach`. */
async function rawPrepare(b: Bench, id: string): Promise<void> {
  const spec = JSON.parse(await readFile(path.join(b.bundle, 'config.json'), 'utf8'));
  const cgroupsPath = `${b.env.cgroupParent}/${id}`;
  spec.linux.cgroupsPath = cgroupsPath;
  // A bundle directory of its own (runc has no --config); the rootfs path in it is absolute.
  await mkdir(path.join(b.bundle, id), { recursive: true });
  await writeFile(path.join(b.bundle, id, 'config.json'), JSON.stringify(spec));
  b.rawIds.push(id);
  b.cgroups.push(cgroupsPath);
}

async function rawStart(b: Bench, id: string): Promise<void> {
  // Launched as the runtime launches conmon (posix_spawn, see pkg/util/spawn.ts), so
  // neither side pays for forking this ~150 MiB Node process. The container inherits the
  // runtime's stdio, so it gets none: a pipe would stay open as long as the container runs.
  const child = spawnProcess(b.wrapper, ['run', '--detach', '--bundle', path.join(b.bundle, id), id], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
  const code = exitCode(await child.wait());
  if (code !== 0) throw new Error(`${RUNTIME} run ${id} exited with ${code}`);
}

async function main(): Promise<void> {
  const b = await setup();
  // npm run bench stops a bench that overruns with SIGTERM: clean up on the way out.
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await cleanupRaw(b).catch(() => undefined);
      await b.client.stopPodSandbox(b.sandbox).catch(() => undefined);
      await b.client.removePodSandbox(b.sandbox).catch(() => undefined);
      b.client.close();
      await b.server.close();
      await b.env.cleanup();
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  let n = 0;
  const rawId = () => `${b.env.prefix}-raw-${++n}`;
  try {
    // warm up both paths once
    await timeGrpc(b);
    await timeRaw(b, rawId());

    const grpc: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      grpc.push(await timeGrpc(b));
      raw.push(await timeRaw(b, rawId()));
    }
    grpc.sort((x, y) => x - y);
    raw.sort((x, y) => x - y);
    const g50 = percentile(grpc, 50);
    const g99 = percentile(grpc, 99);
    const r50 = percentile(raw, 50);
    const r99 = percentile(raw, 99);
    process.stdout.write(`create+start, ${RUNS} sequential runs each (${RUNTIME}):\n`);
    process.stdout.write(`  gRPC service  p50 ${round(g50)} ms  p99 ${round(g99)} ms\n`);
    process.stdout.write(`  raw ${RUNTIME} run  p50 ${round(r50)} ms  p99 ${round(r99)} ms\n`);
    process.stdout.write(`  ratio         p50 ${round(g50 / r50, 2)}×  p99 ${round(g99 / r99, 2)}×  (goal ≤ 1.5×)\n`);
    emit({ bench: 'runtime', name: RUNTIME === 'crun' ? 'create_start_p50' : `create_start_p50_${RUNTIME}`, label: `container create+start through the gRPC service, p50 of ${RUNS}; vs \`${RUNTIME} run --detach\` of the same bundle`, value: round(g50), unit: 'ms', baseline: round(r50), baselineLabel: `${RUNTIME} run p50`, goal: '≤ 1.5× raw' });
    emit({ bench: 'runtime', name: RUNTIME === 'crun' ? 'create_start_p99' : `create_start_p99_${RUNTIME}`, label: `container create+start through the gRPC service, p99 of ${RUNS}`, value: round(g99), unit: 'ms', baseline: round(r99), baselineLabel: `${RUNTIME} run p99`, goal: '≤ 1.5× raw' });

    // parallel: PARALLEL containers at once, wall time until all started
    const tg = process.hrtime.bigint();
    const ids = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => createStart(b, `par-${i}`)));
    const grpcWall = ms(process.hrtime.bigint() - tg);
    const failed = (await Promise.all(ids.map((id) => b.client.containerStatus(id)))).filter((s) => s.state !== 'CONTAINER_RUNNING').length;
    for (const id of ids) await removeQuietly(b, id);
    const rawIds = Array.from({ length: PARALLEL }, () => rawId());
    for (const id of rawIds) await rawPrepare(b, id);
    const tr = process.hrtime.bigint();
    await Promise.all(rawIds.map((id) => rawStart(b, id)));
    const rawWall = ms(process.hrtime.bigint() - tr);
    await cleanupRaw(b);
    process.stdout.write(`${PARALLEL} containers started in parallel: gRPC service ${round(grpcWall)} ms (${failed} not running), raw ${RUNTIME} run ${round(rawWall)} ms, ratio ${round(grpcWall / rawWall, 2)}×\n`);
    emit({ bench: 'runtime', name: RUNTIME === 'crun' ? 'parallel_start' : `parallel_start_${RUNTIME}`, label: `${PARALLEL} containers created+started in parallel through the gRPC service, wall time (${failed} not running)`, value: round(grpcWall), unit: 'ms', baseline: round(rawWall), baselineLabel: `${PARALLEL} parallel \`${RUNTIME} run --detach\``, goal: '—' });
  } finally {
    await cleanup();
  }
}

async function createStart(b: Bench, name: string): Promise<string> {
  const id = await b.client.createContainer(b.sandbox, newContainerConfig({ metadata: { name }, command: ['sleep', '3600'] }));
  await b.client.startContainer(id);
  return id;
}

async function removeQuietly(b: Bench, id: string): Promise<void> {
  await b.client.stopContainer(id, 0).catch(() => undefined);
  await b.client.removeContainer(id).catch(() => undefined);
}

async function timeGrpc(b: Bench): Promise<number> {
  const t0 = process.hrtime.bigint();
  const id = await createStart(b, 'seq');
  const took = ms(process.hrtime.bigint() - t0);
  await removeQuietly(b, id);
  return took;
}

async function timeRaw(b: Bench, id: string): Promise<number> {
  await rawPrepare(b, id);
  const t0 = process.hrtime.bigint();
  await rawStart(b, id);
  const took = ms(process.hrtime.bigint() - t0);
  await cleanupRaw(b);
  return took;
}

async function cleanupRaw(b: Bench): Promise<void> {
  // posix_spawn here too: a fork of this process would leave copy-on-write faults for whatever
  // is timed next.
  for (const id of b.rawIds.splice(0)) await runCommand(b.wrapper, ['delete', '--force', id], { env: process.env });
  const mode = detectCgroupMode();
  for (const cg of b.cgroups.splice(0)) removeCgroup(mode, cg);
}

await main();
