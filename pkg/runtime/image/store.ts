// store.ts: FsImageStore, the node's content-addressed image store (the ImageStore contract).
//
//   root/
//     blobs/sha256/<hex>        manifests, configs and layer blobs, verified before they appear
//     layers/sha256/<diffID>/   unpacked layers, shared by images, ready as overlay lowerdirs
//     images.json               the images index (tags, digests, last use), replaced atomically
//     tmp/                      temp files and directories; emptied on start
//
// pull/import: resolve manifest → ensure blobs (single flight per digest) → ensure layers
// (single flight per diffID) → commit the record to images.json. Nothing is named until it
// is complete, so a kill at any moment leaves a consistent store; leftovers are swept by GC.
import { statfs } from 'node:fs/promises';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { readArchive, type ArchiveImage } from './archive.js';
import { ContentStore } from './content.js';
import { ImageError } from './errors.js';
import { Mutex, RwLock, SingleFlight } from './flight.js';
import { diskUsage } from './fsutil.js';
import { bytesToFree, chooseVictims, type GcThresholds } from './gc-policy.js';
import { ImageDb, type StoredImage, type StoredLayer } from './image-db.js';
import { LayerStore } from './layers.js';
import { DEFAULT_PLATFORM, type ImageManifest, type Platform } from './manifest.js';
import { openBlob, resolveManifest } from './pull.js';
import { formatReference, isDigest, parseReference, repositoryName, type Reference } from './reference.js';
import { RegistryClient, type FetchFn } from './registry-client.js';
import type { ImageRecord, ImageStore, OciImageConfig, PullOptions } from './types.js';
import type { UnpackOptions } from './unpack.js';


/** markUsedResolutionMs: an image's lastUsed is recorded at most this often. */
const markUsedResolutionMs = 60_000;
/** FsImageStoreOptions configures a store. */
export interface FsImageStoreOptions {
  /** root is the store's directory. */
  root: string;
  /** gc thresholds (kubelet defaults: 85% high, 80% low of the file system). */
  gc?: GcThresholds;
  /** clock returns epoch ms; injected by tests. */
  clock?: () => number;
  /** fetch is the HTTP client for registries; injected by tests. */
  fetch?: FetchFn;
  /** statfs reports the file system's capacity and free bytes; injected by tests. */
  statfs?: (path: string) => Promise<{ capacity: number; available: number }>;
  /** pullDefaults apply to every pull (e.g. the node's insecure registries); per-pull options add to them. */
  pullDefaults?: PullOptions;
  /** platform to choose from multi-platform images (default linux/amd64). */
  platform?: Platform;
  unpack?: UnpackOptions;
  /** maxConcurrentDownloads per pull (default 3). */
  maxConcurrentDownloads?: number;
}

/** FsImageStore keeps images under a root directory. One process owns a root at a time. */
export class FsImageStore implements ImageStore {
  readonly root: string;
  private readonly content: ContentStore;
  private readonly layers: LayerStore;
  private readonly db: ImageDb;
  private readonly tmpDir: string;
  private readonly clock: () => number;
  private readonly flights = new SingleFlight();
  /** dbLock serializes changes to `images` and images.json. */
  private readonly dbLock = new Mutex();
  /** contentLock: pulls and imports read, GC and remove write (they delete content). */
  private readonly contentLock = new RwLock();
  private images = new Map<string, StoredImage>();
  private ready?: Promise<void>;

  constructor(private readonly opts: FsImageStoreOptions) {
    this.root = opts.root;
    this.tmpDir = join(opts.root, 'tmp');
    this.content = new ContentStore(join(opts.root, 'blobs'), this.tmpDir);
    this.layers = new LayerStore(join(opts.root, 'layers'), this.tmpDir, opts.unpack);
    this.db = new ImageDb(join(opts.root, 'images.json'), this.tmpDir);
    this.clock = opts.clock ?? Date.now;
  }

