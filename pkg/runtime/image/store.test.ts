// FsImageStore without a registry: archive import, tags, remove, GC and reload.
import test from 'ava';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { digestHex, sha256Digest } from './digest.js';
import { isImageError } from './errors.js';
import { ANNOTATION_REF_NAME } from './manifest.js';
import { buildImage, buildLayer, newLayout, writeLayoutTar, type BuiltImage, type OciLayout } from './oci-layout.js';
import { buildSampleImages } from './samples.js';
import { FsImageStore, type FsImageStoreOptions } from './store.js';
import { buildTar } from './tarball.js';
import { noise, tempDir, tinyImage } from './testutil.js';

/** fakeClock is a settable clock for lastUsed. */
function fakeClock(start = 1_000) {
  let now = start;
  return { now: () => now, set: (v: number) => (now = v) };
}

async function newStore(t: any, opts: Partial<FsImageStoreOptions> = {}): Promise<FsImageStore> {
  return FsImageStore.open({ root: join(tempDir(t, 'images'), 'store'), ...opts });
}

/** layoutFile writes a layout tar for images into the test's temp dir. */
async function layoutFile(t: any, layout: OciLayout): Promise<string> {
  const file = join(tempDir(t, 'archive'), 'image.tar');
  await writeLayoutTar(layout, file);
  return file;
}

async function importImage(t: any, store: FsImageStore, image: BuiltImage, name: string) {
  const [rec] = await store.importArchive(await layoutFile(t, newLayout([{ image, name }])));
  return rec!;
}

test('importArchive loads the OCI layout of the sample busybox image', async (t) => {
  const busybox = (await buildSampleImages()).find((s) => s.name === 'skiff.local/busybox:latest')!;
  const store = await newStore(t);
  const records = await store.importArchive(await layoutFile(t, busybox.layout));
  t.is(records.length, 1);
  const rec = records[0]!;
  t.is(rec.id, busybox.image.id);
  t.deepEqual(rec.repoTags, ['skiff.local/busybox:latest']);
  t.deepEqual(rec.repoDigests, []);
  t.deepEqual(rec.config.config?.Cmd, ['sh']);
  const root = rec.layerDirs[0]!;
  t.is(readlinkSync(join(root, 'bin/sh')), 'busybox');
  t.is(readlinkSync(join(root, 'bin/wget')), 'busybox');
  t.is(lstatSync(join(root, 'tmp')).mode & 0o7777, 0o1777);
  t.regex(readFileSync(join(root, 'etc/passwd'), 'utf8'), /^root:x:0:0:/);
  t.deepEqual((await store.get('skiff.local/busybox'))?.id, rec.id);
});

test('importArchive naming: annotations, --name, tag-only ref names', async (t) => {
  const one = await tinyImage('naming-one');
  const two = await tinyImage('naming-two');
  const store = await newStore(t);

  const [renamed] = await store.importArchive(await layoutFile(t, newLayout([{ image: one, name: 'skiff.local/one:v1' }])), { name: 'mybox:v9' });
  t.deepEqual(renamed!.repoTags, ['docker.io/library/mybox:v9'], '--name overrides the archive name');

  const tagOnly = newLayout([{ image: one }, { image: two }]);
  tagOnly.index.manifests[0]!.annotations = { [ANNOTATION_REF_NAME]: 'a' };
  tagOnly.index.manifests[1]!.annotations = { [ANNOTATION_REF_NAME]: 'b' };
  const unnamed = await store.importArchive(await layoutFile(t, tagOnly));
  t.deepEqual(
    unnamed.map((r) => r.repoTags),
    [['docker.io/library/mybox:v9'], []],
    'a tag alone names nothing (and the first image keeps its earlier tag)',
  );
  const named = await store.importArchive(await layoutFile(t, tagOnly), { name: 'localhost:5000/pair' });
  t.deepEqual(
    named.map((r) => r.repoTags.filter((n) => n.startsWith('localhost'))),
    [['localhost:5000/pair:a'], ['localhost:5000/pair:b']],
  );
});

