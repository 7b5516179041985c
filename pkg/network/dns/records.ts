// records.ts: the cluster DNS zone, computed on each query from Services and EndpointSlices
// (as CoreDNS's kubernetes plugin does). Pure: give it listers, ask it a name and a type.
//
//   <svc>.<ns>.svc.<domain>            A    cluster IP, or (headless) every ready endpoint
//   <host>.<svc>.<ns>.svc.<domain>     A    one endpoint of a headless service (by hostname)
//   _<port>._<proto>.<svc>.<ns>.svc…   SRV  named ports: port and target
//   <a-b-c-d>.<ns>.pod.<domain>        A    pod records (the address written with dashes)
import { isIPv4 } from 'node:net';
import type { Service } from '../../api/core/service.js';
import { type EndpointSlice, SERVICE_NAME_LABEL } from '../../api/discovery.js';
import type { ObjectLister } from '../types.js';

/** DEFAULT_CLUSTER_DOMAIN is the cluster's DNS suffix. */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** RecordType is a query type the zone answers. */
export type RecordType = 'A' | 'AAAA' | 'SRV' | 'ANY' | 'OTHER';

/** Answer is one resource record of an answer. */
export type Answer = { name: string; type: 'A'; address: string } | { name: string; type: 'SRV'; priority: number; weight: number; port: number; target: string };

/** Lookup is the outcome of a query: NXDOMAIN, not ours (outside the domain), or records. */
export type Lookup = { rcode: 'NXDOMAIN' } | { rcode: 'NOTAUTH' } | { rcode: 'NOERROR'; answers: Answer[] };

/** DnsSource is where the zone reads Services and EndpointSlices (pkg/client listers fit). */
export interface DnsSource {
  services: ObjectLister<Service>;
  endpointSlices: ObjectLister<EndpointSlice>;
}

interface Endpoint {
  ip: string;
  hostname?: string;
}

/** ClusterZone answers queries for names under the cluster domain. */
export class ClusterZone {
  readonly domain: string;

  constructor(
    private readonly source: DnsSource,
    opts: { domain?: string; podRecords?: boolean } = {},
  ) {
    this.domain = (opts.domain ?? DEFAULT_CLUSTER_DOMAIN).toLowerCase().replace(/\.$/, '');
    this.podRecords = opts.podRecords ?? true;
  }

  private readonly podRecords: boolean;

  /** inZone tells whether the name is under the cluster domain. */
  inZone(name: string): boolean {
    const n = name.toLowerCase().replace(/\.$/, '');
    return n === this.domain || n.endsWith(`.${this.domain}`);
  }

