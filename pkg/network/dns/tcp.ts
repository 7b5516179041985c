// tcp.ts: DNS over TCP (RFC 1035 §4.2.2: each message prefixed with its 2-byte length), which
// resolvers use when a UDP answer comes back truncated. The listening socket is made with
// socket(2)/bind(2)/listen(2) through koffi while inside the namespace (net.Server.listen
// binds asynchronously, too late for withNetns), then handed to Node as a file descriptor.
import net from 'node:net';
import koffi from 'koffi';
import { bindLibc } from '../../util/libc.js';
import { withNetns } from '../netns.js';

const AF_INET = 2;
const SOCK_STREAM = 1;
/** SOCK_CLOEXEC keeps the listener out of child processes (conmon would hold the port after the agent dies). */
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;

interface SocketCalls {
  socket: (domain: number, type: number, protocol: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  setsockopt: (fd: number, level: number, name: number, value: Buffer, len: number) => number;
  close: (fd: number) => number;
}
const load = bindLibc<SocketCalls>({
  socket: 'int socket(int domain, int type, int protocol)',
  bind: 'int bind(int fd, const void *addr, uint32_t len)',
  listen: 'int listen(int fd, int backlog)',
  setsockopt: 'int setsockopt(int fd, int level, int name, const void *value, uint32_t len)',
  close: 'int close(int fd)',
});

function sockaddrIn(address: string, port: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  address.split('.').forEach((part, i) => b.writeUInt8(Number(part), 4 + i));
  return b;
}

/** listenFd makes a listening TCP socket on address:port in the namespace at netnsPath. */
export function listenFd(address: string, port: number, netnsPath: string): number {
  const c = load();
  return withNetns(netnsPath, () => {
    const fd = c.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new Error(`socket: errno ${koffi.errno()}`);
    const one = Buffer.alloc(4);
    one.writeInt32LE(1);
    c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4);
    if (c.bind(fd, sockaddrIn(address, port), 16) !== 0 || c.listen(fd, 128) !== 0) {
      const errno = koffi.errno();
      c.close(fd);
      throw Object.assign(new Error(`bind/listen ${address}:${port}: errno ${errno}`), { errno });
    }
    return fd;
  });
}

/** Responder answers one DNS message (undefined: no answer). */
export type Responder = (query: Buffer) => Promise<Buffer | undefined>;

/** startTcpDns serves length-prefixed DNS messages on address:port inside netnsPath. */
export async function startTcpDns(address: string, port: number, netnsPath: string, respond: Responder): Promise<net.Server> {
  const fd = listenFd(address, port, netnsPath);
  const server = net.createServer((conn) => {
    let buf = Buffer.alloc(0);
    conn.setTimeout(10_000, () => conn.destroy());
    conn.on('error', () => undefined);
    conn.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void respond(Buffer.from(msg)).then((out) => {
          if (!out || conn.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          conn.write(Buffer.concat([len, out]));
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd }, () => resolve());
  });
  return server;
}
