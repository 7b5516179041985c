// builders.ts: test objects for controller tests: ReplicaSets, Deployments and pods in the
// states the controllers care about (scheduled, Running, Ready since some time).
import type { Deployment } from '../../api/apps/deployment.js';
import type { ReplicaSet } from '../../api/apps/replicaset.js';
import type { Pod } from '../../api/core/pod-types.js';
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
