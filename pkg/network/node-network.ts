// node-network.ts: everything one node's agent runs for networking, in one call. It prepares
// the node (bridge, safety routes, egress), keeps host-gw routes equal to the other Nodes'
// spec.podCIDR → InternalIP from a Node informer, and runs the service proxy from Service and
// EndpointSlice informers. stop() leaves the rules in place (pods keep working while the agent
// restarts); uninstall() removes the proxy chains, the egress chain and Skiff's routes.
import type { Node } from '../api/core/node.js';
import type { SharedInformerFactory } from '../client/factory.js';
import { defaultLogger, type Logger } from '../client/logger.js';
import { Resources } from '../client/resources.js';
import { removeEgress, syncEgress } from './egress.js';
import { execRunner, type Runner } from './exec.js';
import { DEFAULT_CLUSTER_CIDR } from './node-ipam.js';
import { BridgeNetwork } from './pod-network.js';
import { IptablesProxy } from './proxy/proxier.js';
import { runServiceProxy } from './proxy/runner.js';
import { ensureServiceRoute, ensureUnreachableRoutes, type NodeRoute, removeOwnedRoutes, syncNodeRoutes } from './routes.js';

/** DEFAULT_SERVICE_CIDR is the range the API server allocates ClusterIPs from. */
export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';

/** NodeNetworkOptions configure runNodeNetwork. */
export interface NodeNetworkOptions {
  nodeName: string;
  /** podCidr is this node's spec.podCIDR. */
  podCidr: string;
  informers: SharedInformerFactory;
  /** stateDir keeps the IPAM files. */
  stateDir: string;
  /** nodeNetnsPath: "" for the real host, a namespace for a simulated node. */
  nodeNetnsPath?: string;
  clusterCidr?: string;
  serviceCidr?: string;
  /** extraClusterCidrs are never masqueraded (e.g. the nodes' own range). */
  extraClusterCidrs?: string[];
  /** egress enables outbound NAT for pods (off by default). */
  egress?: boolean;
  bridgeName?: string;
  netnsPrefix?: string;
  vethPrefix?: string;
  logger?: Logger;
  run?: Runner;
}

/** NodeNetwork is a running node network. */
export interface NodeNetwork {
  /** network is the pod plugin to hand the pod workers. */
  network: BridgeNetwork;
  proxy: IptablesProxy;
  /** routes returns the host-gw routes last applied. */
  routes(): NodeRoute[];
  /** stop ends the loops (rules and routes stay). */
  stop(): Promise<void>;
  /** uninstall stops and removes proxy chains, egress chain and Skiff's routes. */
  uninstall(): Promise<void>;
}

/** nodeRoutes derives host-gw routes from the other Nodes (podCIDR via InternalIP). */
export function nodeRoutes(nodes: readonly Node[], self: string): NodeRoute[] {
  const out: NodeRoute[] = [];
  for (const n of nodes) {
    if (n.metadata.name === self || !n.spec?.podCIDR) continue;
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (ip) out.push({ podCidr: n.spec.podCIDR, nodeIP: ip });
  }
  return out.sort((a, b) => (a.podCidr < b.podCidr ? -1 : 1));
}

/** runNodeNetwork prepares the node and starts the route and proxy loops. */
export async function runNodeNetwork(o: NodeNetworkOptions): Promise<NodeNetwork> {
  const run = o.run ?? execRunner;
  const log = (o.logger ?? defaultLogger('network')).child({ node: o.nodeName });
  const netnsPath = o.nodeNetnsPath ?? '';
  const clusterCidr = o.clusterCidr ?? DEFAULT_CLUSTER_CIDR;
  const serviceCidr = o.serviceCidr ?? DEFAULT_SERVICE_CIDR;
  const network = new BridgeNetwork({ podCidr: o.podCidr, stateDir: o.stateDir, bridgeName: o.bridgeName, nodeNetnsPath: netnsPath, netnsPrefix: o.netnsPrefix, vethPrefix: o.vethPrefix, run });
  await network.ensureBridge();
  await ensureUnreachableRoutes([clusterCidr], { netnsPath, run });
  await ensureServiceRoute(serviceCidr, network.bridgeName, { netnsPath, run });
  await syncEgress({ enabled: o.egress ?? false, podCidr: o.podCidr, clusterCidrs: [clusterCidr, serviceCidr, ...(o.extraClusterCidrs ?? [])], netnsPath, run });

  const abort = new AbortController();
  const proxy = new IptablesProxy({ netnsPath, run });
  const proxyRun = runServiceProxy({ informers: o.informers, proxy, signal: abort.signal, logger: log });

  // Routes: level-triggered from the Node cache, one sync at a time, retried on failure.
  const nodes = o.informers.informerFor<Node>(Resources.nodes);
  let applied: NodeRoute[] = [];
  let pending = Promise.resolve();
  let again = false;
  let running = false;
  const syncRoutes = () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    pending = (async () => {
      do {
        again = false;
        const want = nodeRoutes(nodes.lister().list(), o.nodeName);
        try {
          const changes = await syncNodeRoutes(want, { netnsPath, run });
          applied = want;
          if (changes) log.info({ routes: want.length, changes }, 'host-gw routes synced');
        } catch (err) {
          log.error({ err }, 'host-gw route sync failed');
          if (!abort.signal.aborted) setTimeout(syncRoutes, 1000);
        }
      } while (again && !abort.signal.aborted);
      running = false;
    })();
  };
  nodes.addEventHandler({ onAdd: syncRoutes, onUpdate: syncRoutes, onDelete: syncRoutes });
  o.informers.start(abort.signal);

  const stop = async () => {
    abort.abort();
    await proxyRun;
    await pending;
  };
  return {
    network,
    proxy,
    routes: () => applied,
    stop,
    async uninstall() {
      await stop();
      await proxy.cleanup();
      await removeEgress({ netnsPath, run });
      await removeOwnedRoutes({ netnsPath, run });
    },
  };
}
