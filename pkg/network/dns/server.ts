// server.ts: the cluster DNS server. UDP on the given addresses (each optionally inside a
// network namespace: the socket is bound there, the process stays where it is), answers for
// the cluster domain from ClusterZone (and TCP on the same port, for truncated answers), everything else forwarded to an upstream if one is
// configured, else REFUSED. Packets are encoded with dns2.
import dgram from 'node:dgram';
import type net from 'node:net';
import dns2 from 'dns2';
import { withNetns } from '../netns.js';
import { type Answer, ClusterZone, type DnsSource, type RecordType } from './records.js';
import { type Responder, startTcpDns } from './tcp.js';

const { Packet } = dns2;

/** RCODE values the server sends. */
export const Rcode = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** DnsListen is one address to serve on. */
export interface DnsListen {
  address: string;
  /** port (default 53; 0 picks a free one). */
  port?: number;
  /** netnsPath binds the socket inside this namespace (default: this process's). */
  netnsPath?: string;
}

/** ClusterDnsOptions configure the server. */
export interface ClusterDnsOptions {
  listen: DnsListen[];
  source: DnsSource;
  domain?: string;
  /** upstream "ip[:port]" for names outside the cluster (none: REFUSED). */
  upstream?: string;
  /** ttl of answers in seconds (default 5). */
  ttl?: number;
  podRecords?: boolean;
  /** upstreamTimeoutMs (default 2000). */
  upstreamTimeoutMs?: number;
  /** tcp also serves DNS over TCP on every listen address (default true). */
  tcp?: boolean;
}

/** ClusterDns is a running server. */
export interface ClusterDns {
  /** addresses are the bound "ip:port"s, in listen order. */
  addresses: { address: string; port: number }[];
  zone: ClusterZone;
  close(): Promise<void>;
}

function typeName(t: number): RecordType {
  switch (t) {
    case Packet.TYPE.A:
      return 'A';
    case Packet.TYPE.AAAA:
      return 'AAAA';
    case Packet.TYPE.SRV:
      return 'SRV';
    case Packet.TYPE.ANY:
      return 'ANY';
    default:
      return 'OTHER';
  }
}

function toResource(a: Answer, ttl: number): dns2.Packet.Resource {
  const r = new Packet.Resource(a.name, a.type === 'A' ? Packet.TYPE.A : Packet.TYPE.SRV, Packet.CLASS.IN, ttl);
  if (a.type === 'A') r.address = a.address;
  else Object.assign(r, { priority: a.priority, weight: a.weight, port: a.port, target: a.target });
  return r;
}

/** udpLimit is the largest UDP answer the client accepts (its EDNS payload size, else 512). */
function udpLimit(req: dns2.Packet): number {
  const opt = (req.additionals ?? []).find((r) => r.type === Packet.TYPE.EDNS);
  return Math.min(Math.max(opt?.class ?? 512, 512), 4096);
}

function encodeTo(res: dns2.Packet, limit: number): Buffer {
  const buf = res.toBuffer();
  if (buf.length <= limit) return buf;
  // Too big for plain UDP: truncate to the question and set TC, so the client retries.
  const trunc = new Packet(res.header);
  trunc.header.tc = 1;
  trunc.questions = res.questions;
  return trunc.toBuffer();
}

/**
 * answer builds the response to one request (undefined: forward it upstream). limit is the
 * largest answer the transport takes (UDP: 512 or the EDNS size; TCP: 65535).
 */
export function answer(zone: ClusterZone, req: dns2.Packet, ttl: number, hasUpstream: boolean, limit = udpLimit(req)): Buffer | undefined {
  const encode = (r: dns2.Packet) => encodeTo(r, limit);
  const res = Packet.createResponseFromRequest(req);
  res.header.aa = 1;
  res.header.ra = hasUpstream ? 1 : 0;
  const q = req.questions[0];
  if (!q || req.questions.length !== 1 || req.header.opcode !== 0) {
    res.header.rcode = Rcode.NOTIMP;
    return encode(res);
  }
  const r = zone.lookup(q.name, typeName(q.type));
  if (r.rcode === 'NOTAUTH') {
    if (hasUpstream) return undefined;
    res.header.aa = 0;
    res.header.rcode = Rcode.REFUSED;
    return encode(res);
  }
  if (r.rcode === 'NXDOMAIN') {
    res.header.rcode = Rcode.NXDOMAIN;
    return encode(res);
  }
  res.answers = r.answers.map((a) => toResource(a, ttl));
  res.additionals = zone.additionalFor(r.answers).map((a) => toResource(a, ttl));
  return encode(res);
}

