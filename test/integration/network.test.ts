// Pod networking, the service proxy and cluster DNS end to end, against the real API server:
// two simulated nodes (network namespaces joined by a lab bridge, host-gw routes), pods as
// namespaces with busybox httpd, the EndpointSlice controller, an iptables proxy per node driven
// by informers, and the cluster DNS bound inside node0 behind the kube-dns Service. Nothing is
// changed in the host's network namespace; the last test checks that nothing is left behind.
import test from 'ava';
import type { ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Node } from '../../pkg/api/core/node.js';
import type { Pod } from '../../pkg/api/core/pod-types.js';
import type { Service } from '../../pkg/api/core/service.js';
import type { EndpointSlice } from '../../pkg/api/discovery.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { silentLogger } from '../../pkg/client/logger.js';
import { Resources } from '../../pkg/client/resources.js';
import { RestClient } from '../../pkg/client/rest.js';
import { podResolvConf } from '../../pkg/network/dns/resolv-conf.js';
import { type ClusterDns, startClusterDns } from '../../pkg/network/dns/server.js';
import { removeEgress, syncEgress } from '../../pkg/network/egress.js';
import { EndpointSliceController } from '../../pkg/network/endpoints/endpointslice.js';
import { execRunner } from '../../pkg/network/exec.js';
import { listNetns } from '../../pkg/network/netns.js';
import { NodeIpamController } from '../../pkg/network/node-ipam.js';
import { IptablesProxy } from '../../pkg/network/proxy/proxier.js';
import { runServiceProxy } from '../../pkg/network/proxy/runner.js';
import { ensureUnreachableRoutes } from '../../pkg/network/routes.js';
import { createLab, type Lab, type LabPod } from '../../pkg/network/testing/lab.js';
import { startTestApiServer, type TestApiServer } from '../lib/apiserver.js';
import { type Poll, waitFor as sharedWaitFor } from '../lib/wait.js';

const KUBE_DNS_IP = '10.43.0.10';
const OUTSIDE_IP = '198.51.100.7';

interface World {
  server: TestApiServer;
  client: RestClient;
  lab: Lab;
  abort: AbortController;
  proxies: IptablesProxy[];
  proxyRuns: Promise<void>[];
  syncs: number[][];
  dns: ClusterDns;
  backends: LabPod[];
  client0: LabPod;
  client1: LabPod;
  web: Service;
  hostSkiffChains: number;
  httpds: Map<string, ChildProcess>;
}
let w: World | undefined;
const world = (): World => {
  if (!w) throw new Error('setup failed');
  return w;
};

const waitFor = <T>(what: string, fn: Poll<T>, timeoutMs = 20_000) => sharedWaitFor(what, fn, timeoutMs, 50);

async function hostSkiffChains(): Promise<number> {
  const { stdout } = await execRunner(['iptables-save']).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((l) => l.includes('SKIFF-')).length;
}

async function podObject(client: RestClient, name: string, labels: Record<string, string>, node: string, ip: string, ready: boolean): Promise<Pod> {
  const pods = client.resource<Pod>(Resources.pods).namespace('default');
  const pod = await pods.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'registry.local/app:1', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
  });
  return setReady(client, pod.metadata.name!, ip, ready);
}

async function setReady(client: RestClient, name: string, ip: string, ready: boolean): Promise<Pod> {
  const pods = client.resource<Pod>(Resources.pods).namespace('default');
  const fresh = await pods.get(name);
  fresh.status = { ...fresh.status, phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  return pods.updateStatus(fresh);
}

function spread(bodies: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of bodies) out[b] = (out[b] ?? 0) + 1;
  return out;
}

