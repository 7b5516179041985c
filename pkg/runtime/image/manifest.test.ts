import test from 'ava';
import { isImageError } from './errors.js';
import { MediaType, parseManifest, selectPlatform, type Descriptor, type ImageIndex } from './manifest.js';

function newDescriptor(name: string, platform?: Descriptor['platform'], annotations?: Record<string, string>): Descriptor {
  return { mediaType: MediaType.ociManifest, digest: `sha256:${name.padEnd(64, '0')}`, size: 1, platform, annotations };
}

function newIndex(...manifests: Descriptor[]): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
}

const cases: Array<{ name: string; index: ImageIndex; want: string }> = [
  {
    name: 'exact os/arch',
    index: newIndex(newDescriptor('a', { os: 'linux', architecture: 'arm64' }), newDescriptor('b', { os: 'linux', architecture: 'amd64' })),
    want: 'b',
  },
  {
    name: 'untyped entry when nothing matches (single-arch layout)',
    index: newIndex(newDescriptor('c')),
    want: 'c',
  },
  {
    name: 'attestations are never chosen',
    index: newIndex(newDescriptor('d', undefined, { 'vnd.docker.reference.type': 'attestation-manifest' }), newDescriptor('e')),
    want: 'e',
  },
];

for (const c of cases) {
  test(`selectPlatform: ${c.name}`, (t) => {
    t.is(selectPlatform(c.index).digest, `sha256:${c.want.padEnd(64, '0')}`);
  });
}

test('selectPlatform fails when no entry fits', (t) => {
  const err = t.throws(() => selectPlatform(newIndex(newDescriptor('a', { os: 'windows', architecture: 'amd64' }))));
  t.true(isImageError(err, 'NotFound'));
});

test('parseManifest tells indexes from manifests by content type, mediaType or shape', (t) => {
  const manifest = { schemaVersion: 2, config: { mediaType: MediaType.ociConfig, digest: 'sha256:x', size: 1 }, layers: [] };
  const list = { schemaVersion: 2, manifests: [] };
  t.is(parseManifest(Buffer.from(JSON.stringify(manifest)), MediaType.dockerManifest).kind, 'manifest');
  t.is(parseManifest(Buffer.from(JSON.stringify(list)), `${MediaType.dockerManifestList}; charset=utf-8`).kind, 'index');
  t.is(parseManifest(Buffer.from(JSON.stringify({ ...list, mediaType: MediaType.ociIndex }))).kind, 'index');
  t.is(parseManifest(Buffer.from(JSON.stringify(manifest)), 'application/json').kind, 'manifest');
  t.true(isImageError(t.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}'))), 'Unsupported'));
  t.true(isImageError(t.throws(() => parseManifest(Buffer.from('not json'))), 'Unsupported'));
});
