// routes.ts: host-gw routing and the safety routes. Each node routes every other node's pod
// CIDR via that node's address; routes Skiff made carry their own protocol number so a sync
// can find and remove stale ones without touching anything else (never the default route).
import { execRunner, type Runner } from './exec.js';
import { inNetnsPath } from './netns.js';

/** ROUTE_PROTOCOL marks the routes Skiff owns ("proto 158" in `ip route`). */
export const ROUTE_PROTOCOL = '158';

/** NodeRoute says: pods of podCidr live behind nodeIP. */
export interface NodeRoute {
  podCidr: string;
  nodeIP: string;
}

/** RouteOptions say where routes go. */
export interface RouteOptions {
  /** netnsPath of the node ("" = this process's namespace). */
  netnsPath?: string;
  run?: Runner;
}

async function ownedRoutes(type: 'unicast' | 'unreachable', opts: RouteOptions): Promise<Map<string, string>> {
  const run = opts.run ?? execRunner;
  const { stdout } = await run(inNetnsPath(opts.netnsPath ?? '', ['ip', '-4', '-o', 'route', 'show', 'proto', ROUTE_PROTOCOL, 'type', type]));
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const dst = type === 'unicast' ? fields[0] : fields[1];
    if (!dst) continue;
    const via = fields.indexOf('via');
    out.set(dst.includes('/') ? dst : `${dst}/32`, via >= 0 ? fields[via + 1] : '');
  }
  return out;
}

/**
 * syncNodeRoutes makes this node's host-gw routes equal to routes (other nodes only; the own
 * pod CIDR is on the bridge). Returns how many routes it added, changed or removed.
 */
export async function syncNodeRoutes(routes: readonly NodeRoute[], opts: RouteOptions = {}): Promise<number> {
  const run = opts.run ?? execRunner;
  const ip = (...args: string[]) => run(inNetnsPath(opts.netnsPath ?? '', ['ip', ...args]));
  const have = await ownedRoutes('unicast', opts);
  let changes = 0;
  const want = new Set<string>();
  for (const r of routes) {
    want.add(r.podCidr);
    if (have.get(r.podCidr) === r.nodeIP) continue;
    await ip('route', 'replace', r.podCidr, 'via', r.nodeIP, 'proto', ROUTE_PROTOCOL);
    changes++;
  }
  for (const [dst, via] of have) {
    // Only gateway routes are host-gw routes; the service route (on the bridge) is not.
    if (want.has(dst) || !via) continue;
    await ip('route', 'del', dst, 'proto', ROUTE_PROTOCOL).catch(() => undefined);
    changes++;
  }
  return changes;
}

/**
 * ensureUnreachableRoutes adds an `unreachable` route for each cluster range (pod and
 * service CIDRs), so that a packet for a cluster address with no more specific route is
 * dropped here instead of following the default route off the machine. More specific routes
 * (the bridge's /24, host-gw routes) still win.
 */
export async function ensureUnreachableRoutes(cidrs: readonly string[], opts: RouteOptions = {}): Promise<void> {
  const run = opts.run ?? execRunner;
  for (const c of cidrs) {
    await run(inNetnsPath(opts.netnsPath ?? '', ['ip', 'route', 'replace', 'unreachable', c, 'proto', ROUTE_PROTOCOL]));
  }
}

/**
 * ensureServiceRoute routes the service CIDR onto the pod bridge. Locally generated packets
 * are routed before nat OUTPUT rewrites them, so with only an `unreachable` route the node
 * itself (host-network pods, the agent) could not reach a ClusterIP. On the bridge, a
 * service address without rules finds no neighbour and is dropped; it never leaves the machine.
 */
export async function ensureServiceRoute(serviceCidr: string, bridge: string, opts: RouteOptions = {}): Promise<void> {
  const run = opts.run ?? execRunner;
  await run(inNetnsPath(opts.netnsPath ?? '', ['ip', 'route', 'replace', serviceCidr, 'dev', bridge, 'proto', ROUTE_PROTOCOL]));
}

/** removeOwnedRoutes deletes every route Skiff made in the namespace (uninstall). */
export async function removeOwnedRoutes(opts: RouteOptions = {}): Promise<void> {
  const run = opts.run ?? execRunner;
  await run(inNetnsPath(opts.netnsPath ?? '', ['ip', 'route', 'flush', 'proto', ROUTE_PROTOCOL]));
}
