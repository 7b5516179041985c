// The node agent against a real API server + etcd, the real runtime (crun + conmon) and the
// sample images: registration and heartbeat, a multi-container pod with an init container,
// configMap volume and Secret env reaching Running, logs and exec through the agent API.
import test from 'ava';
import WebSocket from 'ws';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import type { Lease } from '../../pkg/api/coordination.js';
import { Resources } from '../../pkg/client/resources.js';
import { useTestApiServer } from '../lib/apiserver.js';
import { startTestNode, type TestNode } from '../lib/cluster-node.js';
import { exitAfterFile } from '../lib/exit-guard.js';
import { type Poll, waitFor as sharedWaitFor } from '../lib/wait.js';

exitAfterFile(test);

let node: TestNode;
// Declared before the API server's hooks, so the node stops while the API server is still up.
test.after.always(async () => {
  await node?.cleanup();
});
const fixture = useTestApiServer(test);
test.serial.before(async () => {
  node = await startTestNode(fixture.srv.url);
});

const pods = () => fixture.client.resource<Pod>(Resources.pods).namespace('default');

const waitFor = <T>(what: string, fn: Poll<T>, timeoutMs = 30_000) => sharedWaitFor(what, fn, timeoutMs, 200);

test.serial('the node registers with capacity, addresses, conditions and a Lease heartbeat', async (t) => {
  const n = await fixture.client.resource<Node>(Resources.nodes).get(node.layout.nodeName);
  t.is(n.metadata.labels?.['kubernetes.io/hostname'], node.layout.nodeName);
  t.is(n.metadata.labels?.['kubernetes.io/os'], 'linux');
  t.is(n.status?.capacity?.pods, '110');
  t.truthy(n.status?.allocatable?.cpu);
  t.deepEqual(n.status?.addresses?.find((a) => a.type === 'InternalIP'), { type: 'InternalIP', address: '127.0.0.1' });
  t.is(n.status?.daemonEndpoints?.kubeletEndpoint?.Port, node.agent.port);
  t.is(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  t.regex(n.status?.nodeInfo?.containerRuntimeVersion ?? '', /^skiff:\/\//);
  const lease = await fixture.client.resource<Lease>(Resources.leases).namespace('kube-node-lease').get(node.layout.nodeName);
  t.is(lease.spec?.holderIdentity, node.layout.nodeName);
  t.is(lease.metadata.ownerReferences?.[0]?.uid, n.metadata.uid);
  const health = await fetch(`${node.agentUrl}/healthz`);
  t.is(await health.text(), 'ok');
  const metrics = await (await fetch(`${node.agentUrl}/metrics`)).text();
  t.regex(metrics, /skiff_agent_pod_sync_duration_seconds/);
  t.regex(metrics, /skiff_agent_pods 0/);
});

test.serial('a pod with an init container, two containers, a configMap volume and Secret env runs; logs and exec work', async (t) => {
  await fixture.client.resource(Resources.configmaps).namespace('default').create({ metadata: { name: 'web-config' }, data: { 'greeting.txt': 'hello from configmap' } });
  await fixture.client.resource(Resources.secrets).namespace('default').create({ metadata: { name: 'web-secret' }, stringData: { password: 's3cret' } });
  await pods().create({
    metadata: { name: 'multi' },
    spec: {
      nodeName: node.layout.nodeName,
      terminationGracePeriodSeconds: 2,
      volumes: [{ name: 'config', configMap: { name: 'web-config' } }, { name: 'shared', emptyDir: {} }],
      initContainers: [{ name: 'init', image: 'skiff.local/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', 'echo initialized > /shared/init.txt'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
      containers: [
        {
          name: 'main',
          image: 'skiff.local/busybox:latest',
          imagePullPolicy: 'Never',
          command: ['sh', '-c', 'cat /shared/init.txt; cat /config/greeting.txt; echo; echo "pw=$PASSWORD pod=$POD_NAME"; exec sleep 3600'],
          env: [
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'web-secret', key: 'password' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          volumeMounts: [{ name: 'config', mountPath: '/config' }, { name: 'shared', mountPath: '/shared' }],
        },
        { name: 'web', image: 'skiff.local/web:v1', imagePullPolicy: 'Never', readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 } },
      ],
    },
  } as Pod);
  const running = await waitFor('multi Running and Ready', async () => {
    const p = await pods().get('multi');
    return p.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
  });
  t.is(running.status?.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  t.deepEqual(running.status?.containerStatuses?.map((c) => [c.name, c.ready, c.restartCount]), [['main', true, 0], ['web', true, 0]]);
  t.regex(running.status?.containerStatuses?.[0]?.containerID ?? '', /^skiff:\/\//);
  t.regex(running.status?.containerStatuses?.[0]?.imageID ?? '', /^sha256:/);
  t.is(running.status?.hostIP, '127.0.0.1');
  t.truthy(running.status?.startTime);

  const logs = await waitFor('logs', async () => {
    const text = await (await fetch(`${node.agentUrl}/containerLogs/default/multi/main`)).text();
    return text.includes('pw=') ? text : undefined;
  });
  t.is(logs, 'initialized\nhello from configmap\npw=s3cret pod=multi\n');
  const tail = await (await fetch(`${node.agentUrl}/containerLogs/default/multi/main?tailLines=1&timestamps=true`)).text();
  t.regex(tail, /^\d{4}-\d\d-\d\dT[\d:.]+Z pw=s3cret pod=multi\n$/);

  // exec over WebSocket, v5.channel.k8s.io: stdin in, stdout/stderr out, exit code in the Status.
  const ws = new WebSocket(`${node.agentUrl.replace('http', 'ws')}/exec/default/multi/main?command=sh&command=-c&command=${encodeURIComponent('read x; echo got $x; echo err >&2; exit 3')}&stdin=1&stdout=1&stderr=1`, ['v5.channel.k8s.io']);
  const frames: { ch: number; data: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => {
      t.is(ws.protocol, 'v5.channel.k8s.io');
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('skiff\n')]));
      ws.send(Buffer.from([255, 0]));
    });
    ws.on('message', (m: Buffer) => frames.push({ ch: m[0]!, data: m.subarray(1).toString() }));
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  t.is(frames.filter((f) => f.ch === 1).map((f) => f.data).join(''), 'got skiff\n');
  t.is(frames.filter((f) => f.ch === 2).map((f) => f.data).join(''), 'err\n');
  const st = JSON.parse(frames.find((f) => f.ch === 3)!.data);
  t.is(st.status, 'Failure');
  t.is(st.reason, 'NonZeroExitCode');
  t.is(st.details.causes[0].message, '3');

  // The ConfigMap changes: the mounted file follows.
  await fixture.client.resource(Resources.configmaps).namespace('default').patch('web-config', 'merge', { data: { 'greeting.txt': 'changed' } });
  await waitFor('configmap file updated', async () => {
    const ws2 = new WebSocket(`${node.agentUrl.replace('http', 'ws')}/exec/default/multi/main?command=cat&command=/config/greeting.txt&stdout=1`, ['v5.channel.k8s.io']);
    let out = '';
    await new Promise<void>((resolve) => {
      ws2.on('message', (m: Buffer) => (m[0] === 1 ? (out += m.subarray(1).toString()) : undefined));
      ws2.on('close', () => resolve());
      ws2.on('error', () => resolve());
    });
    return out === 'changed' ? true : undefined;
  });

  // Deletion: containers stop, the pod object goes away.
  await pods().delete('multi');
  await waitFor('multi deleted', async () => pods().get('multi').then(() => undefined, () => true));
  t.pass();
});
