// bench:rss — control-plane memory holding 1,000 pods: a real `skiff server` process (API
// server with its watch caches, scheduler, controller manager) over its own etcd. Create 20
// hollow nodes and 1,000 pods, wait until the server's scheduler has bound them all, let things
// settle, then read VmRSS of the server and of etcd. Baseline (same run): etcd's RSS alone at
// the same moment, i.e. what the data costs where it is stored. Idle figures (before any pod)
// are printed too.
// Usage: node --import tsx test/bench/rss.ts [--pods 1000] [--nodes 20]
import http from 'node:http';
import { parseArgs } from 'node:util';
import { newNode, newPod } from '../../pkg/scheduler/testing/builders.js';
import { removeDir, startServerProcess } from '../lib/apiserver.js';
import { startTestEtcd } from '../lib/etcd.js';
import { emit, rssBytes } from './report.js';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '1000' }, nodes: { type: 'string', default: '20' } } });
const PODS = Number(values.pods);
const NODES = Number(values.nodes);
const MiB = 2 ** 20;
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function request(base: string, method: string, path: string, body?: unknown): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': data.length };
    const r = http.request(base + path, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    r.on('error', reject);
    r.end(data);
  });
}

async function pool(n: number, inFlight: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) await fn(next++);
  }));
}

async function main(): Promise<void> {
  const etcd = await startTestEtcd();
  const srv = await startServerProcess({ etcdEndpoints: etcd.endpoint });
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const idle = { server: await rssBytes(srv.child.pid), etcd: await rssBytes(etcd.current().pid) };
    await pool(NODES, 8, async (i) => {
      const node = newNode(`skifftest-hollow-${i}`, { cpu: '64', memory: '256Gi', pods: 110 });
      delete node.metadata.uid;
      const res = await request(srv.url, 'POST', '/api/v1/nodes', node);
      if (res.code !== 201) throw new Error(`node create: ${res.code}`);
    });
    await pool(PODS, 32, async (i) => {
      const pod = newPod(`skifftest-rss-${i}`, { cpu: '10m', memory: '16Mi', labels: { app: `app-${i % 20}` } });
      delete pod.metadata.uid;
      delete pod.status;
      const res = await request(srv.url, 'POST', '/api/v1/namespaces/default/pods', pod);
      if (res.code !== 201) throw new Error(`pod create: ${res.code}`);
    });
    const deadline = Date.now() + 120_000;
    let bound = 0;
    while (Date.now() < deadline) {
      const list = await request(srv.url, 'GET', '/api/v1/namespaces/default/pods');
      bound = (list.body.items as { spec: { nodeName?: string } }[]).filter((p) => p.spec.nodeName).length;
      if (bound >= PODS) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await new Promise((r) => setTimeout(r, 5000));
    const loaded = { server: await rssBytes(srv.child.pid), etcd: await rssBytes(etcd.current().pid) };
    const mib = (b: number) => Math.round(b / MiB);
    console.log(JSON.stringify({ pods: PODS, nodes: NODES, bound, idleMiB: { server: mib(idle.server), etcd: mib(idle.etcd) }, loadedMiB: { server: mib(loaded.server), etcd: mib(loaded.etcd) } }, null, 2));
    emit({
      bench: 'rss',
      name: 'controlplane_rss',
      label: `control-plane RSS (skiff server + etcd) holding ${PODS} pods on ${NODES} hollow nodes (${bound} bound); idle ${mib(idle.server + idle.etcd)} MiB`,
      value: mib(loaded.server + loaded.etcd),
      unit: 'MiB',
      baseline: mib(loaded.etcd),
      baselineLabel: 'etcd alone',
    });
    emit({
      bench: 'rss',
      name: 'server_rss',
      label: `skiff server process RSS (API server, scheduler, controllers) holding ${PODS} pods`,
      value: mib(loaded.server),
      unit: 'MiB',
      baseline: mib(idle.server),
      baselineLabel: 'same process idle',
    });
  } finally {
    agent.destroy();
    await srv.stop();
    await removeDir(srv.dataDir);
    await etcd.cleanup();
  }
}

await main();
