// pull.ts: the registry side of a pull: resolve a reference to a platform manifest
// (through an index when there is one) and open blobs. Every manifest is checked against
// the digest that named it; blobs are checked by the content store while they stream in.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sha256Digest, verifyDigest } from './digest.js';
import { ImageError } from './errors.js';
import { DEFAULT_PLATFORM, MANIFEST_ACCEPT, parseManifest, selectPlatform, type ImageManifest, type Platform } from './manifest.js';
import { responseError, type RegistryClient } from './registry-client.js';

/** MAX_MANIFEST_BYTES bounds manifest downloads, as containerd does. */
export const MAX_MANIFEST_BYTES = 4 << 20;

/** FetchedManifest is a manifest document and its verified digest. */
export interface FetchedManifest {
  digest: string;
  bytes: Buffer;
  contentType: string;
}

/** ResolvedManifest is where a reference led. */
export interface ResolvedManifest {
  /** topDigest is what the tag pointed at (an index or a manifest): the repo digest. */
  topDigest: string;
  /** index is set when the reference named an index / manifest list. */
  index?: FetchedManifest;
  manifest: FetchedManifest;
  parsed: ImageManifest;
}

/** getManifest fetches a manifest by tag or digest and verifies its digest. */
export async function getManifest(client: RegistryClient, repository: string, reference: string): Promise<FetchedManifest> {
  const res = await client.request(`${repository}/manifests/${reference}`, {
    repository,
    actions: 'pull',
    headers: { accept: MANIFEST_ACCEPT },
  });
  if (!res.ok) throw await responseError(res, `manifest ${client.domain}/${repository}:${reference}`);
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_MANIFEST_BYTES) {
    await res.body?.cancel();
    throw new ImageError('Unsupported', `manifest ${reference} is too large (${length} bytes)`);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_MANIFEST_BYTES) throw new ImageError('Unsupported', `manifest ${reference} is too large`);
  const digest = sha256Digest(bytes);
  const what = `manifest ${client.domain}/${repository}:${reference}`;
  if (reference.startsWith('sha256:')) verifyDigest(what, reference, digest);
  const header = res.headers.get('docker-content-digest');
  if (header?.startsWith('sha256:')) verifyDigest(what, header, digest);
  return { digest, bytes, contentType: res.headers.get('content-type') ?? '' };
}

/** resolveManifest follows a reference to the manifest for platform. */
export async function resolveManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  platform: Platform = DEFAULT_PLATFORM,
): Promise<ResolvedManifest> {
  const top = await getManifest(client, repository, reference);
  const first = parseManifest(top.bytes, top.contentType);
  if (first.kind === 'manifest') return { topDigest: top.digest, manifest: top, parsed: first.manifest };
  let doc = first;
  let index = top;
  // Nested indexes are legal; follow a bounded number of them.
  for (let depth = 0; depth < 4; depth++) {
    const chosen = selectPlatform(doc.index, platform);
    const next = await getManifest(client, repository, chosen.digest);
    const parsed = parseManifest(next.bytes, next.contentType);
    if (parsed.kind === 'manifest') return { topDigest: top.digest, index, manifest: next, parsed: parsed.manifest };
    doc = parsed;
    index = next;
  }
  throw new ImageError('Unsupported', `manifest ${reference}: indexes nested too deeply`);
}

/** openBlob starts a blob download; the caller verifies the digest while storing it. */
export async function openBlob(client: RegistryClient, repository: string, digest: string): Promise<Readable> {
  const res = await client.request(`${repository}/blobs/${digest}`, { repository, actions: 'pull' });
  if (!res.ok || !res.body) throw await responseError(res, `blob ${client.domain}/${repository}@${digest}`);
  return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
}
