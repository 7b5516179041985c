// console.ts: the OCI console socket. For a process with a terminal, crun/runc create the
// pseudo-terminal inside the container and send its master fd over a unix socket
// (`--console-socket`) as SCM_RIGHTS ancillary data. Node cannot receive fds, so the socket,
// accept and recvmsg are libc calls through koffi; the listening and accepted sockets are
// non-blocking and polled from the event loop, so a runtime that dies before connecting never
// blocks a thread. Also here: TIOCSWINSZ, to resize the terminal through its master fd.
import koffi from 'koffi';
import { bindLibc, errnoName, strerror } from '../../util/libc.js';
import { SyscallError } from './libc.js';

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_CMSG_CLOEXEC = 0x40000000;
const TIOCSWINSZ = 0x5414;
const sunPathMax = 108;

interface ConsoleLibc {
  socket: (domain: number, type: number, protocol: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  accept4: (fd: number, addr: null, len: null, flags: number) => number;
  recvmsg: (fd: number, msg: unknown, flags: number) => number;
  close: (fd: number) => number;
  ioctl: (fd: number, request: number, arg: Buffer) => number;
  posix_openpt: (flags: number) => number;
  grantpt: (fd: number) => number;
  unlockpt: (fd: number) => number;
  ptsname_r: (fd: number, buf: Buffer, len: number) => number;
  tcgetattr: (fd: number, termios: Buffer) => number;
  tcsetattr: (fd: number, action: number, termios: Buffer) => number;
  cfmakeraw: (termios: Buffer) => void;
  malloc: (size: number) => unknown;
  free: (ptr: unknown) => void;
}

const load = bindLibc<ConsoleLibc>({
  socket: 'int socket(int domain, int type, int protocol)',
  bind: 'int bind(int fd, const void *addr, uint32_t len)',
  listen: 'int listen(int fd, int backlog)',
  accept4: 'int accept4(int fd, void *addr, void *len, int flags)',
  recvmsg: 'intptr_t recvmsg(int fd, void *msg, int flags)',
  close: 'int close(int fd)',
  // ioctl is variadic; on x86-64 and arm64 a fixed pointer third argument is passed the same way.
  ioctl: 'int ioctl(int fd, unsigned long request, void *arg)',
  posix_openpt: 'int posix_openpt(int flags)',
  grantpt: 'int grantpt(int fd)',
  unlockpt: 'int unlockpt(int fd)',
  ptsname_r: 'int ptsname_r(int fd, _Out_ uint8_t *buf, size_t len)',
  tcgetattr: 'int tcgetattr(int fd, _Inout_ uint8_t *termios)',
  tcsetattr: 'int tcsetattr(int fd, int action, const uint8_t *termios)',
  cfmakeraw: 'void cfmakeraw(_Inout_ uint8_t *termios)',
  malloc: 'void *malloc(size_t size)',
  free: 'void free(void *ptr)',
});

function fail(syscall: string, detail: string): never {
  const errno = koffi.errno();
  throw new SyscallError(syscall, errno, errnoName(errno), `${detail}: ${strerror(errno)}`);
}

const EAGAIN = 11;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** ConsoleSocket is a listening console socket; receive() yields the terminal's master fd. */
export class ConsoleSocket {
  private fd: number;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** listen binds a unix stream socket at path (which must not exist; at most 107 bytes). */
  static listen(path: string): ConsoleSocket {
    const name = Buffer.from(path);
    if (name.length >= sunPathMax) throw new Error(`console socket path too long (${name.length} bytes): ${path}`);
    const c = load();
    const fd = c.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail('socket', path);
    // struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }
    const addr = Buffer.alloc(2 + sunPathMax);
    addr.writeUInt16LE(AF_UNIX, 0);
    name.copy(addr, 2);
    if (c.bind(fd, addr, 2 + name.length + 1) !== 0 || c.listen(fd, 1) !== 0) {
      const err = koffi.errno();
      c.close(fd);
      koffi.errno(err);
      fail('bind', path);
    }
    return new ConsoleSocket(path, fd);
  }

