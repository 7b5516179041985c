// taints.ts: which tolerations tolerate which taints (Kubernetes' Toleration.ToleratesTaint
// and FindMatchingUntoleratedTaint), for the scheduler, DaemonSets and taint eviction.
import type { Taint } from './node.js';
import type { TaintEffect, Toleration } from './pod-types.js';

/** toleratesTaint tells whether one toleration tolerates one taint. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** tolerationsTolerateTaint tells whether any of the tolerations tolerates the taint. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/**
 * findUntoleratedTaint returns the first taint (among those with the given effects) that no
 * toleration tolerates, or undefined if the pod tolerates them all.
 */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  effects: readonly TaintEffect[] = ['NoSchedule', 'NoExecute'],
): Taint | undefined {
  return (taints ?? []).find((taint) => effects.includes(taint.effect) && !tolerationsTolerateTaint(tolerations, taint));
}
