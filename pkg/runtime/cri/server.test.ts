// End-to-end: RuntimeClient → gRPC over a unix socket → server → ContainerRuntime → conmon/crun.
import test from 'ava';
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { busyboxImageRef, newContainerConfig, newSandboxConfig, newTestEnv, testRuntimes, type TestEnv } from '../testing/fixtures.js';
import { startRuntimeServer, type RuntimeServer } from './server.js';
import { RuntimeClient } from './client.js';
import { isNotFound } from '../errors.js';

async function serve(env: TestEnv): Promise<RuntimeServer> {
  return startRuntimeServer({ socketPath: path.join(env.dir, 'cri.sock'), stateDir: env.stateDir, runtime: env.runtime, imageStore: env.store, runtimeOptions: { defaultCgroupParent: env.cgroupParent, newId: env.newId } });
}

async function waitState(client: RuntimeClient, id: string, state: string) {
  for (let i = 0; i < 200; i++) {
    const st = await client.containerStatus(id);
    if (st.state === state) return st;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`container ${id} never reached ${state}`);
}

for (const runtime of testRuntimes()) {
  test(`${runtime}: gRPC end to end: sandbox, container, exec, images, restart of the server`, async (t) => {
    const env = await newTestEnv(runtime);
    t.teardown(() => env.cleanup());
    let server = await serve(env);
    t.teardown(() => server.close());
    const client = new RuntimeClient(server.socketPath);
    t.teardown(() => client.close());
    await client.waitReady();

    t.like(await client.version(), { runtimeName: 'skiff', runtimeApiVersion: 'v1' });

    // images
    const images = await client.listImages();
    t.deepEqual(images.map((i) => i.repoTags), [[busyboxImageRef]]);
    const imageId = images[0].id;
    t.is((await client.imageStatus(busyboxImageRef))?.id, imageId);
    t.is(await client.imageStatus('nope:latest'), null);
    t.is(await client.pullImage(busyboxImageRef), imageId);
    t.is((await client.imageFsInfo())[0].usedBytes.value, 1234);

    // sandbox + container
    const sandboxConfig = newSandboxConfig(env, { dnsConfig: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] } });
    const sb = await client.runPodSandbox(sandboxConfig);
    t.is((await client.podSandboxStatus(sb)).state, 'SANDBOX_READY');
    t.deepEqual((await client.listPodSandbox({ labelSelector: { app: 'skifftest' } })).map((s) => s.id), [sb]);
    const id = await client.createContainer(
      sb,
      newContainerConfig({ command: ['sh', '-c', 'echo started; cat /etc/resolv.conf; while true; do echo tick; sleep 0.2; done'], labels: { role: 'web' } }),
      sandboxConfig,
    );
    t.is((await client.containerStatus(id)).state, 'CONTAINER_CREATED');
    await client.startContainer(id);
    const running = await waitState(client, id, 'CONTAINER_RUNNING');
    t.is(running.imageRef, imageId);
    t.is(running.logPath, path.join(sandboxConfig.logDirectory!, 'main', '0.log'));
    t.deepEqual((await client.listContainers({ labelSelector: { role: 'web' } })).map((c) => c.id), [id]);
    t.deepEqual(await client.listContainers({ state: { state: 'CONTAINER_EXITED' } }), []);

    const r = await client.execSync(id, ['sh', '-c', 'echo out; echo err >&2; exit 5'], 5);
    t.deepEqual([r.stdout.toString(), r.stderr.toString(), r.exitCode], ['out\n', 'err\n', 5]);

    const session = await client.exec(id, { cmd: ['sh', '-c', 'read line; echo "got $line"; echo bye >&2; exit 3'], stdin: true });
    let out = '';
    let err = '';
    session.stdout.on('data', (d: Buffer) => (out += d.toString()));
    session.stderr.on('data', (d: Buffer) => (err += d.toString()));
    session.stdin!.end('ping\n');
    t.is(await session.exitCode, 3);
    t.is(out, 'got ping\n');
    t.is(err, 'bye\n');

    // attach to a container's own stdio over the Attach stream
    const reader = await client.createContainer(sb, newContainerConfig({ metadata: { name: 'reader' }, command: ['sh', '-c', 'read line; echo "attached $line"; exit 4'], stdin: true, stdinOnce: true }), sandboxConfig);
    await client.startContainer(reader);
    await waitState(client, reader, 'CONTAINER_RUNNING');
    const attached = await client.attach(reader, { stdin: true });
    let attachedOut = '';
    attached.stdout.on('data', (d: Buffer) => (attachedOut += d.toString()));
    attached.stdin!.write('pong\n');
    t.is(await attached.exitCode, 4);
    t.is(attachedOut, 'attached pong\n');
    await client.removeContainer(reader);

    // conmon writes the log asynchronously: wait for the last line the container printed
    const waitLog = async (re: RegExp): Promise<string> => {
      let log = '';
      for (let i = 0; i < 100 && !re.test(log); i++) {
        log = await readFile(running.logPath, 'utf8').catch(() => '');
        if (!re.test(log)) await new Promise((r) => setTimeout(r, 50));
      }
      return log;
    };
    const log = await waitLog(/options ndots/);
    t.regex(log, /stdout F started\n/);
    t.regex(log, /stdout F nameserver 10\.96\.0\.10\n/);
    t.regex(log, /stdout F options ndots:5\n/);
    // rotation as kubelet does it: rename, then ask conmon to reopen the path
    await rename(running.logPath, `${running.logPath}.1`);
    await client.reopenContainerLog(id);
    t.regex(await waitLog(/stdout F tick\n/), /^\S+ stdout F tick\n/);

    // the server goes away; the container does not
    await server.close();
    server = await serve(env);
    const again = await client.containerStatus(id);
    t.is(again.state, 'CONTAINER_RUNNING');

    await client.stopContainer(id, 1);
    const exited = await client.containerStatus(id);
    t.is(exited.state, 'CONTAINER_EXITED');
    t.is(exited.exitCode, 137);

    // errors keep their codes across the socket
    t.true(isNotFound(await client.containerStatus('skifftest-missing').catch((e) => e)));
    t.true(isNotFound(await client.createContainer(sb, newContainerConfig({ image: { image: 'missing:1' } })).catch((e) => e)));

    await client.removeContainer(id);
    await client.stopPodSandbox(sb);
    await client.removePodSandbox(sb);
    t.deepEqual(await client.listPodSandbox(), []);
  });
}
