// Static pods with a real API server, etcd, crun + conmon: a manifest directory's pod runs and
// gets a mirror pod with its status; deleting the mirror brings it back without touching the
// container; editing the file replaces the pod; removing the file removes it; and an agent whose
// API server is down runs its static pods anyway and creates the mirror when the server comes up.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import { ApiServer } from '../../pkg/apiserver/server.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { ConfigHashAnnotation, ConfigMirrorAnnotation, ConfigSourceAnnotation, parseManifest } from '../../pkg/agent/static-pods.js';
import { freePort } from '../../pkg/util/ports.js';
import { useTestApiServer } from '../lib/apiserver.js';
import { newNodeLayout, startTestNode, type TestNode } from '../lib/cluster-node.js';
import { exitAfterFile } from '../lib/exit-guard.js';
import { waitFor } from '../lib/wait.js';

exitAfterFile(test);

const fixture = useTestApiServer(test);

const pods = () => fixture.client.resource<Pod>(Resources.pods).namespace('default');

function manifest(name: string, command: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: { tier: static }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: skiff.local/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, ${JSON.stringify(command)}]
`;
}

/** writeAtomically replaces a manifest the way an operator should: write aside, rename over. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

function manifestDir(t: { teardown: (f: () => Promise<void>) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'skifftest-static-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const running = (p: Pod | undefined) => (p?.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running ? p : undefined);

test.serial('a static pod runs with a mirror pod; the mirror comes back when deleted; an edit replaces the pod; removing the file removes it', async (t) => {
  t.timeout(180_000);
  const dir = manifestDir(t);
  await writeFile(join(dir, 'web.yaml'), manifest('web', 'exec sleep 3600'));
  await writeFile(join(dir, 'README'), 'not a manifest');
  const node: TestNode = await startTestNode(fixture.srv.url, newNodeLayout(), { podManifestPath: dir, staticPodResyncMs: 2000 });
  t.teardown(() => node.cleanup());
  const nodeName = node.layout.nodeName;
  const name = `web-${nodeName}`;

  // 1. The pod runs and its mirror pod shows it Running.
  const first = await waitFor('mirror pod Running', async () => running(await pods().get(name)), 60_000);
  const nodeObj = await fixture.client.resource<Node>(Resources.nodes).get(nodeName);
  const hash = first.metadata.annotations![ConfigMirrorAnnotation]!;
  t.regex(hash, /^[0-9a-f]{32}$/);
  t.is(first.metadata.annotations![ConfigHashAnnotation], hash);
  t.is(first.metadata.annotations![ConfigSourceAnnotation], 'file');
  t.like(first.metadata.ownerReferences?.[0], { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeObj.metadata.uid, controller: true });
  t.is(first.spec.nodeName, nodeName);
  t.not(first.metadata.uid, hash, 'the mirror has its own API uid');
  const containerID = first.status!.containerStatuses![0]!.containerID!;
  t.truthy(containerID);
  t.is((await node.agent.syncer.readState(hash)).containers.length, 1, 'the runtime runs the static pod under its hash');

  // 2. Deleting the mirror through the API: a new mirror, the same container.
  await pods().delete(name);
  const again = await waitFor('mirror pod recreated', async () => {
    const p = await pods().get(name).catch(() => undefined);
    return p && p.metadata.uid !== first.metadata.uid && !p.metadata.deletionTimestamp ? running(p) : undefined;
  }, 30_000);
  t.is(again.status!.containerStatuses![0]!.containerID, containerID, 'the static pod kept running');
  t.is(again.metadata.annotations![ConfigMirrorAnnotation], hash);

  // 3. Editing the file: the old pod stops, the new one runs, the mirror follows the new hash.
  await writeAtomically(join(dir, 'web.yaml'), manifest('web', 'echo v2; exec sleep 3600'));
  const edited = await waitFor('mirror pod of the new version Running', async () => {
    const p = await pods().get(name).catch(() => undefined);
    return p && p.metadata.annotations?.[ConfigMirrorAnnotation] !== hash ? running(p) : undefined;
  }, 60_000);
  const newHash = edited.metadata.annotations![ConfigMirrorAnnotation]!;
  t.not(edited.status!.containerStatuses![0]!.containerID, containerID);
  t.deepEqual(edited.spec.containers[0]!.command, ['sh', '-c', 'echo v2; exec sleep 3600']);
  const logs = await waitFor('logs through the mirror pod\'s name', async () => {
    const text = await (await fetch(`${node.agentUrl}/containerLogs/default/${name}/c`)).text();
    return text === 'v2\n' ? text : undefined;
  }, 10_000);
  t.is(logs, 'v2\n');
  await waitFor('old version removed from the runtime', async () => (await node.agent.syncer.readState(hash)).sandboxes.length === 0, 30_000);

  // 4. Removing the file: the pod stops and the mirror goes.
  await unlink(join(dir, 'web.yaml'));
  await waitFor('mirror pod deleted', async () => pods().get(name).then(() => false, () => true), 30_000);
  await waitFor('static pod removed from the runtime', async () => (await node.agent.syncer.readState(newHash)).sandboxes.length === 0, 30_000);
  t.pass();
});

test.serial('with the API server down, static pods run; the mirror pod appears once the server is up', async (t) => {
  t.timeout(180_000);
  const dir = manifestDir(t);
  const text = manifest('early', 'exec sleep 3600');
  await writeFile(join(dir, 'early.yaml'), text);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const layout = newNodeLayout();
  // Nothing answers on url yet: the agent starts anyway and runs the static pod.
  const node = await startTestNode(url, layout, { podManifestPath: dir, staticPodResyncMs: 2000 });
  t.teardown(() => node.cleanup());
  const hash = parseManifest(text, join(dir, 'early.yaml'), layout.nodeName).pods[0]!.metadata.uid!;
  const started = await waitFor('static pod running without an API server', async () => (await node.agent.syncer.readState(hash)).containers.find((c) => c.state === 'CONTAINER_RUNNING'), 60_000);

  const api = new ApiServer({ etcdEndpoints: [fixture.srv.etcd.endpoint], logger: pino({ level: 'silent' }) });
  t.teardown(() => api.close().catch(() => undefined));
  await api.listen('127.0.0.1', port);
  const late = new RestClient({ server: url });
  t.teardown(() => late.close());
  const mirror = await waitFor('mirror pod Running once the API server is up', async () => running(await late.resource<Pod>(Resources.pods).namespace('default').get(`early-${layout.nodeName}`)), 60_000);
  t.is(mirror.metadata.annotations![ConfigMirrorAnnotation], hash);
  t.true(mirror.status!.containerStatuses![0]!.containerID!.endsWith(started.id), 'the container started while the server was down');
});
