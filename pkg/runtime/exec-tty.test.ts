// TTY exec with real crun/runc: a terminal in the container, its size set by resize.
import test from 'ava';
import { newContainerConfig, newSandboxConfig, newTestEnv, testRuntimes } from './testing/fixtures.js';
import type { ExecSession } from './exec.js';
import path from 'node:path';
import { startRuntimeServer } from './cri/server.js';
import { RuntimeClient } from './cri/client.js';

// runc relays the terminal through a host pty of ours (see exec.ts): line ends may carry an extra \r.
const nl = (out: string): string => out.replace(/\r+\n/g, '\r\n');

function collect(session: ExecSession): () => string {
  let out = '';
  session.stdout.on('data', (d: Buffer) => (out += d.toString()));
  session.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return () => nl(out);
}

for (const runtime of testRuntimes()) {
  test(`${runtime}: exec with a TTY gets a /dev/pts terminal whose size follows resize`, async (t) => {
    const env = await newTestEnv(runtime);
    t.teardown(() => env.cleanup());
    const rt = await env.open();
    const sb = await rt.runPodSandbox(newSandboxConfig(env));
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sleep', '1000'] }));
    await rt.startContainer(id);

    const s1 = await rt.exec(id, { cmd: ['tty'], tty: true });
    const out1 = collect(s1);
    t.is(await s1.exitCode, 0);
    t.regex(out1(), /^\/dev\/pts\/\d+\r?\n$/);

    // resize before the process reads its size; a terminal turns \n into \r\n
    const s2 = await rt.exec(id, { cmd: ['sh', '-c', 'sleep 0.5; stty size'], tty: true });
    s2.resize(100, 37);
    const out2 = collect(s2);
    t.is(await s2.exitCode, 0);
    t.is(out2(), '37 100\r\n');

    // interactive: input reaches the process, a later resize is seen, the exit code comes back
    const s3 = await rt.exec(id, { cmd: ['sh'], tty: true, stdin: true });
    s3.resize(80, 24);
    const out3 = collect(s3);
    // asked again until answered: runc applies a size only once its relay is up (see exec.ts)
    for (let i = 0; i < 25 && !out3().includes('24 80'); i++) {
      s3.stdin!.write('stty size\n');
      await new Promise((r) => setTimeout(r, 200));
    }
    s3.resize(132, 50);
    if (runtime === 'runc') await new Promise((r) => setTimeout(r, 500)); // its relay applies a size asynchronously
    s3.stdin!.write('stty size; exit 3\n');
    t.is(await s3.exitCode, 3);
    t.regex(out3(), /24 80\r\n/);
    t.regex(out3(), /50 132\r\n/);
  });

  test(`${runtime}: TTY exec and resize through the gRPC Exec stream`, async (t) => {
    const env = await newTestEnv(runtime);
    t.teardown(() => env.cleanup());
    const server = await startRuntimeServer({ socketPath: path.join(env.dir, 'cri.sock'), stateDir: env.stateDir, runtime, imageStore: env.store, runtimeOptions: { defaultCgroupParent: env.cgroupParent, newId: env.newId } });
    t.teardown(() => server.close());
    const client = new RuntimeClient(server.socketPath);
    t.teardown(() => client.close());
    await client.waitReady();
    const sb = await client.runPodSandbox(newSandboxConfig(env));
    const id = await client.createContainer(sb, newContainerConfig({ command: ['sleep', '1000'] }));
    await client.startContainer(id);
    const s = await client.exec(id, { cmd: ['sh', '-c', 'sleep 0.5; tty; stty size'], tty: true, stdin: true });
    s.resize(90, 30);
    const out = collect(s);
    t.is(await s.exitCode, 0);
    t.regex(out(), /^\/dev\/pts\/\d+\r\n30 90\r\n$/);
  });
}
