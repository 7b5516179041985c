// builders.ts: nodes and pods for scheduler tests, with the fields the scheduler reads.
import type { Node, Taint } from '../../api/core/node.js';
import type { Affinity, Container, Pod, PodSpec, Toleration, TopologySpreadConstraint } from '../../api/core/pod-types.js';

/** NodeOptions shape a test node; capacity defaults to 4 CPUs, 8Gi and 110 pods. */
export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  extra?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  /** ready: the Ready condition's status; 'missing' leaves the condition out (default 'True'). */
  ready?: 'True' | 'False' | 'Unknown' | 'missing';
  images?: { names: string[]; sizeBytes: number }[];
}

/** newNode builds a Node with allocatable resources and a Ready condition. */
export function newNode(name: string, opts: NodeOptions = {}): Node {
  const allocatable: Record<string, string> = {
    cpu: opts.cpu ?? '4',
    memory: opts.memory ?? '8Gi',
    pods: String(opts.pods ?? 110),
    ...(opts.ephemeralStorage ? { 'ephemeral-storage': opts.ephemeralStorage } : {}),
    ...(opts.extra ?? {}),
  };
  const ready = opts.ready ?? 'True';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-node-${name}`, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: { ...allocatable },
      allocatable,
      conditions: ready === 'missing' ? [] : [{ type: 'Ready', status: ready }],
      ...(opts.images ? { images: opts.images } : {}),
    },
  };
}

/** PodOptions shape a test pod. */
export interface PodOptions {
  namespace?: string;
  uid?: string;
  cpu?: string;
  memory?: string;
  ephemeralStorage?: string;
  extra?: Record<string, string>;
  labels?: Record<string, string>;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  hostPorts?: number[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  image?: string;
  priority?: number;
  priorityClassName?: string;
  initContainers?: Container[];
  creationTimestamp?: string;
  schedulerName?: string;
  spec?: Partial<PodSpec>;
}

/** newPod builds a Pending pod whose one container requests the given cpu and memory. */
export function newPod(name: string, opts: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  if (opts.ephemeralStorage) requests['ephemeral-storage'] = opts.ephemeralStorage;
  Object.assign(requests, opts.extra ?? {});
  const container: Container = { name: 'app', image: opts.image ?? 'registry.local/app:1.0', resources: { requests } };
  if (opts.hostPorts) container.ports = opts.hostPorts.map((p) => ({ containerPort: p, hostPort: p, protocol: 'TCP' as const }));
  const spec: PodSpec = { containers: [container], schedulerName: opts.schedulerName ?? 'default-scheduler', ...(opts.spec ?? {}) };
  if (opts.initContainers) spec.initContainers = opts.initContainers;
  if (opts.nodeName) spec.nodeName = opts.nodeName;
  if (opts.nodeSelector) spec.nodeSelector = opts.nodeSelector;
  if (opts.affinity) spec.affinity = opts.affinity;
  if (opts.tolerations) spec.tolerations = opts.tolerations;
  if (opts.topologySpreadConstraints) spec.topologySpreadConstraints = opts.topologySpreadConstraints;
  if (opts.priority !== undefined) spec.priority = opts.priority;
  if (opts.priorityClassName) spec.priorityClassName = opts.priorityClassName;
  const namespace = opts.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: opts.uid ?? `uid-${namespace}-${name}`,
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.creationTimestamp ? { creationTimestamp: opts.creationTimestamp } : {}),
    },
    spec,
    status: { phase: 'Pending' },
  };
}
