// manifest.ts: OCI and Docker v2 manifest shapes and media types, and platform selection
// for multi-platform indexes.
import { ImageError } from './errors.js';

/** MediaType lists the manifest, config and layer media types the store understands. */
export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** MANIFEST_ACCEPT is the Accept header for manifest GETs, most preferred first. */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
].join(', ');

/** Platform is an OCI platform description. */
export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

/** Descriptor points at content by digest. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** ImageManifest is an OCI image manifest or a Docker v2 schema 2 manifest. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** ImageIndex is an OCI image index or a Docker manifest list. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** ANNOTATION_REF_NAME is the OCI annotation naming an image in a layout's index.json. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
/** ANNOTATION_CONTAINERD_NAME is containerd's annotation with the full image name. */
export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';

/** isIndexMediaType tells whether a media type names an index / manifest list. */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
}

/** isManifestMediaType tells whether a media type names a single-image manifest. */
export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.ociManifest || mediaType === MediaType.dockerManifest;
}

/** ParsedManifest is a manifest document tagged by kind. */
export type ParsedManifest = { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest };

/**
 * parseManifest decides from the Content-Type (or the document's own mediaType, or its shape)
 * whether bytes hold an index or an image manifest.
 */
export function parseManifest(bytes: Buffer, contentType?: string): ParsedManifest {
  let doc: any;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ImageError('Unsupported', 'manifest is not JSON', { cause: err });
  }
  const type = [contentType?.split(';')[0]?.trim(), doc?.mediaType].find(
    (m) => isIndexMediaType(m) || isManifestMediaType(m),
  );
  if (doc?.schemaVersion !== 2) throw new ImageError('Unsupported', `unsupported manifest schemaVersion ${doc?.schemaVersion}`);
  if (isIndexMediaType(type) || (type === undefined && Array.isArray(doc.manifests))) {
    if (!Array.isArray(doc.manifests)) throw new ImageError('Unsupported', 'index without manifests');
    return { kind: 'index', index: doc as ImageIndex };
  }
  if (isManifestMediaType(type) || (type === undefined && doc.config && Array.isArray(doc.layers))) {
    if (!doc.config || !Array.isArray(doc.layers)) throw new ImageError('Unsupported', 'manifest without config or layers');
    return { kind: 'manifest', manifest: doc as ImageManifest };
  }
  throw new ImageError('Unsupported', `unsupported manifest media type ${type ?? contentType ?? 'unknown'}`);
}

/** DEFAULT_PLATFORM is the platform nodes run: linux/amd64. */
export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/**
 * selectPlatform picks the manifest for a platform from an index. Entries without a platform
 * (attestations, single-arch layouts) are used only when nothing matches exactly.
 */
export function selectPlatform(index: ImageIndex, want: Platform = DEFAULT_PLATFORM): Descriptor {
  const manifests = index.manifests.filter((m) => isManifestMediaType(m.mediaType) || isIndexMediaType(m.mediaType) || !m.mediaType);
  const exact = manifests.find(
    (m) =>
      m.platform?.os === want.os &&
      m.platform.architecture === want.architecture &&
      (want.variant === undefined || m.platform.variant === want.variant),
  );
  if (exact) return exact;
  const untyped = manifests.find(
    (m) => m.platform === undefined && m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
  );
  if (untyped) return untyped;
  const have = index.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).join(', ');
  throw new ImageError('NotFound', `no manifest for ${want.os}/${want.architecture} in index (have ${have})`);
}
