import test from 'ava';
import { mkdtemp, readFile, readlink, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writePayload } from './atomic-writer.js';

const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });

async function tempDir(t: { teardown: (f: () => Promise<void>) => void }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'skifftest-aw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('writes files behind ..data, updates atomically and removes stale names', async (t) => {
  const dir = await tempDir(t);
  t.true(await writePayload(dir, { a: file('1'), 'sub/b': file('2', 0o600) }));
  t.is(await readFile(path.join(dir, 'a'), 'utf8'), '1');
  t.is(await readFile(path.join(dir, 'sub', 'b'), 'utf8'), '2');
  t.is((await stat(path.join(dir, 'sub', 'b'))).mode & 0o777, 0o600);
  t.is(await readlink(path.join(dir, 'a')), '..data/a');
  const first = await readlink(path.join(dir, '..data'));

  t.false(await writePayload(dir, { a: file('1'), 'sub/b': file('2', 0o600) }), 'same payload: no write');
  t.is(await readlink(path.join(dir, '..data')), first);

  t.true(await writePayload(dir, { a: file('changed'), c: file('3') }));
  t.is(await readFile(path.join(dir, 'a'), 'utf8'), 'changed');
  t.is(await readFile(path.join(dir, 'c'), 'utf8'), '3');
  const names = (await readdir(dir)).sort();
  t.false(names.includes('sub'));
  t.false(names.includes(first), 'old data dir removed');
  t.deepEqual(names.filter((n) => !n.startsWith('..')), ['a', 'c']);
});

test('rejects paths that escape the volume', async (t) => {
  const dir = await tempDir(t);
  await t.throwsAsync(writePayload(dir, { '../x': file('1') }));
  await t.throwsAsync(writePayload(dir, { '/etc/x': file('1') }));
});