function forward(upstream: string, data: Buffer, timeoutMs: number): Promise<Buffer> {
  const [host, port] = upstream.split(':');
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`upstream ${upstream} timed out`));
    }, timeoutMs);
    sock.once('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.send(data, Number(port || 53), host);
  });
}

/** servfail answers a request we could not serve. */
function servfail(data: Buffer): Buffer | undefined {
  try {
    const res = Packet.createResponseFromRequest(Packet.parse(data));
    res.header.rcode = Rcode.SERVFAIL;
    return res.toBuffer();
  } catch {
    return undefined;
  }
}

/** bindUdp binds a UDP socket, inside netnsPath if given (synchronously, see netns.ts). */
function bindUdp(l: DnsListen): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    // An identity lookup makes bind() synchronous, so the socket is made while in the namespace.
    const sock = dgram.createSocket({ type: 'udp4', lookup: (host, _opts, cb) => (cb as (e: null, a: string, f: number) => void)(null, host, 4) });
    sock.once('error', reject);
    sock.once('listening', () => {
      sock.off('error', reject);
      resolve(sock);
    });
    withNetns(l.netnsPath ?? '', () => sock.bind(l.port ?? 53, l.address));
  });
}

/** EADDRINUSE is Linux's errno for an address in use. */
const EADDRINUSE = 98;

/**
 * bindListen binds UDP (and TCP, if tcp) on one listen address. With port 0 the kernel picks the UDP port and TCP takes the
 * same number; another process may hold that TCP port, so such a pick is dropped and made again (a few times).
 */
async function bindListen(l: DnsListen, tcp: Responder | undefined): Promise<{ udp: dgram.Socket; tcp?: net.Server }> {
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(l);
    if (!tcp) return { udp };
    try {
      return { udp, tcp: await startTcpDns(l.address, udp.address().port, l.netnsPath ?? '', tcp) };
    } catch (err) {
      udp.close();
      const inUse = (err as { errno?: number }).errno === EADDRINUSE;
      if (!inUse || (l.port ?? 53) !== 0 || attempt >= 9) throw err;
    }
  }
}

/** startClusterDns starts the server on every listen address. */
export async function startClusterDns(opts: ClusterDnsOptions): Promise<ClusterDns> {
  const zone = new ClusterZone(opts.source, { domain: opts.domain, podRecords: opts.podRecords });
  const ttl = opts.ttl ?? 5;
  const respond = async (data: Buffer, tcp: boolean): Promise<Buffer | undefined> => {
    try {
      const req = Packet.parse(data);
      const out = answer(zone, req, ttl, Boolean(opts.upstream), tcp ? 65535 : udpLimit(req));
      if (out || !opts.upstream) return out;
      return await forward(opts.upstream, data, opts.upstreamTimeoutMs ?? 2000);
    } catch {
      return servfail(data);
    }
  };
  const sockets: dgram.Socket[] = [];
  const tcpServers: net.Server[] = [];
  try {
    for (const l of opts.listen) {
      const bound = await bindListen(l, (opts.tcp ?? true) ? (q) => respond(q, true) : undefined);
      sockets.push(bound.udp);
      if (bound.tcp) tcpServers.push(bound.tcp);
    }
  } catch (err) {
    for (const s of sockets) s.close();
    for (const s of tcpServers) s.close();
    throw err;
  }
  for (const sock of sockets) {
    sock.on('message', (data, rinfo) => {
      void respond(data, false).then((out) => {
        if (out) sock.send(out, rinfo.port, rinfo.address);
      });
    });
    sock.on('error', () => undefined);
  }
  return {
    addresses: sockets.map((s) => ({ address: s.address().address, port: s.address().port })),
    zone,
    async close() {
      const open = sockets.splice(0);
      await Promise.all(open.map((s) => new Promise<void>((r) => s.close(() => r()))));
      await Promise.all(tcpServers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
