// builders.ts: small builders of Services, EndpointSlices and Pods for network tests.
import type { Pod } from '../../api/core/pod-types.js';
import type { Service, ServicePort, ServiceSpec } from '../../api/core/service.js';
import { type EndpointSlice, type EndpointSlicePort, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../../api/discovery.js';

/** newService builds a ClusterIP Service (override anything through spec). */
export function newService(name: string, spec: Partial<ServiceSpec> = {}, namespace = 'default'): Service {
  const ports: ServicePort[] = spec.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
    spec: { type: 'ClusterIP', selector: { app: name }, sessionAffinity: 'None', ...spec, ports },
  };
}

/** SliceEndpoint is the short form of one endpoint for newSlice. */
export interface SliceEndpoint {
  ip: string;
  ready?: boolean;
  hostname?: string;
  podName?: string;
}

/** newSlice builds the EndpointSlice of a Service. */
export function newSlice(service: string, endpoints: SliceEndpoint[], ports: EndpointSlicePort[] = [{ name: 'http', port: 8080, protocol: 'TCP' }], namespace = 'default', suffix = 'abcde'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-${suffix}`, namespace, labels: { [SERVICE_NAME_LABEL]: service, [MANAGED_BY_LABEL]: 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: false },
      hostname: e.hostname,
      targetRef: e.podName ? { kind: 'Pod', namespace, name: e.podName } : undefined,
    })),
    ports,
  };
}

/** newPod builds a Pod with labels, an IP and a Ready condition. */
export function newPod(name: string, opts: { labels?: Record<string, string>; ip?: string; ready?: boolean; node?: string; ports?: { name?: string; containerPort: number }[]; namespace?: string; hostname?: string; subdomain?: string; terminating?: boolean } = {}): Pod {
  const namespace = opts.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      labels: opts.labels ?? { app: 'web' },
      ...(opts.terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: {
      nodeName: opts.node ?? 'node0',
      hostname: opts.hostname,
      subdomain: opts.subdomain,
      containers: [{ name: 'app', image: 'app:1', ports: (opts.ports ?? [{ name: 'http', containerPort: 8080 }]).map((p) => ({ ...p, protocol: 'TCP' as const })) }],
    },
    status: {
      phase: 'Running',
      podIP: opts.ip,
      podIPs: opts.ip ? [{ ip: opts.ip }] : undefined,
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  } as Pod;
}

/** staticLister serves a fixed list of objects, as a pkg/client Lister would. */
export function staticLister<T extends { metadata: { name?: string; namespace?: string } }>(objs: T[]): { list(ns?: string): T[]; get(ns: string | undefined, name: string): T | undefined } {
  return {
    list: (ns) => objs.filter((o) => !ns || o.metadata.namespace === ns),
    get: (ns, name) => objs.find((o) => o.metadata.name === name && (o.metadata.namespace ?? '') === (ns ?? '')),
  };
}
