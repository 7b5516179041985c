// node-lease.ts: the node heartbeat: a Lease named after the node in kube-node-lease, owned by
// the Node, renewed every renewIntervalMs (10 s) with compare-and-swap; on a conflict the next
// renewal reads the current Lease again.
import { isConflict, isNotFound } from '../api/errors.js';
import type { Lease } from '../api/coordination.js';
import { type Clock, realClock, type TimerHandle } from '../client/clock.js';
import { formatMicroTime } from '../client/leaderelection.js';
import type { Logger } from '../client/logger.js';
import { Resources } from '../client/resources.js';
import type { RestClient } from '../client/rest.js';

/** NodeLeaseNamespace is where node heartbeats live. */
export const NodeLeaseNamespace = 'kube-node-lease';

/** NodeLeaseOptions configure a NodeLease. */
export interface NodeLeaseOptions {
  client: RestClient;
  nodeName: string;
  /** nodeUID makes the Node the Lease's owner (garbage collected with it). */
  nodeUID?: () => string | undefined;
  renewIntervalMs?: number;
  leaseDurationSeconds?: number;
  clock?: Clock;
  logger: Logger;
}

/** NodeLease renews the node's Lease until stopped. */
export class NodeLease {
  private timer?: TimerHandle;
  private stopped = false;
  private current?: Lease;
  private readonly clock: Clock;

  constructor(private readonly o: NodeLeaseOptions) {
    this.clock = o.clock ?? realClock;
  }

  /** start renews now and then every interval. */
  start(): void {
    this.stopped = false;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.renew();
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'node lease renewal failed');
    }
    if (!this.stopped) this.timer = this.clock.setTimeout(() => void this.loop(), this.o.renewIntervalMs ?? 10_000);
  }

  /** renew creates or updates the Lease once. */
  async renew(): Promise<Lease> {
    const leases = this.o.client.resource<Lease>(Resources.leases).namespace(NodeLeaseNamespace);
    const now = formatMicroTime(this.clock.now());
    const uid = this.o.nodeUID?.();
    const spec = { holderIdentity: this.o.nodeName, leaseDurationSeconds: this.o.leaseDurationSeconds ?? 40, renewTime: now };
    const owner = uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid }] : undefined;
    if (!this.current) {
      try {
        this.current = await leases.get(this.o.nodeName);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.current = await leases.create({ metadata: { name: this.o.nodeName, namespace: NodeLeaseNamespace, ...(owner ? { ownerReferences: owner } : {}) }, spec });
        return this.current;
      }
    }
    const next: Lease = { ...this.current, metadata: { ...this.current.metadata, ...(owner && !this.current.metadata.ownerReferences?.length ? { ownerReferences: owner } : {}) }, spec: { ...this.current.spec, ...spec } };
    try {
      this.current = await leases.update(next);
    } catch (e) {
      this.current = undefined;
      if (!isConflict(e) && !isNotFound(e)) throw e;
      return this.renew();
    }
    return this.current;
  }
}
