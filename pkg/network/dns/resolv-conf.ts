// resolv-conf.ts: the /etc/resolv.conf of a pod with dnsPolicy ClusterFirst: the cluster DNS
// as nameserver, search domains from the pod's namespace outwards, ndots:5 (as kubelet writes).
import { DEFAULT_CLUSTER_DOMAIN } from './records.js';

/** ResolvConfOptions describe one pod's resolver. */
export interface ResolvConfOptions {
  /** nameservers: the kube-dns Service's cluster IP (first) and any others. */
  nameservers: string[];
  namespace: string;
  clusterDomain?: string;
  /** extraSearches are appended (e.g. from the pod's dnsConfig). */
  extraSearches?: string[];
  /** options beyond ndots:5 (e.g. "timeout:2"). */
  options?: string[];
}

/** searchDomains returns "<ns>.svc.<domain> svc.<domain> <domain>" plus extras. */
export function searchDomains(namespace: string, clusterDomain = DEFAULT_CLUSTER_DOMAIN, extra: string[] = []): string[] {
  return [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain, ...extra];
}

/** podResolvConf renders the file's content. */
export function podResolvConf(o: ResolvConfOptions): string {
  const lines = o.nameservers.slice(0, 3).map((ns) => `nameserver ${ns}`);
  lines.push(`search ${searchDomains(o.namespace, o.clusterDomain, o.extraSearches).join(' ')}`);
  lines.push(`options ${['ndots:5', ...(o.options ?? [])].join(' ')}`);
  return `${lines.join('\n')}\n`;
}
