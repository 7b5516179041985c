// The agent's attach WebSocket: a real container (crun and runc) started with stdin, its own
// stdin, stdout and stderr on channels 0, 1 and 2, and Success on channel 3 when it ends.
import test from 'ava';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import { AgentServer } from '../../pkg/agent/server.js';
import { ContainerNameLabel, PodNameLabel, PodNamespaceLabel } from '../../pkg/agent/labels.js';
import { newContainerConfig, newSandboxConfig, newTestEnv, testRuntimes } from '../../pkg/runtime/testing/fixtures.js';

for (const runtime of testRuntimes()) {
  test(`${runtime}: attach over the agent WebSocket: input reaches the container, its output comes back by stream`, async (t) => {
    const env = await newTestEnv(runtime);
    t.teardown(() => env.cleanup());
    const rt = await env.open();
    const sandbox = newSandboxConfig(env, { metadata: { name: 'attachpod', namespace: 'default', uid: 'skifftest-uid' } });
    const sb = await rt.runPodSandbox(sandbox);
    const labels = { [PodNamespaceLabel]: 'default', [PodNameLabel]: 'attachpod', [ContainerNameLabel]: 'main' };
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['sh', '-c', 'read l; echo "got $l"; echo oops >&2; exit 2'], stdin: true, stdinOnce: true, labels }));
    await rt.startContainer(id);

    const server = new AgentServer({ runtime: rt, pods: () => undefined, metrics: new Registry(), logger: pino({ level: 'silent' }) });
    const port = await server.listen('127.0.0.1', 0);
    t.teardown(() => server.close());

    const q = new URLSearchParams([['stdin', 'true'], ['stdout', 'true'], ['stderr', 'true']]);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/attach/default/attachpod/main?${q}`, ['v5.channel.k8s.io']);
    const frames: { ch: number; data: string }[] = [];
    ws.on('message', (m: Buffer) => frames.push({ ch: m[0]!, data: m.subarray(1).toString() }));
    await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello\n')]));
    await new Promise<void>((resolve) => ws.once('close', () => resolve()));

    t.is(frames.filter((f) => f.ch === 1).map((f) => f.data).join(''), 'got hello\n');
    t.is(frames.filter((f) => f.ch === 2).map((f) => f.data).join(''), 'oops\n');
    t.is(JSON.parse(frames.find((f) => f.ch === 3)?.data ?? '{}').status, 'Success', 'an attach ends with Success; the exit code is in the pod status');
    t.is((await rt.containerStatus(id)).exitCode, 2);
  });

  test(`${runtime}: attach without the upgrade is a 400; to a container that does not run, a Failure status`, async (t) => {
    const env = await newTestEnv(runtime);
    t.teardown(() => env.cleanup());
    const rt = await env.open();
    const sb = await rt.runPodSandbox(newSandboxConfig(env, { metadata: { name: 'done', namespace: 'default', uid: 'skifftest-uid2' } }));
    const labels = { [PodNamespaceLabel]: 'default', [PodNameLabel]: 'done', [ContainerNameLabel]: 'main' };
    const id = await rt.createContainer(sb, newContainerConfig({ command: ['true'], labels }));
    await rt.startContainer(id);
    const server = new AgentServer({ runtime: rt, pods: () => undefined, metrics: new Registry(), logger: pino({ level: 'silent' }) });
    const port = await server.listen('127.0.0.1', 0);
    t.teardown(() => server.close());
    t.is((await fetch(`http://127.0.0.1:${port}/attach/default/done/main?stdin=true`)).status, 400);
    for (let i = 0; i < 100 && (await rt.containerStatus(id)).state !== 'CONTAINER_EXITED'; i++) await new Promise((r) => setTimeout(r, 50));
    const ws = new WebSocket(`ws://127.0.0.1:${port}/attach/default/done/main?stdout=true`, ['v5.channel.k8s.io']);
    const frames: Buffer[] = [];
    ws.on('message', (m: Buffer) => frames.push(m));
    await new Promise<void>((resolve) => ws.once('close', () => resolve()));
    const status = JSON.parse(frames.find((m) => m[0] === 3)?.subarray(1).toString() ?? '{}');
    t.is(status.status, 'Failure');
    t.regex(status.message, /not running/);
  });
}
