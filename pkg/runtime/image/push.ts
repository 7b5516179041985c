// push.ts: pushes an image from an OCI layout to a registry (OCI distribution API v2):
// blobs by monolithic upload (POST, then PUT with ?digest=), skipping blobs the registry
// has, then manifests, children of an index first. Used by tests and hack scripts to fill
// the loopback registry.
import { sha256Digest } from './digest.js';
import { ImageError } from './errors.js';
import { ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME, parseManifest, type Descriptor } from './manifest.js';
import type { OciLayout } from './oci-layout.js';
import { normalizeReference, parseReference } from './reference.js';
import { RegistryClient, responseError, type FetchFn } from './registry-client.js';

/** PushOptions configures a push. */
export interface PushOptions {
  /** insecureRegistries may be reached over plain HTTP (loopback only). */
  insecureRegistries?: string[];
  auth?: { username: string; password: string };
  fetch?: FetchFn;
  /** select names the image in a multi-image layout (its ref name annotation). */
  select?: string;
}

/** PushResult is what the target reference now points at. */
export interface PushResult {
  /** digest of the pushed top-level manifest or index. */
  digest: string;
  mediaType: string;
}

/** pushLayout pushes one image (or index) of layout to target ("127.0.0.1:5000/web:v1"). */
export async function pushLayout(layout: OciLayout, target: string, opts: PushOptions = {}): Promise<PushResult> {
  const ref = parseReference(target);
  const client = new RegistryClient(ref.domain, opts);
  const desc = selectDescriptor(layout, opts.select);
  const pusher = new Pusher(client, ref.path, layout);
  await pusher.push(desc, ref.digest ?? ref.tag!);
  return { digest: desc.digest, mediaType: desc.mediaType };
}

function selectDescriptor(layout: OciLayout, select?: string): Descriptor {
  const manifests = layout.index.manifests;
  if (select === undefined) {
    if (manifests.length !== 1) throw new ImageError('InvalidReference', `layout holds ${manifests.length} images; say which to push`);
    return manifests[0]!;
  }
  const want = normalizeReference(select);
  const found = manifests.find((m) => {
    const names = [m.annotations?.[ANNOTATION_CONTAINERD_NAME], m.annotations?.[ANNOTATION_REF_NAME]];
    return names.some((n) => n === select || (n !== undefined && safeNormalize(n) === want));
  });
  if (!found) throw new ImageError('NotFound', `layout has no image named ${select}`);
  return found;
}

function safeNormalize(name: string): string | undefined {
  try {
    return normalizeReference(name);
  } catch {
    return undefined;
  }
}

class Pusher {
  constructor(
    private readonly client: RegistryClient,
    private readonly repository: string,
    private readonly layout: OciLayout,
  ) {}

  /** push uploads everything desc needs, then the manifest under reference. */
  async push(desc: Descriptor, reference: string): Promise<void> {
    const bytes = this.blob(desc.digest);
    const doc = parseManifest(bytes, desc.mediaType);
    if (doc.kind === 'index') {
      for (const child of doc.index.manifests) await this.push(child, child.digest);
    } else {
      await this.pushBlob(doc.manifest.config.digest);
      for (const layer of doc.manifest.layers) await this.pushBlob(layer.digest);
    }
    const res = await this.client.request(`${this.repository}/manifests/${reference}`, {
      method: 'PUT',
      repository: this.repository,
      actions: 'pull,push',
      headers: { 'content-type': desc.mediaType },
      body: bytes,
    });
    if (res.status !== 201 && res.status !== 200) throw await responseError(res, `push manifest ${this.repository}:${reference}`);
    await res.body?.cancel();
  }

  private blob(digest: string): Buffer {
    const data = this.layout.blobs.get(digest);
    if (!data) throw new ImageError('NotFound', `layout is missing blob ${digest}`);
    if (sha256Digest(data) !== digest) throw new ImageError('DigestMismatch', `layout blob ${digest} does not match its content`);
    return data;
  }

  private async pushBlob(digest: string): Promise<void> {
    const data = this.blob(digest);
    const scope = { repository: this.repository, actions: 'pull,push' as const };
    const head = await this.client.request(`${this.repository}/blobs/${digest}`, { ...scope, method: 'HEAD' });
    await head.body?.cancel();
    if (head.ok) return;
    const start = await this.client.request(`${this.repository}/blobs/uploads/`, { ...scope, method: 'POST' });
    if (start.status !== 202) throw await responseError(start, `start upload of ${digest}`);
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (!location) throw new ImageError('Registry', `upload of ${digest}: registry gave no Location`);
    const url = new URL(location, this.client.baseUrl);
    url.searchParams.set('digest', digest);
    const put = await this.client.request('', {
      ...scope,
      method: 'PUT',
      absolute: url.toString(),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
      body: data,
    });
    if (put.status !== 201) throw await responseError(put, `upload of ${digest}`);
    await put.body?.cancel();
  }
}
