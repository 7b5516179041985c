// bench:watch — watch fan-out: N watchers on one ConfigMap (a real `skiff server` process and
// etcd), then U updates of it one after another; the latency of each delivery is the time from
// sending the update (PATCH) to the event arriving on a watcher's stream. Reported: p50 and p99
// over every delivery, against the same with a single watcher (baseline, same run). The
// watchers read their streams in this process, so on a small machine the client side's parsing
// competes with the server for CPU (as it does in the figure's goal: 1,000 watchers).
// Usage: node --import tsx test/bench/watch.ts [--watchers 1000] [--updates 10]
import http from 'node:http';
import { parseArgs } from 'node:util';
import { removeDir, startServerProcess } from '../lib/apiserver.js';
import { startTestEtcd } from '../lib/etcd.js';
import { emit, round } from './report.js';

const { values } = parseArgs({ options: { watchers: { type: 'string', default: '1000' }, updates: { type: 'string', default: '10' } } });
const WATCHERS = Number(values.watchers);
const UPDATES = Number(values.updates);
const NAME = 'skifftest-fanout';
const PATH = '/api/v1/namespaces/default/configmaps';

function request(base: string, method: string, path: string, body: unknown, contentType = 'application/json'): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    const headers = body === undefined ? {} : { 'content-type': contentType, 'content-length': data.length };
    const r = http.request(base + path, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    r.on('error', reject);
    r.end(data);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** fanOut opens n watches from the object's current version, sends `updates` updates and returns every delivery latency (ms). */
async function fanOut(base: string, n: number, updates: number, firstSeq: number): Promise<{ latencies: number[]; missing: number }> {
  const current = await request(base, 'GET', `${PATH}/${NAME}`, undefined);
  const rv = current.body.metadata.resourceVersion as string;
  const sentAt = new Map<number, number>();
  const arrived = new Map<number, number>();
  const latencies: number[] = [];
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const reqs: http.ClientRequest[] = [];
  const url = `${base}${PATH}?watch=true&resourceVersion=${rv}&fieldSelector=${encodeURIComponent(`metadata.name=${NAME}`)}`;
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve, reject) => {
          const r = http.get(url, { agent }, (res) => {
            let buf = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              buf += d;
              let nl: number;
              while ((nl = buf.indexOf('\n')) >= 0) {
                const line = buf.slice(0, nl);
                buf = buf.slice(nl + 1);
                if (!line.trim()) continue;
                const seq = Number(JSON.parse(line).object?.data?.seq);
                const at = sentAt.get(seq);
                if (at === undefined) continue;
                latencies.push(performance.now() - at);
                arrived.set(seq, (arrived.get(seq) ?? 0) + 1);
              }
            });
            res.on('error', () => undefined);
            resolve();
          });
          r.on('error', reject);
          reqs.push(r);
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 500));
  let missing = 0;
  for (let u = 0; u < updates; u++) {
    const seq = firstSeq + u;
    sentAt.set(seq, performance.now());
    const res = await request(base, 'PATCH', `${PATH}/${NAME}`, { data: { seq: String(seq) } }, 'application/merge-patch+json');
    if (res.code !== 200) throw new Error(`update failed: ${res.code} ${JSON.stringify(res.body)}`);
    const deadline = Date.now() + 10_000;
    while ((arrived.get(seq) ?? 0) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    missing += n - (arrived.get(seq) ?? 0);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const r of reqs) r.destroy();
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), missing };
}

async function main(): Promise<void> {
  const etcd = await startTestEtcd();
  const srv = await startServerProcess({ etcdEndpoints: etcd.endpoint });
  try {
    const created = await request(srv.url, 'POST', PATH, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: NAME }, data: { seq: '0' } });
    if (created.code !== 201) throw new Error(`create failed: ${created.code}`);
    const one = await fanOut(srv.url, 1, 20, 1);
    const many = await fanOut(srv.url, WATCHERS, UPDATES, 1000);
    const result = {
      oneWatcher: { deliveries: one.latencies.length, p50ms: round(percentile(one.latencies, 50)), p99ms: round(percentile(one.latencies, 99)) },
      fanOut: { watchers: WATCHERS, updates: UPDATES, deliveries: many.latencies.length, missing: many.missing, p50ms: round(percentile(many.latencies, 50)), p99ms: round(percentile(many.latencies, 99)) },
    };
    console.log(JSON.stringify(result, null, 2));
    emit({
      bench: 'watch',
      name: 'fanout_p99',
      label: `watch fan-out: ${WATCHERS} watchers × ${UPDATES} updates, p99 update → delivery (${many.missing} missed)`,
      value: result.fanOut.p99ms,
      unit: 'ms',
      baseline: result.oneWatcher.p99ms,
      baselineLabel: 'p99 with 1 watcher',
      goal: 'p99 ≤ 100 ms',
    });
    emit({
      bench: 'watch',
      name: 'fanout_p50',
      label: `watch fan-out: ${WATCHERS} watchers, p50 update → delivery`,
      value: result.fanOut.p50ms,
      unit: 'ms',
      baseline: result.oneWatcher.p50ms,
      baselineLabel: 'p50 with 1 watcher',
    });
  } finally {
    await srv.stop();
    await removeDir(srv.dataDir);
    await etcd.cleanup();
  }
}

await main();
