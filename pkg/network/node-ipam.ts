// node-ipam.ts: the node IPAM controller. Every Node gets a pod CIDR (spec.podCIDR, a /24 of
// the cluster CIDR 10.42.0.0/16 by default) that no other Node holds. The API server refuses to
// change a podCIDR once set, so a CIDR written is final; the controller only fills in blanks.
// Between a write and the informer seeing it, CIDRs in flight are remembered so that two quick
// syncs never pick the same block.
import type { Node } from '../api/core/node.js';
import { isNotFound } from '../api/errors.js';
import { Controller, type SyncResult } from '../client/controller.js';
import type { SharedIndexInformer } from '../client/informer.js';
import type { Lister } from '../client/lister.js';
import { Resources } from '../client/resources.js';
import type { WorkQueue } from '../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../controllers/context.js';
import { keyHandler } from '../controllers/enqueue.js';
import { type Cidr, cidrsOverlap, formatCidr, parseCidr, subnetAt, subnetCount } from './cidr.js';

/** DEFAULT_CLUSTER_CIDR is the pod range of the whole cluster. */
export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
/** DEFAULT_NODE_MASK_SIZE is the prefix length of one node's pod CIDR. */
export const DEFAULT_NODE_MASK_SIZE = 24;

/**
 * allocateNodeCidr returns the first /maskSize block of clusterCidr that overlaps none of
 * used, or undefined when the cluster range is full.
 */
export function allocateNodeCidr(clusterCidr: string, maskSize: number, used: Iterable<string>): string | undefined {
  const cluster = parseCidr(clusterCidr);
  const taken: Cidr[] = [];
  for (const u of used) {
    try {
      taken.push(parseCidr(u, true));
    } catch {
      // A malformed CIDR on some node takes nothing.
    }
  }
  const count = subnetCount(cluster, maskSize);
  for (let i = 0; i < count; i++) {
    const candidate = subnetAt(cluster, maskSize, i);
    if (!taken.some((c) => cidrsOverlap(c, candidate))) return formatCidr(candidate);
  }
  return undefined;
}

/** NodeIpamOptions configures the node IPAM controller. */
export interface NodeIpamOptions {
  clusterCidr?: string;
  nodeMaskSize?: number;
}

/** NodeIpamController assigns spec.podCIDR(s) to Nodes that have none. */
export class NodeIpamController implements Runnable {
  readonly name = 'nodeipam';
  readonly queue: WorkQueue;
  private readonly ctx: ResolvedContext;
  private readonly informer: SharedIndexInformer<Node>;
  private readonly nodes: Lister<Node>;
  private readonly clusterCidr: string;
  private readonly maskSize: number;
  /** inFlight maps node name → CIDR written but perhaps not yet in the cache. */
  private readonly inFlight = new Map<string, string>();

  constructor(context: ControllerContext, opts: NodeIpamOptions = {}) {
    this.ctx = resolveContext(context, this.name);
    this.queue = newQueue(this.ctx, this.name);
    this.clusterCidr = opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR;
    this.maskSize = opts.nodeMaskSize ?? DEFAULT_NODE_MASK_SIZE;
    parseCidr(this.clusterCidr);
    this.informer = this.ctx.informers.informerFor<Node>(Resources.nodes);
    this.nodes = this.informer.lister();
    this.informer.addEventHandler(keyHandler((key) => this.queue.add(key)));
  }

  /** run reconciles until signal aborts. One worker: allocation must be sequential. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({ name: this.name, queue: this.queue, informers: [this.informer], sync: (key) => this.sync(key), workers: 1, logger: this.ctx.logger }).run(signal);
  }

  /** sync gives the named Node a pod CIDR if it has none. */
  async sync(name: string): Promise<SyncResult> {
    const node = this.nodes.get(undefined, name);
    if (!node) {
      this.inFlight.delete(name);
      return;
    }
    if (node.spec?.podCIDR) {
      this.inFlight.delete(name);
      return;
    }
    const used = new Set<string>();
    for (const n of this.nodes.list()) {
      if (n.spec?.podCIDR) used.add(n.spec.podCIDR);
      for (const c of n.spec?.podCIDRs ?? []) used.add(c);
    }
    for (const [other, c] of this.inFlight) if (other !== name) used.add(c);
    const cidr = this.inFlight.get(name) ?? allocateNodeCidr(this.clusterCidr, this.maskSize, used);
    const log = this.ctx.logger.child({ node: name });
    if (!cidr) {
      log.error({ clusterCidr: this.clusterCidr }, 'no pod CIDR left for node');
      this.ctx.recorder.event(node, 'Warning', 'CIDRNotAvailable', `no /${this.maskSize} left in ${this.clusterCidr}`);
      return { requeueAfter: 30_000 };
    }
    this.inFlight.set(name, cidr);
    try {
      await this.ctx.client.resource<Node>(Resources.nodes).patch(name, 'merge', {
        metadata: { resourceVersion: node.metadata.resourceVersion },
        spec: { podCIDR: cidr, podCIDRs: [cidr] },
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    log.info({ podCIDR: cidr }, 'assigned pod CIDR');
    this.ctx.recorder.event(node, 'Normal', 'CIDRAssigned', `pod CIDR ${cidr}`);
  }
}

/** registerNodeIpam builds the node IPAM controller for the controller manager. */
export function registerNodeIpam(ctx: ControllerContext, opts: NodeIpamOptions = {}): NodeIpamController {
  return new NodeIpamController(ctx, opts);
}
