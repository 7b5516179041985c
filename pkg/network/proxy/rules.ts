// rules.ts: turns Services and EndpointSlices into the iptables rules of the service proxy,
// chain by chain, so the proxier can rewrite only the chains that changed. Pure: no I/O.
//
//   nat PREROUTING/OUTPUT ─► SKIFF-SERVICES ─ClusterIP:port─► SKIFF-SVC-<hash>
//                                └─ local address ─► SKIFF-NODEPORTS ─nodePort─► SKIFF-SVC-<hash>
//   SKIFF-SVC-<hash>: [ClientIP affinity: recent --rcheck per endpoint]
//                     statistic random 1/n, 1/(n-1), … ─► SKIFF-SEP-<hash>
//   SKIFF-SEP-<hash>: hairpin (source = endpoint) ─► SKIFF-MARK-MASQ; DNAT to ip:port
//   nat POSTROUTING ─► SKIFF-POSTROUTING: MASQUERADE marked packets only
//   filter FORWARD/OUTPUT (new connections) ─► SKIFF-SERVICES: REJECT ports without endpoints
import { createHash } from 'node:crypto';
import type { Service, ServicePort } from '../../api/core/service.js';
import { type EndpointSlice, SERVICE_NAME_LABEL } from '../../api/discovery.js';

/** MASQ_MARK is the packet mark that asks SKIFF-POSTROUTING to masquerade. */
export const MASQ_MARK = '0x4000';

/** Chain names the proxy owns (besides the hashed per-service and per-endpoint chains). */
export const Chains = {
  services: 'SKIFF-SERVICES',
  nodePorts: 'SKIFF-NODEPORTS',
  postrouting: 'SKIFF-POSTROUTING',
  markMasq: 'SKIFF-MARK-MASQ',
  filterServices: 'SKIFF-SERVICES',
} as const;

/** OWNED_CHAIN_PREFIX starts every chain the proxy made. */
export const OWNED_CHAIN_PREFIX = 'SKIFF-';

/** Hooks are the jumps from built-in chains into the proxy's chains, per table. */
export const Hooks: { table: 'nat' | 'filter'; chain: string; rule: string[] }[] = [
  { table: 'nat', chain: 'PREROUTING', rule: ['-m', 'comment', '--comment', 'skiff service portals', '-j', Chains.services] },
  { table: 'nat', chain: 'OUTPUT', rule: ['-m', 'comment', '--comment', 'skiff service portals', '-j', Chains.services] },
  { table: 'nat', chain: 'POSTROUTING', rule: ['-m', 'comment', '--comment', 'skiff postrouting', '-j', Chains.postrouting] },
  { table: 'filter', chain: 'FORWARD', rule: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'skiff services without endpoints', '-j', Chains.filterServices] },
  { table: 'filter', chain: 'OUTPUT', rule: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'skiff services without endpoints', '-j', Chains.filterServices] },
];

/** RuleSet is the desired content of every proxy chain, per table: chain name → rule lines. */
export interface RuleSet {
  nat: Map<string, string[]>;
  filter: Map<string, string[]>;
}

/** ServicePortEndpoint is one ready endpoint of a service port. */
export interface ServicePortEndpoint {
  ip: string;
  port: number;
}

/** ServicePortInfo is everything the proxy needs about one port of one Service. */
export interface ServicePortInfo {
  /** name is "namespace/service:port-name" (port name may be empty). */
  name: string;
  clusterIP: string;
  port: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  nodePort?: number;
  affinityTimeoutSeconds?: number;
  endpoints: ServicePortEndpoint[];
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('base64url').replace(/[-_]/g, 'x').slice(0, 16).toUpperCase();
}

/** serviceChain names the chain of one service port. */
export function serviceChain(p: ServicePortInfo): string {
  return `SKIFF-SVC-${hash(`${p.name}/${p.protocol}`)}`;
}

/** endpointChain names the chain of one endpoint of one service port. */
export function endpointChain(p: ServicePortInfo, ep: ServicePortEndpoint): string {
  return `SKIFF-SEP-${hash(`${p.name}/${p.protocol}/${ep.ip}:${ep.port}`)}`;
}

function portName(svc: Service, p: ServicePort): string {
  return `${svc.metadata.namespace}/${svc.metadata.name}:${p.name ?? ''}`;
}

/**
 * servicePorts joins Services with their EndpointSlices: one entry per service port that has a
 * cluster IP, with the ready endpoints (serving and not terminating) of the matching slice port.
 */
