// container-config.ts: pod spec → CRI configs. The sandbox config carries the pod's identity,
// hostname, DNS and namespaces; a container config carries command/args, env, mounts, cgroup
// resources and the security context (container settings override the pod's).
import path from 'node:path';
import type { Container, Pod } from '../api/core/pod-types.js';
import { tryParseQuantity } from '../api/quantity.js';
import { containerLogPath } from '../runtime/logs.js';
import type { ContainerConfig, LinuxContainerResources, LinuxContainerSecurityContext, Mount, PodSandboxConfig } from '../runtime/types.js';
import { expandVars, type EnvVarPair } from './env.js';
import { ContainerHashAnnotation, ContainerNameLabel, ContainerTypeLabel, NetnsAnnotation, podLabels, PodIPAnnotation, RestartCountAnnotation, specHash } from './labels.js';

/** SandboxConfigInput is what a sandbox needs besides the pod. */
export interface SandboxConfigInput {
  logDirectory: string;
  cgroupParent?: string;
  /** netnsPath is the pod's network namespace (empty: a fresh loopback-only one). */
  netnsPath?: string;
  /** podIP is the address the network plugin gave the pod (kept as an annotation). */
  podIP?: string;
  /** dns is the cluster DNS for dnsPolicy ClusterFirst (none: the node's resolv.conf). */
  dns?: ClusterDnsConfig;
  attempt?: number;
}

/** ClusterDnsConfig is where pods with dnsPolicy ClusterFirst resolve names. */
export interface ClusterDnsConfig {
  nameserver: string;
  /** domain is the cluster domain (default cluster.local). */
  domain?: string;
}

/**
 * podDnsConfig applies the pod's dnsPolicy as kubelet does: ClusterFirst (the default) uses the
 * cluster DNS with "<ns>.svc.<domain> svc.<domain> <domain>" search and ndots:5, unless the pod
 * is on the host network (then Default) or no cluster DNS is configured; ClusterFirstWithHostNet
 * uses the cluster DNS even on the host network; Default uses the node's resolv.conf; None uses
 * only the pod's dnsConfig. The pod's dnsConfig is merged in (servers, searches and options).
 */
export function podDnsConfig(pod: Pod, cluster?: ClusterDnsConfig): PodSandboxConfig['dnsConfig'] {
  const spec = pod.spec;
  const policy = spec.dnsPolicy ?? 'ClusterFirst';
  const extra = spec.dnsConfig;
  const extraOptions = (extra?.options ?? []).map((o) => (o.value ? `${o.name}:${o.value}` : (o.name ?? '')));
  const useCluster = cluster && (policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !spec.hostNetwork));
  if (useCluster) {
    const domain = cluster.domain ?? 'cluster.local';
    const ns = pod.metadata.namespace ?? 'default';
    const options = ['ndots:5', ...extraOptions.filter((o) => !o.startsWith('ndots:'))];
    if (extraOptions.some((o) => o.startsWith('ndots:'))) options[0] = extraOptions.filter((o) => o.startsWith('ndots:')).pop()!;
    return {
      servers: [cluster.nameserver, ...(extra?.nameservers ?? [])].slice(0, 3),
      searches: [`${ns}.svc.${domain}`, `svc.${domain}`, domain, ...(extra?.searches ?? [])].slice(0, 32),
      options,
    };
  }
  if (policy === 'None' || extra) return extra ? { servers: extra.nameservers ?? [], searches: extra.searches ?? [], options: extraOptions } : null;
  return null;
}

