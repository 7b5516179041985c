// egress.ts: outbound NAT for pods, off unless the operator asks for it (`--egress`). Without
// it, pod packets for non-cluster addresses have no way out: nothing masquerades them to the
// node's address. With it, one chain masquerades pod traffic leaving the cluster ranges.
import { execRunner, type Runner } from './exec.js';
import { Iptables } from './proxy/iptables.js';
import { restoreText } from './proxy/rules.js';

/** EGRESS_CHAIN holds the outbound masquerade rules. */
export const EGRESS_CHAIN = 'SKIFF-EGRESS';

/** EgressOptions describe a node's outbound NAT. */
export interface EgressOptions {
  enabled: boolean;
  /** podCidr is this node's pod range (the sources to masquerade). */
  podCidr: string;
  /** clusterCidrs are never masqueraded (pod, service and node ranges). */
  clusterCidrs: readonly string[];
  netnsPath?: string;
  run?: Runner;
}

const hook = ['-m', 'comment', '--comment', 'skiff egress', '-j', EGRESS_CHAIN];

/** egressRules returns the chain's rules (none when egress is disabled). */
export function egressRules(opts: Pick<EgressOptions, 'enabled' | 'podCidr' | 'clusterCidrs'>): string[] {
  if (!opts.enabled) return [];
  return [
    ...opts.clusterCidrs.map((c) => `-A ${EGRESS_CHAIN} -d ${c} -j RETURN`),
    `-A ${EGRESS_CHAIN} -s ${opts.podCidr} -m comment --comment "skiff pod egress" -j MASQUERADE`,
  ];
}

/** syncEgress writes the egress chain (empty when disabled) and hooks it into POSTROUTING. */
export async function syncEgress(opts: EgressOptions): Promise<void> {
  const iptables = new Iptables(opts.run ?? execRunner, opts.netnsPath ?? '');
  const rules = egressRules(opts);
  const { text } = restoreText(undefined, { nat: new Map([[EGRESS_CHAIN, rules]]), filter: new Map() });
  await iptables.restore(text);
  await iptables.ensureRule('nat', 'POSTROUTING', hook);
}

/** removeEgress removes the hook and the chain. */
export async function removeEgress(opts: { netnsPath?: string; run?: Runner } = {}): Promise<void> {
  const iptables = new Iptables(opts.run ?? execRunner, opts.netnsPath ?? '');
  await iptables.deleteRule('nat', 'POSTROUTING', hook);
  const current = await iptables.current((c) => c === EGRESS_CHAIN);
  await iptables.restore(restoreText(current, { nat: new Map(), filter: new Map() }).text);
}
