// ports.ts: finding free loopback ports for servers started by tests and by `skiff server`.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';

/** freePort asks the kernel for a free TCP port on the given host. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * listensOn says whether process pid holds the listening TCP socket on 127.0.0.1:port (so a health answer on that port came
 * from the server we started and not from another process that took the port between freePort and our bind).
 */
export function listensOn(pid: number, port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[3] === '0A') inodes.add(`socket:[${f[9]}]`);
  }
  if (inodes.size === 0) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** PortTaken: a child could not bind a port picked free for it (another process took it first);
 * its starter picks new ports and tries again. */
export class PortTaken extends Error {}
