// oci-layout.ts: builds OCI images in memory and reads/writes OCI image layout tars
// (oci-layout, index.json, blobs/sha256/…). Everything is deterministic: the same inputs
// give byte-identical blobs and tars, hence stable digests.
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { digestHex, sha256Digest } from './digest.js';
import { ImageError } from './errors.js';
import {
  ANNOTATION_CONTAINERD_NAME,
  ANNOTATION_REF_NAME,
  MediaType,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './manifest.js';
import { normalizeReference } from './reference.js';
import { buildTar, gzipDeterministic, type TarEntry } from './tarball.js';
import type { OciImageConfig } from './types.js';

/** OciLayout is an image layout held in memory: its index and its blobs by digest. */
export interface OciLayout {
  index: ImageIndex;
  blobs: Map<string, Buffer>;
}

/** BuiltLayer is a gzip-compressed layer with both of its digests. */
export interface BuiltLayer {
  /** digest of the compressed blob (what manifests list). */
  digest: string;
  /** diffID is the digest of the uncompressed tar (what configs list). */
  diffID: string;
  mediaType: string;
  data: Buffer;
}

/** buildLayer makes a gzip layer from entries (sorted, fixed mtimes). */
export async function buildLayer(entries: TarEntry[]): Promise<BuiltLayer> {
  const tarBytes = await buildTar(entries);
  const data = gzipDeterministic(tarBytes);
  return { digest: sha256Digest(data), diffID: sha256Digest(tarBytes), mediaType: MediaType.ociLayerGzip, data };
}

/** ImageSpec describes an image to build. */
export interface ImageSpec {
  layers: BuiltLayer[];
  /** config is the runtime part of the image config (Env, Cmd, …). */
  config: NonNullable<OciImageConfig['config']>;
  platform?: Platform;
  /** created is recorded in the config; fixed by default for reproducibility. */
  created?: string;
}

/** BuiltImage is an image's manifest descriptor plus the blobs it needs. */
export interface BuiltImage {
  descriptor: Descriptor;
  /** id is the config digest, the image id the store will report. */
  id: string;
  blobs: Map<string, Buffer>;
}

/** canonicalJson serializes with sorted keys, so equal documents give equal digests. */
export function canonicalJson(value: unknown): Buffer {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return Buffer.from(JSON.stringify(sort(value)));
}

/** buildImage writes the config and manifest for layers; the result is ready for a layout. */
export function buildImage(spec: ImageSpec): BuiltImage {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const config = canonicalJson({
    created: spec.created ?? '1970-01-01T00:00:00Z',
    architecture: platform.architecture,
    os: platform.os,
    variant: platform.variant,
    config: spec.config,
    rootfs: { type: 'layers', diff_ids: spec.layers.map((l) => l.diffID) },
    history: spec.layers.map(() => ({ created: spec.created ?? '1970-01-01T00:00:00Z', created_by: 'skiff image builder' })),
  });
  const configDesc: Descriptor = { mediaType: MediaType.ociConfig, digest: sha256Digest(config), size: config.length };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: configDesc,
    layers: spec.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.data.length })),
  };
  const manifestBytes = canonicalJson(manifest);
  const blobs = new Map<string, Buffer>([[configDesc.digest, config]]);
  for (const l of spec.layers) blobs.set(l.digest, l.data);
  const descriptor: Descriptor = { mediaType: MediaType.ociManifest, digest: sha256Digest(manifestBytes), size: manifestBytes.length, platform };
  blobs.set(descriptor.digest, manifestBytes);
  return { descriptor, id: configDesc.digest, blobs };
}

/** buildIndex groups per-platform images under one image index (a multi-arch image). */
export function buildIndex(images: BuiltImage[]): BuiltImage {
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: images.map((i) => i.descriptor) };
  const bytes = canonicalJson(index);
  const blobs = new Map<string, Buffer>();
  for (const i of images) for (const [d, b] of i.blobs) blobs.set(d, b);
  const descriptor: Descriptor = { mediaType: MediaType.ociIndex, digest: sha256Digest(bytes), size: bytes.length };
  blobs.set(descriptor.digest, bytes);
  return { descriptor, id: descriptor.digest, blobs };
}

/**
 * newLayout puts images in a layout, naming each with its full normalized reference in
 * both the OCI ref.name annotation and containerd's image name annotation.
 */
export function newLayout(images: Array<{ image: BuiltImage; name?: string }>): OciLayout {
  const blobs = new Map<string, Buffer>();
  const manifests: Descriptor[] = [];
  for (const { image, name } of images) {
    for (const [d, b] of image.blobs) blobs.set(d, b);
    const desc: Descriptor = { ...image.descriptor };
    if (name !== undefined) {
      const full = normalizeReference(name);
      desc.annotations = { [ANNOTATION_CONTAINERD_NAME]: full, [ANNOTATION_REF_NAME]: name };
    }
    manifests.push(desc);
  }
  return { index: { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }, blobs };
}

const OCI_LAYOUT_FILE = Buffer.from('{"imageLayoutVersion":"1.0.0"}');

/** layoutTar serializes a layout as a tar, entries sorted, fixed mtimes. */
export async function layoutTar(layout: OciLayout): Promise<Buffer> {
  const entries: TarEntry[] = [
    { path: 'blobs', type: 'directory' },
    { path: 'blobs/sha256', type: 'directory' },
    { path: 'oci-layout', content: OCI_LAYOUT_FILE },
    { path: 'index.json', content: canonicalJson(layout.index) },
  ];
  for (const [digest, data] of layout.blobs) entries.push({ path: `blobs/sha256/${digestHex(digest)}`, content: data });
  return buildTar(entries);
}

/** writeLayoutTar writes a layout tar to file. */
export async function writeLayoutTar(layout: OciLayout, file: string): Promise<void> {
  await writeFile(file, await layoutTar(layout));
}

/**
 * readLayoutTar loads a layout tar into memory, checking every blob's digest. Meant for
 * the modest layouts tests and hack scripts push; the store imports archives by streaming.
 */
export async function readLayoutTar(file: string): Promise<OciLayout> {
  const extract = tar.extract();
  const piping = pipeline(createReadStream(file), extract as unknown as Writable);
  piping.catch(() => {});
  const blobs = new Map<string, Buffer>();
  let index: ImageIndex | undefined;
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry as unknown as AsyncIterable<Buffer>) chunks.push(c);
    const name = entry.header.name.replace(/^\.?\//, '');
    const data = Buffer.concat(chunks);
    const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    if (m) {
      const digest = `sha256:${m[1]}`;
      if (sha256Digest(data) !== digest) throw new ImageError('DigestMismatch', `${file}: blob ${digest} does not match its content`);
      blobs.set(digest, data);
    } else if (name === 'index.json') {
      index = JSON.parse(data.toString('utf8')) as ImageIndex;
    }
  }
  await piping;
  if (!index) throw new ImageError('Unsupported', `${file}: not an OCI layout (no index.json)`);
  return { index, blobs };
}