export function servicePorts(services: readonly Service[], slices: readonly EndpointSlice[]): ServicePortInfo[] {
  const byService = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svcName = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svcName || s.addressType !== 'IPv4') continue;
    const key = `${s.metadata.namespace}/${svcName}`;
    byService.set(key, [...(byService.get(key) ?? []), s]);
  }
  const out: ServicePortInfo[] = [];
  for (const svc of services) {
    const spec = svc.spec;
    if (!spec || spec.type === 'ExternalName' || !spec.clusterIP || spec.clusterIP === 'None') continue;
    const svcSlices = byService.get(`${svc.metadata.namespace}/${svc.metadata.name}`) ?? [];
    for (const p of spec.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP').toLowerCase() as ServicePortInfo['protocol'];
      const seen = new Set<string>();
      const endpoints: ServicePortEndpoint[] = [];
      for (const slice of svcSlices) {
        const sp = (slice.ports ?? []).find((x) => (x.name ?? '') === (p.name ?? '') && (x.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (!sp?.port) continue;
        for (const ep of slice.endpoints ?? []) {
          if (ep.conditions?.ready === false) continue;
          for (const ip of ep.addresses.slice(0, 1)) {
            const id = `${ip}:${sp.port}`;
            if (seen.has(id)) continue;
            seen.add(id);
            endpoints.push({ ip, port: sp.port });
          }
        }
      }
      endpoints.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
      out.push({
        name: portName(svc, p),
        clusterIP: spec.clusterIP,
        port: p.port,
        protocol,
        nodePort: spec.type === 'NodePort' || spec.type === 'LoadBalancer' ? p.nodePort : undefined,
        affinityTimeoutSeconds: spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined,
        endpoints,
      });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function quote(s: string): string {
  return `"${s.replace(/"/g, '')}"`;
}

function probability(n: number): string {
  return (1 / n).toFixed(10);
}

/** buildRules computes every chain's rules from the service ports. */
export function buildRules(ports: readonly ServicePortInfo[]): RuleSet {
  const nat = new Map<string, string[]>();
  const filter = new Map<string, string[]>();
  const services: string[] = [];
  const nodePorts: string[] = [];
  const rejects: string[] = [];
  for (const p of ports) {
    const comment = ['-m', 'comment', '--comment', quote(p.name)].join(' ');
    const match = `-p ${p.protocol} -m ${p.protocol}`;
    if (p.endpoints.length === 0) {
      rejects.push(`-A ${Chains.filterServices} -d ${p.clusterIP}/32 ${match} --dport ${p.port} ${comment} -j REJECT`);
      if (p.nodePort) rejects.push(`-A ${Chains.filterServices} -m addrtype --dst-type LOCAL ${match} --dport ${p.nodePort} ${comment} -j REJECT`);
      continue;
    }
    const svcChain = serviceChain(p);
    services.push(`-A ${Chains.services} -d ${p.clusterIP}/32 ${match} --dport ${p.port} ${comment} -j ${svcChain}`);
    if (p.nodePort) {
      // NodePort traffic may come from another node: masquerade it so replies come back here.
      nodePorts.push(`-A ${Chains.nodePorts} ${match} --dport ${p.nodePort} ${comment} -j ${Chains.markMasq}`);
      nodePorts.push(`-A ${Chains.nodePorts} ${match} --dport ${p.nodePort} ${comment} -j ${svcChain}`);
    }
    const svcRules: string[] = [];
    const n = p.endpoints.length;
    if (p.affinityTimeoutSeconds !== undefined) {
      for (const ep of p.endpoints) {
        const sep = endpointChain(p, ep);
        svcRules.push(`-A ${svcChain} ${comment} -m recent --name ${sep} --rcheck --seconds ${p.affinityTimeoutSeconds} --reap -j ${sep}`);
      }
    }
    p.endpoints.forEach((ep, i) => {
      const sep = endpointChain(p, ep);
      const stat = i < n - 1 ? ` -m statistic --mode random --probability ${probability(n - i)}` : '';
      svcRules.push(`-A ${svcChain} ${comment}${stat} -j ${sep}`);
      const recent = p.affinityTimeoutSeconds !== undefined ? ` -m recent --name ${sep} --set` : '';
      nat.set(sep, [
        `-A ${sep} -s ${ep.ip}/32 ${comment} -j ${Chains.markMasq}`,
        `-A ${sep} ${match} ${comment}${recent} -j DNAT --to-destination ${ep.ip}:${ep.port}`,
      ]);
    });
    nat.set(svcChain, svcRules);
  }
  services.push(`-A ${Chains.services} -m addrtype --dst-type LOCAL -j ${Chains.nodePorts}`);
  nat.set(Chains.services, services);
  nat.set(Chains.nodePorts, nodePorts);
  nat.set(Chains.markMasq, [`-A ${Chains.markMasq} -j MARK --set-xmark ${MASQ_MARK}/${MASQ_MARK}`]);
  nat.set(Chains.postrouting, [
    `-A ${Chains.postrouting} -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A ${Chains.postrouting} -j MARK --xor-mark ${MASQ_MARK}`,
    `-A ${Chains.postrouting} -m comment --comment "skiff hairpin and nodeport masquerade" -j MASQUERADE`,
  ]);
  filter.set(Chains.filterServices, rejects);
  return { nat, filter };
}

/**
 * restoreText renders the iptables-restore --noflush input that turns the previous rule set
 * into the next one: only chains whose rules changed are declared (which flushes them) and
 * rewritten; chains that disappeared are flushed, then deleted once nothing jumps to them.
 */
export function restoreText(prev: RuleSet | undefined, next: RuleSet): { text: string; changedChains: number } {
  let text = '';
  let changedChains = 0;
  for (const table of ['nat', 'filter'] as const) {
    const before = prev?.[table] ?? new Map<string, string[]>();
    const after = next[table];
    const declare: string[] = [];
    const rules: string[] = [];
    const remove: string[] = [];
    for (const [chain, lines] of after) {
      const old = before.get(chain);
      if (old && old.length === lines.length && old.every((l, i) => l === lines[i])) continue;
      declare.push(`:${chain} - [0:0]`);
      rules.push(...lines);
    }
    for (const chain of before.keys()) {
      if (after.has(chain)) continue;
      declare.push(`:${chain} - [0:0]`);
      remove.push(`-X ${chain}`);
    }
    if (declare.length === 0) continue;
    changedChains += declare.length;
    text += [`*${table}`, ...declare, ...rules, ...remove, 'COMMIT', ''].join('\n');
  }
  return { text, changedChains };
}
