// profile-create: 3,000 API creates against an in-process API server, for `node --cpu-prof`.
import http from 'node:http';
import { startTestApiServer } from '../lib/apiserver.js';

const srv = await startTestApiServer();
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const post = (i: number) =>
  new Promise<void>((resolve, reject) => {
    const data = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'img:1', resources: { requests: { cpu: '10m' } } }] } }));
    const r = http.request(`${srv.url}/api/v1/namespaces/default/pods`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    r.on('error', reject);
    r.end(data);
  });
let next = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: 64 }, async () => {
  while (next < 3000) await post(next++);
}));
console.log(`${Math.round(3000 / ((performance.now() - t0) / 1000))} creates/s`);
await srv.cleanup();
