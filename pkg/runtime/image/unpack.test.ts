import test from 'ava';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256Digest } from './digest.js';
import { isImageError } from './errors.js';
import { lgetxattr } from './libc.js';
import { buildTar, gzipDeterministic, type TarEntry } from './tarball.js';
import { mountOverlay, tempDir, zstdCompress } from './testutil.js';
import { OVERLAY_OPAQUE_XATTR, unpackLayer } from './unpack.js';

const mtime = new Date('2024-05-01T12:00:00Z');

function file(path: string, content: string, extra: Partial<TarEntry> = {}): TarEntry {
  return { path, type: 'file', content, mtime, ...extra };
}

function dir(path: string, extra: Partial<TarEntry> = {}): TarEntry {
  return { path, type: 'directory', mtime, ...extra };
}

async function unpackEntries(t: any, entries: TarEntry[], compress: (b: Buffer) => Buffer = (b) => b) {
  const root = tempDir(t, 'unpack');
  const tarBytes = await buildTar(entries, { sort: false });
  const dest = join(root, 'layer');
  const result = await unpackLayer(Readable.from([compress(tarBytes)]), dest);
  return { dest, result, tarBytes, root };
}

const basicLayer: TarEntry[] = [
  dir('etc', { mode: 0o755 }),
  file('etc/passwd', 'root:x:0:0::/root:/bin/sh\n', { mode: 0o644 }),
  dir('bin'),
  file('bin/tool', '#!/bin/sh\necho hi\n', { mode: 0o4755, uid: 1000, gid: 1001 }),
  { path: 'bin/sh', type: 'symlink', linkname: 'tool', mtime },
  { path: 'bin/hard', type: 'link', linkname: 'bin/tool', mtime },
  { path: 'abs-link', type: 'symlink', linkname: '/etc/shadow-that-does-not-exist', mtime },
  file('deep/implicit/parent.txt', 'p'),
  { path: 'run/fifo', type: 'fifo', mode: 0o600, mtime },
  { path: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666, mtime },
];

const compressions: Array<{ name: string; compress: (b: Buffer) => Buffer }> = [
  { name: 'uncompressed', compress: (b) => b },
  { name: 'gzip', compress: gzipDeterministic },
  { name: 'zstd', compress: zstdCompress },
];

for (const c of compressions) {
  test(`unpackLayer extracts a ${c.name} layer with modes, owners, links and times`, async (t) => {
    const { dest, result, tarBytes } = await unpackEntries(t, basicLayer, c.compress);
    t.is(result.diffID, sha256Digest(tarBytes), 'diffID is the digest of the uncompressed tar');
    t.is(result.tarBytes, tarBytes.length);
    t.is(readFileSync(join(dest, 'etc/passwd'), 'utf8'), 'root:x:0:0::/root:/bin/sh\n');
    const tool = statSync(join(dest, 'bin/tool'));
    t.is(tool.mode & 0o7777, 0o4755);
    t.is(tool.uid, 1000);
    t.is(tool.gid, 1001);
    t.is(tool.mtime.getTime(), mtime.getTime());
    t.is(tool.nlink, 2, 'bin/hard is a hard link to bin/tool');
    t.is(statSync(join(dest, 'bin/hard')).ino, tool.ino);
    t.is(readlinkSync(join(dest, 'bin/sh')), 'tool');
    t.is(readlinkSync(join(dest, 'abs-link')), '/etc/shadow-that-does-not-exist');
    t.is(statSync(join(dest, 'etc')).mtime.getTime(), mtime.getTime(), 'directory mtimes survive their children');
    t.true(existsSync(join(dest, 'deep/implicit/parent.txt')));
    t.true(lstatSync(join(dest, 'run/fifo')).isFIFO());
    const devnull = lstatSync(join(dest, 'dev/null'));
    t.true(devnull.isCharacterDevice());
    t.is(devnull.rdev, (1 << 8) | 3);
  });
}

