// content.ts: the blob store, blobs/sha256/<hex>. A blob appears under its name only after
// its bytes were written to a temp file, fsynced and verified against the digest.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestHex, DigestStream, sha256Digest, verifyDigest } from './digest.js';
import { ImageError } from './errors.js';
import { fsyncDir, tempName, writeFileAtomic } from './fsutil.js';

/** ContentStore keeps blobs by sha256 digest. */
export class ContentStore {
  private readonly dir: string;

  constructor(
    root: string,
    private readonly tmpDir: string,
  ) {
    this.dir = join(root, 'sha256');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** path is where a blob lives. */
  path(digest: string): string {
    return join(this.dir, digestHex(digest));
  }

  async has(digest: string): Promise<boolean> {
    try {
      await stat(this.path(digest));
      return true;
    } catch {
      return false;
    }
  }

  /** size is a stored blob's length in bytes. */
  async size(digest: string): Promise<number> {
    return (await stat(this.path(digest))).size;
  }

  /**
   * ingest streams source into the store as digest; a mismatch in digest or size throws
   * ImageError DigestMismatch and leaves nothing behind. Returns the byte count.
   */
  async ingest(digest: string, source: Readable | AsyncIterable<Buffer>, expectedSize?: number): Promise<number> {
    const { digest: got, size, tmp } = await this.writeTemp(source);
    try {
      verifyDigest(`blob ${digest}`, digest, got);
      if (expectedSize !== undefined && expectedSize >= 0 && size !== expectedSize) {
        throw new ImageError('DigestMismatch', `blob ${digest}: size ${size} differs from descriptor size ${expectedSize}`);
      }
      await rename(tmp, this.path(digest));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await fsyncDir(this.dir);
    return size;
  }

  /** ingestUnknown stores a stream whose digest is not known beforehand; returns it. */
  async ingestUnknown(source: Readable | AsyncIterable<Buffer>): Promise<{ digest: string; size: number }> {
    const { digest, size, tmp } = await this.writeTemp(source);
    try {
      await rename(tmp, this.path(digest));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await fsyncDir(this.dir);
    return { digest, size };
  }

  /** put stores a buffer and returns its digest. */
  async put(data: Buffer): Promise<string> {
    const digest = sha256Digest(data);
    if (!(await this.has(digest))) await writeFileAtomic(this.path(digest), data, this.tmpDir);
    return digest;
  }

  async read(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (err: any) {
      if (err?.code === 'ENOENT') throw new ImageError('NotFound', `blob ${digest} is not in the store`);
      throw err;
    }
  }

  /** open streams a stored blob. */
  open(digest: string): Readable {
    return createReadStream(this.path(digest));
  }

  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  /** list returns every stored digest. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  private async writeTemp(source: Readable | AsyncIterable<Buffer>): Promise<{ digest: string; size: number; tmp: string }> {
    const tmp = join(this.tmpDir, tempName('blob'));
    const hasher = new DigestStream();
    const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
    try {
      await pipeline(source, hasher, out);
      // pipeline closed the fd; reopen to fsync so a crash after rename cannot leave a torn blob.
      const fh = await open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { digest: hasher.digest(), size: hasher.bytes, tmp };
  }
}
