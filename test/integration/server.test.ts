// `skiff server` as a whole: the controller manager and the scheduler run in the server
// process and meet only at the API. A Deployment's pods get created and bound to a hollow
// node (a Node object with capacity and no agent), and the components hold their Leases.
import test from 'ava';
import { removeDir, startServerProcess, type ServerProcess } from '../lib/apiserver.js';
import { req } from '../lib/http.js';

let srv: ServerProcess;
test.before(async () => {
  srv = await startServerProcess();
});
test.after.always(async () => {
  await srv?.stop();
  if (srv) await removeDir(srv.dataDir);
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a Deployment gets pods bound to a node; scheduler and controller manager hold their Leases', async (t) => {
  const now = new Date().toISOString();
  const node = await req(srv.url, 'POST', '/api/v1/nodes', {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'hollow-1', labels: { 'kubernetes.io/hostname': 'hollow-1' } },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletReady' }],
    },
  });
  t.is(node.status, 201, JSON.stringify(node.body));
  const dep = await req(srv.url, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'skiff.local/web:v1', resources: { requests: { cpu: '100m', memory: '32Mi' } } }] } } },
  });
  t.is(dep.status, 201, JSON.stringify(dep.body));
  const pods = await until('3 bound pods', async () => {
    const list = await req(srv.url, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
    const bound = list.body.items.filter((p: any) => p.spec.nodeName === 'hollow-1');
    return bound.length === 3 ? bound : undefined;
  });
  t.is(pods.length, 3);
  for (const p of pods) t.true(p.status.conditions.some((c: any) => c.type === 'PodScheduled' && c.status === 'True'));
  const leases = await req(srv.url, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases');
  const names = leases.body.items.map((l: any) => l.metadata.name);
  t.true(names.includes('skiff-scheduler'), names.join(','));
  t.true(names.includes('skiff-controller-manager'), names.join(','));
  for (const l of leases.body.items) t.truthy(l.spec.holderIdentity);
});

test('the controller manager in skiff server keeps EndpointSlices and gives nodes a podCIDR', async (t) => {
  const svc = await req(srv.url, 'POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
  t.is(svc.status, 201, JSON.stringify(svc.body));
  const slices = await until('an EndpointSlice for web', async () => {
    const list = await req(srv.url, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb');
    return list.body.items?.length ? list.body.items : undefined;
  });
  t.is(slices[0].addressType, 'IPv4');
  const node = await until('a podCIDR on hollow-1', async () => {
    const n = await req(srv.url, 'GET', '/api/v1/nodes/hollow-1');
    return n.body.spec?.podCIDR ? n.body : undefined;
  });
  t.regex(node.spec.podCIDR, /^10\.42\.\d+\.0\/24$/);
});