test.before(async () => {
  const hostChainsBefore = await hostSkiffChains();
  const server = await startTestApiServer();
  const client = new RestClient({ server: server.url });
  const abort = new AbortController();
  setMaxListeners(100, abort.signal);
  const informers = new SharedInformerFactory(client, { logger: silentLogger() });
  const ctx = { client, informers, logger: silentLogger() };
  const controllers = [new EndpointSliceController(ctx), new NodeIpamController(ctx)];
  informers.start(abort.signal);
  for (const c of controllers) void c.run(abort.signal);

  // Nodes get their pod CIDRs from the node IPAM controller; the lab is built from them.
  const nodesApi = client.resource<Node>(Resources.nodes);
  for (const name of ['node0', 'node1']) await nodesApi.create({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  const podCidrs = await waitFor('pod CIDRs', async () => {
    const items = (await nodesApi.list()).items.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    return items.every((n) => n.spec?.podCIDR) ? items.map((n) => n.spec!.podCIDR!) : undefined;
  });
  const lab = await createLab({ nodes: 2, podCidrs });
  w = { server, client, lab, abort, hostSkiffChains: hostChainsBefore, httpds: new Map() } as World;
  const [n0, n1] = lab.nodes;
  for (const n of lab.nodes) await ensureUnreachableRoutes(['10.42.0.0/16', '10.43.0.0/16'], { netnsPath: n.netnsPath });

  // Three backends (two on node0, one on node1) and a client on each node.
  const backends = [await lab.addPod(n0, 'web-0'), await lab.addPod(n0, 'web-1'), await lab.addPod(n1, 'web-2')];
  for (const b of backends) {
    w.httpds.set(b.key, await lab.httpd(b, 8080, b.key));
    await podObject(client, b.key, { app: 'web' }, b.node.name, b.ip, true);
  }
  w.backends = backends;
  w.client0 = await lab.addPod(n0, 'client-0');
  w.client1 = await lab.addPod(n1, 'client-1');

  const services = client.resource<Service>(Resources.services);
  w.web = await services.namespace('default').create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  // kube-dns: a fixed ClusterIP in front of the DNS server bound at node0's bridge address.
  await services.namespace('kube-system').create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns' },
    spec: { clusterIP: KUBE_DNS_IP, ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }] },
  });
  await client.resource<EndpointSlice>(Resources.endpointslices).namespace('kube-system').create({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kube-dns-node0', labels: { 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': 'skiff-test' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [n0.network.gateway], conditions: { ready: true } }],
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
  });
  w.dns = await startClusterDns({
    listen: [{ address: n0.network.gateway, port: 53, netnsPath: n0.netnsPath }],
    source: { services: informers.lister<Service>(Resources.services), endpointSlices: informers.lister<EndpointSlice>(Resources.endpointslices) },
  });

  // One proxy per node, each fed by the shared informers.
  w.syncs = lab.nodes.map(() => []);
  w.proxies = lab.nodes.map((n) => new IptablesProxy({ netnsPath: n.netnsPath }));
  w.proxyRuns = w.proxies.map((proxy, i) => runServiceProxy({ informers, proxy, signal: abort.signal, minIntervalMs: 20, logger: silentLogger(), onSync: () => world().syncs[i].push(Date.now()) }));
  await waitFor('proxies see 3 web endpoints', async () => w!.proxies.every((p) => (p.lastSync?.endpoints ?? 0) >= 4));
});

test.after.always(async () => {
  if (!w) return;
  w.abort.abort();
  await Promise.all(w.proxyRuns ?? []);
  for (const p of w.proxies ?? []) await p.cleanup().catch(() => undefined);
  await w.dns?.close();
  await w.lab.cleanup();
  w.client.close();
  await w.server.cleanup();
});

test.serial('four pods on two nodes reach each other by pod IP', async (t) => {
  const { backends, client0, client1, lab } = world();
  const pods = [backends[0], backends[1], client0, backends[2], client1];
  t.is(new Set(pods.map((p) => p.ip)).size, pods.length);
  for (const from of [client0, client1]) {
    const bodies = await Promise.all(backends.map((b) => lab.httpGetMany(from.netnsPath, `http://${b.ip}:8080/`, 1)));
    t.deepEqual(bodies.flat(), ['web-0', 'web-1', 'web-2'], from.key);
    await t.notThrowsAsync(lab.exec(from.netnsPath, ['busybox', 'ping', '-c', '1', '-W', '2', from === client0 ? client1.ip : client0.ip]));
  }
});

