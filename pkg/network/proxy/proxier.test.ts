import test from 'ava';
import type { Service } from '../../api/core/service.js';
import { ensureServiceRoute, ensureUnreachableRoutes } from '../routes.js';
import { newService, newSlice } from '../testing/builders.js';
import { createLab, type Lab, type LabPod } from '../testing/lab.js';
import { IptablesProxy } from './proxier.js';

async function get(lab: Lab, netnsPath: string, url: string): Promise<string> {
  return (await lab.exec(netnsPath, ['curl', '-sS', '--max-time', '3', url])).trim();
}

async function bodies(lab: Lab, netnsPath: string, url: string, n: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (const body of await lab.httpGetMany(netnsPath, url, n)) seen.set(body, (seen.get(body) ?? 0) + 1);
  return seen;
}

test('ClusterIP and NodePort spread over all endpoints; hairpin, affinity, readiness and cleanup', async (t) => {
  const lab = await createLab({ nodes: 2 });
  t.teardown(() => lab.cleanup());
  const [n0, n1] = lab.nodes;
  const backends: LabPod[] = [await lab.addPod(n0, 'web-0'), await lab.addPod(n0, 'web-1'), await lab.addPod(n1, 'web-2')];
  for (const b of backends) await lab.httpd(b, 8080, b.key);
  const client = await lab.addPod(n0, 'client');
  for (const n of lab.nodes) await ensureUnreachableRoutes(['10.42.0.0/16', '10.43.0.0/16'], { netnsPath: n.netnsPath });

  const proxies = lab.nodes.map((n) => new IptablesProxy({ netnsPath: n.netnsPath }));
  const sync = async (svcs: Service[], ready: boolean[] = [true, true, true]) => {
    const slice = newSlice('web', backends.map((b, i) => ({ ip: b.ip, ready: ready[i] })));
    for (const p of proxies) await p.sync(svcs, [slice]);
  };
  const web = newService('web', { clusterIP: '10.43.0.10', type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] });
  await sync([web]);
  t.is(proxies[0].lastSync?.endpoints, 3);

  const viaClusterIP = await bodies(lab, client.netnsPath, 'http://10.43.0.10/', 30);
  t.deepEqual([...viaClusterIP.keys()].sort(), ['web-0', 'web-1', 'web-2']);
  // NodePort on node0's address, asked from node1 (through the lab bridge).
  const viaNodePort = await bodies(lab, n1.netnsPath, `http://${n0.address}:30080/`, 30);
  t.deepEqual([...viaNodePort.keys()].sort(), ['web-0', 'web-1', 'web-2']);
  // Hairpin: a backend reaching its own Service sometimes lands on itself.
  const hairpin = await bodies(lab, backends[0].netnsPath, 'http://10.43.0.10/', 30);
  t.true(hairpin.has('web-0'));

  // A not-ready endpoint stops receiving traffic after the next sync (incremental update).
  await sync([web], [true, false, true]);
  t.is(proxies[0].lastSync?.changedChains, 2);
  const afterNotReady = await bodies(lab, client.netnsPath, 'http://10.43.0.10/', 20);
  t.false(afterNotReady.has('web-1'));

  // ClientIP affinity: one client sticks to one endpoint.
  const sticky = newService('web', { ...web.spec, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
  await sync([sticky]);
  t.is((await bodies(lab, client.netnsPath, 'http://10.43.0.10/', 15)).size, 1);

  // Without endpoints the port is refused at once instead of timing out.
  await sync([web], [false, false, false]);
  const refused = await get(lab, client.netnsPath, 'http://10.43.0.10/').then(
    () => 'answered',
    (err: Error) => err.message,
  );
  t.regex(refused, /exit 7: .*Failed to connect/); // at once, not a timeout (exit 28)

  for (const p of proxies) await p.cleanup();
  for (const n of lab.nodes) {
    const save = await lab.exec(n.netnsPath, ['iptables-save']);
    t.false(save.includes('SKIFF-'), `${n.name} still has chains`);
  }
});

test('a restarted proxy removes stale chains of its previous run', async (t) => {
  const lab = await createLab({ nodes: 1 });
  t.teardown(() => lab.cleanup());
  const netnsPath = lab.nodes[0].netnsPath;
  const first = new IptablesProxy({ netnsPath });
  await first.sync([newService('a', { clusterIP: '10.43.0.10' }), newService('b', { clusterIP: '10.43.0.11' })], [newSlice('a', [{ ip: '10.42.0.2' }]), newSlice('b', [{ ip: '10.42.0.3' }])]);
  const chains = (save: string) => save.split('\n').filter((l) => /^:SKIFF-(SVC|SEP)-/.test(l)).length;
  t.is(chains(await lab.exec(netnsPath, ['iptables-save', '-t', 'nat'])), 4);
  const second = new IptablesProxy({ netnsPath });
  await second.sync([newService('a', { clusterIP: '10.43.0.10' })], [newSlice('a', [{ ip: '10.42.0.2' }])]);
  const save = await lab.exec(netnsPath, ['iptables-save', '-t', 'nat']);
  t.is(chains(save), 2);
  t.false(save.includes('10.43.0.11'));
  // Hooks are installed once, not per sync.
  t.is(save.split('\n').filter((l) => l.startsWith('-A PREROUTING') && l.includes('SKIFF-SERVICES')).length, 1);
  await second.cleanup();
});

test('the node itself reaches a ClusterIP through the service route, not through unreachable', async (t) => {
  const lab = await createLab({ nodes: 1 });
  t.teardown(() => lab.cleanup());
  const node = lab.nodes[0];
  const backend = await lab.addPod(node, 'web-0');
  await lab.httpd(backend, 8080, 'web-0');
  const proxy = new IptablesProxy({ netnsPath: node.netnsPath });
  await proxy.sync([newService('web', { clusterIP: '10.43.0.10' })], [newSlice('web', [{ ip: backend.ip }])]);
  await ensureUnreachableRoutes(['10.42.0.0/16', '10.43.0.0/16'], { netnsPath: node.netnsPath });
  // Locally generated packets are routed before DNAT: "unreachable" fails them.
  t.deepEqual(await lab.httpGetMany(node.netnsPath, 'http://10.43.0.10/', 1), ['FAILED']);
  await ensureServiceRoute('10.43.0.0/16', node.network.bridgeName, { netnsPath: node.netnsPath });
  t.deepEqual(await lab.httpGetMany(node.netnsPath, 'http://10.43.0.10/', 2), ['web-0', 'web-0']);
  await proxy.cleanup();
});
