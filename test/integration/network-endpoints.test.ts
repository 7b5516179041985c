// The endpoint controllers and the node IPAM controller against the real API server over etcd:
// EndpointSlices and Endpoints follow pods (ready, not ready, named ports), go with their
// Service, and every Node gets its own pod CIDR.
import test from 'ava';
import { setMaxListeners } from 'node:events';
import type { Endpoints } from '../../pkg/api/core/endpoints.js';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import type { Service } from '../../pkg/api/core/service.js';
import type { EndpointSlice } from '../../pkg/api/discovery.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { silentLogger } from '../../pkg/client/logger.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { EndpointsController } from '../../pkg/network/endpoints/endpoints.js';
import { EndpointSliceController } from '../../pkg/network/endpoints/endpointslice.js';
import { NodeIpamController } from '../../pkg/network/node-ipam.js';
import { startTestApiServer, type TestApiServer } from '../lib/apiserver.js';
import { type Poll, waitFor as sharedWaitFor } from '../lib/wait.js';

let server: TestApiServer;
let client: RestClient;
const abort = new AbortController();
setMaxListeners(50, abort.signal);

test.before(async () => {
  server = await startTestApiServer();
  client = new RestClient({ server: server.url });
  const informers = new SharedInformerFactory(client, { logger: silentLogger() });
  const ctx = { client, informers, logger: silentLogger() };
  const controllers = [new EndpointSliceController(ctx), new EndpointsController(ctx), new NodeIpamController(ctx)];
  informers.start(abort.signal);
  for (const c of controllers) void c.run(abort.signal);
});
test.after.always(async () => {
  abort.abort();
  client?.close();
  await server?.cleanup();
});

const waitFor = <T>(what: string, fn: Poll<T>, timeoutMs = 15_000) => sharedWaitFor(what, fn, timeoutMs, 50);

async function createPod(name: string, ip: string, ready: boolean, port = { name: 'http', containerPort: 8080 }): Promise<Pod> {
  const pods = client.resource<Pod>(Resources.pods).namespace('default');
  const pod = await pods.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web' } },
    spec: { nodeName: 'node0', containers: [{ name: 'app', image: 'registry.local/app:1', ports: [{ ...port, protocol: 'TCP' }] }] },
  });
  return setStatus(pod, ip, ready);
}

async function setStatus(pod: Pod, ip: string, ready: boolean): Promise<Pod> {
  const pods = client.resource<Pod>(Resources.pods).namespace('default');
  const fresh = await pods.get(pod.metadata.name!);
  fresh.status = { ...fresh.status, phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  return pods.updateStatus(fresh);
}

const slicesOf = async (svc: string) => (await client.resource<EndpointSlice>(Resources.endpointslices).namespace('default').list({ labelSelector: `kubernetes.io/service-name=${svc}` })).items;
const summary = (slices: EndpointSlice[]) =>
  slices
    .flatMap((s) => s.endpoints.map((e) => `${e.addresses[0]}:${s.ports?.[0]?.port}:${e.conditions?.ready ? 'ready' : 'not-ready'}`))
    .sort()
    .join(' ');

test('EndpointSlices and Endpoints follow pod readiness and named target ports, and go with the Service', async (t) => {
  const services = client.resource<Service>(Resources.services).namespace('default');
  const svc = await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
  t.regex(svc.spec?.clusterIP ?? '', /^10\.43\./);
  const a = await createPod('web-a', '10.42.0.2', true);
  await createPod('web-b', '10.42.0.3', false);
  await createPod('web-c', '10.42.1.2', true, { name: 'http', containerPort: 9090 });

  await waitFor('slices', async () => summary(await slicesOf('web')) === '10.42.0.2:8080:ready 10.42.0.3:8080:not-ready 10.42.1.2:9090:ready');
  const ep = await waitFor('endpoints', async () => {
    const e = await client.resource<Endpoints>(Resources.endpoints).namespace('default').get('web').catch(() => undefined);
    return e?.subsets?.length === 2 ? e : undefined;
  });
  t.deepEqual(ep.subsets?.[0].notReadyAddresses?.map((x) => x.ip), ['10.42.0.3']);
  const slices = await slicesOf('web');
  t.true(slices.every((s) => s.metadata.ownerReferences?.[0]?.uid === svc.metadata.uid));

  // web-a turns not ready: listed as not ready, not dropped.
  await setStatus(a, '10.42.0.2', false);
  await waitFor('web-a not ready', async () => summary(await slicesOf('web')).includes('10.42.0.2:8080:not-ready'));

  // The Service goes: its Endpoints go with it (slices are left to the garbage collector, not
  // running here, but the controller deletes what it manages as well).
  await services.delete('web');
  await waitFor('slices deleted', async () => (await slicesOf('web')).length === 0);
  await waitFor('endpoints deleted', async () => !(await client.resource<Endpoints>(Resources.endpoints).namespace('default').get('web').catch(() => undefined)));
  t.pass();
});

test('every Node gets a distinct pod CIDR', async (t) => {
  const nodes = client.resource<Node>(Resources.nodes);
  for (const name of ['n-a', 'n-b', 'n-c']) await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  const cidrs = await waitFor('pod CIDRs', async () => {
    const list = (await nodes.list()).items.filter((n) => n.metadata.name?.startsWith('n-'));
    return list.every((n) => n.spec?.podCIDR) ? list.map((n) => n.spec!.podCIDR!) : undefined;
  });
  t.is(new Set(cidrs).size, 3);
  for (const c of cidrs) t.regex(c, /^10\.42\.\d+\.0\/24$/);
});