test('unpackLayer turns whiteouts and opaque markers into overlay whiteouts that overlay honours', async (t) => {
  const lower = await unpackEntries(t, [
    dir('a'),
    file('a/gone', 'old'),
    file('a/kept', 'kept'),
    dir('b'),
    file('b/hidden1', 'x'),
    dir('b/sub'),
    file('b/sub/hidden2', 'y'),
    file('c', 'file c'),
    dir('d'),
    file('d/keep', 'keep'),
  ]);
  const upper = await unpackEntries(t, [
    dir('a'),
    file('a/.wh.gone', ''),
    dir('b'),
    file('b/.wh..wh..opq', ''),
    file('b/new', 'new'),
    file('.wh.c', ''),
  ]);
  const wh = lstatSync(join(upper.dest, 'a/gone'));
  t.true(wh.isCharacterDevice(), 'whiteout is a character device');
  t.is(wh.rdev, 0, 'whiteout is device 0/0');
  t.true(lstatSync(join(upper.dest, 'c')).isCharacterDevice());
  t.false(existsSync(join(upper.dest, 'b/.wh..wh..opq')));
  t.is(lgetxattr(join(upper.dest, 'b'), OVERLAY_OPAQUE_XATTR)?.toString(), 'y');

  const mnt = join(upper.root, 'mnt');
  mkdirSync(mnt);
  mountOverlay(t, [upper.dest, lower.dest], mnt);
  t.deepEqual(readdirSync(mnt).sort(), ['a', 'b', 'd']);
  t.deepEqual(readdirSync(join(mnt, 'a')), ['kept']);
  t.deepEqual(readdirSync(join(mnt, 'b')), ['new'], 'opaque dir hides the lower layer');
  t.is(readFileSync(join(mnt, 'd/keep'), 'utf8'), 'keep');
});

test('unpackLayer replaces an entry from earlier in the same tar', async (t) => {
  const { dest } = await unpackEntries(t, [file('x', 'one'), file('x', 'two'), { path: 'y', type: 'symlink', linkname: 'x' }, file('y', 'now a file')]);
  t.is(readFileSync(join(dest, 'x'), 'utf8'), 'two');
  t.false(lstatSync(join(dest, 'y')).isSymbolicLink());
});

const unsafe: Array<{ name: string; entries: TarEntry[] }> = [
  { name: 'dot-dot path', entries: [file('../escape', 'x')] },
  { name: 'nested dot-dot', entries: [dir('a'), file('a/../../escape', 'x')] },
  { name: 'write through a symlinked dir', entries: [{ path: 'link', type: 'symlink', linkname: '/tmp' }, file('link/escape', 'x')] },
  { name: 'write through a relative symlink', entries: [{ path: 'up', type: 'symlink', linkname: '..' }, file('up/escape', 'x')] },
  { name: 'hard link outside', entries: [{ path: 'h', type: 'link', linkname: '../escape' }] },
  { name: 'hard link through a symlink', entries: [{ path: 'l', type: 'symlink', linkname: '/etc' }, { path: 'h', type: 'link', linkname: 'l/hostname' }] },
];

for (const c of unsafe) {
  test(`unpackLayer refuses an unsafe layer: ${c.name}`, async (t) => {
    const root = tempDir(t, 'unsafe');
    const dest = join(root, 'layer');
    const tarBytes = await buildTar(c.entries, { sort: false });
    const err = await t.throwsAsync(unpackLayer(Readable.from([tarBytes]), dest));
    t.true(isImageError(err, 'UnsafeLayer'), String(err));
    t.false(existsSync(join(root, 'escape')));
    t.false(existsSync('/tmp/escape'));
  });
}

test('unpackLayer fails on a truncated gzip stream', async (t) => {
  const root = tempDir(t, 'trunc');
  const gz = gzipDeterministic(await buildTar(basicLayer));
  await t.throwsAsync(unpackLayer(Readable.from([gz.subarray(0, gz.length - 20)]), join(root, 'layer')));
});
