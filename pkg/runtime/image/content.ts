// content.ts: the blob store, blobs/sha256/<hex>. A blob appears under its name only after
// its bytes were written to a temp file, fsynced and verified against the digest.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fsync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { digestHex, sha256Digest, verifyDigest } from './digest.js';
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
    // 1 MiB reads: each read is a threadpool round trip (~0.5 ms on these VMs); 64 KiB made
    // reading a 10 MB layer ~160 of them.
    return createReadStream(this.path(digest), { highWaterMark: 1 << 20 });
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
    const hash = createHash('sha256');
    let size = 0;
    // Each chunk is written synchronously as it arrives (page cache, microseconds); a write
    // stream makes every chunk a threadpool round trip (~0.5 ms on these VMs). Only the fsync,
    // which waits for the disk, goes to the threadpool.
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      try {
        for await (const chunk of source) {
          hash.update(chunk);
          size += chunk.length;
          writeSync(fd, chunk);
        }
        // A crash after the rename must not leave a torn blob.
        await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { digest: `sha256:${hash.digest('hex')}`, size, tmp };
  }
}
