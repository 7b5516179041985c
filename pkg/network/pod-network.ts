// pod-network.ts: the bridge plugin. Per node one Linux bridge holds the gateway address of
// the node's pod CIDR; per pod a veth pair joins the bridge to "eth0" in the pod's network
// namespace, with an address from HostLocalIpam, loopback up and a default route via the
// gateway. The "host" side can itself be a namespace (a simulated node in tests and in
// `hack/`), so nothing here assumes the real host network.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { addressAt } from './cidr.js';
import { CommandError, execRunner, type Runner } from './exec.js';
import { HostLocalIpam } from './ipam.js';
import { createNetns, deleteNetns, inNetnsPath, netnsPathOf, NETNS_DIR } from './netns.js';
import type { PodNetwork, PodNetworkStatus, SetUpOptions } from './types.js';

/** MAX_LINK_NAME is Linux's limit on interface names (IFNAMSIZ - 1). */
export const MAX_LINK_NAME = 15;

/** BridgeNetworkOptions configure a node's bridge plugin. */
export interface BridgeNetworkOptions {
  /** podCidr is the node's spec.podCIDR. */
  podCidr: string;
  /** stateDir holds the IPAM files (keep it across restarts). */
  stateDir: string;
  /** bridgeName (default "skiff0"). */
  bridgeName?: string;
  /** nodeNetnsPath is where the bridge lives ("" = this process's namespace, the real host). */
  nodeNetnsPath?: string;
  /** netnsPrefix names pod namespaces "<prefix><podKey>" (default "skiff-pod-"). */
  netnsPrefix?: string;
  /** vethPrefix names host-side veths "<prefix><hash>" (default "skv"). */
  vethPrefix?: string;
  mtu?: number;
  run?: Runner;
}

/** vethName derives a stable host-side veth name for a pod, within the 15-char limit. */
export function vethName(prefix: string, podKey: string): string {
  const room = MAX_LINK_NAME - prefix.length;
  if (room < 6) throw new Error(`veth prefix "${prefix}" is too long`);
  return prefix + createHash('sha256').update(podKey).digest('hex').slice(0, room);
}

