// pods.ts: what both endpoint controllers compute first — for one Service, the pods that back
// it, whether each is ready, serving or terminating, and every service port resolved to the
// pod's port number (named target ports are looked up in the pod's containers).
import { isPodReady, isPodTerminal } from '../../api/core/pod-helpers.js';
import type { Pod } from '../../api/core/pod-types.js';
import type { Service, ServicePort } from '../../api/core/service.js';
import { selectorFromMap } from '../../api/labels.js';

/** ResolvedPort is a service port mapped to the port one pod listens on. */
export interface ResolvedPort {
  name: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
}

/** PodEndpoint is one pod's endpoint for a Service. */
export interface PodEndpoint {
  pod: Pod;
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** hostname for DNS (spec.hostname when spec.subdomain names the Service). */
  hostname?: string;
  ports: ResolvedPort[];
}

/** resolveTargetPort finds the pod's port for a service port (undefined: the pod has no such named port). */
export function resolveTargetPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return p.containerPort;
    }
  }
  return undefined;
}

/** portsKey identifies a set of resolved ports (pods with equal keys share a slice/subset). */
export function portsKey(ports: ResolvedPort[]): string {
  return ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',');
}

/**
 * podEndpoints lists the endpoints of a Service with a selector: pods matching it that have an
 * IP and have not finished. A pod being deleted is terminating and not ready; unless the
 * Service publishes not-ready addresses, readiness is the pod's Ready condition.
 */
export function podEndpoints(svc: Service, pods: readonly Pod[]): PodEndpoint[] {
  const selector = svc.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  const matches = selectorFromMap(selector);
  const out: PodEndpoint[] = [];
  for (const pod of pods) {
    if (pod.metadata.namespace !== svc.metadata.namespace || !matches.matches(pod.metadata.labels)) continue;
    const ip = pod.status?.podIP;
    if (!ip || isPodTerminal(pod)) continue;
    const terminating = Boolean(pod.metadata.deletionTimestamp);
    const podReady = isPodReady(pod);
    const ready = svc.spec?.publishNotReadyAddresses ? true : podReady && !terminating;
    const ports: ResolvedPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    const hostname = pod.spec.hostname && pod.spec.subdomain === svc.metadata.name ? pod.spec.hostname : undefined;
    out.push({ pod, ip, ready, serving: svc.spec?.publishNotReadyAddresses ? true : podReady, terminating, hostname, ports });
  }
  return out.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.pod.metadata.name ?? '') < (b.pod.metadata.name ?? '') ? -1 : 1));
}

/** servicesForPod returns the Services in pod's namespace whose selector matches its labels. */
export function servicesForPod(pod: Pod, services: readonly Service[]): Service[] {
  return services.filter((s) => s.spec?.selector && Object.keys(s.spec.selector).length > 0 && selectorFromMap(s.spec.selector).matches(pod.metadata.labels));
}
