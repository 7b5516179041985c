// status.ts: the rollout status of a Deployment or DaemonSet, worded as kubectl words it
// (kubectl/pkg/polymorphichelpers/rollout_status.go).
import type { KubeObject } from '../../api/meta.js';

/** RolloutStatus is one observation: a message, and whether the rollout is done. */
export interface RolloutStatus {
  message: string;
  done: boolean;
  /** failed is set when the rollout can no longer succeed (progress deadline exceeded). */
  failed?: boolean;
}

/** deploymentStatus reads a Deployment's rollout status. */
export function deploymentStatus(d: KubeObject): RolloutStatus {
  const name = d.metadata.name;
  const spec = (d.spec ?? {}) as { replicas?: number };
  const status = (d.status ?? {}) as { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number; conditions?: { type: string; reason?: string }[] };
  if ((d.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) return { message: 'Waiting for deployment spec update to be observed...\n', done: false };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { message: `deployment "${name}" exceeded its progress deadline`, done: false, failed: true };
  const want = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < want) return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...\n`, done: false };
  if (replicas > updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...\n`, done: false };
  if (available < updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...\n`, done: false };
  return { message: `deployment "${name}" successfully rolled out\n`, done: true };
}

/** daemonSetStatus reads a DaemonSet's rollout status. */
export function daemonSetStatus(ds: KubeObject): RolloutStatus {
  const name = ds.metadata.name;
  const status = (ds.status ?? {}) as { observedGeneration?: number; desiredNumberScheduled?: number; updatedNumberScheduled?: number; numberAvailable?: number };
  if ((ds.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) return { message: 'Waiting for daemon set spec update to be observed...\n', done: false };
  const desired = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  if (updated < desired) return { message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...\n`, done: false };
  if (available < desired) return { message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...\n`, done: false };
  return { message: `daemon set "${name}" successfully rolled out\n`, done: true };
}
