import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd } from '../../pkg/apiserver/etcdprocess.js';
import { removeDir, startServerProcess } from '../lib/apiserver.js';
import { freePort } from '../../pkg/util/ports.js';

// A foreign server that answers /health like etcd, on a port etcd is told to use.
async function fakeEtcd(): Promise<{ port: number; close(): void }> {
  const server = http.createServer((_req, res) => res.end('{"health":"true"}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}

test('a health answer from another process on etcd\'s port is not taken for etcd: a fixed port fails', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skifftest-etcdproc-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const fake = await fakeEtcd();
  t.teardown(() => fake.close());
  const err = await t.throwsAsync(startEtcd({ dataDir, clientPort: fake.port, peerPort: await freePort() }));
  t.regex(err!.message, /in use/);
});

test('picked ports: starts, answers, and is the process that listens', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skifftest-etcdproc-'));
  const etcd = await startEtcd({ dataDir });
  t.teardown(async () => {
    await etcd.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const res = await fetch(`${etcd.endpoint}/health`);
  t.true(res.ok);
  t.true(etcd.pid > 0);
});

test('skiff server (test harness): a fixed port held by another server fails, it is not taken for ours', async (t) => {
  const fake = await fakeEtcd();
  t.teardown(() => fake.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'skifftest-etcdproc-'));
  t.teardown(() => removeDir(dataDir));
  const err = await t.throwsAsync(startServerProcess({ dataDir, port: fake.port }));
  t.regex(err!.message, /in use|did not become ready/);
  // The server stopped the etcd it had started (no etcd process serves its data dir any more).
  const etcds = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dataDir);
    } catch {
      return false;
    }
  });
  t.deepEqual(etcds, []);
});
