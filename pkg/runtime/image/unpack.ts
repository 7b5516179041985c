// unpack.ts: extracts one layer tar into a directory that can serve as an overlayfs lowerdir.
//
// OCI whiteouts become overlay whiteouts: ".wh.NAME" becomes a 0/0 character device NAME,
// ".wh..wh..opq" marks its directory opaque with trusted.overlay.opaque=y. Every entry is
// confined to the layer root: names with ".." are refused, and a path is never written
// through a symlink (a parent that is a symlink is an error, never followed).
//
// File system calls are synchronous (metadata, and each chunk of a file's content as it arrives):
// each is microseconds of work on the page cache, while a promise-based call is a round trip
// through libuv's threadpool (~0.5 ms of cross-CPU wake-up on these VMs) — a busybox layer is
// ~1,600 of them. The event loop still turns between tar entries and chunks.
import { chmodSync, closeSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, rmSync, symlinkSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { decompress } from './decompress.js';
import { DigestStream } from './digest.js';
import { ImageError } from './errors.js';
import { lsetxattr, mknod, S_IFBLK, S_IFCHR, S_IFIFO } from './libc.js';

/** WHITEOUT_PREFIX marks an OCI whiteout entry. */
export const WHITEOUT_PREFIX = '.wh.';
/** OPAQUE_WHITEOUT marks its directory as hiding everything below it in lower layers. */
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
/** OVERLAY_OPAQUE_XATTR is the xattr overlayfs reads to treat a directory as opaque. */
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

/** UnpackOptions tunes unpacking. */
export interface UnpackOptions {
  /** chown applies the tar's uid/gid; defaults to true when running as root. */
  chown?: boolean;
}

/** UnpackResult describes an unpacked layer. */
export interface UnpackResult {
  /** diffID is the sha256 of the uncompressed tar, as listed in the image config. */
  diffID: string;
  /** tarBytes is the size of the uncompressed tar. */
  tarBytes: number;
}

/** splitEntryPath turns a tar entry name into safe path components; [] is the root. */
export function splitEntryPath(name: string): string[] {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new ImageError('UnsafeLayer', `layer entry ${JSON.stringify(name)} escapes the layer root`);
  return parts;
}

/**
 * unpackLayer extracts a (possibly compressed) layer tar into dest, which it creates.
 * Unpack into a temporary directory and rename it into place: a half-unpacked layer must
 * never be visible under its final name.
 */
export async function unpackLayer(source: Readable, dest: string, opts: UnpackOptions = {}): Promise<UnpackResult> {
  const unpacker = new LayerUnpacker(dest, opts.chown ?? process.getuid?.() === 0);
  mkdirSync(dest, { mode: 0o755 });
  const digest = new DigestStream();
  const extract = tar.extract();
  // tar-stream's streamx streams interoperate with Node's pipeline.
  const piping = pipeline(decompress(source), digest, extract as unknown as Writable);
  // If the pipeline fails the iterator below throws too; keep the first error.
  piping.catch(() => {});
  for await (const entry of extract) {
    await unpacker.entry(entry.header, entry as unknown as AsyncIterable<Buffer>);
    entry.resume();
  }
  await piping;
  await unpacker.finish();
  return { diffID: digest.digest(), tarBytes: digest.bytes };
}

class LayerUnpacker {
  /** safeDirs are relative directory paths known to be real directories (not symlinks). */
  private readonly safeDirs = new Set<string>(['']);
  /** dirTimes are applied last, since creating children changes a directory's mtime. */
  private readonly dirTimes: Array<{ path: string; mtime: Date }> = [];

  constructor(
    private readonly root: string,
    private readonly chown: boolean,
  ) {}

  async entry(header: tar.Header, body: AsyncIterable<Buffer>): Promise<void> {
    const parts = splitEntryPath(header.name);
    const base = parts.at(-1);
    if (base === OPAQUE_WHITEOUT) {
      const dirParts = parts.slice(0, -1);
      this.ensureDir(dirParts);
      lsetxattr(join(this.root, ...dirParts), OVERLAY_OPAQUE_XATTR, 'y');
      return;
    }
    if (base?.startsWith(WHITEOUT_PREFIX)) {
      if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return; // aufs metadata, meaningless here
      const target = [...parts.slice(0, -1), base.slice(WHITEOUT_PREFIX.length)];
      this.ensureDir(target.slice(0, -1));
      const path = join(this.root, ...target);
      this.removeExisting(target);
      mknod(path, S_IFCHR, 0, 0);
      return;
    }
    const type = header.type ?? 'file';
    if (parts.length === 0) {
      if (type === 'directory') this.applyMeta(this.root, header, true);
      return;
    }
    this.ensureDir(parts.slice(0, -1));
    const path = join(this.root, ...parts);
    const mode = (header.mode ?? 0o644) & 0o7777;
    switch (type) {
      case 'directory': {
        const st = lstatOrUndefined(path);
        if (!st?.isDirectory()) {
          if (st) this.removeExisting(parts);
          mkdirSync(path, { mode: 0o700 });
        }
        this.safeDirs.add(parts.join('/'));
        this.applyMeta(path, header, true);
        return;
      }
      case 'file':
      case 'contiguous-file': {
        this.removeExisting(parts);
        // "wx" is O_CREAT|O_EXCL: it never follows a symlink at the final component.
        const fd = openSync(path, 'wx', 0o600);
        try {
          for await (const chunk of body) writeSync(fd, chunk);
        } finally {
          closeSync(fd);
        }
        this.applyMeta(path, header, false);
        return;
      }
      case 'symlink': {
        this.removeExisting(parts);
        symlinkSync(header.linkname ?? '', path);
        if (this.chown) lchownSync(path, header.uid ?? 0, header.gid ?? 0);
        const mtime = header.mtime ?? new Date(0);
        lutimesSync(path, mtime, mtime);
        return;
      }
      case 'link': {
        const targetParts = splitEntryPath(header.linkname ?? '');
        if (targetParts.length === 0) throw new ImageError('UnsafeLayer', `hard link ${header.name} to the layer root`);
        this.checkDir(targetParts.slice(0, -1));
        this.removeExisting(parts);
        // link(2) does not follow a symlink at the target, so this stays inside the root.
        linkSync(join(this.root, ...targetParts), path);
        return;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        this.removeExisting(parts);
        const kind = type === 'fifo' ? S_IFIFO : type === 'block-device' ? S_IFBLK : S_IFCHR;
        try {
          mknod(path, kind | mode, header.devmajor ?? 0, header.devminor ?? 0);
        } catch (err: any) {
          // Without CAP_MKNOD (e.g. in a user namespace) devices are skipped, as containerd does.
          if (err?.code === 'EPERM') return;
          throw err;
        }
        this.applyMeta(path, header, false);
        return;
      }
      default:
        // pax/gnu headers are folded into the entry by tar-stream; anything else is skipped.
        return;
    }
  }

  async finish(): Promise<void> {
    // Deepest first, so setting a child's time does not disturb its parent afterwards.
    this.dirTimes.sort((a, b) => b.path.length - a.path.length);
    for (const d of this.dirTimes) utimesSync(d.path, d.mtime, d.mtime);
  }

  private applyMeta(path: string, header: tar.Header, isDir: boolean): void {
    // chown before chmod: chown clears setuid/setgid bits.
    if (this.chown) lchownSync(path, header.uid ?? 0, header.gid ?? 0);
    chmodSync(path, (header.mode ?? (isDir ? 0o755 : 0o644)) & 0o7777);
    const mtime = header.mtime ?? new Date(0);
    if (isDir) this.dirTimes.push({ path, mtime });
    else utimesSync(path, mtime, mtime);
  }

  /** ensureDir makes sure every component of parts is a real directory, creating missing ones. */
  private ensureDir(parts: string[]): void {
    for (let i = 1; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (this.safeDirs.has(rel)) continue;
      const path = join(this.root, rel);
      const st = lstatOrUndefined(path);
      if (!st) {
        mkdirSync(path, { mode: 0o755 });
      } else if (!st.isDirectory()) {
        throw new ImageError('UnsafeLayer', `layer path ${rel} is used as a directory but is not one`);
      }
      this.safeDirs.add(rel);
    }
  }

  /** checkDir is ensureDir without creating anything: for hard link targets. */
  private checkDir(parts: string[]): void {
    for (let i = 1; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (this.safeDirs.has(rel)) continue;
      const st = lstatOrUndefined(join(this.root, rel));
      if (!st?.isDirectory()) throw new ImageError('UnsafeLayer', `hard link target directory ${rel} is not a directory`);
      this.safeDirs.add(rel);
    }
  }

  /** removeExisting deletes whatever is at parts (without following symlinks). */
  private removeExisting(parts: string[]): void {
    const rel = parts.join('/');
    const path = join(this.root, rel);
    if (!lstatOrUndefined(path)) return;
    rmSync(path, { recursive: true, force: true });
    for (const d of this.safeDirs) if (d === rel || d.startsWith(`${rel}/`)) this.safeDirs.delete(d);
  }
}

function lstatOrUndefined(path: string) {
  return lstatSync(path, { throwIfNoEntry: false });
}
