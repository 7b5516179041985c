// Integration tests of ContainerRuntime with real crun/runc and conmon (run as root).
import test from 'ava';
import { readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { newContainerConfig, newSandboxConfig, newTestEnv, type TestEnv } from './testing/fixtures.js';
import type { ContainerRuntime } from './runtime.js';
import type { ContainerConfig } from './types.js';
import { cgroupDir, detectCgroupMode } from './sys/cgroups.js';
import { isNotFound } from './errors.js';

async function setup(t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ env: TestEnv; rt: ContainerRuntime }> {
  const env = await newTestEnv();
  t.teardown(() => env.cleanup());
  const rt = await env.open();
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

async function runToExit(rt: ContainerRuntime, sandboxId: string, config: ContainerConfig) {
  const id = await rt.createContainer(sandboxId, config);
  await rt.startContainer(id);
  return { id, status: await waitExited(rt, id) };
}

test('a container that echoes exits 0 and its log is in CRI format', async (t) => {
  const { env, rt } = await setup(t);
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

test('non-zero exit code, env, args and working dir', async (t) => {
  const { env, rt } = await setup(t);
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

test('memory limit is set in the cgroup and an allocation beyond it is OOMKilled', async (t) => {
  const { env, rt } = await setup(t);
  const sb = await rt.runPodSandbox(newSandboxConfig(env));
  const limit = 20 * 1024 * 1024;
  const id = await rt.createContainer(
    sb,
    newContainerConfig({
      command: ['sh', '-c', 'sleep 0.5; x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived'],
      linux: { resources: { memoryLimitInBytes: limit, cpuShares: 256, pidsLimit: 50 } },
    }),
  );
  const mode = detectCgroupMode();
  const cgPath = rt.containerCgroupsPath(id);
  t.true(cgPath.startsWith(env.cgroupParent + '/'));
  const memFile = mode === 'v2' ? 'memory.max' : 'memory.limit_in_bytes';
  t.is(Number((await readFile(path.join(cgroupDir(mode, cgPath, 'memory'), memFile), 'utf8')).trim()), limit);
  t.is((await readFile(path.join(cgroupDir(mode, cgPath, 'pids'), 'pids.max'), 'utf8')).trim(), '50');
  if (mode !== 'v2') t.is((await readFile(path.join(cgroupDir(mode, cgPath, 'cpu'), 'cpu.shares'), 'utf8')).trim(), '256');
  await rt.startContainer(id);
  const status = await waitExited(rt, id);
  t.is(status.reason, 'OOMKilled', `${status.exitCode} ${status.message}`);
  t.not(status.exitCode, 0);
});

test('stop: SIGTERM is honoured by a trapping process, ignored PID 1 gets SIGKILL after the timeout', async (t) => {
  const { env, rt } = await setup(t);
  const sb = await rt.runPodSandbox(newSandboxConfig(env));
  const trapping = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'trap' }, command: ['sh', '-c', 'trap "echo bye; exit 42" TERM; while true; do sleep 0.1; done'] }));
  const stubborn = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'stubborn' }, command: ['sleep', '1000'] }));
  await rt.startContainer(trapping);
  await rt.startContainer(stubborn);
  t.is((await rt.containerStatus(trapping)).state, 'CONTAINER_RUNNING');
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  await rt.stopContainer(trapping, 10);
  t.true(Date.now() - t0 < 5000);
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

test('ExecSync captures output and exit code, and times out', async (t) => {
  const { env, rt } = await setup(t);
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

test('streaming exec pipes stdin to stdout', async (t) => {
  const { env, rt } = await setup(t);
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

test('containers of one sandbox share network, IPC and UTS namespaces but not PID', async (t) => {
  const { env, rt } = await setup(t);
  const sb = await rt.runPodSandbox(newSandboxConfig(env, { hostname: 'shared-host' }));
  const a = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'a' }, command: ['sh', '-c', 'echo hi from a | nc -l -p 8080; sleep 1000'] }));
  const b = await rt.createContainer(sb, newContainerConfig({ metadata: { name: 'b' }, command: ['sleep', '1000'] }));
  await rt.startContainer(a);
  await rt.startContainer(b);
  const ns = async (id: string, kind: string) => readlink(`/proc/${await rt.containerPid(id)}/ns/${kind}`);
  const pause = rt.sandboxPid(sb);
  for (const kind of ['net', 'ipc', 'uts']) {
    t.is(await ns(a, kind), await ns(b, kind), kind);
    t.is(await ns(a, kind), await readlink(`/proc/${pause}/ns/${kind}`), kind);
  }
  t.not(await ns(a, 'net'), await readlink('/proc/self/ns/net'));
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

test('a restarted runtime re-adopts a running container and later sees its exit code', async (t) => {
  const { env, rt } = await setup(t);
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

test('stopping and removing a sandbox kills and removes its containers', async (t) => {
  const { env, rt } = await setup(t);
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

test('runc works as the low-level runtime', async (t) => {
  const env = await newTestEnv();
  t.teardown(() => env.cleanup());
  const rt = await env.open({ runtime: 'runc' });
  const sb = await rt.runPodSandbox(newSandboxConfig(env));
  const { status } = await runToExit(rt, sb, newContainerConfig({ command: ['sh', '-c', 'echo via runc; exit 4'] }));
  t.is(status.exitCode, 4);
  t.regex(await readFile(status.logPath, 'utf8'), /stdout F via runc/);
});
