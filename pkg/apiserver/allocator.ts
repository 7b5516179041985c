// allocator.ts: Service ClusterIPs and NodePorts, allocated so that no value is handed out
// twice: each allocated value is an etcd key created with a compare-and-swap, like the
// bitmap allocators Kubernetes keeps in etcd, but one key per value.
import { StorageError, type Storage } from './storage.js';

/** ipToInt converts a dotted IPv4 address to a number. */
export function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** intToIp converts a number to a dotted IPv4 address. */
export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** parseCidr returns the first address and the size of an IPv4 CIDR. */
export function parseCidr(cidr: string): { base: number; size: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`invalid CIDR ${cidr}`);
  const bits = Number(m[2]);
  const size = 2 ** (32 - bits);
  const base = ipToInt(m[1]) - (ipToInt(m[1]) % size);
  return { base, size };
}

/** Allocator hands out values of one range, each at most once. */
export class Allocator {
  constructor(
    private readonly storage: Storage,
    private readonly prefix: string, // e.g. /registry/ranges/serviceips/
    private readonly values: { first: number; count: number },
    readonly format: (n: number) => string,
    private readonly random: () => number = Math.random,
  ) {}

  /** contains tells whether a value lies in the range. */
  contains(value: number): boolean {
    return value >= this.values.first && value < this.values.first + this.values.count;
  }

  /** reserve takes one specific value; false if it is taken. */
  async reserve(value: number, owner: string): Promise<boolean> {
    try {
      await this.storage.create(this.prefix + this.format(value), Buffer.from(owner));
      return true;
    } catch (err) {
      if (err instanceof StorageError && err.kind === 'KeyExists') return false;
      throw err;
    }
  }

  /** allocateNext takes a free value, scanning from a random start; undefined when the range is full. */
  async allocateNext(owner: string): Promise<number | undefined> {
    const { first, count } = this.values;
    const taken = new Set((await this.storage.list(this.prefix)).items.map((kv) => kv.key.slice(this.prefix.length)));
    const start = Math.floor(this.random() * count);
    for (let i = 0; i < count; i++) {
      const value = first + ((start + i) % count);
      if (taken.has(this.format(value))) continue;
      if (await this.reserve(value, owner)) return value;
    }
    return undefined;
  }

  /** release frees a value. */
  async release(value: number): Promise<void> {
    try {
      await this.storage.delete(this.prefix + this.format(value));
    } catch (err) {
      if (!(err instanceof StorageError && err.kind === 'KeyNotFound')) throw err;
    }
  }
}

/** serviceIPAllocator allocates from a service CIDR, skipping the network and broadcast addresses and the first 10 (reserved: .1 kubernetes, .10 kube-dns). */
export function serviceIPAllocator(storage: Storage, cidr: string): Allocator {
  // Explicit requests may use any address of the CIDR (kube-dns asks for .10); see strategy.ts.
  const { base, size } = parseCidr(cidr);
  return new Allocator(storage, '/registry/ranges/serviceips/', { first: base + 11, count: size - 12 }, intToIp);
}

/** nodePortAllocator allocates from the NodePort range (default 30000-32767). */
export function nodePortAllocator(storage: Storage, range = { first: 30000, last: 32767 }): Allocator {
  return new Allocator(storage, '/registry/ranges/servicenodeports/', { first: range.first, count: range.last - range.first + 1 }, String);
}