  /** receive waits for the runtime to connect and send the master fd. It gives up when
   * abandoned() turns true (the runtime exited) or after timeoutMs. */
  async receive(abandoned: () => boolean, timeoutMs = 30_000): Promise<number> {
    const c = load();
    const deadline = Date.now() + timeoutMs;
    let conn = -1;
    try {
      while (conn < 0) {
        conn = c.accept4(this.fd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn >= 0) break;
        if (koffi.errno() !== EAGAIN) fail('accept4', this.path);
        if (abandoned() || Date.now() > deadline) throw new Error('the OCI runtime never connected to the console socket');
        await sleep(5);
      }
      for (;;) {
        const fd = receiveFd(c, conn);
        if (fd !== undefined) return fd;
        if (abandoned() || Date.now() > deadline) throw new Error('the OCI runtime sent no terminal over the console socket');
        await sleep(5);
      }
    } finally {
      if (conn >= 0) c.close(conn);
    }
  }

  /** close closes the listening socket (the caller removes the path). */
  close(): void {
    if (this.fd >= 0) load().close(this.fd);
    this.fd = -1;
  }
}

/** receiveFd does one non-blocking recvmsg; it returns the passed fd, or undefined for EAGAIN. */
function receiveFd(c: ConsoleLibc, conn: number): number | undefined {
  // One malloc'd block: msghdr (56) | iovec (16) | data (256) | control (64), x86-64/arm64 layout.
  const size = 56 + 16 + 256 + 64;
  const block = c.malloc(size);
  if (!block) throw new Error('malloc failed');
  try {
    const base = koffi.address(block);
    const view = new DataView(koffi.view(block, size));
    for (let i = 0; i < size; i++) view.setUint8(i, 0);
    const iov = 56;
    const data = iov + 16;
    const control = data + 256;
    // struct msghdr { void *name; socklen_t namelen; struct iovec *iov; size_t iovlen; void *control; size_t controllen; int flags; }
    view.setBigUint64(16, base + BigInt(iov), true);
    view.setBigUint64(24, 1n, true);
    view.setBigUint64(32, base + BigInt(control), true);
    view.setBigUint64(40, 64n, true);
    // struct iovec { void *base; size_t len; }
    view.setBigUint64(iov, base + BigInt(data), true);
    view.setBigUint64(iov + 8, 256n, true);
    const n = c.recvmsg(conn, block, MSG_CMSG_CLOEXEC);
    if (n < 0) {
      if (koffi.errno() === EAGAIN) return undefined;
      fail('recvmsg', 'console socket');
    }
    if (n === 0) throw new Error('the OCI runtime closed the console socket without sending a terminal');
    // struct cmsghdr { size_t len; int level; int type; unsigned char data[]; }
    const controlLen = Number(view.getBigUint64(40, true));
    if (controlLen >= 20 && view.getInt32(control + 8, true) === SOL_SOCKET && view.getInt32(control + 12, true) === SCM_RIGHTS) {
      return view.getInt32(control + 16, true);
    }
    throw new Error('the console socket message carried no file descriptor');
  } finally {
    c.free(block);
  }
}

/** setWindowSize sets a terminal's size (TIOCSWINSZ on its master fd); the foreground process gets SIGWINCH. */
export function setWindowSize(fd: number, columns: number, rows: number): void {
  // struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }
  const ws = Buffer.alloc(8);
  ws.writeUInt16LE(Math.max(0, Math.min(0xffff, rows)), 0);
  ws.writeUInt16LE(Math.max(0, Math.min(0xffff, columns)), 2);
  if (load().ioctl(fd, TIOCSWINSZ, ws) !== 0) fail('ioctl', `TIOCSWINSZ fd ${fd}`);
}

const O_RDWR = 0o2;
const O_NOCTTY = 0o400;
const O_CLOEXEC = 0o2000000;

/** openPty allocates a pseudo-terminal on the host in raw mode (no echo, no line discipline,
 * no \n → \r\n: a relay behind it passes bytes through unchanged): the master fd and the slave's path. */
export function openPty(): { master: number; slavePath: string } {
  const c = load();
  const master = c.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail('posix_openpt', '/dev/ptmx');
  const name = Buffer.alloc(128);
  if (c.grantpt(master) !== 0 || c.unlockpt(master) !== 0 || c.ptsname_r(master, name, name.length) !== 0) {
    const err = koffi.errno();
    c.close(master);
    koffi.errno(err);
    fail('unlockpt', `pty ${master}`);
  }
  // struct termios is 60 bytes on Linux; a little slack for safety.
  const termios = Buffer.alloc(128);
  if (c.tcgetattr(master, termios) === 0) {
    c.cfmakeraw(termios);
    c.tcsetattr(master, 0 /* TCSANOW */, termios);
  }
  return { master, slavePath: name.subarray(0, name.indexOf(0)).toString() };
}
