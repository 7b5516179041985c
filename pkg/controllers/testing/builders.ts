// builders.ts: test objects for controller tests: ReplicaSets, Deployments and pods in the
// states the controllers care about (scheduled, Running, Ready since some time).
import type { DaemonSet } from '../../api/apps/daemonset.js';
import type { Deployment } from '../../api/apps/deployment.js';
import type { Node, Taint } from '../../api/core/node.js';
import type { ReplicaSet } from '../../api/apps/replicaset.js';
import type { Pod, Toleration } from '../../api/core/pod-types.js';
import { rfc3339, type OwnerReference } from '../../api/meta.js';

/** newReplicaSet builds a ReplicaSet selecting app=<name>. */
export function newReplicaSet(name: string, replicas: number, opts: { uid?: string; minReadySeconds?: number; labels?: Record<string, string> } = {}): ReplicaSet {
  const labels = opts.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: opts.uid, generation: 1 },
    spec: {
      replicas,
      minReadySeconds: opts.minReadySeconds,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] } },
    },
  };
}

/** newDeployment builds a Deployment selecting app=<name> with RollingUpdate 25%/25%. */
export function newDeployment(name: string, replicas: number, image = 'registry.local/app:1'): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
  };
}

/** PodState describes a test pod's lifecycle point. */
export interface PodState {
  labels?: Record<string, string>;
  owner?: OwnerReference;
  nodeName?: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** readySince makes the pod Ready since that time (ms). */
  readySince?: number;
  created?: number;
  restarts?: number;
}

/** newPod builds a pod in the given state. */
export function newPod(name: string, state: PodState = {}): Pod {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: state.labels ?? {} },
    spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] },
    status: { phase: state.phase ?? 'Pending' },
  };
  if (state.owner) pod.metadata.ownerReferences = [state.owner];
  if (state.nodeName) pod.spec.nodeName = state.nodeName;
  if (state.created !== undefined) pod.metadata.creationTimestamp = rfc3339(new Date(state.created));
  if (state.readySince !== undefined) {
    pod.status = {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(new Date(state.readySince)) }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: state.restarts ?? 0, image: 'x', imageID: '' } as never],
    };
  } else if (state.restarts) {
    pod.status = { ...pod.status, containerStatuses: [{ name: 'app', ready: false, restartCount: state.restarts, image: 'x', imageID: '' } as never] };
  }
  return pod;
}

/** newDaemonSet builds a DaemonSet selecting app=<name>, as the API server would default it (RollingUpdate, maxUnavailable 1). */
export function newDaemonSet(name: string, opts: { uid?: string; image?: string; nodeSelector?: Record<string, string>; tolerations?: Toleration[]; maxUnavailable?: number | string; maxSurge?: number | string; onDelete?: boolean; minReadySeconds?: number } = {}): DaemonSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default', uid: opts.uid, generation: 1 },
    spec: {
      selector: { matchLabels: labels },
      minReadySeconds: opts.minReadySeconds,
      updateStrategy: opts.onDelete
        ? { type: 'OnDelete' }
        : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: opts.maxUnavailable ?? 1, maxSurge: opts.maxSurge ?? 0 } },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'app', image: opts.image ?? 'registry.local/agent:1' }],
          ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}),
          ...(opts.tolerations ? { tolerations: opts.tolerations } : {}),
        },
      },
    },
  };
}

/** newNode builds a Ready node with the hostname label, optional labels, taints and a cordon. */
export function newNode(name: string, opts: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean; ready?: 'True' | 'False' | 'Unknown' } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: opts.ready ?? 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}
