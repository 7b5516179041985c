// archive.ts: reads image archives, an OCI image layout tar (index.json, blobs/) or a
// `docker save` tar (manifest.json with RepoTags, Config, Layers), optionally gzip- or
// zstd-compressed. Blobs are streamed straight into the content store (verified where the
// archive names them by digest); only the small metadata files are held in memory.
import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { ContentStore } from './content.js';
import { decompress } from './decompress.js';
import { ImageError } from './errors.js';
import {
  ANNOTATION_CONTAINERD_NAME,
  ANNOTATION_REF_NAME,
  MediaType,
  parseManifest,
  selectPlatform,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './manifest.js';
import { splitEntryPath } from './unpack.js';

/** ArchiveImage is one image found in an archive. */
export interface ArchiveImage {
  /** names are the full references the archive gives the image. */
  names: string[];
  /** tagOnly is a ref.name annotation that is only a tag ("v1"), to combine with --name. */
  tagOnly?: string;
  manifest: ImageManifest;
  manifestDigest?: string;
  indexDigest?: string;
}

const METADATA_FILES = new Set(['index.json', 'manifest.json', 'oci-layout', 'repositories']);
const MAX_METADATA_BYTES = 8 << 20;

interface DockerSaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** readArchive stores an archive's blobs in content and describes its images. */
export async function readArchive(file: string, content: ContentStore, platform?: Platform): Promise<ArchiveImage[]> {
  const metadata = new Map<string, Buffer>();
  const byName = new Map<string, string>();
  const extract = tar.extract();
  const piping = pipeline(decompress(createReadStream(file)), extract as unknown as Writable);
  piping.catch(() => {});
  for await (const entry of extract) {
    const body = entry as unknown as AsyncIterable<Buffer>;
    const type = entry.header.type ?? 'file';
    const name = splitEntryPath(entry.header.name).join('/');
    if (type !== 'file' && type !== 'contiguous-file') {
      entry.resume();
      continue;
    }
    if (METADATA_FILES.has(name)) {
      if ((entry.header.size ?? 0) > MAX_METADATA_BYTES) throw new ImageError('Unsupported', `${file}: ${name} is too large`);
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c);
      metadata.set(name, Buffer.concat(chunks));
      continue;
    }
    const blob = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    if (blob) {
      const digest = `sha256:${blob[1]}`;
      if (await content.has(digest)) entry.resume();
      else await content.ingest(digest, body, entry.header.size);
      byName.set(name, digest);
    } else if (/(^|\/)(json|VERSION)$/.test(name)) {
      // Legacy per-layer metadata of `docker save`: not needed.
      entry.resume();
    } else {
      byName.set(name, (await content.ingestUnknown(body)).digest);
    }
  }
  await piping;
  const dockerManifest = metadata.get('manifest.json');
  if (dockerManifest) return dockerSaveImages(file, dockerManifest, byName, content);
  const index = metadata.get('index.json');
  if (index) return ociLayoutImages(file, index, content, platform);
  throw new ImageError('Unsupported', `${file}: neither an OCI layout (index.json) nor a docker save archive (manifest.json)`);
}

async function dockerSaveImages(file: string, bytes: Buffer, byName: Map<string, string>, content: ContentStore): Promise<ArchiveImage[]> {
  const entries = JSON.parse(bytes.toString('utf8')) as DockerSaveEntry[];
  if (!Array.isArray(entries)) throw new ImageError('Unsupported', `${file}: manifest.json is not a list`);
  const lookup = (path: string) => {
    const digest = byName.get(splitEntryPath(path).join('/'));
    if (!digest) throw new ImageError('NotFound', `${file}: ${path} is listed in manifest.json but missing`);
    return digest;
  };
  const images: ArchiveImage[] = [];
  for (const e of entries) {
    const configDigest = lookup(e.Config);
    const layers = [];
    for (const l of e.Layers) {
      const digest = lookup(l);
      layers.push({ mediaType: MediaType.ociLayer, digest, size: await content.size(digest) });
    }
    images.push({
      names: e.RepoTags ?? [],
      manifest: {
        schemaVersion: 2,
        mediaType: MediaType.dockerManifest,
        config: { mediaType: MediaType.dockerConfig, digest: configDigest, size: await content.size(configDigest) },
        layers,
      },
    });
  }
  return images;
}

async function ociLayoutImages(file: string, bytes: Buffer, content: ContentStore, platform?: Platform): Promise<ArchiveImage[]> {
  const index = JSON.parse(bytes.toString('utf8')) as ImageIndex;
  if (!Array.isArray(index.manifests)) throw new ImageError('Unsupported', `${file}: index.json has no manifests`);
  const images: ArchiveImage[] = [];
  for (const desc of index.manifests) {
    const names: string[] = [];
    let tagOnly: string | undefined;
    const full = desc.annotations?.[ANNOTATION_CONTAINERD_NAME];
    const refName = desc.annotations?.[ANNOTATION_REF_NAME];
    if (full) names.push(full);
    if (refName !== undefined) {
      // ref.name is either a full reference or just a tag.
      if (/[/:@]/.test(refName)) {
        if (!full) names.push(refName);
      } else {
        tagOnly = refName;
      }
    }
    let digest = desc.digest;
    let indexDigest: string | undefined;
    for (let depth = 0; ; depth++) {
      if (depth > 4) throw new ImageError('Unsupported', `${file}: indexes nested too deeply`);
      const doc = parseManifest(await content.read(digest), depth === 0 ? desc.mediaType : undefined);
      if (doc.kind === 'manifest') {
        images.push({ names, tagOnly, manifest: doc.manifest, manifestDigest: digest, indexDigest });
        break;
      }
      indexDigest ??= digest;
      digest = selectPlatform(doc.index, platform).digest;
    }
  }
  return images;
}
