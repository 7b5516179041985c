// pods/log and pods/exec through the API server to a node's agent endpoint, with the real
// kubectl as the client. The agent here is a stand-in speaking the agent's HTTP and
// v5.channel.k8s.io protocol, so that this test checks the API server's relay alone.
import test from 'ava';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WebSocketServer } from 'ws';
import { removeDir, startServerProcess, type ServerProcess } from '../lib/apiserver.js';
import { req } from '../lib/http.js';

const run = promisify(execFile);
let srv: ServerProcess;
let agent: http.Server;
const seen: string[] = [];

test.before(async () => {
  srv = await startServerProcess();
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false) });
  agent = http.createServer((rq, rs) => {
    seen.push(rq.url ?? '');
    if (rq.url?.startsWith('/containerLogs/default/logpod/app')) {
      rs.writeHead(200, { 'content-type': 'text/plain' });
      rs.end(rq.url.includes('tailLines=1') ? 'line 2\n' : 'line 1\nline 2\n');
    } else {
      rs.writeHead(404);
      rs.end();
    }
  });
  agent.on('upgrade', (rq, socket, head) => {
    seen.push(rq.url ?? '');
    wss.handleUpgrade(rq, socket, head, (ws) => {
      const cmd = new URL(rq.url ?? '/', 'http://x').searchParams.getAll('command').join(' ');
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`ran: ${cmd}\n`)]));
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' }))]));
      ws.close(1000);
    });
  });
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  const port = (agent.address() as { port: number }).port;
  const node = await req(srv.url, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'proxy-node' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } });
  if (node.status !== 201) throw new Error(JSON.stringify(node.body));
  const pod = await req(srv.url, 'POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'logpod' }, spec: { nodeName: 'proxy-node', containers: [{ name: 'app', image: 'skiff.local/busybox:latest' }] } });
  if (pod.status !== 201) throw new Error(JSON.stringify(pod.body));
});
test.after.always(async () => {
  agent?.close();
  await srv?.stop();
  if (srv) await removeDir(srv.dataDir);
});

async function kubectl(...args: string[]) {
  try {
    const { stdout, stderr } = await run('kubectl', ['--kubeconfig', srv.kubeconfig, ...args], { timeout: 30_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? 1 };
  }
}

test('kubectl logs reaches the agent through the API server', async (t) => {
  const all = await kubectl('logs', 'logpod');
  t.is(all.code, 0, all.stderr);
  t.is(all.stdout, 'line 1\nline 2\n');
  const tail = await kubectl('logs', 'logpod', '--tail=1');
  t.is(tail.stdout, 'line 2\n');
  t.true(seen.some((u) => u.startsWith('/containerLogs/default/logpod/app?') && u.includes('tailLines=1')));
  const noHost = await req(srv.url, 'POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unbound' }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } });
  t.is(noHost.status, 201);
  const ambiguous = await req(srv.url, 'GET', '/api/v1/namespaces/default/pods/unbound/log');
  t.is(ambiguous.status, 400);
  t.regex(ambiguous.body.message, /a container name must be specified/);
});

test('kubectl exec runs through the WebSocket relay (v5.channel.k8s.io)', async (t) => {
  const r = await kubectl('exec', 'logpod', '--', 'echo', 'hi');
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'ran: echo hi\n');
  t.true(seen.some((u) => u.startsWith('/exec/default/logpod/app?')));
});
