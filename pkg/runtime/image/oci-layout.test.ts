import test from 'ava';
import { join } from 'node:path';
import { sha256Digest } from './digest.js';
import { MediaType } from './manifest.js';
import { buildIndex, canonicalJson, layoutTar, readLayoutTar, writeLayoutTar } from './oci-layout.js';
import { buildSampleImages } from './samples.js';
import { tempDir, tinyImage } from './testutil.js';

test('sample images build deterministically: same digests and byte-identical layout tars', async (t) => {
  const [a, b] = [await buildSampleImages(), await buildSampleImages()];
  t.deepEqual(
    a.map((s) => s.name),
    ['skiff.local/busybox:latest', 'skiff.local/web:v1', 'skiff.local/web:v2', 'skiff.local/crasher:latest', 'skiff.local/batch:latest'],
  );
  for (const [i, s] of a.entries()) {
    t.is(s.image.descriptor.digest, b[i]!.image.descriptor.digest, s.name);
    t.true((await layoutTar(s.layout)).equals(await layoutTar(b[i]!.layout)), s.name);
  }
  const ids = new Set(a.map((s) => s.image.id));
  t.is(ids.size, a.length, 'every sample is a distinct image');
});

test('sample web images share the busybox base layer and differ in their app layer', async (t) => {
  const samples = await buildSampleImages();
  const manifest = (name: string) => {
    const s = samples.find((x) => x.name === name)!;
    return JSON.parse(s.image.blobs.get(s.image.descriptor.digest)!.toString());
  };
  const [busybox, v1, v2] = ['skiff.local/busybox:latest', 'skiff.local/web:v1', 'skiff.local/web:v2'].map(manifest);
  t.is(v1.layers[0].digest, busybox.layers[0].digest);
  t.is(v2.layers[0].digest, busybox.layers[0].digest);
  t.not(v1.layers[1].digest, v2.layers[1].digest);
  t.is(v1.layers[1].mediaType, MediaType.ociLayerGzip);
  const web = samples.find((x) => x.name === 'skiff.local/web:v1')!;
  const config = JSON.parse(web.image.blobs.get(web.image.id)!.toString());
  t.deepEqual(config.config.ExposedPorts, { '8080/tcp': {} });
  t.is(config.rootfs.diff_ids.length, 2);
});

test('writeLayoutTar and readLayoutTar round-trip a layout with an index', async (t) => {
  const index = buildIndex([await tinyImage('rt-amd64'), await tinyImage('rt-arm64', { platform: { os: 'linux', architecture: 'arm64' } })]);
  const layout = { index: { schemaVersion: 2 as const, mediaType: MediaType.ociIndex, manifests: [index.descriptor] }, blobs: index.blobs };
  const file = join(tempDir(t, 'layout'), 'multi.tar');
  await writeLayoutTar(layout, file);
  const back = await readLayoutTar(file);
  t.deepEqual(back.index, layout.index);
  t.deepEqual([...back.blobs.keys()].sort(), [...layout.blobs.keys()].sort());
  for (const [digest, data] of back.blobs) t.is(sha256Digest(data), digest);
});

test('canonicalJson sorts keys and drops undefined', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: undefined, c: [{ z: 1, y: 2 }] } }).toString(), '{"a":{"c":[{"y":2,"z":1}]},"b":1}');
});
