// The agent's exec WebSocket with tty=true: a real container (crun and runc), the terminal's
// output on channel 1, resize messages on channel 4 setting its size.
import test from 'ava';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import { AgentServer } from '../../pkg/agent/server.js';
import { ContainerNameLabel, PodNameLabel, PodNamespaceLabel } from '../../pkg/agent/labels.js';
import { newContainerConfig, newSandboxConfig, newTestEnv, testRuntimes } from '../../pkg/runtime/testing/fixtures.js';

for (const runtime of testRuntimes()) {
  test(`${runtime}: exec -t over the agent WebSocket: tty prints a /dev/pts path, resize sets the size`, async (t) => {
    const env = await newTestEnv(runtime);
    t.teardown(() => env.cleanup());
    const rt = await env.open();
    const sandbox = newSandboxConfig(env, { metadata: { name: 'ttypod', namespace: 'default', uid: 'skifftest-uid' } });
    const sb = await rt.runPodSandbox(sandbox);
    const labels = { [PodNamespaceLabel]: 'default', [PodNameLabel]: 'ttypod', [ContainerNameLabel]: 'main' };
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sleep', '1000'], labels }));
    await rt.startContainer(id);

    const server = new AgentServer({ runtime: rt, pods: () => undefined, metrics: new Registry(), logger: pino({ level: 'silent' }) });
    const port = await server.listen('127.0.0.1', 0);
    t.teardown(() => server.close());

    const q = new URLSearchParams([['command', 'sh'], ['command', '-c'], ['command', 'sleep 0.5; tty; stty size'], ['stdin', 'true'], ['stdout', 'true'], ['tty', 'true']]);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/exec/default/ttypod/main?${q}`, ['v5.channel.k8s.io']);
    const frames: { ch: number; data: string }[] = [];
    ws.on('message', (m: Buffer) => frames.push({ ch: m[0]!, data: m.subarray(1).toString() }));
    await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 80, Height: 24 }))]));
    await new Promise<void>((resolve) => ws.once('close', () => resolve()));

    const out = frames.filter((f) => f.ch === 1).map((f) => f.data).join('');
    t.regex(out, /^\/dev\/pts\/\d+\r\n24 80\r\n$/);
    t.deepEqual(frames.filter((f) => f.ch === 2), []);
    const status = frames.find((f) => f.ch === 3);
    t.is(JSON.parse(status?.data ?? '{}').status, 'Success');
  });
}