/** podLogDirectory is kubelet's /var/log/pods/<ns>_<name>_<uid> under the agent's log dir. */
export function podLogDirectory(logsDir: string, pod: Pod): string {
  return path.join(logsDir, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
}

/** sandboxConfig builds the PodSandboxConfig of a pod. */
export function sandboxConfig(pod: Pod, input: SandboxConfigInput): PodSandboxConfig {
  const spec = pod.spec;
  const annotations: Record<string, string> = {};
  if (input.netnsPath) annotations[NetnsAnnotation] = input.netnsPath;
  if (input.podIP) annotations[PodIPAnnotation] = input.podIP;
  return {
    metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default', uid: pod.metadata.uid ?? '', attempt: input.attempt ?? 0 },
    hostname: spec.hostname || pod.metadata.name,
    logDirectory: input.logDirectory,
    dnsConfig: podDnsConfig(pod, input.dns),
    labels: podLabels(pod),
    annotations,
    linux: {
      cgroupParent: input.cgroupParent,
      netnsPath: spec.hostNetwork ? '' : (input.netnsPath ?? ''),
      sysctls: Object.fromEntries((spec.securityContext?.sysctls ?? []).map((s) => [s.name, s.value])),
      securityContext: {
        namespaceOptions: {
          network: spec.hostNetwork ? 'NODE' : 'POD',
          pid: spec.hostPID ? 'NODE' : spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
          ipc: spec.hostIPC ? 'NODE' : 'POD',
        },
      },
    },
  };
}

/** resourcesFor maps requests/limits to cgroup settings as kubelet does (CFS quota for the CPU limit, shares for the request). */
export function resourcesFor(c: Container): LinuxContainerResources {
  const out: LinuxContainerResources = {};
  const cpuLimit = tryParseQuantity(c.resources?.limits?.cpu);
  const cpuRequest = tryParseQuantity(c.resources?.requests?.cpu) ?? cpuLimit;
  const memLimit = tryParseQuantity(c.resources?.limits?.memory);
  if (cpuLimit && !cpuLimit.isZero()) {
    out.cpuPeriod = 100_000;
    out.cpuQuota = Math.max(1000, Math.ceil((cpuLimit.milliValue() * 100_000) / 1000));
  }
  // Kubernetes' MilliCPUToShares: a pod with no request still gets the minimum of 2 shares.
  out.cpuShares = cpuRequest ? Math.max(2, Math.floor((cpuRequest.milliValue() * 1024) / 1000)) : 2;
  if (memLimit && !memLimit.isZero()) out.memoryLimitInBytes = memLimit.value();
  return out;
}

/** securityContextFor merges the pod and container security contexts into CRI's. */
export function securityContextFor(pod: Pod, c: Container): LinuxContainerSecurityContext {
  const psc = pod.spec.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  return {
    privileged: sc.privileged ?? false,
    readonlyRootfs: sc.readOnlyRootFilesystem ?? false,
    runAsUser: runAsUser !== undefined ? { value: runAsUser } : null,
    runAsGroup: runAsGroup !== undefined ? { value: runAsGroup } : null,
    supplementalGroups: [...(psc.supplementalGroups ?? []), ...(psc.fsGroup !== undefined ? [psc.fsGroup] : [])],
    capabilities: sc.capabilities ? { addCapabilities: sc.capabilities.add ?? [], dropCapabilities: sc.capabilities.drop ?? [] } : null,
    noNewPrivs: sc.allowPrivilegeEscalation === false,
  };
}

/** ContainerConfigInput is what a container config needs besides the pod and container. */
export interface ContainerConfigInput {
  kind: 'init' | 'app';
  attempt: number;
  env: EnvVarPair[];
  mounts: Mount[];
  image: string;
}

/** containerConfig builds the CRI ContainerConfig of one container attempt. */
export function containerConfig(pod: Pod, c: Container, input: ContainerConfigInput): ContainerConfig {
  const vars = new Map(input.env.map((e) => [e.name, e.value]));
  const expand = (s: string) => expandVars(s, (n) => vars.get(n));
  return {
    metadata: { name: c.name, attempt: input.attempt },
    image: { image: input.image },
    command: (c.command ?? []).map(expand),
    args: (c.args ?? []).map(expand),
    workingDir: c.workingDir ?? '',
    envs: input.env.map((e) => ({ key: e.name, value: e.value })),
    mounts: input.mounts,
    labels: { ...podLabels(pod), [ContainerNameLabel]: c.name, [ContainerTypeLabel]: input.kind },
    annotations: { [ContainerHashAnnotation]: specHash(c), [RestartCountAnnotation]: String(input.attempt) },
    logPath: path.relative('.', containerLogPath('', c.name, input.attempt)),
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: { resources: resourcesFor(c), securityContext: securityContextFor(pod, c) },
  };
}
