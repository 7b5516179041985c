// node-manager.ts: registers the Node (create, or adopt and refresh labels) and keeps its
// status true: every statusIntervalMs it recomputes the status and writes it through the
// status subresource when something changed, or at least every reportIntervalMs.
import { isAlreadyExists, isNotFound } from '../api/errors.js';
import type { Node, NodeStatus } from '../api/core/node.js';
import { type Clock, realClock, type TimerHandle } from '../client/clock.js';
import type { Logger } from '../client/logger.js';
import { Resources } from '../client/resources.js';
import type { RestClient } from '../client/rest.js';
import type { MachineInfo, Pressure } from './machine.js';
import { buildNodeStatus, newNode, nodeLabels, statusChanged, type NodeConfig } from './node-status.js';

/** NodeManagerOptions configure a NodeManager. */
export interface NodeManagerOptions {
  client: RestClient;
  config: NodeConfig;
  machine: MachineInfo;
  pressure: () => Promise<Pressure>;
  /** runtimeStatus probes the runtime (version call). */
  runtimeStatus: () => Promise<{ ready: boolean; version: string; message?: string }>;
  statusIntervalMs?: number;
  reportIntervalMs?: number;
  clock?: Clock;
  logger: Logger;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** NodeManager owns the Node object of this agent. */
export class NodeManager {
  private timer?: TimerHandle;
  private stopped = false;
  private lastStatus?: NodeStatus;
  private lastReport = 0;
  private readonly clock: Clock;
  /** uid of the registered Node. */
  uid?: string;
  /** notReady, when set, is reported as the Ready=False message (a node shutdown). */
  private notReady?: string;

  constructor(private readonly o: NodeManagerOptions) {
    this.clock = o.clock ?? realClock;
  }

  /** setPort sets the agent API port the node publishes (known once the server listens). */
  setPort(port: number): void {
    this.o.config.port = port;
  }

  private get nodes() {
    return this.o.client.resource<Node>(Resources.nodes);
  }

  private async computeStatus(old: NodeStatus | undefined): Promise<NodeStatus> {
    const [pressure, runtime] = await Promise.all([this.o.pressure(), this.o.runtimeStatus().catch((e) => ({ ready: false, version: '', message: (e as Error).message }))]);
    return buildNodeStatus(this.o.config, this.o.machine, pressure, runtime, old, iso(this.clock.now()), this.notReady);
  }

  /** setNotReady reports the node NotReady with message from now on and writes the status at once. */
  async setNotReady(message: string): Promise<void> {
    this.notReady = message;
    await this.syncStatus(true);
  }

  /** register creates the Node, or adopts an existing one and refreshes its labels and status. */
  async register(): Promise<Node> {
    const name = this.o.config.nodeName;
    let node: Node;
    try {
      node = await this.nodes.get(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const status = await this.computeStatus(undefined);
      try {
        node = await this.nodes.create(newNode(this.o.config, this.o.machine, status));
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        node = await this.nodes.get(name);
      }
    }
    const labels = { ...(node.metadata.labels ?? {}), ...nodeLabels(this.o.config, this.o.machine) };
    if (JSON.stringify(labels) !== JSON.stringify(node.metadata.labels ?? {})) node = await this.nodes.patch(name, 'merge', { metadata: { labels } });
    this.uid = node.metadata.uid;
    this.lastStatus = node.status;
    await this.syncStatus(true);
    this.o.logger.info({ node: name, uid: this.uid }, 'node registered');
    return node;
  }

  /** syncStatus writes the status if it changed (or force / report interval passed). */
  async syncStatus(force = false): Promise<boolean> {
    const status = await this.computeStatus(this.lastStatus);
    const due = this.clock.now() - this.lastReport >= (this.o.reportIntervalMs ?? 5 * 60_000);
    if (!force && !due && !statusChanged(this.lastStatus, status)) return false;
    const node = await this.nodes.patch(this.o.config.nodeName, 'merge', { status }, { subresource: 'status' });
    this.lastStatus = node.status ?? status;
    this.lastReport = this.clock.now();
    return true;
  }

  /** start re-checks the status every interval until stop. */
  start(): void {
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      try {
        await this.syncStatus();
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, 'node status update failed');
      }
      if (!this.stopped) this.timer = this.clock.setTimeout(() => void tick(), this.o.statusIntervalMs ?? 10_000);
    };
    this.timer = this.clock.setTimeout(() => void tick(), this.o.statusIntervalMs ?? 10_000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }
}
