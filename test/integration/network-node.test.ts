// runNodeNetwork against the real API server: each simulated node learns its host-gw routes
// from the Node objects (podCIDR via InternalIP), runs the service proxy from informers, and
// uninstall() leaves nothing behind in the node's namespace.
import test from 'ava';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import type { Service } from '../../pkg/api/core/service.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { silentLogger } from '../../pkg/client/logger.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { EndpointSliceController } from '../../pkg/network/endpoints/endpointslice.js';
import { type NodeNetwork, runNodeNetwork } from '../../pkg/network/node-network.js';
import { createLab } from '../../pkg/network/testing/lab.js';
import { startTestApiServer } from '../lib/apiserver.js';
import { type Poll, waitFor as sharedWaitFor } from '../lib/wait.js';

const waitFor = <T>(what: string, fn: Poll<T>, timeoutMs = 20_000) => sharedWaitFor(what, fn, timeoutMs, 50);

test('nodes route to each other from Node objects, proxy Services, and uninstall cleanly', async (t) => {
  const server = await startTestApiServer();
  t.teardown(() => server.cleanup());
  const client = new RestClient({ server: server.url });
  t.teardown(() => client.close());
  const abort = new AbortController();
  setMaxListeners(100, abort.signal);
  t.teardown(() => abort.abort());
  const podCidrs = ['10.42.7.0/24', '10.42.8.0/24'];
  const lab = await createLab({ nodes: 2, podCidrs, hostGwRoutes: false });
  t.teardown(() => lab.cleanup());

  const nodesApi = client.resource<Node>(Resources.nodes);
  for (const [i, n] of lab.nodes.entries()) {
    const created = await nodesApi.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.name }, spec: { podCIDR: podCidrs[i], podCIDRs: [podCidrs[i]] } });
    created.status = { addresses: [{ type: 'InternalIP', address: n.address }] };
    await nodesApi.updateStatus(created);
  }
  const controllerInformers = new SharedInformerFactory(client, { logger: silentLogger() });
  const slices = new EndpointSliceController({ client, informers: controllerInformers, logger: silentLogger() });
  controllerInformers.start(abort.signal);
  void slices.run(abort.signal);

  const running: NodeNetwork[] = [];
  for (const [i, n] of lab.nodes.entries()) {
    const informers = new SharedInformerFactory(client, { logger: silentLogger() });
    running.push(
      await runNodeNetwork({
        nodeName: n.name,
        podCidr: podCidrs[i],
        informers,
        stateDir: join(lab.stateDir, `nn${i}`),
        nodeNetnsPath: n.netnsPath,
        bridgeName: `${lab.prefix}b`,
        netnsPrefix: `${lab.prefix}p-`,
        vethPrefix: 'sktw',
        logger: silentLogger(),
      }),
    );
  }
  t.teardown(async () => {
    for (const r of running) await r.stop();
  });
  await waitFor('host-gw routes', async () => running.every((r) => r.routes().length === 1));
  t.deepEqual(running[0].routes(), [{ podCidr: '10.42.8.0/24', nodeIP: lab.nodes[1].address }]);

  const a = { ...(await running[0].network.setUp('nn-a')), key: 'nn-a', node: lab.nodes[0] };
  const b = { ...(await running[1].network.setUp('nn-b')), key: 'nn-b', node: lab.nodes[1] };
  t.is(a.ip, '10.42.7.2');
  t.is(b.ip, '10.42.8.2');
  await t.notThrowsAsync(lab.exec(a.netnsPath, ['busybox', 'ping', '-c', '1', '-W', '2', b.ip]));

  // A Service backed by b, reached from a through node0's proxy.
  await lab.httpd(b, 8080, 'b');
  const pods = client.resource<Pod>(Resources.pods).namespace('default');
  const pod = await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', labels: { app: 'b' } }, spec: { nodeName: 'node1', containers: [{ name: 'c', image: 'x:1' }] } });
  pod.status = { phase: 'Running', podIP: b.ip, podIPs: [{ ip: b.ip }], conditions: [{ type: 'Ready', status: 'True' }] };
  await pods.updateStatus(pod);
  const svc = await client.resource<Service>(Resources.services).namespace('default').create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'b' }, spec: { selector: { app: 'b' }, ports: [{ port: 80, targetPort: 8080 }] } });
  const body = await waitFor('service answers', async () => {
    const [got] = await lab.httpGetMany(a.netnsPath, `http://${svc.spec!.clusterIP}/`, 1);
    return got === 'b' ? got : undefined;
  });
  t.is(body, 'b');
  // The node itself reaches the ClusterIP too (service route on the bridge).
  t.deepEqual(await lab.httpGetMany(lab.nodes[0].netnsPath, `http://${svc.spec!.clusterIP}/`, 1), ['b']);

  // node1 leaves the cluster: node0 drops its route.
  await nodesApi.delete('node1');
  await waitFor('route to node1 removed', async () => running[0].routes().length === 0);
  t.false((await lab.exec(lab.nodes[0].netnsPath, ['ip', 'route', 'show'])).includes('10.42.8.0/24'));

  for (const r of running) await r.uninstall();
  for (const n of lab.nodes) {
    t.false((await lab.exec(n.netnsPath, ['iptables-save'])).includes('SKIFF-'), `${n.name} chains`);
    t.is((await lab.exec(n.netnsPath, ['ip', 'route', 'show', 'proto', '158'])).trim(), '', `${n.name} routes`);
  }
});