/** gatewayMac is the bridge's fixed MAC: locally administered 0a:58 (as Kubernetes plugins use) + the IPv4 bytes. */
export function gatewayMac(ip: string): string {
  return ['0a', '58', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

/** podNetnsName turns a pod key into a namespace name (no slashes). */
export function podNetnsName(prefix: string, podKey: string): string {
  return prefix + podKey.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** BridgeNetwork implements PodNetwork with a bridge, veth pairs and host-local IPAM. */
export class BridgeNetwork implements PodNetwork {
  readonly ipam: HostLocalIpam;
  readonly bridgeName: string;
  private readonly nodeNs: string;
  private readonly netnsPrefix: string;
  private readonly vethPrefix: string;
  private readonly mtu: number;
  private readonly run: Runner;
  private readonly prefixLength: number;
  private bridgeReady?: Promise<void>;

  constructor(opts: BridgeNetworkOptions) {
    this.ipam = new HostLocalIpam({ dir: opts.stateDir, subnet: opts.podCidr });
    this.bridgeName = opts.bridgeName ?? 'skiff0';
    if (this.bridgeName.length > MAX_LINK_NAME) throw new Error(`bridge name "${this.bridgeName}" is too long`);
    this.nodeNs = opts.nodeNetnsPath ?? '';
    this.netnsPrefix = opts.netnsPrefix ?? 'skiff-pod-';
    this.vethPrefix = opts.vethPrefix ?? 'skv';
    this.mtu = opts.mtu ?? 1500;
    this.run = opts.run ?? execRunner;
    this.prefixLength = this.ipam.subnet.prefix;
  }

  /** gateway is the bridge's address. */
  get gateway(): string {
    return this.ipam.gateway;
  }

  private node(...argv: string[]): Promise<unknown> {
    return this.run(inNetnsPath(this.nodeNs, argv));
  }

  /** ensureBridge creates the bridge with the gateway address and turns on forwarding (idempotent). */
  ensureBridge(): Promise<void> {
    this.bridgeReady ??= this.makeBridge().catch((err) => {
      this.bridgeReady = undefined;
      throw err;
    });
    return this.bridgeReady;
  }

  private async makeBridge(): Promise<void> {
    const br = this.bridgeName;
    await this.node('ip', 'link', 'add', br, 'type', 'bridge').catch((err) => {
      if (!(err instanceof CommandError && /exists/i.test(err.stderr))) throw err;
    });
    await this.node('ip', 'addr', 'replace', `${this.gateway}/${this.prefixLength}`, 'dev', br);
    // A bridge without an address of its own takes the lowest MAC of its ports, so it changes as
    // pods come and go, and pods' ARP entries for the gateway go stale (lost packets for
    // seconds). A fixed MAC derived from the gateway address keeps it stable.
    await this.node('ip', 'link', 'set', br, 'address', gatewayMac(this.gateway));
    await this.node('ip', 'link', 'set', br, 'mtu', String(this.mtu), 'up');
    // Forwarding between the bridge and other nodes; bridged traffic through iptables so
    // that replies from a pod on the same bridge are un-DNATed by the service proxy.
    await this.node('sysctl', '-qw', 'net.ipv4.ip_forward=1');
    await this.node('sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1').catch(() => undefined);
  }

  private batch(netnsPath: string, commands: string[]): Promise<unknown> {
    return this.run(inNetnsPath(netnsPath, ['ip', '-batch', '-']), commands.join('\n') + '\n');
  }

  /** setUp gives the pod its namespace, address and routes (idempotent). */
  async setUp(podKey: string, opts: SetUpOptions = {}): Promise<PodNetworkStatus> {
    await this.ensureBridge();
    const name = podNetnsName(this.netnsPrefix, podKey);
    const { path: netnsPath, created } = opts.netnsPath ? { path: opts.netnsPath, created: false } : createNetns(name);
    const ip = await this.ipam.allocate(podKey);
    const status: PodNetworkStatus = {
      netnsPath,
      ip,
      prefixLength: this.prefixLength,
      gateway: this.gateway,
      routes: [{ dst: '0.0.0.0/0', via: this.gateway }],
      interface: 'eth0',
    };
    // Batched through `ip -batch -`: one process per namespace instead of one per step.
    const veth = vethName(this.vethPrefix, podKey);
    if (!created) {
      // An earlier setUp may have done part of this. (A namespace made just now has no eth0, and
      // no veth of this pod can be left: a veth dies with its peer's namespace.)
      const current = await this.run(inNetnsPath(netnsPath, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).catch(() => undefined);
      if (current?.stdout.includes(` ${ip}/`)) return status;
      if (current) await this.run(inNetnsPath(netnsPath, ['ip', 'link', 'del', 'eth0'])).catch(() => undefined);
      await this.run(inNetnsPath(this.nodeNs, ['ip', 'link', 'del', veth])).catch(() => undefined);
    }
    await this.batch(this.nodeNs, [
      `link add ${veth} mtu ${this.mtu} type veth peer name eth0 netns ${netnsPath}`,
      `link set ${veth} master ${this.bridgeName}`,
      // Hairpin lets a pod reach itself through a Service (the proxy masquerades that case).
      `link set ${veth} type bridge_slave hairpin on`,
      `link set ${veth} up`,
    ]);
    const podSide = ['link set lo up', `addr add ${ip}/${this.prefixLength} dev eth0`, 'link set eth0 up', `route replace default via ${this.gateway} dev eth0`];
    // A named namespace needs no nsenter: `ip -n NAME` enters it itself.
    if (opts.netnsPath) await this.batch(netnsPath, podSide);
    else await this.run(['ip', '-n', name, '-batch', '-'], podSide.join('\n') + '\n');
    return status;
  }

  /** tearDown removes the pod's veth, the namespace this plugin made, and frees its address. */
  async tearDown(podKey: string): Promise<void> {
    await this.node('ip', 'link', 'del', vethName(this.vethPrefix, podKey)).catch(() => undefined);
    const name = podNetnsName(this.netnsPrefix, podKey);
    if (existsSync(netnsPathOf(name))) await deleteNetns(name);
    await this.ipam.release(podKey);
  }

  /** list returns the pod keys holding an address. */
  async list(): Promise<string[]> {
    return (await this.ipam.list()).map((a) => a.owner).filter(Boolean);
  }

  /** podNetnsPath is where setUp puts a pod's namespace when the caller gives none. */
  podNetnsPath(podKey: string): string {
    return `${NETNS_DIR}/${podNetnsName(this.netnsPrefix, podKey)}`;
  }

  /** firstPodAddress is the first address IPAM hands out (for tests and docs). */
  firstPodAddress(): string {
    return addressAt(this.ipam.subnet, 2);
  }
}
