// libc.ts: the few libc syscalls the runtime needs that Node does not offer (mount, umount2),
// bound with koffi. Loaded lazily so importing the runtime on a machine without glibc still works.
import { bindLibc, errnoName, lastErrno, strerror } from '../../util/libc.js';

/** MountFlags are the mount(2) flags the runtime uses. */
export const MountFlags = {
  MS_RDONLY: 0x1,
  MS_NOSUID: 0x2,
  MS_NODEV: 0x4,
  MS_NOEXEC: 0x8,
  MS_BIND: 0x1000,
  MS_REC: 0x4000,
  MS_PRIVATE: 0x40000,
} as const;

/** UmountFlags are the umount2(2) flags the runtime uses. */
export const UmountFlags = {
  MNT_FORCE: 0x1,
  MNT_DETACH: 0x2,
} as const;

/** SyscallError is a failed syscall with its errno, like Node's ErrnoException. */
export class SyscallError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly code: string,
    detail: string,
  ) {
    super(`${syscall}(${detail}): ${code} (errno ${errno})`);
  }
}

interface Libc {
  mount: (source: string, target: string, fstype: string, flags: number, data: string | null) => number;
  umount2: (target: string, flags: number) => number;
}

const load = bindLibc<Libc>({
  mount: 'int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)',
  umount2: 'int umount2(const char *target, int flags)',
});

function fail(syscall: string, detail: string): never {
  const errno = lastErrno();
  throw new SyscallError(syscall, errno, errnoName(errno), `${detail}: ${strerror(errno)}`);
}

/** mount calls mount(2); it throws SyscallError on failure. */
export function mount(source: string, target: string, fstype: string, flags: number, data: string | null): void {
  if (load().mount(source, target, fstype, flags, data) !== 0) fail('mount', target);
}

/** umount2 calls umount2(2); it throws SyscallError on failure. */
export function umount2(target: string, flags: number): void {
  if (load().umount2(target, flags) !== 0) fail('umount2', target);
}
