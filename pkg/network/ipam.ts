// ipam.ts: host-local IP address management for one node's pod CIDR. Every allocated address
// is one file "<dir>/<ip>" holding its owner (the pod key), created with O_EXCL and fsynced, so
// two allocators — even in two processes, or one before and one after a crash — can never
// hand out the same address. "last_reserved" remembers where the round-robin scan stopped, so
// a freed address is reused as late as possible (fewer stale connections to a new pod).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import { addressAt, type Cidr, cidrContains, cidrSize, formatCidr, parseCidr, parseIPv4 } from './cidr.js';

const LAST_RESERVED = 'last_reserved';

/** IpamOptions configures a HostLocalIpam. */
export interface IpamOptions {
  /** dir holds the allocation files (one directory per subnet). */
  dir: string;
  /** subnet is the node's pod CIDR, e.g. "10.42.3.0/24". */
  subnet: string;
}

/** Allocation is one address and the owner it belongs to. */
export interface Allocation {
  ip: string;
  owner: string;
}

async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** writeFileAtomic writes data to a temporary file, fsyncs it and renames it into place. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  const fd = await open(tmp, 'w', 0o600);
  try {
    await fd.writeFile(data);
    await fd.sync();
  } finally {
    await fd.close();
  }
  await rename(tmp, path);
}

/**
 * HostLocalIpam hands out the addresses of one subnet: .1 is the gateway (the bridge), the
 * network and broadcast addresses are never used. Calls are serialized in-process; files
 * make it safe across processes and restarts.
 */
export class HostLocalIpam {
  readonly subnet: Cidr;
  readonly gateway: string;
  private readonly dir: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(opts: IpamOptions) {
    this.subnet = parseCidr(opts.subnet);
    if (this.subnet.prefix > 30) throw new Error(`subnet ${opts.subnet} is too small for pods`);
    this.gateway = addressAt(this.subnet, 1);
    this.dir = join(opts.dir, formatCidr(this.subnet).replace('/', '_'));
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** list returns every allocation on disk. */
  async list(): Promise<Allocation[]> {
    await mkdir(this.dir, { recursive: true });
    const out: Allocation[] = [];
    for (const name of await readdir(this.dir)) {
      if (!isIPv4(name)) continue;
      const owner = (await readFile(join(this.dir, name), 'utf8').catch(() => '')).trim();
      out.push({ ip: name, owner });
    }
    return out.sort((a, b) => parseIPv4(a.ip) - parseIPv4(b.ip));
  }

  /** get returns the address owned by owner, if any. */
  async get(owner: string): Promise<string | undefined> {
    return (await this.list()).find((a) => a.owner === owner)?.ip;
  }

  /**
   * allocate returns owner's address, reserving the next free one if it has none
   * (idempotent: a second call for the same owner returns the same address).
   */
  allocate(owner: string): Promise<string> {
    if (!owner || owner.includes('\n')) throw new Error(`invalid owner "${owner}"`);
    return this.serialize(async () => {
      const existing = await this.get(owner);
      if (existing) return existing;
      const size = cidrSize(this.subnet);
      const first = 2; // .0 network, .1 gateway
      const last = size - 2; // broadcast excluded
      const lastReserved = await readFile(join(this.dir, LAST_RESERVED), 'utf8').catch(() => '');
      let start = first;
      if (isIPv4(lastReserved.trim()) && cidrContains(this.subnet, lastReserved.trim())) {
        start = parseIPv4(lastReserved.trim()) - this.subnet.network + 1;
      }
      const span = last - first + 1;
      for (let k = 0; k < span; k++) {
        const offset = first + ((start - first + k + span) % span);
        const ip = addressAt(this.subnet, offset);
        if (await this.reserve(ip, owner)) {
          await writeFileAtomic(join(this.dir, LAST_RESERVED), ip);
          await fsyncDir(this.dir);
          return ip;
        }
      }
      throw new Error(`no free address in ${formatCidr(this.subnet)}`);
    });
  }

  private async reserve(ip: string, owner: string): Promise<boolean> {
    let fd;
    try {
      fd = await open(join(this.dir, ip), 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    try {
      await fd.writeFile(`${owner}\n`);
      await fd.sync();
    } finally {
      await fd.close();
    }
    return true;
  }

  /** release frees every address owner holds (idempotent). */
  release(owner: string): Promise<void> {
    return this.serialize(async () => {
      let removed = false;
      for (const a of await this.list()) {
        if (a.owner !== owner) continue;
        await unlink(join(this.dir, a.ip)).catch(() => undefined);
        removed = true;
      }
      if (removed) await fsyncDir(this.dir);
    });
  }
}