test.serial('requests to the ClusterIP and to the DNS name spread over all 3 replicas', async (t) => {
  const { web, client1, lab } = world();
  const byIP = spread(await lab.httpGetMany(client1.netnsPath, `http://${web.spec!.clusterIP}/`, 45));
  t.deepEqual(Object.keys(byIP).sort(), ['web-0', 'web-1', 'web-2'], JSON.stringify(byIP));
  // The pod's resolver: generated resolv.conf (kube-dns ClusterIP, search path, ndots:5),
  // bind-mounted over /etc/resolv.conf in a private mount namespace of the command only.
  const conf = join(lab.stateDir, 'resolv.conf');
  await writeFile(conf, podResolvConf({ nameservers: [KUBE_DNS_IP], namespace: 'default' }));
  const script = `mount --bind "$0" /etc/resolv.conf && for i in $(seq 30); do curl -sS --max-time 3 http://web/ || echo FAILED; echo; done`;
  const out = await lab.exec(client1.netnsPath, ['unshare', '--mount', 'sh', '-c', script, conf]);
  const byName = spread(out.split('\n').filter(Boolean));
  t.deepEqual(Object.keys(byName).sort(), ['web-0', 'web-1', 'web-2'], JSON.stringify(byName));
  const lookup = await lab.exec(client1.netnsPath, ['busybox', 'nslookup', 'web.default.svc.cluster.local', KUBE_DNS_IP]);
  t.regex(lookup, new RegExp(`Address:\\s*${web.spec!.clusterIP!.replace(/\./g, '\\.')}`));
});

test.serial('NodePort is reachable on each node address', async (t) => {
  const { web, lab } = world();
  const nodePort = web.spec!.ports![0].nodePort!;
  t.true(nodePort >= 30000 && nodePort <= 32767);
  for (const [from, to] of [
    [lab.nodes[1], lab.nodes[0]],
    [lab.nodes[0], lab.nodes[1]],
  ]) {
    const bodies = spread(await lab.httpGetMany(from.netnsPath, `http://${to.address}:${nodePort}/`, 30));
    t.deepEqual(Object.keys(bodies).sort(), ['web-0', 'web-1', 'web-2'], `${from.name} → ${to.name}:${nodePort} ${JSON.stringify(bodies)}`);
  }
});

test.serial('a pod that turns not ready stops receiving traffic', async (t) => {
  const { client, backends, proxies, client0, web, lab } = world();
  const start = Date.now();
  await setReady(client, 'web-1', backends[1].ip, false);
  // 3 web endpoints + 1 kube-dns endpoint before; 2 + 1 after.
  await waitFor('proxies drop web-1', async () => proxies.every((p) => p.lastSync?.endpoints === 3));
  const latency = Date.now() - start;
  t.log(`readiness → rules on both nodes: ${latency} ms`);
  t.true(latency < 5000);
  const bodies = spread(await lab.httpGetMany(client0.netnsPath, `http://${web.spec!.clusterIP}/`, 30));
  t.deepEqual(Object.keys(bodies).sort(), ['web-0', 'web-2'], JSON.stringify(bodies));
  await setReady(client, 'web-1', backends[1].ip, true);
  await waitFor('proxies take web-1 back', async () => proxies.every((p) => p.lastSync?.endpoints === 4));
});