  /** open creates a store and waits until it has loaded its index. */
  static async open(opts: FsImageStoreOptions): Promise<FsImageStore> {
    const store = new FsImageStore(opts);
    await store.init();
    return store;
  }

  /** init prepares the directories, drops leftovers of a previous run and loads the index. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.root, { recursive: true });
      await rm(this.tmpDir, { recursive: true, force: true });
      await mkdir(this.tmpDir, { recursive: true });
      await this.content.init();
      await this.layers.init();
      this.images = new Map((await this.db.load()).map((i) => [i.id, i]));
    })();
    return this.ready;
  }

  async pull(ref: string, opts: PullOptions = {}): Promise<ImageRecord> {
    await this.init();
    const parsed = parseReference(ref);
    const defaults = this.opts.pullDefaults ?? {};
    const client = new RegistryClient(parsed.domain, {
      insecureRegistries: [...(defaults.insecureRegistries ?? []), ...(opts.insecureRegistries ?? [])],
      auth: opts.auth ?? defaults.auth,
      fetch: this.opts.fetch,
    });
    return this.contentLock.read(async () => {
      const resolved = await resolveManifest(client, parsed.path, parsed.digest ?? parsed.tag!, this.platform);
      await this.content.put(resolved.manifest.bytes);
      if (resolved.index) await this.content.put(resolved.index.bytes);
      const image = await this.materialize(resolved.parsed, (digest) => openBlob(client, parsed.path, digest));
      const repo = repositoryName(parsed);
      return this.commit(
        { ...image, manifestDigest: resolved.manifest.digest, indexDigest: resolved.index?.digest },
        parsed.digest === undefined ? [formatReference(parsed)] : [],
        [`${repo}@${resolved.topDigest}`],
      );
    });
  }

  async importArchive(file: string, opts: { name?: string } = {}): Promise<ImageRecord[]> {
    await this.init();
    const override = opts.name === undefined ? undefined : parseReference(opts.name);
    return this.contentLock.read(async () => {
      const found = await readArchive(file, this.content, this.platform);
      const records: ImageRecord[] = [];
      for (const img of found) {
        const image = await this.materialize(img.manifest, async (digest) => {
          throw new ImageError('NotFound', `${file}: blob ${digest} is missing from the archive`);
        });
        const tags = archiveNames(img, override, found.length);
        records.push(await this.commit({ ...image, manifestDigest: img.manifestDigest, indexDigest: img.indexDigest }, tags, []));
      }
      return records;
    });
  }

  async get(ref: string): Promise<ImageRecord | undefined> {
    await this.init();
    const img = this.resolve(ref)?.image;
    return img && this.toRecord(img);
  }

  async list(): Promise<ImageRecord[]> {
    await this.init();
    return [...this.images.values()].map((i) => this.toRecord(i));
  }

  /**
   * remove untags a tag reference and deletes the image once no tag is left; an id or
   * digest deletes the image outright. Removing an unknown image is not an error (as CRI).
   */
  async remove(ref: string): Promise<void> {
    await this.init();
    await this.contentLock.write(() =>
      this.dbLock.lock(async () => {
        const found = this.resolve(ref);
        if (!found) return;
        const { image, byTag } = found;
        if (byTag !== undefined) {
          image.repoTags = image.repoTags.filter((t) => t !== byTag);
          if (image.repoTags.length > 0) {
            await this.db.save(this.images.values());
            return;
          }
        }
        this.images.delete(image.id);
        await this.db.save(this.images.values());
        await this.prune();
      }),
    );
  }

  /** markUsed records a container created from the image; unknown ids are ignored. */
  async markUsed(id: string): Promise<void> {
    await this.init();
    // To the minute is enough for GC by last use; every container start rewriting the image
    // database (under one lock) made parallel starts queue behind each other.
    const cur = this.resolve(id)?.image;
    if (!cur || this.clock() - (cur.lastUsed ?? 0) < markUsedResolutionMs) return;
    await this.dbLock.lock(async () => {
      const img = this.resolve(id)?.image;
      if (!img) return;
      img.lastUsed = this.clock();
      await this.db.save(this.images.values());
    });
  }

