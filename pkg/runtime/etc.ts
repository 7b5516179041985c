// etc.ts: the per-pod /etc/hostname, /etc/hosts and /etc/resolv.conf every container gets.
import type { DNSConfig } from './types.js';

/** hostsFile renders a minimal /etc/hosts (the agent may mount a managed one instead). */
export function hostsFile(hostname: string): string {
  return [
    '# Kubernetes-managed hosts file (Skiff runtime default).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    `127.0.1.1\t${hostname}`,
    '',
  ].join('\n');
}

/** resolvConf renders resolv.conf from a CRI DNSConfig, or returns hostResolvConf when it is empty
 * (as containerd copies the host's file when no DNS config is given). */
export function resolvConf(dns: DNSConfig | null | undefined, hostResolvConf: string): string {
  const servers = dns?.servers ?? [];
  const searches = dns?.searches ?? [];
  const options = dns?.options ?? [];
  if (servers.length === 0 && searches.length === 0 && options.length === 0) return hostResolvConf;
  const lines: string[] = [];
  if (searches.length > 0) lines.push(`search ${searches.join(' ')}`);
  for (const s of servers) lines.push(`nameserver ${s}`);
  if (options.length > 0) lines.push(`options ${options.join(' ')}`);
  return lines.join('\n') + '\n';
}
