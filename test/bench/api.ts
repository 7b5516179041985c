// bench:api — API server figures, each against a baseline measured in the same run:
//   1. 10,000 creates at 64 in flight: throughput as % of raw etcd3 puts of the same objects; p50/p99.
//   2. 1,000 concurrent watchers, one write: p99 delivery latency to all.
//   3. Server RSS holding 10,000 pods in its watch cache.
// Usage: npm run bench:api [-- --creates N --watchers N --pods N]  (--watchers 0 skips the fan-out;
// test/bench/watch.ts measures fan-out of updates with a one-watcher baseline)
import http from 'node:http';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Etcd3 } from 'etcd3';
import { startTestEtcd } from '../lib/etcd.js';
import { removeDir, startServerProcess } from '../lib/apiserver.js';
import { emit } from './report.js';

const { values } = parseArgs({ options: { creates: { type: 'string', default: '10000' }, watchers: { type: 'string', default: '1000' }, pods: { type: 'string', default: '10000' } } });
const CREATES = Number(values.creates);
const WATCHERS = Number(values.watchers);
const PODS = Number(values.pods);
const IN_FLIGHT = 64;

const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

function post(base: string, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const r = http.request(base + path, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    r.end(data);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function pool(n: number, inFlight: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) await fn(next++);
  }));
}

