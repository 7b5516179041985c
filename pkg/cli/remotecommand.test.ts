import test from 'ava';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { runCli } from './testing/harness.js';

/** fakeExecServer speaks the remotecommand protocol: it echoes stdin to stdout (upper-cased), writes "err" to stderr and ends with the exit code of the last command word. */
async function fakeExecServer(t: import('ava').ExecutionContext, behaviour: 'echo' | 'status-only' | 'reject' = 'echo') {
  const seen: { url?: string; protocol?: string; frames: number[][] } = { frames: [] };
  const server = http.createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'pods "ghost" not found', code: 404 }));
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false) });
  server.on('upgrade', (req, socket, head) => {
    if (behaviour === 'reject') {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\n\r\n{"kind":"Status","message":"pods \\"p\\" is forbidden: nope"}');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      seen.url = req.url;
      seen.protocol = ws.protocol;
      const url = new URL(req.url!, 'http://x');
      const cmd = url.searchParams.getAll('command');
      const code = Number(cmd[cmd.length - 1]);
      const frame = (ch: number, s: string) => Buffer.concat([Buffer.from([ch]), Buffer.from(s)]);
      const end = () => {
        ws.send(frame(2, 'err\n'));
        ws.send(frame(3, JSON.stringify(code === 0 ? { status: 'Success' } : { status: 'Failure', reason: 'NonZeroExitCode', message: 'exit', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } })));
        ws.close();
      };
      if (behaviour === 'status-only' || url.searchParams.get('stdin') !== 'true') return end();
      ws.on('message', (m: Buffer) => {
        seen.frames.push([...m.subarray(0, 2)]);
        if (m[0] === 0) ws.send(frame(1, m.subarray(1).toString().toUpperCase()));
        if (m[0] === 255 && m[1] === 0) end();
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    wss.close();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

test('exec streams stdin to the pod and demultiplexes stdout and stderr', async (t) => {
  const srv = await fakeExecServer(t);
  const out = await runCli(['--server', srv.url, 'exec', '-i', '-n', 'shop', '-c', 'app', 'web-0', '--', 'cat', '0'], { stdin: 'hello\n' });
  t.is(out.code, 0, out.stderr);
  t.is(out.stdout, 'HELLO\n');
  t.is(out.stderr, 'err\n');
  t.is(srv.seen.protocol, 'v5.channel.k8s.io');
  const u = new URL(srv.seen.url!, 'http://x');
  t.is(u.pathname, '/api/v1/namespaces/shop/pods/web-0/exec');
  t.deepEqual(u.searchParams.getAll('command'), ['cat', '0']);
  t.is(u.searchParams.get('container'), 'app');
  t.is(u.searchParams.get('stdin'), 'true');
  t.deepEqual(srv.seen.frames.at(-1), [255, 0], 'stdin is closed with the v5 close frame');
});

test('exec exits with the remote exit code and says so', async (t) => {
  const srv = await fakeExecServer(t, 'status-only');
  const out = await runCli(['--server', srv.url, 'exec', 'p', '--', 'sh', '-c', 'exit', '3']);
  t.is(out.code, 3);
  t.is(out.stderr, 'err\ncommand terminated with exit code 3\n');
});

test('a refused upgrade is one clear error', async (t) => {
  const srv = await fakeExecServer(t, 'reject');
  const out = await runCli(['--server', srv.url, 'exec', 'p', '--', 'true']);
  t.is(out.code, 1);
  t.is(out.stderr, 'error: unable to upgrade connection: pods "p" is forbidden: nope\n');
  const noCommand = await runCli(['--server', srv.url, 'exec', 'p']);
  t.is(noCommand.stderr, 'error: you must specify at least one command for the container\n');
});
