// Integration tests of ContainerRuntime with real crun/runc and conmon (run as root).
import test, { type ExecutionContext } from 'ava';
import { closeSync, constants as fsConstants, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { newContainerConfig, newSandboxConfig, newTestEnv, testRuntimes, type TestEnv } from './testing/fixtures.js';
import type { ContainerRuntime, RuntimeOptions } from './runtime.js';
import type { OciRuntimeName } from './oci/cli.js';
import type { ContainerConfig } from './types.js';
import { cgroupDir, detectCgroupMode } from './sys/cgroups.js';
import { isNotFound } from './errors.js';
import { mountsUnder } from './sys/mount.js';
import { processAlive } from './conmon.js';

async function setup(t: { teardown: (fn: () => Promise<void>) => void }, runtime: OciRuntimeName, opts: Partial<RuntimeOptions> = {}): Promise<{ env: TestEnv; rt: ContainerRuntime }> {
  const env = await newTestEnv(runtime);
  t.teardown(() => env.cleanup());
  const rt = await env.open(opts);
  return { env, rt };
}

async function waitExited(rt: ContainerRuntime, id: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const st = await rt.containerStatus(id);
    if (st.state === 'CONTAINER_EXITED') return st;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`container ${id} did not exit`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** readConmonPid waits for the pid file conmon's first process writes when it forks the monitor. */
async function readConmonPid(env: TestEnv, id: string): Promise<number> {
  const file = path.join(env.stateDir, 'containers', id, 'bundle', 'conmon.pid');
  for (let i = 0; i < 100; i++) {
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (pid > 0) return pid;
    await sleep(20);
  }
  throw new Error(`no conmon pid file for ${id}`);
}

/** cpuUsageNs reads a cgroup's consumed CPU time in nanoseconds. */
// Read synchronously, right next to the clock reads that bracket them: an async read's result
// can wait behind other work on a loaded machine, which would stretch the usage window past
// the wall-clock one.
function cpuUsageNs(cgroupsPath: string): bigint {
  const mode = detectCgroupMode();
  if (mode === 'v2') {
    const stat = readFileSync(path.join(cgroupDir(mode, cgroupsPath, 'cpu'), 'cpu.stat'), 'utf8');
    return BigInt(/usage_usec (\d+)/.exec(stat)![1]) * 1000n;
  }
  return BigInt(readFileSync(path.join(cgroupDir(mode, cgroupsPath, 'cpuacct'), 'cpuacct.usage'), 'utf8').trim());
}

/** throttledPeriods is how many CFS periods the cgroup was throttled in (cpu.stat nr_throttled). */
function throttledPeriods(cgroupsPath: string): number {
  const stat = readFileSync(path.join(cgroupDir(detectCgroupMode(), cgroupsPath, 'cpu'), 'cpu.stat'), 'utf8');
  return Number(/nr_throttled (\d+)/.exec(stat)?.[1] ?? 0);
}

/** raiseCpuWeight gives a cgroup the largest CPU weight (v1 cpu.shares, v2 cpu.weight). */
function raiseCpuWeight(cgroupsPath: string): void {
  const mode = detectCgroupMode();
  const dir = cgroupDir(mode, cgroupsPath, 'cpu');
  if (mode === 'v2') writeFileSync(path.join(dir, 'cpu.weight'), '10000');
  else writeFileSync(path.join(dir, 'cpu.shares'), '262144');
}

async function runToExit(rt: ContainerRuntime, sandboxId: string, config: ContainerConfig) {
  const id = await rt.createContainer(sandboxId, config);
  await rt.startContainer(id);
  return { id, status: await waitExited(rt, id) };
}

// Every test runs once per low-level runtime (SKIFF_TEST_RUNTIMES, default crun and runc).
for (const runtime of testRuntimes()) {
  const it = (title: string, fn: (t: ExecutionContext) => Promise<void>) => test(`${runtime}: ${title}`, fn);

  it('a container that echoes exits 0 and its log is in CRI format', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    t.is((await rt.podSandboxStatus(sb)).state, 'SANDBOX_READY');
    const { id, status } = await runToExit(rt, sb, newContainerConfig({ command: ['echo', 'hello skiff'] }));
    t.is(status.exitCode, 0);
    t.is(status.reason, 'Completed');
    t.true(status.startedAt > 0 && status.finishedAt >= status.startedAt);
    const log = await readFile(status.logPath, 'utf8');
    t.regex(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F hello skiff\n$/);
    let read = '';
    for await (const s of rt.logs(id, { follow: true })) read += s;
    t.is(read, 'hello skiff\n');
  });

  it('non-zero exit code, env, args and working dir', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const { status } = await runToExit(
      rt,
      sb,
      newContainerConfig({
        command: ['sh', '-c'],
        args: ['echo "$IMAGE_VAR $MY_VAR $(pwd) $(id -u):$(id -g)"; echo oops >&2; exit 7'],
        envs: [{ key: 'MY_VAR', value: 'from-container' }],
        workingDir: '/tmp',
        linux: { securityContext: { runAsUser: { value: 1000 } } },
      }),
    );
    t.is(status.exitCode, 7);
    t.is(status.reason, 'Error');
    const log = await readFile(status.logPath, 'utf8');
    t.regex(log, / stdout F from-image from-container \/tmp 1000:1000\n/);
    t.regex(log, / stderr F oops\n/);
  });

  it('memory limit is set in the cgroup and an allocation beyond it is OOMKilled', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const limit = 20 * 1024 * 1024;
    const id = await rt.createContainer(
      sb,
      newContainerConfig({
        command: ['sh', '-c', 'sleep 0.5; x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived'],
        linux: { resources: { memoryLimitInBytes: limit, cpuShares: 256, pidsLimit: 50 } },
      }),
    );
    // The runtime creates the container (and its cgroup) when it starts it, as containerd does.
    await rt.startContainer(id);
    const mode = detectCgroupMode();
    const cgPath = rt.containerCgroupsPath(id);
    t.true(cgPath.startsWith(env.cgroupParent + '/'));
    const memFile = mode === 'v2' ? 'memory.max' : 'memory.limit_in_bytes';
    t.is(Number((await readFile(path.join(cgroupDir(mode, cgPath, 'memory'), memFile), 'utf8')).trim()), limit);
    t.is((await readFile(path.join(cgroupDir(mode, cgPath, 'pids'), 'pids.max'), 'utf8')).trim(), '50');
    if (mode !== 'v2') t.is((await readFile(path.join(cgroupDir(mode, cgPath, 'cpu'), 'cpu.shares'), 'utf8')).trim(), '256');
    const status = await waitExited(rt, id);
    t.is(status.reason, 'OOMKilled', `${status.exitCode} ${status.message}`);
    t.not(status.exitCode, 0);
  });

  it('a CPU limit of 200m holds a busy loop to about a fifth of a core', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    // kubelet's mapping of limits.cpu=200m: quota 20ms per 100ms period.
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sh', '-c', 'while :; do :; done'], linux: { resources: { cpuPeriod: 100_000, cpuQuota: 20_000, cpuShares: 204 } } }));
    await rt.startContainer(id);
    const mode = detectCgroupMode();
    const cgPath = rt.containerCgroupsPath(id);
    if (mode === 'v2') t.is((await readFile(path.join(cgroupDir(mode, cgPath, 'cpu'), 'cpu.max'), 'utf8')).trim(), '20000 100000');
    else t.is((await readFile(path.join(cgroupDir(mode, cgPath, 'cpu'), 'cpu.cfs_quota_us'), 'utf8')).trim(), '20000');
    // CI runs test files side by side on two cores: the test's cgroup parent, a child of the root
    // with the default weight, then gets a sliver of the CPU and the loop may never reach its
    // quota. The largest weight lets it; the quota, not the weight, is what is measured.
    raiseCpuWeight(env.cgroupParent);
    await sleep(300);
    // The usage window lies inside the clock window, so the share can only be underestimated.
    // It runs until the kernel has throttled the loop and 2 s have passed, or 20 s at most.
    const t0 = process.hrtime.bigint();
    const u0 = cpuUsageNs(cgPath);
    const deadline = Date.now() + 20_000;
    do await sleep(500);
    while ((throttledPeriods(cgPath) === 0 || process.hrtime.bigint() - t0 < 2_000_000_000n) && Date.now() < deadline);
    const used = cpuUsageNs(cgPath) - u0;
    const share = Number(used) / Number(process.hrtime.bigint() - t0);
    t.log(`busy loop used ${(share * 100).toFixed(1)}% of one core; throttled in ${throttledPeriods(cgPath)} periods`);
    t.true(throttledPeriods(cgPath) > 0, 'the kernel never throttled the busy loop');
    // Generous bounds: a loaded machine may give it less than its quota, never more.
    t.true(share > 0.005, `the busy loop did not run (${share})`);
    t.true(share <= 0.35, `CPU quota not enforced: ${(share * 100).toFixed(1)}% of a core`);
  });

  it('a pids limit bounds a fork loop (EAGAIN past it); defaultPidsLimit applies to containers without one', async (t) => {
    const { env, rt } = await setup(t, runtime, { defaultPidsLimit: 64 });
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const limit = 10;
    const id = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'bomb' }, command: ['sleep', '1000'], linux: { resources: { pidsLimit: limit } } }));
    const other = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'plain' }, command: ['sleep', '1000'] }));
    await rt.startContainer(id);
    await rt.startContainer(other);
    const mode = detectCgroupMode();
    const pidsDir = (c: string) => cgroupDir(mode, rt.containerCgroupsPath(c), 'pids');
    t.is((await readFile(path.join(pidsDir(id), 'pids.max'), 'utf8')).trim(), String(limit));
    t.is((await readFile(path.join(pidsDir(other), 'pids.max'), 'utf8')).trim(), '64');
    // Each iteration forks a background sleep and prints how many it has started; busybox sh
    // stops at the first failed fork.
    const r = await rt.execSync(id, ['sh', '-c', 'n=0; while [ $n -lt 40 ]; do sleep 30 >/dev/null 2>&1 & n=$((n+1)); echo $n; done'], 30);
    const started = Math.max(0, ...r.stdout.toString().split('\n').filter(Boolean).map(Number));
    t.regex(r.stderr.toString(), /Resource temporarily unavailable|can't fork/i);
    t.true(started < limit, `started ${started} processes under pids.max=${limit}`);
    t.true(Number((await readFile(path.join(pidsDir(id), 'pids.current'), 'utf8')).trim()) <= limit);
    const events = await readFile(path.join(pidsDir(id), 'pids.events'), 'utf8').catch(() => '');
    if (events) t.true(Number(/max (\d+)/.exec(events)?.[1] ?? 0) > 0, events);
  });

  it('stop: SIGTERM is honoured by a trapping process, ignored PID 1 gets SIGKILL after the timeout', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const trapping = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'trap' }, command: ['sh', '-c', 'trap "echo bye; exit 42" TERM; while true; do sleep 0.1; done'] }));
    const stubborn = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'stubborn' }, command: ['sleep', '1000'] }));
    await rt.startContainer(trapping);
    await rt.startContainer(stubborn);
    t.is((await rt.containerStatus(trapping)).state, 'CONTAINER_RUNNING');
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await rt.stopContainer(trapping, 10);
    t.true(Date.now() - t0 < 9500, "SIGTERM ended it well before the 10 s timeout (exit 42 below shows the trap ran)");
    const s1 = await rt.containerStatus(trapping);
    t.is(s1.state, 'CONTAINER_EXITED');
    t.is(s1.exitCode, 42);
    const t1 = Date.now();
    await rt.stopContainer(stubborn, 1);
    t.true(Date.now() - t1 >= 1000);
    const s2 = await rt.containerStatus(stubborn);
    t.is(s2.exitCode, 137);
    // stopping again is a no-op
    await rt.stopContainer(stubborn, 1);
    await rt.removeContainer(stubborn);
    t.true(isNotFound(await rt.containerStatus(stubborn).catch((e) => e)));
    // the log outlives the container
    t.regex(await readFile(s1.logPath, 'utf8'), /stdout F bye/);
  });

  it('ExecSync captures output and exit code, and times out', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sleep', '1000'] }));
    await rt.startContainer(id);
    const r = await rt.execSync(id, ['sh', '-c', 'cat /etc/motd; echo err >&2; exit 3'], 10);
    t.is(r.stdout.toString(), 'from the image\n');
    t.is(r.stderr.toString(), 'err\n');
    t.is(r.exitCode, 3);
    const t0 = Date.now();
    const err = await rt.execSync(id, ['sleep', '30'], 1).catch((e) => e);
    t.is(err.code, 'DeadlineExceeded');
    t.true(Date.now() - t0 < 10_000);
  });

  it('streaming exec pipes stdin to stdout', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sleep', '1000'] }));
    await rt.startContainer(id);
    const session = await rt.exec(id, { cmd: ['sh', '-c', 'tr a-z A-Z; echo done >&2'], stdin: true });
    let out = '';
    let errOut = '';
    session.stdout.on('data', (d: Buffer) => (out += d.toString()));
    session.stderr.on('data', (d: Buffer) => (errOut += d.toString()));
    session.stdin!.write('hello ');
    session.stdin!.end('stream\n');
    t.is(await session.exitCode, 0);
    t.is(out, 'HELLO STREAM\n');
    t.is(errOut, 'done\n');
  });

  it('attach: stdin reaches the container, its stdout and stderr come back apart, and its exit code ends the session', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sh', '-c', 'read line; echo "got $line"; echo oops >&2; exit 3'], stdin: true, stdinOnce: true }));
    await rt.startContainer(id);
    const session = await rt.attach(id, { stdin: true });
    let out = '';
    let errOut = '';
    session.stdout.on('data', (d: Buffer) => (out += d.toString()));
    session.stderr.on('data', (d: Buffer) => (errOut += d.toString()));
    session.stdin!.write('hello\n');
    t.is(await session.exitCode, 3);
    t.is(out, 'got hello\n');
    t.is(errOut, 'oops\n');
    t.is((await rt.containerStatus(id)).exitCode, 3);
  });

  it('attach: a detach leaves the container running with stdin open (stdinOnce false); with stdinOnce, the end of input closes it', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const echo = ['sh', '-c', 'while read l; do echo "echo $l"; done; echo eof; sleep 1'];
    const kept = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'kept' }, command: echo, stdin: true }));
    await rt.startContainer(kept);
    const lineFrom = (s: { stdout: NodeJS.ReadableStream }, want: string) =>
      new Promise<void>((resolve) => {
        let out = '';
        s.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes(want)) resolve();
        });
      });
    const first = await rt.attach(kept, { stdin: true });
    const a = lineFrom(first, 'echo a');
    first.stdin!.write('a\n');
    await a;
    await first.kill();
    t.is(await first.exitCode, -1, 'a detach has no exit code');
    t.is((await rt.containerStatus(kept)).state, 'CONTAINER_RUNNING');
    const second = await rt.attach(kept, { stdin: true });
    const b = lineFrom(second, 'echo b');
    second.stdin!.write('b\n');
    await b;
    await second.kill();
    t.is((await rt.containerStatus(kept)).state, 'CONTAINER_RUNNING', 'stdin stayed open across attaches');

    const once = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'once' }, command: echo, stdin: true, stdinOnce: true }));
    await rt.startContainer(once);
    const session = await rt.attach(once, { stdin: true });
    let out = '';
    session.stdout.on('data', (d: Buffer) => (out += d.toString()));
    session.stdin!.end('c\n');
    t.is(await session.exitCode, 0);
    t.is(out, 'echo c\neof\n');
  });

  it('attach to a container with a terminal: conmon holds it, resize sets its size, output is stdout', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    // conmon applies a resize from its FIFO on its own time: the script waits for it (5 s at most).
    const script = 'read l; tty; i=0; while [ "$(stty size)" = "0 0" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; stty size; echo "got $l" >&2';
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sh', '-c', script], stdin: true, stdinOnce: true, tty: true }));
    await rt.startContainer(id);
    const session = await rt.attach(id, { stdin: true });
    let out = '';
    session.stdout.on('data', (d: Buffer) => (out += d.toString()));
    session.stderr.on('data', (d: Buffer) => t.fail(`stderr on a terminal: ${d}`));
    session.resize(100, 30);
    session.stdin!.write('hi\r');
    t.is(await session.exitCode, 0);
    // The terminal echoes the input, translates newlines and merges stderr into its output.
    t.regex(out, /hi\r\n\/dev\/pts\/\d+\r\n30 100\r\ngot hi\r\n/);
  });

  it('attach to a container that is not running fails', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const { id } = await runToExit(rt, sb, newContainerConfig({ command: ['true'] }));
    await t.throwsAsync(rt.attach(id, {}), { message: /not running/ });
  });

  it('containers of one sandbox share network, IPC and UTS namespaces but not PID', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env, { hostname: 'shared-host' }));
    const a = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'a' }, command: ['sh', '-c', 'echo hi from a | nc -l -p 8080; sleep 1000'] }));
    const b = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'b' }, command: ['sleep', '1000'] }));
    await rt.startContainer(a);
    await rt.startContainer(b);
    // A namespace's identity is its nsfs inode (stat follows /proc/<pid>/ns/<kind> links).
    const nsOf = async (file: string) => (await stat(file)).ino;
    const ns = async (id: string, kind: string) => nsOf(`/proc/${await rt.containerPid(id)}/ns/${kind}`);
    for (const kind of ['net', 'ipc', 'uts'] as const) {
      t.is(await ns(a, kind), await ns(b, kind), kind);
      t.is(await ns(a, kind), await nsOf(rt.sandboxNamespace(sb, kind)), kind);
      t.not(await ns(a, kind), await nsOf(`/proc/self/ns/${kind}`), kind);
    }
    t.not(await ns(a, 'pid'), await ns(b, 'pid'));
    t.is((await rt.execSync(b, ['hostname'], 5)).stdout.toString(), 'shared-host\n');
    t.is((await rt.execSync(b, ['cat', '/etc/hostname'], 5)).stdout.toString(), 'shared-host\n');
    let got = '';
    for (let i = 0; i < 50 && !got.includes('hi from a'); i++) {
      got = (await rt.execSync(b, ['sh', '-c', 'nc 127.0.0.1 8080 </dev/null'], 5)).stdout.toString();
      if (!got) await new Promise((r) => setTimeout(r, 100));
    }
    t.is(got, 'hi from a\n');
  });

  it('shareProcessNamespace: a pause container holds the pod PID namespace; containers see each other', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env, { linux: { securityContext: { namespaceOptions: { pid: 'POD' } } } }));
    const pidns = rt.sandboxNamespace(sb, 'pid');
    t.regex(pidns, /^\/proc\/[1-9]\d*\/ns\/pid$/);
    const a = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'a' }, command: ['sleep', '1001'] }));
    const b = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'b' }, command: ['sleep', '1002'] }));
    await rt.startContainer(a);
    await rt.startContainer(b);
    const nsOf = async (file: string) => (await stat(file)).ino;
    t.is(await nsOf(`/proc/${await rt.containerPid(a)}/ns/pid`), await nsOf(pidns));
    t.is(await nsOf(`/proc/${await rt.containerPid(b)}/ns/pid`), await nsOf(pidns));
    // b sees a's process (and the pause process as PID 1).
    const ps = (await rt.execSync(b, ['ps', '-o', 'pid,args'], 5)).stdout.toString();
    t.regex(ps, /sleep 1001/);
    t.regex(ps, /^\s*1\s+\/bin\/busybox sleep/m);
  });

  it('sandboxes without a shared PID namespace have no pause process: their namespaces are pinned and unmounted on removal', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env, { hostname: 'pinned-host' }));
    const files = (['net', 'ipc', 'uts'] as const).map((k) => rt.sandboxNamespace(sb, k));
    for (const f of files) t.true(f.startsWith(env.stateDir), f);
    for (const f of files) t.true(mountsUnder(env.stateDir).includes(f), `${f} not mounted`);
    t.is((await rt.podSandboxStatus(sb)).state, 'SANDBOX_READY');
    t.is((await rt.listContainers()).length, 0);
    await rt.stopPodSandbox(sb);
    t.is((await rt.podSandboxStatus(sb)).state, 'SANDBOX_NOTREADY');
    await rt.removePodSandbox(sb);
    for (const f of files) t.false(mountsUnder(env.stateDir).includes(f), `${f} still mounted`);
  });

  it('a restarted runtime re-adopts a running container and later sees its exit code', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sh', '-c', 'while [ ! -f /tmp/stop ]; do sleep 0.1; done; exit 9'] }));
    await rt.startContainer(id);
    const started = (await rt.containerStatus(id)).startedAt;
    await rt.close();
    const rt2 = await env.open();
    const s = await rt2.containerStatus(id);
    t.is(s.state, 'CONTAINER_RUNNING');
    t.is(s.startedAt, started);
    t.is((await rt2.podSandboxStatus(sb)).state, 'SANDBOX_READY');
    await rt2.execSync(id, ['touch', '/tmp/stop'], 5);
    await rt2.close();
    // exits while no runtime is watching
    await new Promise((r) => setTimeout(r, 1000));
    const rt3 = await env.open();
    const done = await waitExited(rt3, id);
    t.is(done.exitCode, 9);
    t.is(done.reason, 'Error');
    t.deepEqual((await rt3.listContainers({ podSandboxId: sb })).map((c) => [c.id, c.state]), [[id, 'CONTAINER_EXITED']]);
  });

  it('a runtime that died after conmon started a container but before recording it adopts the container', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sleep', '1000'] }));
    const created = await readFile(path.join(env.stateDir, 'containers', id, 'record.json'), 'utf8');
    await rt.startContainer(id);
    const pid = await rt.containerPid(id);
    await rt.close();
    // The record as it was before StartContainer saved it: created, no pids.
    await writeFile(path.join(env.stateDir, 'containers', id, 'record.json'), created);
    const rt2 = await env.open();
    const s = await rt2.containerStatus(id);
    t.is(s.state, 'CONTAINER_RUNNING');
    t.true(s.startedAt > 0);
    t.is(await rt2.containerPid(id), pid);
    await rt2.stopContainer(id, 0);
    t.is((await rt2.containerStatus(id)).state, 'CONTAINER_EXITED');
  });

  it('CreateContainer launches conmon behind the start gate: nothing runs before StartContainer; removing a created container leaves no conmon', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['echo', 'ran'] }));
    const conmonPid = await readConmonPid(env, id);
    t.true(await processAlive(conmonPid), 'conmon waits at the gate');
    await sleep(300);
    t.is((await rt.containerStatus(id)).state, 'CONTAINER_CREATED');
    t.is(await rt.containerPid(id), 0);
    t.is(await rt.cli.state(id), undefined, 'the OCI runtime has not seen the container');
    await rt.startContainer(id);
    const status = await waitExited(rt, id);
    t.is(status.exitCode, 0);
    t.is(await readFile(status.logPath, 'utf8').then((l) => l.trim().split(' ').slice(2).join(' ')), 'F ran');

    const created = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'never' }, command: ['echo', 'never'] }));
    const waiting = await readConmonPid(env, created);
    t.true(await processAlive(waiting));
    await rt.removeContainer(created);
    t.false(await processAlive(waiting), 'conmon gave up and exited');
    await t.throwsAsync(stat(path.join(env.stateDir, 'containers', created)));
    t.deepEqual((await rt.listContainers()).map((c) => c.id), [id]);
  });

  it('a container created by a runtime that went away is started by the next one, also past a conmon still waiting at the old gate', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    // the first one's conmon gives up when the runtime lets go of its gate (as it would on a crash)
    const first = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'first' }, command: ['sh', '-c', 'exit 4'] }));
    const firstConmon = await readConmonPid(env, first);
    // the second one's gate stays held by someone else: its old conmon keeps waiting
    const second = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'second' }, command: ['sh', '-c', 'exit 6'] }));
    const secondConmon = await readConmonPid(env, second);
    const holder = openSync(path.join(env.stateDir, 'containers', second, 'start-gate'), fsConstants.O_RDWR | fsConstants.O_NONBLOCK);
    t.teardown(() => closeSync(holder));
    await rt.close();
    const deadline = Date.now() + 5000;
    while ((await processAlive(firstConmon)) && Date.now() < deadline) await sleep(50);
    t.false(await processAlive(firstConmon), 'a conmon whose gate nobody holds gives up');
    t.true(await processAlive(secondConmon));

    const rt2 = await env.open();
    t.is((await rt2.containerStatus(first)).state, 'CONTAINER_CREATED');
    t.is((await rt2.containerStatus(second)).state, 'CONTAINER_CREATED');
    await rt2.startContainer(first);
    await rt2.startContainer(second);
    t.false(await processAlive(secondConmon), 'the stale conmon was ended');
    t.is((await waitExited(rt2, first)).exitCode, 4);
    t.is((await waitExited(rt2, second)).exitCode, 6);
  });

  it('a container directory without a record (CreateContainer cut short) is removed when the runtime opens', async (t) => {
    const { env, rt } = await setup(t, runtime);
    await rt.close();
    const orphan = path.join(env.stateDir, 'containers', `${env.prefix}-orphan`);
    await mkdir(path.join(orphan, 'bundle'), { recursive: true });
    await writeFile(path.join(orphan, 'bundle', 'conmon.pid'), '0');
    await env.open();
    await t.throwsAsync(stat(orphan));
  });

  it('stopping and removing a sandbox kills and removes its containers', async (t) => {
    const { env, rt } = await setup(t, runtime);
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sleep', '1000'] }));
    await rt.startContainer(id);
    await rt.stopPodSandbox(sb);
    t.is((await rt.podSandboxStatus(sb)).state, 'SANDBOX_NOTREADY');
    t.is((await rt.containerStatus(id)).state, 'CONTAINER_EXITED');
    await rt.removePodSandbox(sb);
    t.deepEqual(await rt.listPodSandbox(), []);
    t.deepEqual(await rt.listContainers(), []);
    await rt.removePodSandbox(sb);
  });
}