  /**
   * gc deletes least recently used images not in inUse (ids, or tags) while disk use is over
   * the high threshold, down to the low one, then deletes content no image references.
   * Returns the ids of deleted images.
   */
  async gc(inUse: Set<string>): Promise<string[]> {
    await this.init();
    return this.contentLock.write(() =>
      this.dbLock.lock(async () => {
        const fs = await (this.opts.statfs ?? defaultStatfs)(this.root);
        const storeBytes = (await diskUsage(this.root)).bytes;
        const toFree = bytesToFree(this.opts.gc ?? {}, { storeBytes, ...fs });
        const victims = chooseVictims(
          [...this.images.values()],
          (img) => inUse.has(img.id) || img.repoTags.some((t) => inUse.has(t)),
          toFree,
        );
        for (const id of victims) this.images.delete(id);
        if (victims.length > 0) await this.db.save(this.images.values());
        await this.prune();
        return victims;
      }),
    );
  }

  async fsInfo(): Promise<{ mountpoint: string; usedBytes: number; inodesUsed: number }> {
    await this.init();
    const usage = await diskUsage(this.root);
    return { mountpoint: this.root, usedBytes: usage.bytes, inodesUsed: usage.inodes };
  }

  private get platform(): Platform {
    return this.opts.platform ?? DEFAULT_PLATFORM;
  }

  /** materialize makes sure the config, blobs and unpacked layers of a manifest are stored. */
  private async materialize(
    manifest: ImageManifest,
    open: (digest: string) => Promise<Readable>,
  ): Promise<Pick<StoredImage, 'id' | 'config' | 'layers' | 'size'>> {
    const configDigest = manifest.config.digest;
    await this.ensureBlob(configDigest, manifest.config.size, open);
    const config = JSON.parse((await this.content.read(configDigest)).toString('utf8')) as OciImageConfig;
    const diffIDs = config.rootfs?.diff_ids ?? [];
    if (diffIDs.length !== manifest.layers.length) {
      throw new ImageError('Unsupported', `image ${configDigest}: config lists ${diffIDs.length} layers, manifest ${manifest.layers.length}`);
    }
    const layers = await mapLimit(manifest.layers, this.opts.maxConcurrentDownloads ?? 3, async (desc, i): Promise<StoredLayer> => {
      await this.ensureBlob(desc.digest, desc.size, open);
      const diffID = diffIDs[i]!;
      const unpackedBytes = await this.ensureLayer(diffID, desc.digest);
      return { digest: desc.digest, diffID, size: desc.size, unpackedBytes };
    });
    return { id: configDigest, config, layers, size: layers.reduce((n, l) => n + l.size, 0) };
  }

  private ensureBlob(digest: string, size: number, open: (digest: string) => Promise<Readable>): Promise<void> {
    return this.flights.run(`blob:${digest}`, 'ensure', async () => {
      if (await this.content.has(digest)) return;
      await this.content.ingest(digest, await open(digest), size);
    });
  }

  private ensureLayer(diffID: string, blobDigest: string): Promise<number> {
    return this.flights.run(`layer:${diffID}`, 'ensure', async () => {
      if (await this.layers.has(diffID)) {
        for (const img of this.images.values()) {
          const known = img.layers.find((l) => l.diffID === diffID);
          if (known) return known.unpackedBytes;
        }
        return this.layers.usage(diffID);
      }
      return this.layers.unpack(diffID, this.content.open(blobDigest));
    });
  }

