// image-db.ts: the images index, one JSON file (images.json) rewritten atomically on every
// change, so a kill at any moment leaves either the old or the new index.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './fsutil.js';
import type { OciImageConfig } from './types.js';

/** StoredLayer is one layer of a stored image. */
export interface StoredLayer {
  /** digest of the blob as the manifest lists it (compressed). */
  digest: string;
  /** diffID names the unpacked layer directory. */
  diffID: string;
  /** size of the blob in bytes. */
  size: number;
  /** unpackedBytes is the disk use of the unpacked directory (for GC estimates). */
  unpackedBytes: number;
}

/** StoredImage is what images.json keeps per image. */
export interface StoredImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  config: OciImageConfig;
  lastUsed: number;
  /** manifestDigest is the platform manifest, when the image came with one. */
  manifestDigest?: string;
  /** indexDigest is the index the manifest was chosen from, when there was one. */
  indexDigest?: string;
  layers: StoredLayer[];
}

interface DbFile {
  version: 1;
  images: StoredImage[];
}

/** ImageDb loads and saves images.json. */
export class ImageDb {
  constructor(
    readonly file: string,
    private readonly tmpDir: string,
  ) {}

  async load(): Promise<StoredImage[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err: any) {
      if (err?.code === 'ENOENT') return [];
      throw err;
    }
    const db = JSON.parse(text) as DbFile;
    if (db.version !== 1) throw new Error(`${this.file}: unknown images index version ${db.version}`);
    return db.images;
  }

  async save(images: Iterable<StoredImage>): Promise<void> {
    const db: DbFile = { version: 1, images: [...images].sort((a, b) => a.id.localeCompare(b.id)) };
    await writeFileAtomic(this.file, `${JSON.stringify(db, null, 1)}\n`, this.tmpDir);
  }
}