/** dockerSaveTar builds a `docker save` style archive with legacy per-layer metadata. */
async function dockerSaveTar(t: any, compress: boolean) {
  const layerTar = await buildTar([{ path: 'bin', type: 'directory' }, { path: 'hello.txt', content: 'from docker save\n' }]);
  const diffID = sha256Digest(layerTar);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello'] }, rootfs: { type: 'layers', diff_ids: [diffID] } }),
  );
  const configDigest = sha256Digest(config);
  const layerDir = digestHex(diffID);
  const manifest = [{ Config: `${digestHex(configDigest)}.json`, RepoTags: ['saved:1', 'example.com/team/saved:latest'], Layers: [`${layerDir}/layer.tar`] }];
  const archive = await buildTar([
    { path: `${layerDir}/layer.tar`, content: layerTar },
    { path: `${layerDir}/json`, content: '{}' },
    { path: `${layerDir}/VERSION`, content: '1.0' },
    { path: `${digestHex(configDigest)}.json`, content: config },
    { path: 'manifest.json', content: JSON.stringify(manifest) },
    { path: 'repositories', content: '{}' },
  ]);
  const file = join(tempDir(t, 'docker-save'), 'saved.tar');
  writeFileSync(file, compress ? gzipSync(archive) : archive);
  return { file, configDigest };
}

for (const compress of [false, true]) {
  test(`importArchive loads a docker save archive${compress ? ' (gzipped)' : ''}`, async (t) => {
    const { file, configDigest } = await dockerSaveTar(t, compress);
    const store = await newStore(t);
    const [rec] = await store.importArchive(file);
    t.is(rec!.id, configDigest);
    t.deepEqual(rec!.repoTags.sort(), ['docker.io/library/saved:1', 'example.com/team/saved:latest']);
    t.is(readFileSync(join(rec!.layerDirs[0]!, 'hello.txt'), 'utf8'), 'from docker save\n');
    t.deepEqual(rec!.config.config?.Cmd, ['/hello']);
  });
}

test('importArchive rejects a layout whose blob does not match its name', async (t) => {
  const image = await tinyImage('tampered');
  const layout = newLayout([{ image, name: 'tampered:v1' }]);
  const manifest = JSON.parse(layout.blobs.get(image.descriptor.digest)!.toString());
  layout.blobs.set(manifest.layers[0].digest, Buffer.from('not the layer'));
  const store = await newStore(t);
  const err = await t.throwsAsync(store.importArchive(await layoutFile(t, layout)));
  t.true(isImageError(err, 'DigestMismatch'), String(err));
  t.deepEqual(await store.list(), []);
});

test('a tag moves to the newer image; remove untags, then deletes the image and its unshared layers', async (t) => {
  const shared = await buildLayer([{ path: 'shared.txt', content: 'shared' }]);
  const own = await buildLayer([{ path: 'own.txt', content: 'own' }]);
  const base = buildImage({ layers: [shared], config: { Cmd: ['/base'] } });
  const app = buildImage({ layers: [shared, own], config: { Cmd: ['/app'] } });
  const store = await newStore(t);
  await importImage(t, store, base, 'app:v1');
  const appRec = await importImage(t, store, app, 'app:v1');
  t.deepEqual((await store.get(base.id))?.repoTags, [], 'the old image lost the tag');
  t.is((await store.get('app:v1'))?.id, app.id);
  await importImage(t, store, app, 'app:stable');
  t.deepEqual((await store.get(app.id))?.repoTags, ['docker.io/library/app:v1', 'docker.io/library/app:stable']);

  await store.remove('app:v1');
  t.deepEqual((await store.get(app.id))?.repoTags, ['docker.io/library/app:stable'], 'untagged, still present');
  await store.remove('app:stable');
  t.is(await store.get(app.id), undefined, 'no tags left: removed');
  t.false(existsSync(appRec.layerDirs[1]!), 'its own layer is gone');
  t.true(existsSync(appRec.layerDirs[0]!), 'the layer the base image shares stays');
  t.false(existsSync(join(store.root, 'blobs/sha256', digestHex(app.id))), 'its config blob is gone');

  await store.remove(base.id);
  t.deepEqual(await store.list(), []);
  t.false(existsSync(appRec.layerDirs[0]!));
  await t.notThrowsAsync(store.remove('never-existed:v1'));
});

