import test from 'ava';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMountPoint, mountOverlay, mountsUnder, overlayOptions, parseMountPoints, removeTree, unescapeMountinfo } from './mount.js';

test('overlayOptions puts the top layer first', (t) => {
  t.is(overlayOptions({ lowerDirs: ['/l/base', '/l/app'], upperDir: '/u', workDir: '/w' }), 'lowerdir=/l/app:/l/base,upperdir=/u,workdir=/w');
  t.throws(() => overlayOptions({ lowerDirs: [], upperDir: '/u', workDir: '/w' }));
  t.throws(() => overlayOptions({ lowerDirs: ['/a:b'], upperDir: '/u', workDir: '/w' }));
});

test('parseMountPoints decodes mountinfo escapes', (t) => {
  const info = '36 35 98:0 / /mnt/with\\040space rw - ext4 /dev/x rw\n37 35 0:1 / /proc rw - proc proc rw\n';
  t.deepEqual(parseMountPoints(info), ['/mnt/with space', '/proc']);
  t.is(unescapeMountinfo('a\\011b'), 'a\tb');
});

test('overlay mount, upper captures writes, removeTree unmounts then deletes', async (t) => {
  const dir = await mkdtemp('/tmp/skifftest-mount-');
  t.teardown(() => removeTree(dir));
  const [low1, low2, upper, work, target] = ['low1', 'low2', 'upper', 'work', 'merged'].map((d) => path.join(dir, d));
  for (const d of [low1, low2, upper, work, target]) await mkdir(d);
  await writeFile(path.join(low1, 'f'), 'base');
  await writeFile(path.join(low2, 'f'), 'top');
  await writeFile(path.join(low1, 'only-base'), 'b');
  mountOverlay({ lowerDirs: [low1, low2], upperDir: upper, workDir: work, target });
  t.true(isMountPoint(target));
  t.deepEqual(mountsUnder(dir), [target]);
  t.is(await readFile(path.join(target, 'f'), 'utf8'), 'top');
  t.is(await readFile(path.join(target, 'only-base'), 'utf8'), 'b');
  await writeFile(path.join(target, 'new'), 'x');
  t.is(await readFile(path.join(upper, 'new'), 'utf8'), 'x');
  await removeTree(dir);
  t.false(isMountPoint(target));
  await t.throwsAsync(readFile(path.join(low1, 'f')));
});