  /** commit records an image with its new tags (moved from any other image) and digests. */
  private commit(image: Omit<StoredImage, 'repoTags' | 'repoDigests' | 'lastUsed'>, tags: string[], digests: string[]): Promise<ImageRecord> {
    return this.dbLock.lock(async () => {
      for (const other of this.images.values()) {
        if (other.id !== image.id) other.repoTags = other.repoTags.filter((t) => !tags.includes(t));
      }
      const existing = this.images.get(image.id);
      const record: StoredImage = {
        ...image,
        manifestDigest: image.manifestDigest ?? existing?.manifestDigest,
        indexDigest: image.indexDigest ?? existing?.indexDigest,
        repoTags: union(existing?.repoTags ?? [], tags),
        repoDigests: union(existing?.repoDigests ?? [], digests),
        lastUsed: this.clock(),
      };
      this.images.set(record.id, record);
      await this.db.save(this.images.values());
      return this.toRecord(record);
    });
  }

  /** prune deletes blobs and layers no image references. Callers hold the content write lock. */
  private async prune(): Promise<void> {
    const blobs = new Set<string>();
    const layers = new Set<string>();
    for (const img of this.images.values()) {
      blobs.add(img.id);
      if (img.manifestDigest) blobs.add(img.manifestDigest);
      if (img.indexDigest) blobs.add(img.indexDigest);
      for (const l of img.layers) {
        blobs.add(l.digest);
        layers.add(l.diffID);
      }
    }
    for (const d of await this.content.list()) if (!blobs.has(d)) await this.content.remove(d);
    for (const d of await this.layers.list()) if (!layers.has(d)) await this.layers.remove(d);
  }

  /** resolve finds an image by id, short id, tag reference, repo digest or manifest digest. */
  private resolve(ref: string): { image: StoredImage; byTag?: string } | undefined {
    const byId = this.images.get(ref) ?? (/^[a-f0-9]{64}$/.test(ref) ? this.images.get(`sha256:${ref}`) : undefined);
    if (byId) return { image: byId };
    if (isDigest(ref)) {
      const img = [...this.images.values()].find(
        (i) => i.manifestDigest === ref || i.indexDigest === ref || i.repoDigests.some((d) => d.endsWith(`@${ref}`)),
      );
      return img && { image: img };
    }
    let parsed: Reference | undefined;
    try {
      parsed = parseReference(ref);
    } catch {
      parsed = undefined;
    }
    if (parsed?.digest !== undefined) {
      const want = `${repositoryName(parsed)}@${parsed.digest}`;
      const img = [...this.images.values()].find((i) => i.repoDigests.includes(want));
      return img && { image: img };
    }
    if (parsed) {
      const tag = formatReference(parsed);
      const img = [...this.images.values()].find((i) => i.repoTags.includes(tag));
      if (img) return { image: img, byTag: tag };
    }
    if (/^[a-f0-9]{6,63}$/.test(ref)) {
      const matches = [...this.images.values()].filter((i) => i.id.startsWith(`sha256:${ref}`));
      if (matches.length === 1) return { image: matches[0]! };
    }
    return undefined;
  }

  private toRecord(img: StoredImage): ImageRecord {
    return {
      id: img.id,
      repoTags: [...img.repoTags],
      repoDigests: [...img.repoDigests],
      size: img.size,
      config: structuredClone(img.config),
      layerDirs: img.layers.map((l) => this.layers.path(l.diffID)),
      lastUsed: img.lastUsed,
    };
  }
}

/** archiveNames decides the tags of an imported image (--name wins for a single image). */
function archiveNames(img: ArchiveImage, override: Reference | undefined, count: number): string[] {
  if (override && count === 1) return [formatReference(override)];
  if (override && img.tagOnly !== undefined) return [formatReference({ ...override, tag: img.tagOnly, digest: undefined })];
  return img.names.map((n) => formatReference(parseReference(n)));
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}

async function defaultStatfs(path: string): Promise<{ capacity: number; available: number }> {
  const s = await statfs(path);
  return { capacity: s.blocks * s.bsize, available: s.bavail * s.bsize };
}

/**
 * mapLimit maps items with at most limit calls in flight, keeping order. After a failure no
 * new call starts, and it rejects only once the running ones have settled, so nothing keeps
 * writing into the store after the caller has given up.
 */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
  return out;
}
