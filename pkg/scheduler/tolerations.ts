// tolerations.ts: whether a pod's tolerations cover a node's taints (core/v1 helpers).
import type { Taint } from '../api/core/node.js';
import type { Toleration } from '../api/core/pod-types.js';

/** toleratesTaint tells whether one toleration covers a taint (an empty effect or key with Exists covers all). */
export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  if (tol.operator === 'Exists') return true;
  // Operator "Equal" (the default) compares values; a missing key only works with Exists.
  if (!tol.key) return false;
  return (tol.value ?? '') === (taint.value ?? '');
}

/** toleratesAny tells whether any toleration covers the taint. */
export function toleratesAny(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const tol of tolerations) if (toleratesTaint(tol, taint)) return true;
  return false;
}

/** firstUntolerated returns the first taint with one of the effects that no toleration covers. */
export function firstUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined, effects: (effect: Taint['effect']) => boolean): Taint | undefined {
  for (const taint of taints) {
    if (effects(taint.effect) && !toleratesAny(tolerations, taint)) return taint;
  }
  return undefined;
}

/** formatTaint prints a taint as kube-scheduler's message does: "{key: value}". */
export function formatTaint(taint: Taint): string {
  return `{${taint.key}: ${taint.value ?? ''}}`;
}
