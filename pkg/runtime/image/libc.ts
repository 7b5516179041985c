// libc.ts: the few syscalls the layer unpacker needs that Node's fs module lacks
// (mknod for devices and overlay whiteouts, lsetxattr for opaque directories), through koffi.
import { bindLibc, errnoName, lastErrno } from '../../util/libc.js';

const libc = bindLibc<{
  mknod: (path: string, mode: number, dev: bigint) => number;
  lsetxattr: (path: string, name: string, value: Buffer, size: number, flags: number) => number;
  lgetxattr: (path: string, name: string, value: Buffer, size: number) => number | bigint;
}>({
  mknod: 'int mknod(const char *path, uint32_t mode, uint64_t dev)',
  lsetxattr: 'int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)',
  lgetxattr: 'intptr_t lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)',
});

/** S_IFCHR and friends are the file type bits mknod takes in its mode argument. */
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

/** makedev packs a device major/minor pair the way glibc's makedev does. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n) | ((ma & ~0xfffn) << 32n);
}

/** ErrnoError is a failed libc call, with the errno name in `code` like Node's fs errors. */
export class ErrnoError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly path: string,
  ) {
    const code = errnoName(errno);
    super(`${syscall} ${path}: ${code} (${errno})`);
    this.name = 'ErrnoError';
    this.code = code;
  }

  readonly code: string;
}

/** mknod creates a device node or fifo; mode includes the file type bits (S_IFCHR…). */
export function mknod(path: string, mode: number, major = 0, minor = 0): void {
  if (libc().mknod(path, mode, makedev(major, minor)) !== 0) throw new ErrnoError('mknod', lastErrno(), path);
}

/** lsetxattr sets an extended attribute on path without following a final symlink. */
export function lsetxattr(path: string, name: string, value: string | Buffer): void {
  const buf = typeof value === 'string' ? Buffer.from(value) : value;
  if (libc().lsetxattr(path, name, buf, buf.length, 0) !== 0) throw new ErrnoError('lsetxattr', lastErrno(), path);
}

/** lgetxattr reads an extended attribute, or returns undefined when it is not set. */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  const buf = Buffer.alloc(4096);
  const n = Number(libc().lgetxattr(path, name, buf, buf.length));
  if (n < 0) {
    const errno = lastErrno();
    if (errnoName(errno) === 'ENODATA') return undefined;
    throw new ErrnoError('lgetxattr', errno, path);
  }
  return buf.subarray(0, n);
}
