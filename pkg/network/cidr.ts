// cidr.ts: IPv4 addresses and CIDR blocks as numbers, so ranges can be split and counted
// without a library.
import { isIPv4 } from 'node:net';

/** Cidr is an IPv4 block: network address (as an unsigned 32-bit number) and prefix length. */
export interface Cidr {
  network: number;
  prefix: number;
}

/** parseIPv4 turns "10.42.0.1" into an unsigned 32-bit number. */
export function parseIPv4(ip: string): number {
  if (!isIPv4(ip)) throw new Error(`invalid IPv4 address "${ip}"`);
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** formatIPv4 turns an unsigned 32-bit number into dotted quads. */
export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** parseCidr parses "10.42.0.0/16"; host bits must be zero unless loose is set. */
export function parseCidr(cidr: string, loose = false): Cidr {
  const [ip, len, extra] = cidr.split('/');
  const prefix = Number(len);
  if (extra !== undefined || !/^\d+$/.test(len ?? '') || prefix > 32) throw new Error(`invalid CIDR "${cidr}"`);
  const addr = parseIPv4(ip);
  const size = 2 ** (32 - prefix);
  const network = addr - (addr % size);
  if (network !== addr && !loose) throw new Error(`CIDR "${cidr}" has host bits set`);
  return { network, prefix };
}

/** formatCidr prints a Cidr as "a.b.c.d/n". */
export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.network)}/${c.prefix}`;
}

/** cidrSize is the number of addresses in the block. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** cidrContains tells whether ip lies in the block. */
export function cidrContains(c: Cidr, ip: string | number): boolean {
  const n = typeof ip === 'number' ? ip : parseIPv4(ip);
  return n >= c.network && n < c.network + cidrSize(c);
}

/** cidrsOverlap tells whether two blocks share an address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network < b.network + cidrSize(b) && b.network < a.network + cidrSize(a);
}

/** addressAt returns the i-th address of the block (0 = network address). */
export function addressAt(c: Cidr, i: number): string {
  if (i < 0 || i >= cidrSize(c)) throw new Error(`offset ${i} outside ${formatCidr(c)}`);
  return formatIPv4(c.network + i);
}

/** subnetAt returns the i-th block of length prefix inside c. */
export function subnetAt(c: Cidr, prefix: number, i: number): Cidr {
  if (prefix < c.prefix || prefix > 32) throw new Error(`cannot split ${formatCidr(c)} into /${prefix}`);
  const count = 2 ** (prefix - c.prefix);
  if (i < 0 || i >= count) throw new Error(`subnet ${i} outside ${formatCidr(c)}`);
  return { network: c.network + i * 2 ** (32 - prefix), prefix };
}

/** subnetCount is how many /prefix blocks fit in c. */
export function subnetCount(c: Cidr, prefix: number): number {
  return 2 ** (prefix - c.prefix);
}
