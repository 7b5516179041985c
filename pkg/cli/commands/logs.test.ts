import test from 'ava';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../testing/harness.js';

test('logs asks pods/NAME/log with kubectl\'s query and copies the body', async (t) => {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url!);
    if (req.url!.includes('/pods/ghost/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', message: 'pods "ghost" not found', code: 404 }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('line 1\nline 2\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const out = await runCli(['--server', url, 'logs', 'web-0', '-n', 'shop', '-c', 'app', '--tail=20', '--previous']);
  t.is(out.code, 0, out.stderr);
  t.is(out.stdout, 'line 1\nline 2\n');
  const u = new URL(seen[0], 'http://x');
  t.is(u.pathname, '/api/v1/namespaces/shop/pods/web-0/log');
  t.deepEqual(Object.fromEntries(u.searchParams), { container: 'app', previous: 'true', tailLines: '20' });
  const missing = await runCli(['--server', url, 'logs', 'ghost']);
  t.deepEqual([missing.code, missing.stderr], [1, 'Error from server (NotFound): pods "ghost" not found\n']);
});
