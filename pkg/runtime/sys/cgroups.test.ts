import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cgroupDir, detectCgroupMode, memoryLimit, oomKillCount, parseKeyedCounters } from './cgroups.js';

async function fakeRoot(t: { teardown: (fn: () => Promise<void>) => void }, files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'skifftest-cg-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
  return root;
}

test('detectCgroupMode tells v1, hybrid and v2 apart', async (t) => {
  t.is(detectCgroupMode({ root: await fakeRoot(t, { 'memory/memory.limit_in_bytes': '1' }) }), 'v1');
  t.is(detectCgroupMode({ root: await fakeRoot(t, { 'unified/cgroup.controllers': '' }) }), 'hybrid');
  t.is(detectCgroupMode({ root: await fakeRoot(t, { 'cgroup.controllers': 'memory pids' }) }), 'v2');
});

test('oom kills and memory limits are read per mode', async (t) => {
  const v1 = await fakeRoot(t, {
    'memory/pod/c1/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
    'memory/pod/c1/memory.limit_in_bytes': '20971520\n',
    'memory/pod/c2/memory.limit_in_bytes': '9223372036854771712\n',
  });
  t.is(oomKillCount('v1', '/pod/c1', { root: v1 }), 2);
  t.is(memoryLimit('v1', '/pod/c1', { root: v1 }), 20971520);
  t.is(memoryLimit('v1', '/pod/c2', { root: v1 }), undefined);
  t.is(oomKillCount('v1', '/pod/missing', { root: v1 }), undefined);
  const v2 = await fakeRoot(t, { 'pod/c1/memory.events': 'low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n', 'pod/c1/memory.max': 'max\n' });
  t.is(oomKillCount('v2', '/pod/c1', { root: v2 }), 1);
  t.is(memoryLimit('v2', '/pod/c1', { root: v2 }), undefined);
  t.is(cgroupDir('v2', '/pod/c1', 'memory', { root: '/r' }), '/r/pod/c1');
  t.is(cgroupDir('v1', '/pod/c1', 'memory', { root: '/r' }), '/r/memory/pod/c1');
});

test('parseKeyedCounters ignores junk', (t) => {
  t.deepEqual(parseKeyedCounters('a 1\nb x\n\nc 3'), { a: 1, c: 3 });
});
