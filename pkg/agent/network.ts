// network.ts: the seam to pod networking. With `bridge` options the agent uses pkg/network's
// BridgeNetwork (pod IPs from the Node's podCIDR, behind DeferredNetwork until it is known). Without, the
// agent gives each pod a network namespace of its own with only loopback up ("LoopbackNetwork"):
// containers of a pod talk over 127.0.0.1, nothing reaches them from outside, and the pod has
// no podIP. Because the agent made the namespace, it can enter it to run httpGet and tcpSocket
// probes. A real plugin implements the same interface and returns the pod's IP.
import { execRunner } from '../network/exec.js';
import { createNetns, deleteNetns, listNetns } from '../network/netns.js';

/** PodNetworkStatus is what the network plugin made for a pod. */
export interface PodNetworkStatus {
  /** netnsPath is the pod's network namespace ("" for host network pods). */
  netnsPath: string;
  /** ip is the pod's address ("" when the pod has none reachable from outside). */
  ip: string;
}

/** PodNetwork sets up and tears down pod network namespaces (idempotent). */
export interface PodNetwork {
  setUp(podUID: string): Promise<PodNetworkStatus>;
  tearDown(podUID: string): Promise<void>;
  /** list returns the pod uids that have a namespace (to clean up after pods gone while down). */
  list(): Promise<string[]>;
}

/** LoopbackNetwork makes named netns "<prefix><uid>" (under /run/netns) with lo up. */
export class LoopbackNetwork implements PodNetwork {
  constructor(private readonly prefix = 'skiff-pod-') {}

  private name(uid: string): string {
    return `${this.prefix}${uid}`;
  }

  async setUp(podUID: string): Promise<PodNetworkStatus> {
    const { path, created } = createNetns(this.name(podUID));
    if (!created) await execRunner(['ip', '-n', this.name(podUID), 'link', 'set', 'lo', 'up']);
    return { netnsPath: path, ip: '' };
  }

  async tearDown(podUID: string): Promise<void> {
    await deleteNetns(this.name(podUID));
  }

  async list(): Promise<string[]> {
    return (await listNetns(this.prefix)).map((n) => n.slice(this.prefix.length));
  }
}

/**
 * DeferredNetwork stands in for a plugin that is not ready yet (the bridge plugin needs the
 * Node's spec.podCIDR, which the node IPAM controller assigns after registration): setUp and
 * tearDown wait for it; list reports nothing until then (housekeeping runs again later).
 */
export class DeferredNetwork implements PodNetwork {
  private target?: PodNetwork;
  private readonly ready: Promise<PodNetwork>;
  private resolveReady!: (n: PodNetwork) => void;

  constructor() {
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
  }

  /** set hands over the real plugin. */
  set(network: PodNetwork): void {
    this.target = network;
    this.resolveReady(network);
  }

  get isReady(): boolean {
    return this.target !== undefined;
  }

  async setUp(podUID: string): Promise<PodNetworkStatus> {
    return (this.target ?? (await this.ready)).setUp(podUID);
  }

  async tearDown(podUID: string): Promise<void> {
    return (this.target ?? (await this.ready)).tearDown(podUID);
  }

  async list(): Promise<string[]> {
    return this.target ? this.target.list() : [];
  }
}