  private readyEndpoints(svc: Service): Endpoint[] {
    const slices = this.source.endpointSlices.list(svc.metadata.namespace).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.metadata.name && s.addressType === 'IPv4');
    const out: Endpoint[] = [];
    const seen = new Set<string>();
    for (const s of slices) {
      for (const ep of s.endpoints ?? []) {
        const ready = ep.conditions?.ready !== false || svc.spec?.publishNotReadyAddresses;
        const ip = ep.addresses[0];
        if (!ready || !ip || seen.has(ip)) continue;
        seen.add(ip);
        out.push({ ip, hostname: ep.hostname });
      }
    }
    return out.sort((a, b) => (a.ip < b.ip ? -1 : 1));
  }

  /** lookup answers one question. */
  lookup(name: string, type: RecordType): Lookup {
    const fqdn = name.toLowerCase().replace(/\.$/, '');
    if (!this.inZone(fqdn)) return { rcode: 'NOTAUTH' };
    const labels = fqdn.slice(0, fqdn.length - this.domain.length).replace(/\.$/, '').split('.').filter(Boolean);
    // labels are read from the right: [..., ns, "svc"] or [..., ns, "pod"].
    const kind = labels.at(-1);
    if (labels.length === 0) return { rcode: 'NOERROR', answers: [] };
    if (kind !== 'svc' && kind !== 'pod') return { rcode: 'NXDOMAIN' };
    if (labels.length === 1) return { rcode: 'NOERROR', answers: [] };
    if (kind === 'pod') return this.lookupPod(fqdn, labels.slice(0, -1), type);
    return this.lookupService(fqdn, labels.slice(0, -1), type);
  }

  private lookupPod(fqdn: string, labels: string[], type: RecordType): Lookup {
    if (!this.podRecords || labels.length !== 2) return labels.length === 1 ? { rcode: 'NOERROR', answers: [] } : { rcode: 'NXDOMAIN' };
    const ip = labels[0].replace(/-/g, '.');
    if (!isIPv4(ip)) return { rcode: 'NXDOMAIN' };
    return { rcode: 'NOERROR', answers: type === 'A' || type === 'ANY' ? [{ name: fqdn, type: 'A', address: ip }] : [] };
  }

  private lookupService(fqdn: string, labels: string[], type: RecordType): Lookup {
    // labels: [ns] | [svc, ns] | [host, svc, ns] | [_port, _proto, svc, ns]
    if (labels.length === 1) return { rcode: 'NOERROR', answers: [] };
    const ns = labels.at(-1)!;
    const svcName = labels.at(-2)!;
    const svc = this.source.services.get(ns, svcName);
    if (!svc || !svc.spec) return { rcode: 'NXDOMAIN' };
    const svcFqdn = `${svcName}.${ns}.svc.${this.domain}`;
    const headless = !svc.spec.clusterIP || svc.spec.clusterIP === 'None';
    const rest = labels.slice(0, -2);
    if (svc.spec.type === 'ExternalName') return rest.length === 0 ? { rcode: 'NOERROR', answers: [] } : { rcode: 'NXDOMAIN' };
    if (rest.length === 0) {
      if (type !== 'A' && type !== 'ANY') return { rcode: 'NOERROR', answers: [] };
      const ips = headless ? this.readyEndpoints(svc).map((e) => e.ip) : [svc.spec.clusterIP!];
      return { rcode: 'NOERROR', answers: ips.map((address) => ({ name: fqdn, type: 'A', address })) };
    }
    if (rest.length === 1) {
      if (!headless) return { rcode: 'NXDOMAIN' };
      const host = rest[0];
      const ep = this.readyEndpoints(svc).find((e) => (e.hostname ?? e.ip.replace(/\./g, '-')) === host);
      if (!ep) return { rcode: 'NXDOMAIN' };
      return { rcode: 'NOERROR', answers: type === 'A' || type === 'ANY' ? [{ name: fqdn, type: 'A', address: ep.ip }] : [] };
    }
    if (rest.length === 2 && rest[0].startsWith('_') && rest[1].startsWith('_')) {
      const portName = rest[0].slice(1);
      const proto = rest[1].slice(1).toUpperCase();
      const port = (svc.spec.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP') === proto);
      if (!port) return { rcode: 'NXDOMAIN' };
      if (type !== 'SRV' && type !== 'ANY') return { rcode: 'NOERROR', answers: [] };
      if (!headless) return { rcode: 'NOERROR', answers: [{ name: fqdn, type: 'SRV', priority: 0, weight: 100, port: port.port, target: svcFqdn }] };
      const targetPort = this.headlessPort(svc, portName, proto);
      const eps = this.readyEndpoints(svc);
      return {
        rcode: 'NOERROR',
        answers: eps.map((e) => ({ name: fqdn, type: 'SRV', priority: 0, weight: Math.max(1, Math.floor(100 / eps.length)), port: targetPort ?? port.port, target: `${e.hostname ?? e.ip.replace(/\./g, '-')}.${svcFqdn}` })),
      };
    }
    return { rcode: 'NXDOMAIN' };
  }

  /** headlessPort is the endpoint port of a named port (headless services have no proxy). */
  private headlessPort(svc: Service, portName: string, proto: string): number | undefined {
    for (const s of this.source.endpointSlices.list(svc.metadata.namespace)) {
      if (s.metadata.labels?.[SERVICE_NAME_LABEL] !== svc.metadata.name) continue;
      const p = (s.ports ?? []).find((x) => x.name === portName && (x.protocol ?? 'TCP') === proto);
      if (p?.port) return p.port;
    }
    return undefined;
  }

  /** additionalTargets resolves SRV targets to A records (the additional section). */
  additionalFor(answers: Answer[]): Answer[] {
    const out: Answer[] = [];
    for (const a of answers) {
      if (a.type !== 'SRV') continue;
      const r = this.lookup(a.target, 'A');
      if (r.rcode === 'NOERROR') out.push(...r.answers);
    }
    return out;
  }
}