function configMap(i: number, prefix: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${i}`, namespace: 'default', labels: { bench: 'api' } }, data: { index: String(i), value: 'v'.repeat(64) } };
}

function pod(i: number) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace: 'default', labels: { app: 'bench', shard: String(i % 10) } },
    spec: { containers: [{ name: 'app', image: 'skiff.local/web:v1', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

async function main() {
  const etcd = await startTestEtcd();
  const srv = await startServerProcess({ etcdEndpoints: etcd.endpoint });
  const results: Record<string, unknown> = { machine: `${(await import('node:os')).cpus().length} cores, node ${process.version}`, date: new Date().toISOString() };
  try {
    // Baseline: raw etcd puts of the same objects, 64 in flight.
    const raw = new Etcd3({ hosts: [etcd.endpoint] });
    let t0 = performance.now();
    await pool(CREATES, IN_FLIGHT, async (i) => {
      await raw.put(`/bench/raw/${i}`).value(JSON.stringify(configMap(i, 'raw')));
    });
    const rawSecs = (performance.now() - t0) / 1000;
    const rawRate = CREATES / rawSecs;
    raw.close();

    // API creates.
    const lat: number[] = [];
    let failures = 0;
    t0 = performance.now();
    await pool(CREATES, IN_FLIGHT, async (i) => {
      const s = performance.now();
      const code = await post(srv.url, '/api/v1/namespaces/default/configmaps', configMap(i, 'cm'));
      lat.push(performance.now() - s);
      if (code !== 201) failures++;
    });
    const apiSecs = (performance.now() - t0) / 1000;
    const apiRate = CREATES / apiSecs;
    lat.sort((a, b) => a - b);
    results.creates = {
      count: CREATES, inFlight: IN_FLIGHT, failures,
      rawEtcdPutsPerSec: Math.round(rawRate), apiCreatesPerSec: Math.round(apiRate),
      percentOfRawEtcd: Math.round((apiRate / rawRate) * 1000) / 10,
      p50ms: Math.round(percentile(lat, 50) * 10) / 10, p99ms: Math.round(percentile(lat, 99) * 10) / 10,
    };

    // Watch fan-out: WATCHERS watches on one namespace's secrets, then one write.
    if (WATCHERS > 0) {
      const arrivals: number[] = [];
      let writeAt = 0;
      const sockets: http.ClientRequest[] = [];
      const watchAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
      await Promise.all(Array.from({ length: WATCHERS }, () => new Promise<void>((resolve, reject) => {
        const r = http.get(`${srv.url}/api/v1/namespaces/default/secrets?watch=true&resourceVersion=${Date.now() > 0 ? '' : ''}`, { agent: watchAgent }, (res) => {
          let buf = '';
          res.on('data', (d) => {
            buf += d;
            if (buf.includes('"fanout"') && writeAt) {
              arrivals.push(performance.now() - writeAt);
              buf = '';
            }
          });
          resolve();
        });
        r.on('error', reject);
        sockets.push(r);
      })));
      await new Promise((r) => setTimeout(r, 1000));
      writeAt = performance.now();
      await post(srv.url, '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fanout' }, stringData: { a: 'b' } });
      const deadline = Date.now() + 10_000;
      while (arrivals.length < WATCHERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      arrivals.sort((a, b) => a - b);
      for (const s of sockets) s.destroy();
      results.watchFanout = { watchers: WATCHERS, delivered: arrivals.length, p50ms: Math.round(percentile(arrivals, 50) * 10) / 10, p99ms: Math.round(percentile(arrivals, 99) * 10) / 10 };
    }

    // RSS with PODS pods in the watch cache.
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${srv.child.pid}/status`, 'utf8'))![1]) * 1024;
    const before = rss();
    await pool(PODS, IN_FLIGHT, async (i) => {
      await post(srv.url, '/api/v1/namespaces/default/pods', pod(i));
    });
    await new Promise((r) => setTimeout(r, 2000));
    const after = rss();
    results.rss = { pods: PODS, rssBeforeMiB: Math.round(before / 2 ** 20), rssWithPodsMiB: Math.round(after / 2 ** 20) };
  } finally {
    await srv.stop();
    await removeDir(srv.dataDir);
    await etcd.cleanup();
  }
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/api.json', JSON.stringify(results, null, 2));
  const c = results.creates as any;
  const w = results.watchFanout as any;
  const m = results.rss as any;
  console.log('| figure | value | goal |');
  console.log('| --- | --- | --- |');
  console.log(`| API creates vs raw etcd puts (${c.count} at ${c.inFlight} in flight) | ${c.apiCreatesPerSec}/s vs ${c.rawEtcdPutsPerSec}/s = **${c.percentOfRawEtcd}%** | ≥ 50% |`);
  console.log(`| create latency p50 / p99 | ${c.p50ms} ms / ${c.p99ms} ms | p99 ≤ 50 ms |`);
  if (w) console.log(`| watch fan-out to ${w.watchers} watchers (delivered ${w.delivered}) p50 / p99 | ${w.p50ms} ms / ${w.p99ms} ms | p99 ≤ 100 ms |`);
  console.log(`| server RSS with ${m.pods} pods cached | ${m.rssWithPodsMiB} MiB (idle ${m.rssBeforeMiB} MiB) | — |`);
  emit({ bench: 'api', name: 'create_rate', label: `API creates (${c.count} ConfigMaps, ${c.inFlight} in flight, ${c.failures} failed) vs raw etcd3 puts of the same objects`, value: c.apiCreatesPerSec, unit: '/s', baseline: c.rawEtcdPutsPerSec, baselineLabel: 'raw etcd3 puts/s', goal: '≥ 50 % of raw etcd' });
  emit({ bench: 'api', name: 'create_p99', label: `create latency p99 (${c.inFlight} in flight; p50 ${c.p50ms} ms)`, value: c.p99ms, unit: 'ms', goal: '≤ 50 ms' });
  if (w) emit({ bench: 'api', name: 'create_fanout_p99', label: `watch fan-out of one create to ${w.watchers} watchers (delivered ${w.delivered}), p99`, value: w.p99ms, unit: 'ms', goal: '≤ 100 ms' });
  emit({ bench: 'api', name: 'server_rss_pods', label: `server RSS holding ${m.pods} pods in its watch cache`, value: m.rssWithPodsMiB, unit: 'MiB', baseline: m.rssBeforeMiB, baselineLabel: 'same process idle' });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
