// Storage against a real etcd: writes asked for in one turn of the event loop are committed
// together, and each still gets its own compare-and-swap outcome.
import test from 'ava';
import { Storage, StorageError } from '../../pkg/apiserver/storage.js';
import { startTestEtcd, type TestEtcd } from '../lib/etcd.js';

let etcd: TestEtcd;
let storage: Storage;

test.before(async () => {
  etcd = await startTestEtcd();
  storage = new Storage([etcd.endpoint]);
});

test.after.always(async () => {
  storage?.close();
  await etcd?.cleanup();
});

const v = (s: string) => Buffer.from(s);
const kindOf = (e: unknown) => (e instanceof StorageError ? e.kind : String(e));

test.serial('creates in one turn share one transaction and one revision; all are stored', async (t) => {
  const before = await storage.currentRevision();
  const revs = await Promise.all(Array.from({ length: 10 }, (_, i) => storage.create(`/registry/t1/k${i}`, v(`value-${i}`))));
  t.is(new Set(revs).size, 1, 'one revision for the whole turn');
  t.is(revs[0], before + 1, 'one etcd transaction');
  const listed = await storage.list('/registry/t1/');
  t.deepEqual(listed.items.map((i) => i.value.toString()).sort(), Array.from({ length: 10 }, (_, i) => `value-${i}`).sort());
});

test.serial('more writes than one transaction holds are split, and every one lands', async (t) => {
  const revs = await Promise.all(Array.from({ length: 150 }, (_, i) => storage.create(`/registry/t2/k${i}`, v('x'))));
  t.true(new Set(revs).size >= 3, `150 writes in ≥ 3 transactions of ≤ 64 (${new Set(revs).size})`);
  t.is(await storage.count('/registry/t2/'), 150);
});

test.serial('a failed compare fails only its own write: KeyExists, Conflict and KeyNotFound beside successes', async (t) => {
  const rev = await storage.create('/registry/t3/existing', v('old'));
  const results = await Promise.allSettled([
    storage.create('/registry/t3/existing', v('dup')), // exists
    storage.update('/registry/t3/existing', v('stale'), rev - 1), // wrong revision
    storage.update('/registry/t3/missing', v('nothing'), 5), // no such key
    storage.create('/registry/t3/new-a', v('a')),
    storage.update('/registry/t3/existing', v('fresh'), rev), // same key again: next transaction
    storage.create('/registry/t3/new-b', v('b')),
  ]);
  t.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? 'ok' : kindOf(r.reason))),
    ['KeyExists', 'Conflict', 'KeyNotFound', 'ok', 'ok', 'ok'],
  );
  const conflict = (results[1] as PromiseRejectedResult).reason as StorageError;
  t.is(conflict.currentRev, rev, 'a Conflict reports the key’s current revision');
  t.is((await storage.get('/registry/t3/existing'))?.value.toString(), 'fresh');
  t.is((await storage.get('/registry/t3/new-a'))?.value.toString(), 'a');
  t.is((await storage.get('/registry/t3/new-b'))?.value.toString(), 'b');
});

test.serial('two updates of one key in one turn apply in order: the second compares against the first', async (t) => {
  const rev = await storage.create('/registry/t4/k', v('0'));
  const [first, second] = await Promise.allSettled([storage.update('/registry/t4/k', v('1'), rev), storage.update('/registry/t4/k', v('2'), rev)]);
  t.is(first.status, 'fulfilled');
  t.is(second.status === 'rejected' && kindOf(second.reason), 'Conflict');
  t.is((await storage.get('/registry/t4/k'))?.value.toString(), '1');
});

test.serial('a watch sees every write of a shared revision', async (t) => {
  const from = await storage.currentRevision();
  const seen: string[] = [];
  const w = await storage.watch('/registry/t5/', from, (ev) => seen.push(`${ev.key}@${ev.rev}`), () => undefined);
  t.teardown(() => void w.cancel());
  const revs = await Promise.all(Array.from({ length: 5 }, (_, i) => storage.create(`/registry/t5/k${i}`, v('x'))));
  const deadline = Date.now() + 5000;
  while (seen.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(seen.sort(), Array.from({ length: 5 }, (_, i) => `/registry/t5/k${i}@${revs[i]}`).sort());
});
