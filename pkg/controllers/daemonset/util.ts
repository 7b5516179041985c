// util.ts: the pure parts of the DaemonSet controller (Kubernetes' daemon/util and the
// predicates of daemon_controller.go): which nodes should run a daemon pod, the tolerations
// every daemon pod gets, the pod built for one node, and which revision a pod belongs to.
import type { DaemonSet } from '../../api/apps/daemonset.js';
import type { Node } from '../../api/core/node.js';
import { podMatchesNode } from '../../api/core/node-affinity.js';
import type { IntOrString, Pod, PodTemplateSpec, Toleration } from '../../api/core/pod-types.js';
import { findUntoleratedTaint } from '../../api/core/taints.js';
import { computeHash } from '../deployment/hash.js';
import { scaledValue } from '../deployment/replicas.js';

/** CONTROLLER_REVISION_HASH_LABEL names the template revision a daemon pod was made from (apps/v1's ControllerRevisionHashLabelKey). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

/** Taint keys the node lifecycle controller and the kubelet put on nodes (Kubernetes' well-known taints). */
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/**
 * daemonPodTolerations are the tolerations Kubernetes adds to every daemon pod
 * (AddOrUpdateDaemonPodTolerations): daemons survive not-ready and unreachable nodes without a
 * deadline, and run on nodes under resource pressure or cordoned. Host-network daemons also
 * tolerate network-unavailable.
 */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_NODE_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_NODE_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_NODE_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: TAINT_NODE_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

/**
 * addOrUpdateTolerations merges tolerations into a list as Kubernetes' AddOrUpdateTolerationInPodSpec:
 * one with the same key, operator, value and effect is replaced, anything else appended.
 */
export function addOrUpdateTolerations(existing: readonly Toleration[] | undefined, add: readonly Toleration[]): Toleration[] {
  const out = [...(existing ?? [])];
  for (const t of add) {
    const i = out.findIndex((o) => (o.key ?? '') === (t.key ?? '') && (o.operator ?? 'Equal') === (t.operator ?? 'Equal') && (o.value ?? '') === (t.value ?? '') && (o.effect ?? '') === (t.effect ?? ''));
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

/** templateHash is the controller-revision-hash of a DaemonSet's current template. */
export function templateHash(ds: DaemonSet): string {
  return computeHash(ds.spec.template, ds.status?.collisionCount);
}

/**
 * newDaemonPod builds the daemon pod for a node: the template with the revision label, the
 * default tolerations, and required node affinity replaced by one term matching the node's name
 * (Kubernetes' ReplaceDaemonSetPodNodeNameNodeAffinity), so the scheduler binds it there.
 */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash?: string): Pod {
  const template: PodTemplateSpec = ds.spec.template;
  const spec = structuredClone(template.spec);
  spec.tolerations = addOrUpdateTolerations(spec.tolerations, daemonPodTolerations(spec.hostNetwork === true));
  const nameTerm = { matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: [nodeName] }] };
  spec.affinity = {
    ...(spec.affinity ?? {}),
    nodeAffinity: { ...(spec.affinity?.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [nameTerm] } },
  };
  const labels = { ...(template.metadata?.labels ?? {}) };
  if (hash) labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ds.metadata.namespace, labels }, spec };
  if (template.metadata?.annotations) pod.metadata.annotations = { ...template.metadata.annotations };
  return pod;
}

/** NodeVerdict is nodeShouldRunDaemonPod's answer. */
export interface NodeVerdict {
  /** shouldRun: a daemon pod should be created on the node if it has none. */
  shouldRun: boolean;
  /** shouldContinueRunning: a daemon pod already there may stay (it tolerates the NoExecute taints). */
  shouldContinueRunning: boolean;
}

/**
 * nodeShouldRunDaemonPod decides as Kubernetes' NodeShouldRunDaemonPod: the pod's nodeName and
 * node affinity (with nodeSelector) must fit, else it neither runs nor stays; an untolerated
 * NoSchedule taint stops new pods, an untolerated NoExecute taint also evicts existing ones.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeVerdict {
  const pod = newDaemonPod(ds, node.metadata.name ?? '');
  // The check uses the template's own affinity, not the node-name term newDaemonPod put in.
  pod.spec.affinity = ds.spec.template.spec.affinity;
  const nodeName = ds.spec.template.spec.nodeName;
  if (nodeName && nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!podMatchesNode(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints;
  if (findUntoleratedTaint(taints, pod.spec.tolerations, ['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, pod.spec.tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** targetNodeName is the node a daemon pod is for: spec.nodeName once bound, else its node-name affinity term (Kubernetes' GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** isPodUpdated tells whether a daemon pod carries the current template's revision hash. */
export function isPodUpdated(pod: Pod, hash: string): boolean {
  return hash !== '' && pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
}

/** rollingUpdateCounts resolves maxSurge and maxUnavailable for desired nodes; both round up for DaemonSets, and both 0 means maxUnavailable 1. */
export function rollingUpdateCounts(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  if ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  const ru = ds.spec.updateStrategy?.rollingUpdate;
  const scale = (v: IntOrString | undefined, dflt: IntOrString): number => scaledValue(v ?? dflt, desired, true);
  const maxSurge = scale(ru?.maxSurge, 0);
  let maxUnavailable = scale(ru?.maxUnavailable, 1);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** compareByCreation orders daemon pods as Kubernetes' podByCreationTimestampAndPhase: scheduled first, then oldest, then by name. */
export function compareByCreation(a: Pod, b: Pod): number {
  const sa = a.spec.nodeName ? 0 : 1;
  const sb = b.spec.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  const ca = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const cb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ca !== cb) return ca - cb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
