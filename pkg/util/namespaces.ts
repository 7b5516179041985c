// namespaces.ts: new Linux namespaces kept alive without a process. Like CRI-O's pinns (and
// `ip netns add`), UTS, IPC and network namespaces are made and bind-mounted onto files, which
// others join by path. Here it takes no process at all: unshare(2) on Node's main thread moves
// only that thread (these namespace kinds are per thread), which then sets the hostname, brings
// loopback up, pins the namespaces and returns to its own with setns(2) before anything else can
// run on it (everything in between is synchronous).
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import koffi from 'koffi';
import { bindLibc } from './libc.js';

const CLONE_NEWUTS = 0x04000000;
const CLONE_NEWIPC = 0x08000000;
const CLONE_NEWNET = 0x40000000;
const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
const IFF_UP = 0x1;
/** IFREQ_SIZE is sizeof(struct ifreq) on Linux: a 16-byte name and a 24-byte union (flags first). */
const IFREQ_SIZE = 40;
const MS_BIND = 0x1000;
const MS_REC = 0x4000;
const MS_SHARED = 0x100000;

/** NamespaceError is a failed syscall while making namespaces. */
export class NamespaceError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    detail: string,
  ) {
    super(`${syscall}(${detail}): ${Object.entries(koffi.os.errno).find(([, v]) => v === errno)?.[0] ?? `E${errno}`} (errno ${errno})`);
  }
}

/** PinSpec names the files to pin new namespaces on (a kind left out is not made). */
export interface PinSpec {
  uts?: { file: string; hostname: string };
  ipc?: string;
  /** net: a new network namespace with loopback up. */
  net?: string;
}

interface NsLib {
  unshare: (flags: number) => number;
  setns: (fd: number, nstype: number) => number;
  sethostname: (name: string, len: number) => number;
  socket: (domain: number, type: number, protocol: number) => number;
  ioctl: (fd: number, request: number, arg: Buffer) => number;
  close: (fd: number) => number;
  mount: (source: string, target: string, fstype: string | null, flags: number, data: string | null) => number;
  umount2: (target: string, flags: number) => number;
}

const load = bindLibc<NsLib>({
  unshare: 'int unshare(int flags)',
  setns: 'int setns(int fd, int nstype)',
  sethostname: 'int sethostname(const char *name, size_t len)',
  socket: 'int socket(int domain, int type, int protocol)',
  ioctl: 'int ioctl(int fd, unsigned long request, _Inout_ uint8_t *arg)',
  close: 'int close(int fd)',
  mount: 'int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)',
  umount2: 'int umount2(const char *target, int flags)',
});

function check(rc: number, syscall: string, detail: string): void {
  if (rc < 0) throw new NamespaceError(syscall, koffi.errno(), detail);
}

/** loopbackUp sets IFF_UP on "lo" of the calling thread's network namespace. */
function loopbackUp(l: NsLib): void {
  const fd = l.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  check(fd, 'socket', 'AF_INET');
  try {
    const req = Buffer.alloc(IFREQ_SIZE);
    req.write('lo', 0, 'latin1');
    check(l.ioctl(fd, SIOCGIFFLAGS, req), 'ioctl', 'SIOCGIFFLAGS lo');
    req.writeInt16LE(req.readInt16LE(16) | IFF_UP, 16);
    check(l.ioctl(fd, SIOCSIFFLAGS, req), 'ioctl', 'SIOCSIFFLAGS lo');
  } finally {
    l.close(fd);
  }
}

/**
 * pinNamespaces makes the namespaces spec asks for and bind-mounts each on its file (created
 * here; its directory must exist). The caller unmounts them (umount2 with MNT_DETACH, or a
 * removeTree that unmounts first).
 */
export function pinNamespaces(spec: PinSpec): void {
  const kinds: Array<{ kind: 'uts' | 'ipc' | 'net'; flag: number; file: string }> = [];
  if (spec.uts) kinds.push({ kind: 'uts', flag: CLONE_NEWUTS, file: spec.uts.file });
  if (spec.ipc) kinds.push({ kind: 'ipc', flag: CLONE_NEWIPC, file: spec.ipc });
  if (spec.net) kinds.push({ kind: 'net', flag: CLONE_NEWNET, file: spec.net });
  if (kinds.length === 0) return;
  const l = load();
  for (const { file } of kinds) writeFileSync(file, '', { mode: 0o444 });
  // The thread's own namespaces, to return to.
  const own = kinds.map(({ kind, flag }) => ({ kind, flag, fd: openSync(`/proc/thread-self/ns/${kind}`, 'r') }));
  try {
    check(l.unshare(kinds.reduce((f, k) => f | k.flag, 0)), 'unshare', kinds.map((k) => k.kind).join(','));
    try {
      if (spec.uts) check(l.sethostname(spec.uts.hostname, Buffer.byteLength(spec.uts.hostname)), 'sethostname', spec.uts.hostname);
      if (spec.net) loopbackUp(l);
      for (const { kind, file } of kinds) check(l.mount(`/proc/thread-self/ns/${kind}`, file, 'none', MS_BIND, null), 'mount', file);
    } finally {
      for (const { kind, flag, fd } of own) {
        if (l.setns(fd, flag) !== 0) {
          // The main thread would go on in the pod's namespaces: every socket and hostname call
          // after this would be wrong. Nothing sane is left to do.
          process.stderr.write(`pinNamespaces: cannot return to this thread's ${kind} namespace (errno ${koffi.errno()}); aborting\n`);
          process.abort();
        }
      }
    }
  } finally {
    for (const { fd } of own) closeSync(fd);
  }
}

let netnsDirReady = '';

/**
 * pinNamedNetns makes a network namespace with loopback up at <dir>/<name>, as `ip netns add`
 * does (dir, normally /run/netns, becomes a shared bind mount of itself first, so namespaces
 * pinned there show in mount namespaces copied from this one), without running ip.
 */
export function pinNamedNetns(dir: string, name: string): string {
  if (netnsDirReady !== dir) {
    const l = load();
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (l.mount('none', dir, null, MS_SHARED | MS_REC, null) !== 0) {
      check(l.mount(dir, dir, 'none', MS_BIND | MS_REC, null), 'mount', `${dir} (bind)`);
      check(l.mount('none', dir, null, MS_SHARED | MS_REC, null), 'mount', `${dir} (make shared)`);
    }
    netnsDirReady = dir;
  }
  const file = path.join(dir, name);
  if (existsSync(file)) throw new NamespaceError('open', koffi.os.errno.EEXIST as number, file);
  pinNamespaces({ net: file });
  return file;
}

/** unpinNamespace unmounts a pinned namespace (lazily, as `ip netns delete`) and removes its
 * file; the namespace lives on only while processes are in it. A file that is gone is fine. */
export function unpinNamespace(file: string): void {
  if (!existsSync(file)) return;
  const MNT_DETACH = 2;
  const EINVAL = koffi.os.errno.EINVAL as number;
  if (load().umount2(file, MNT_DETACH) !== 0 && koffi.errno() !== EINVAL) throw new NamespaceError('umount2', koffi.errno(), file);
  rmSync(file, { force: true });
}

/** stillPinned reports whether every file is still a namespace bind mount (its device differs
 * from its directory's: nsfs). */
export function stillPinned(files: string[]): boolean {
  try {
    return files.every((f) => statSync(f).dev !== statSync(path.dirname(f)).dev);
  } catch {
    return false;
  }
}
