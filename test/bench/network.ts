// bench:network — pod networking and service proxy figures, measured in lab namespaces:
//   1. pod network setup (and teardown) time per pod (netns + veth + bridge + IPAM);
//   2. service rule update latency for a Service with 100 endpoints: first (full) sync, then
//      one endpoint changing, with and without 200 other Services (10 endpoints each) present;
//   3. HTTP requests/s from a client pod through the ClusterIP vs directly to the pod IP, new
//      connection per request and keep-alive (Node HTTP server and client in the pods).
// Usage: node --import tsx test/bench/network.ts [--pods N] [--seconds S]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Service } from '../../pkg/api/core/service.js';
import type { EndpointSlice } from '../../pkg/api/discovery.js';
import { IptablesProxy } from '../../pkg/network/proxy/proxier.js';
import { ensureServiceRoute } from '../../pkg/network/routes.js';
import { newService, newSlice } from '../../pkg/network/testing/builders.js';
import { createLab, type Lab, type LabPod } from '../../pkg/network/testing/lab.js';
import { emit } from './report.js';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '30' }, seconds: { type: 'string', default: '5' } } });
const PODS = Number(values.pods);
const SECONDS = Number(values.seconds);

function stats(ms: number[]): { n: number; meanMs: number; p50Ms: number; p95Ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10;
  return { n: s.length, meanMs: Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 10) / 10, p50Ms: at(0.5), p95Ms: at(0.95) };
}

async function podSetup(lab: Lab): Promise<object> {
  const node = lab.nodes[0];
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < PODS; i++) {
    const s = performance.now();
    await node.network.setUp(`bench-${i}`);
    up.push(performance.now() - s);
  }
  for (let i = 0; i < PODS; i++) {
    const s = performance.now();
    await node.network.tearDown(`bench-${i}`);
    down.push(performance.now() - s);
  }
  return { setUp: stats(up), tearDown: stats(down) };
}

function endpointsFor(svc: number, n: number, notReady = -1): EndpointSlice {
  return newSlice(`svc-${svc}`, Array.from({ length: n }, (_, i) => ({ ip: `10.42.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`, ready: i !== notReady })), undefined, 'default', `s${svc}`);
}

async function ruleUpdates(lab: Lab): Promise<object> {
  const proxy = new IptablesProxy({ netnsPath: lab.nodes[0].netnsPath });
  const out: Record<string, unknown> = {};
  for (const background of [0, 200]) {
    const services: Service[] = [newService('svc-0', { clusterIP: '10.43.1.1' })];
    const slices: EndpointSlice[] = [endpointsFor(0, 100)];
    for (let i = 1; i <= background; i++) {
      services.push(newService(`svc-${i}`, { clusterIP: `10.43.2.${i}` }));
      slices.push(endpointsFor(i, 10));
    }
    const s = performance.now();
    await proxy.sync(services, slices);
    const full = performance.now() - s;
    const updates: number[] = [];
    for (let k = 0; k < 20; k++) {
      slices[0] = endpointsFor(0, 100, k);
      const t0 = performance.now();
      await proxy.sync(services, slices);
      updates.push(performance.now() - t0);
    }
    out[`with${background}OtherServices`] = { fullSyncMs: Math.round(full), oneEndpointChanged: stats(updates), changedChains: proxy.lastSync?.changedChains };
  }
  await proxy.cleanup();
  return out;
}

const SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(8080, '0.0.0.0')`;
const CLIENT = `
const http = require('node:http');
const { URL: url, SECS, CONC, KA } = process.env;
const agent = new http.Agent({ keepAlive: KA === '1', maxSockets: Number(CONC) });
let n = 0, fail = 0; const end = Date.now() + Number(SECS) * 1000;
Promise.all(Array.from({ length: Number(CONC) }, async () => {
  while (Date.now() < end) await new Promise((r) => http.get(url, { agent }, (res) => { res.resume(); res.on('end', () => { n++; r(); }); }).on('error', () => { fail++; r(); }));
})).then(() => console.log(JSON.stringify({ n, fail, rps: Math.round(n / Number(SECS)) })));`;

async function load(lab: Lab, client: LabPod, url: string, keepAlive: boolean): Promise<{ n: number; fail: number; rps: number }> {
  const argv = ['env', `URL=${url}`, `SECS=${SECONDS}`, 'CONC=16', `KA=${keepAlive ? 1 : 0}`, process.execPath, '-e', CLIENT];
  return JSON.parse(await lab.exec(client.netnsPath, argv));
}

async function throughput(lab: Lab): Promise<object> {
  const node = lab.nodes[0];
  const backend = await lab.addPod(node, 'tp-server');
  const client = await lab.addPod(node, 'tp-client');
  lab.spawn(backend.netnsPath, [process.execPath, '-e', SERVER]);
  for (let i = 0; i < 100 && (await lab.httpGetMany(client.netnsPath, `http://${backend.ip}:8080/`, 1))[0] !== 'ok'; i++) await new Promise((r) => setTimeout(r, 100));
  const proxy = new IptablesProxy({ netnsPath: node.netnsPath });
  await proxy.sync([newService('tp', { clusterIP: '10.43.0.50' })], [newSlice('tp', [{ ip: backend.ip }])]);
  await ensureServiceRoute('10.43.0.0/16', node.network.bridgeName, { netnsPath: node.netnsPath });
  const out: Record<string, unknown> = {};
  // Alternate direct and via-Service runs and keep the median of 3, since the machine is shared.
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const keepAlive of [false, true]) {
    const direct: number[] = [];
    const viaService: number[] = [];
    let failures = 0;
    for (let round = 0; round < 3; round++) {
      const d = await load(lab, client, `http://${backend.ip}:8080/`, keepAlive);
      const v = await load(lab, client, 'http://10.43.0.50/', keepAlive);
      direct.push(d.rps);
      viaService.push(v.rps);
      failures += d.fail + v.fail;
    }
    out[keepAlive ? 'keepAlive' : 'connectionPerRequest'] = {
      directRps: median(direct),
      viaClusterIPRps: median(viaService),
      ratio: Math.round((median(viaService) / median(direct)) * 1000) / 1000,
      failures,
      rounds: { direct, viaService },
    };
  }
  await proxy.cleanup();
  return out;
}

async function main(): Promise<void> {
  const lab = await createLab({ nodes: 1 });
  try {
    const results = {
      machine: `${os.cpus().length} cores, node ${process.version}, ${os.release()}`,
      date: new Date().toISOString(),
      podNetwork: await podSetup(lab),
      serviceRuleUpdate100Endpoints: await ruleUpdates(lab),
      throughput: await throughput(lab),
    };
    console.log(JSON.stringify(results, null, 2));
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/network.json', JSON.stringify(results, null, 2));
    const r = results as any;
    const rules0 = r.serviceRuleUpdate100Endpoints.with0OtherServices;
    const rules200 = r.serviceRuleUpdate100Endpoints.with200OtherServices;
    emit({ bench: 'network', name: 'pod_setup_p50', label: `pod network setup (netns, veth, bridge, IPAM), p50 of ${PODS}; p95 ${r.podNetwork.setUp.p95Ms} ms`, value: r.podNetwork.setUp.p50Ms, unit: 'ms' });
    emit({ bench: 'network', name: 'rule_update_p50', label: 'service rules: one endpoint of a 100-endpoint Service changes, with 200 other Services, p50', value: rules200.oneEndpointChanged.p50Ms, unit: 'ms', baseline: rules0.oneEndpointChanged.p50Ms, baselineLabel: 'same with no other Services' });
    for (const [key, label] of [['connectionPerRequest', 'new connection per request'], ['keepAlive', 'keep-alive']] as const) {
      const tp = r.throughput[key];
      emit({ bench: 'network', name: `clusterip_rps_${key}`, label: `HTTP requests/s through a ClusterIP, ${label} (${tp.failures} failed)`, value: tp.viaClusterIPRps, unit: 'req/s', baseline: tp.directRps, baselineLabel: 'direct to the pod IP' });
    }
  } finally {
    await lab.cleanup();
  }
}

await main();