test('gc removes the least recently used images not in use until under the low threshold', async (t) => {
  const clock = fakeClock();
  const root = join(tempDir(t, 'gc'), 'store');
  const first = await FsImageStore.open({ root, clock: clock.now });
  const recs = [];
  for (const [i, name] of ['gc1', 'gc2', 'gc3'].entries()) {
    clock.set(60_000 * (i + 1));
    recs.push(await importImage(t, first, await tinyImage(name, { bytes: 200_000 }), `${name}:v1`));
  }
  clock.set(240_000);
  await first.markUsed(recs[0]!.id); // LRU order now: gc2, gc3, gc1
  const used = (await first.fsInfo()).usedBytes;

  const store = await FsImageStore.open({ root, clock: clock.now, gc: { highBytes: used - 1, lowBytes: used - 100_000 } });
  const removed = await store.gc(new Set([recs[1]!.id]));
  t.deepEqual(removed, [recs[2]!.id], 'gc2 is in use, so the next least recently used (gc3) goes');
  t.false(existsSync(recs[2]!.layerDirs[0]!));
  t.false(existsSync(join(root, 'blobs/sha256', digestHex(recs[2]!.id))));
  t.deepEqual((await store.list()).map((r) => r.id).sort(), [recs[0]!.id, recs[1]!.id].sort());
  t.deepEqual(await store.gc(new Set()), [], 'under the high threshold nothing more is removed');
});

test('gc with percentages of the file system', async (t) => {
  const clock = fakeClock();
  const store = await newStore(t, {
    clock: clock.now,
    gc: { highPercent: 85, lowPercent: 80 },
    statfs: async () => ({ capacity: 10_000_000, available: 1_400_000 }), // 86% used: free 600 kB
  });
  const a = await importImage(t, store, await tinyImage('pct-a', { bytes: 500_000 }), 'pct-a:v1');
  clock.set(2_000);
  const b = await importImage(t, store, await tinyImage('pct-b', { bytes: 500_000 }), 'pct-b:v1');
  t.deepEqual(await store.gc(new Set()), [a.id], 'one image frees about 1 MB (blob + unpacked), enough: only the older goes');
  t.is((await store.get('pct-b:v1'))?.id, b.id);
  t.deepEqual(await store.gc(new Set(['docker.io/library/pct-b:v1'])), [], 'images in use by tag are kept too');
});

test('gc sweeps blobs and layers no image references (leftovers of a crash)', async (t) => {
  const store = await newStore(t, { gc: { highBytes: Number.MAX_SAFE_INTEGER } });
  const kept = await importImage(t, store, await tinyImage('kept'), 'kept:v1');
  const orphanBlob = join(store.root, 'blobs/sha256', 'ab'.repeat(32));
  const orphanLayer = join(store.root, 'layers/sha256', 'cd'.repeat(32));
  writeFileSync(orphanBlob, noise('orphan', 100));
  mkdirSync(join(orphanLayer, 'half'), { recursive: true });
  t.deepEqual(await store.gc(new Set()), []);
  t.false(existsSync(orphanBlob));
  t.false(existsSync(orphanLayer));
  t.true(existsSync(kept.layerDirs[0]!));
  t.is((await store.get('kept:v1'))?.id, kept.id);
});

test('a new store on the same directory sees the images, last use included, and drops temp leftovers', async (t) => {
  const clock = fakeClock();
  const root = join(tempDir(t, 'reload'), 'store');
  const first = await FsImageStore.open({ root, clock: clock.now });
  const rec = await importImage(t, first, await tinyImage('reload'), 'reload:v1');
  clock.set(99_000);
  await first.markUsed(rec.id);
  clock.set(120_000);
  await first.markUsed(rec.id); // within a minute of the last record: not written again
  writeFileSync(join(root, 'tmp', 'blob-half-written'), 'partial');

  const second = await FsImageStore.open({ root });
  t.deepEqual(await second.list(), await first.list());
  t.is((await second.get('reload:v1'))?.lastUsed, 99_000);
  t.false(existsSync(join(root, 'tmp', 'blob-half-written')));
  t.like(await second.fsInfo(), { mountpoint: root });
  t.true((await second.fsInfo()).inodesUsed > 3);
});
