import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { umount2 } from '../runtime/sys/libc.js';
import { mountsUnder } from '../runtime/sys/mount.js';
import { pinNamedNetns, pinNamespaces, stillPinned } from './namespaces.js';

const asRoot = process.getuid?.() === 0;
const own = () => ['uts', 'ipc', 'net'].map((k) => readlinkSync(`/proc/thread-self/ns/${k}`));

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync('/tmp/skifftest-ns-');
  t.teardown(() => {
    for (const m of mountsUnder(dir)) umount2(m, 2); // deepest first
    rmSync(dir, { recursive: true, force: true, maxRetries: 0 });
  });
  return dir;
}

test('pinNamespaces: new UTS (with hostname), IPC and net (lo up) pinned on files; the thread is back in its own', (t) => {
  if (!asRoot) return t.pass('needs root');
  const dir = tempDir(t);
  const before = own();
  const files = { uts: path.join(dir, 'uts'), ipc: path.join(dir, 'ipc'), net: path.join(dir, 'net') };
  pinNamespaces({ uts: { file: files.uts, hostname: 'pinned-pod' }, ipc: files.ipc, net: files.net });
  t.deepEqual(own(), before);
  t.true(stillPinned(Object.values(files)));
  t.is(execFileSync('nsenter', [`--uts=${files.uts}`, 'hostname']).toString().trim(), 'pinned-pod');
  t.not(execFileSync('hostname').toString().trim(), 'pinned-pod');
  t.regex(execFileSync('nsenter', [`--net=${files.net}`, 'ip', '-br', 'link', 'show', 'lo']).toString(), /LOOPBACK,UP/);
  // Only lo: a fresh namespace, not the host's.
  t.is(execFileSync('nsenter', [`--net=${files.net}`, 'ip', '-br', 'link']).toString().trim().split('\n').length, 1);
  const ids = execFileSync('nsenter', [`--ipc=${files.ipc}`, `--uts=${files.uts}`, 'readlink', '/proc/self/ns/ipc', '/proc/self/ns/uts']).toString().split('\n');
  t.not(ids[0], before[1]);
  t.not(ids[1], before[0]);
  umount2(files.ipc, 2);
  t.false(stillPinned(Object.values(files)));
});

test('pinNamespaces: a failure (file in a missing directory) leaves the thread in its own namespaces', (t) => {
  if (!asRoot) return t.pass('needs root');
  const before = own();
  t.throws(() => pinNamespaces({ uts: { file: '/nonexistent-skifftest/uts', hostname: 'x' } }));
  t.deepEqual(own(), before);
});

test('pinNamedNetns: like ip netns add, in a shared directory; a second one with the same name is refused', (t) => {
  if (!asRoot) return t.pass('needs root');
  const dir = path.join(tempDir(t), 'netns');
  const file = pinNamedNetns(dir, 'a');
  t.is(file, path.join(dir, 'a'));
  t.true(stillPinned([file]));
  t.true(mountsUnder(path.dirname(dir)).includes(dir), 'the directory is a mount of its own');
  t.regex(execFileSync('nsenter', [`--net=${file}`, 'ip', '-br', 'link', 'show', 'lo']).toString(), /LOOPBACK,UP/);
  t.throws(() => pinNamedNetns(dir, 'a'), { message: /EEXIST/ });
});
