// layers.ts: unpacked layers, layers/sha256/<diffID hex>/, each unpacked once and shared by
// every image that lists it. A layer directory exists under its name only when complete:
// it is unpacked into a temp directory, checked against its diffID, then renamed.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { digestHex, verifyDigest } from './digest.js';
import { diskUsage, fsyncDir, tempName } from './fsutil.js';
import { unpackLayer, type UnpackOptions } from './unpack.js';

/** LayerStore keeps unpacked layer directories by diffID. */
export class LayerStore {
  private readonly dir: string;

  constructor(
    root: string,
    private readonly tmpDir: string,
    private readonly unpackOptions: UnpackOptions = {},
  ) {
    this.dir = join(root, 'sha256');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** path is the layer's directory, usable as an overlay lowerdir. */
  path(diffID: string): string {
    return join(this.dir, digestHex(diffID));
  }

  async has(diffID: string): Promise<boolean> {
    try {
      return (await stat(this.path(diffID))).isDirectory();
    } catch {
      return false;
    }
  }

  /**
   * unpack extracts a layer blob and publishes it under diffID, which the uncompressed tar
   * must hash to (ImageError DigestMismatch otherwise). Returns the bytes it takes on disk.
   */
  async unpack(diffID: string, source: Readable): Promise<number> {
    const tmp = join(this.tmpDir, tempName('layer'));
    try {
      const result = await unpackLayer(source, tmp, this.unpackOptions);
      verifyDigest(`layer ${diffID}`, diffID, result.diffID);
      const used = (await diskUsage(tmp)).bytes;
      try {
        await rename(tmp, this.path(diffID));
      } catch (err: any) {
        // Someone else (another process) published the same layer first: keep theirs.
        if (err?.code !== 'ENOTEMPTY' && err?.code !== 'EEXIST') throw err;
        await rm(tmp, { recursive: true, force: true });
      }
      await fsyncDir(this.dir);
      return used;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** usage measures an existing layer's bytes on disk. */
  async usage(diffID: string): Promise<number> {
    return (await diskUsage(this.path(diffID))).bytes;
  }

  /** remove deletes a layer; it first moves it aside so a crash never leaves half a layer under its name. */
  async remove(diffID: string): Promise<void> {
    const doomed = join(this.tmpDir, tempName('removed-layer'));
    try {
      await rename(this.path(diffID), doomed);
    } catch (err: any) {
      if (err?.code === 'ENOENT') return;
      throw err;
    }
    await rm(doomed, { recursive: true, force: true });
  }

  /** list returns the diffIDs of every unpacked layer. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }
}
