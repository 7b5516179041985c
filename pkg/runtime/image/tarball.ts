// tarball.ts: deterministic tar writing. The same entries always give the same bytes
// (sorted names, fixed mtimes, no user names, gzip without a timestamp), so image
// digests built from them are stable.
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** TarEntry is one entry to write. */
export interface TarEntry {
  path: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  mode?: number;
  uid?: number;
  gid?: number;
  content?: Buffer | string;
  /** linkname is the target of a symlink or hard link. */
  linkname?: string;
  mtime?: Date;
  devmajor?: number;
  devminor?: number;
}

/** EPOCH is the fixed mtime of generated entries. */
export const EPOCH = new Date(0);

/** BuildTarOptions controls ordering and defaults. */
export interface BuildTarOptions {
  /** sort entries by path (default true); off for tests that need a precise order. */
  sort?: boolean;
  /** mtime for entries that do not set one (default EPOCH). */
  mtime?: Date;
}

/** buildTar writes entries into an uncompressed tar. */
export async function buildTar(entries: TarEntry[], opts: BuildTarOptions = {}): Promise<Buffer> {
  const list = opts.sort === false ? entries : [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c) => chunks.push(c as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of list) {
    const type = e.type ?? 'file';
    const isDir = type === 'directory';
    const header: tar.Header = {
      name: isDir && !e.path.endsWith('/') ? `${e.path}/` : e.path,
      type,
      mode: e.mode ?? (isDir ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      uname: '',
      gname: '',
      mtime: e.mtime ?? opts.mtime ?? EPOCH,
      size: 0,
      linkname: e.linkname ?? '',
      devmajor: e.devmajor ?? 0,
      devminor: e.devminor ?? 0,
    };
    const body = type === 'file' ? (typeof e.content === 'string' ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0))) : undefined;
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body) pack.entry({ ...header, size: body.length }, body, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** gzipDeterministic compresses with a zero timestamp, so equal input gives equal output. */
export function gzipDeterministic(data: Buffer): Buffer {
  // Node's gzip header has mtime 0 and a fixed OS byte, so only the zlib version matters.
  return gzipSync(data, { level: 9 });
}
