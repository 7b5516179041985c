// replicas.ts: the replica arithmetic of rolling updates, as Kubernetes' deployment util:
// maxSurge rounds up and maxUnavailable rounds down (both 0 means maxUnavailable 1), the new
// ReplicaSet grows only within replicas + maxSurge, and scaling during a rollout spreads the
// change over the ReplicaSets in proportion to their size.
import type { Deployment } from '../../api/apps/deployment.js';
import type { ReplicaSet } from '../../api/apps/replicaset.js';
import type { IntOrString } from '../../api/core/pod-types.js';
import { MAX_REPLICAS_ANNOTATION } from './annotations.js';

/** scaledValue resolves an int-or-percent against total ("25%" of 10 is 2.5: 3 rounding up, 2 down). */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value.trim());
  if (!m) return Number.isInteger(Number(value)) ? Number(value) : 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** resolveFenceposts returns maxSurge and maxUnavailable as numbers for desired replicas. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1; // otherwise a rollout could never start
  return { surge, unavailable };
}

/** isRollingUpdate tells whether the Deployment uses the RollingUpdate strategy. */
export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** maxSurge is how many pods may exist above replicas during a rolling update. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, d.spec.replicas ?? 1).surge;
}

/** maxUnavailable is how many of replicas may be unavailable during a rolling update. */
export function maxUnavailable(d: Deployment): number {
  const replicas = d.spec.replicas ?? 1;
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).unavailable, replicas);
}

/** specReplicas sums spec.replicas. */
export function specReplicas(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.spec.replicas ?? 0), 0);
}

/** statusReplicas sums status.replicas (pods that exist). */
export function statusReplicas(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

/** readyReplicas sums status.readyReplicas. */
export function readyReplicas(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

/** availableReplicas sums status.availableReplicas. */
export function availableReplicas(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/**
 * podsUpperBound counts the pods that may exist: per ReplicaSet the larger of spec and status
 * replicas. Kubernetes counts spec only; counting status too keeps the surge bound true while
 * an old ReplicaSet has not yet deleted the pods it was scaled down by.
 */
export function podsUpperBound(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + Math.max(rs?.spec.replicas ?? 0, rs?.status?.replicas ?? 0), 0);
}

/**
 * availableLowerBound counts the pods surely available: per ReplicaSet the smaller of status
 * availableReplicas and spec.replicas, since a ReplicaSet just scaled down still reports the
 * pods it is about to delete.
 */
export function availableLowerBound(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + Math.min(rs?.status?.availableReplicas ?? 0, rs?.spec.replicas ?? 0), 0);
}

/** newRSNewReplicas is the size the new ReplicaSet may grow to now. */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = d.spec.replicas ?? 1;
  if (!isRollingUpdate(d)) return replicas;
  const maxTotal = replicas + maxSurge(d);
  const current = podsUpperBound(allRSs);
  const newSize = newRS.spec.replicas ?? 0;
  if (current >= maxTotal) return newSize;
  const scaleUp = Math.min(maxTotal - current, replicas - newSize);
  return newSize + Math.max(0, scaleUp);
}

/**
 * proportion is how many replicas a ReplicaSet gains (or loses) of toAdd during a proportional
 * scale, given what was already handed out.
 */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if ((rs.spec.replicas ?? 0) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = d.spec.replicas ?? 1;
  if (replicas === 0) return -(rs.spec.replicas ?? 0);
  const deploymentReplicas = replicas + maxSurge(d);
  const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? '');
  // Without the annotation, assume the ReplicaSet was sized against the current status.
  const before = Number.isInteger(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0) || deploymentReplicas;
  const size = ((rs.spec.replicas ?? 0) * deploymentReplicas) / before;
  return Math.round(size) - (rs.spec.replicas ?? 0);
}