test.serial('a rolling replacement of all 3 replicas under continuous requests fails no request', async (t) => {
  const { client, lab, proxies, client1, web, backends, httpds } = world();
  const pods = client.resource<Pod>(Resources.pods).namespace('default');
  const endpointsOf = () => proxies.map((p) => p.lastSync?.endpoints ?? 0);
  // A bounded loop of requests runs in the client pod while replicas are replaced one by one.
  const requests = lab.httpGetMany(client1.netnsPath, `http://${web.spec!.clusterIP}/`, 400);
  let finished = false;
  void requests.then(() => (finished = true));
  const nodes = [lab.nodes[1], lab.nodes[0], lab.nodes[1]];
  for (const [i, old] of backends.entries()) {
    // Surge: the new replica is up and ready before the old one leaves.
    const fresh = await lab.addPod(nodes[i], `web-new-${i}`);
    httpds.set(fresh.key, await lab.httpd(fresh, 8080, fresh.key));
    await podObject(client, fresh.key, { app: 'web' }, fresh.node.name, fresh.ip, true);
    await waitFor('new replica in the rules', async () => endpointsOf().every((n) => n === 5));
    // Termination ordering: deletion marks the pod terminating, the rules drop it, and only
    // then does its server stop (the agent's grace period covers this window).
    await pods.delete(old.key, { gracePeriodSeconds: 30 });
    await waitFor('old replica out of the rules', async () => endpointsOf().every((n) => n === 4));
    await new Promise((r) => setTimeout(r, 200));
    process.kill(httpds.get(old.key)!.pid!, 'SIGKILL');
    await pods.delete(old.key, { gracePeriodSeconds: 0 });
  }
  t.false(finished, 'the request loop outlasted the rolling replacement');
  const bodies = spread(await requests);
  t.log(JSON.stringify(bodies));
  t.false('FAILED' in bodies, 'a request failed');
  t.is(Object.values(bodies).reduce((a, b) => a + b, 0), 400);
  t.true(Object.keys(bodies).some((b) => b.startsWith('web-new-')));
});

test.serial('pods reach no address outside the cluster ranges unless egress is enabled', async (t) => {
  const { lab, client0 } = world();
  const n0 = lab.nodes[0];
  // Inside the lab namespace only: an "outside" address behind node0's uplink, and node0's
  // default route pointing there, as a real machine's would.
  await lab.run(['ip', '-n', lab.labNetns, 'addr', 'add', '10.44.0.1/24', 'dev', `${lab.prefix}lb`]);
  await lab.run(['ip', '-n', lab.labNetns, 'addr', 'add', `${OUTSIDE_IP}/32`, 'dev', `${lab.prefix}lb`]);
  await lab.run(['ip', '-n', n0.netnsName, 'route', 'add', 'default', 'via', '10.44.0.1']);
  const outside = { key: 'outside', netnsPath: `/run/netns/${lab.labNetns}`, ip: OUTSIDE_IP } as LabPod;
  await lab.httpd(outside, 8080, 'outside');
  const url = `http://${OUTSIDE_IP}:8080/`;
  const tryOutside = async () => (await lab.httpGetMany(client0.netnsPath, url, 1))[0];
  t.is(await tryOutside(), 'FAILED');
  const egress = { podCidr: n0.podCidr, clusterCidrs: ['10.42.0.0/16', '10.43.0.0/16', '10.44.0.0/24'], netnsPath: n0.netnsPath };
  await syncEgress({ ...egress, enabled: true });
  t.is(await tryOutside(), 'outside');
  await syncEgress({ ...egress, enabled: false });
  await lab.run(['ip', 'netns', 'exec', n0.netnsName, 'conntrack', '-F']).catch(() => undefined);
  t.is(await tryOutside(), 'FAILED');
  // A cluster address no node owns hits the unreachable route: refused at once, not leaked.
  const stray = await lab.exec(client0.netnsPath, ['curl', '-sS', '--max-time', '3', 'http://10.42.200.9/']).catch((err: Error) => err.message);
  t.regex(stray, /exit 7/);
  await removeEgress({ netnsPath: n0.netnsPath });
});

test.serial('after cleanup: no namespaces, links, routes or chains are left', async (t) => {
  const state = world();
  state.abort.abort();
  await Promise.all(state.proxyRuns);
  for (const p of state.proxies) await p.cleanup();
  for (const n of state.lab.nodes) {
    const save = await state.lab.exec(n.netnsPath, ['iptables-save']);
    t.false(save.includes('SKIFF-'), n.name);
  }
  await state.dns.close();
  await state.lab.cleanup();
  t.deepEqual(await listNetns(state.lab.prefix), []);
  const links = (await execRunner(['ip', '-o', 'link', 'show'])).stdout;
  t.false(links.includes(state.lab.prefix), 'host links');
  const routes = (await execRunner(['ip', 'route', 'show', 'proto', '158'])).stdout;
  t.is(routes.trim(), '', 'host routes');
  t.is(await hostSkiffChains(), state.hostSkiffChains, 'host iptables untouched');
  state.proxies = [];
  state.proxyRuns = [];
});
