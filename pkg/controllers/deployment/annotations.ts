// annotations.ts: the annotations through which Deployments, their ReplicaSets and kubectl talk
// (kubectl's `rollout history` and `rollout undo` read exactly these).
import type { ReplicaSet } from '../../api/apps/replicaset.js';
import type { KubeObject } from '../../api/meta.js';

/** REVISION_ANNOTATION numbers the rollouts of a Deployment, on the Deployment and each ReplicaSet. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** REVISION_HISTORY_ANNOTATION lists earlier revisions a ReplicaSet had (after rollbacks). */
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
/** DESIRED_REPLICAS_ANNOTATION is the Deployment's replicas when it last scaled the ReplicaSet. */
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
/** MAX_REPLICAS_ANNOTATION is replicas + maxSurge when the Deployment last scaled the ReplicaSet. */
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
/** CHANGE_CAUSE_ANNOTATION is what `rollout history` shows as CHANGE-CAUSE. */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
/** POD_TEMPLATE_HASH_LABEL tells the ReplicaSets of one Deployment apart. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** AUTO_ROLLBACK_ANNOTATION opts a Deployment into rolling back by itself when its progress deadline passes. */
export const AUTO_ROLLBACK_ANNOTATION = 'skiff.dev/auto-rollback';
/** AUTO_ROLLED_BACK_TO_ANNOTATION records the revision an automatic rollback produced, so it is never rolled back again automatically. */
export const AUTO_ROLLED_BACK_TO_ANNOTATION = 'skiff.dev/auto-rolled-back-to-revision';

/** annotationsNotCopied are the Deployment annotations that are not copied to its ReplicaSets (as Kubernetes). */
const annotationsNotCopied = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** revisionOf reads an object's revision annotation (0 if missing or malformed). */
export function revisionOf(obj: KubeObject): number {
  const v = Number(obj.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
  return Number.isInteger(v) && v > 0 ? v : 0;
}

/** maxRevision is the highest revision among the ReplicaSets. */
export function maxRevision(replicaSets: ReplicaSet[]): number {
  return Math.max(0, ...replicaSets.map(revisionOf));
}

/** copyableAnnotations returns the Deployment annotations a ReplicaSet carries. */
export function copyableAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => !annotationsNotCopied.has(k)));
}

/**
 * setNewReplicaSetAnnotations updates a new ReplicaSet's annotations in place: the copied
 * Deployment annotations, and its revision raised to newRevision (the old number is kept in
 * revision-history). Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(deploymentAnnotations: Record<string, string> | undefined, rs: ReplicaSet, newRevision: number): boolean {
  const before = JSON.stringify(rs.metadata.annotations ?? {});
  const ann = { ...(rs.metadata.annotations ?? {}), ...copyableAnnotations(deploymentAnnotations) };
  const old = Number(ann[REVISION_ANNOTATION] ?? 0) || 0;
  if (old < newRevision) {
    if (old > 0) {
      const history = ann[REVISION_HISTORY_ANNOTATION] ? ann[REVISION_HISTORY_ANNOTATION].split(',') : [];
      history.push(String(old));
      ann[REVISION_HISTORY_ANNOTATION] = history.join(',');
    }
    ann[REVISION_ANNOTATION] = String(newRevision);
  }
  rs.metadata.annotations = ann;
  return JSON.stringify(ann) !== before;
}

/** setReplicasAnnotations records desired and max replicas on a ReplicaSet; returns whether they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = { ...(rs.metadata.annotations ?? {}) };
  if (ann[DESIRED_REPLICAS_ANNOTATION] === String(desired) && ann[MAX_REPLICAS_ANNOTATION] === String(max)) return false;
  ann[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  ann[MAX_REPLICAS_ANNOTATION] = String(max);
  rs.metadata.annotations = ann;
  return true;
}
