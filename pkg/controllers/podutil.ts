// podutil.ts: pod computations the workload controllers share: availability (Ready for
// minReadySeconds), the order in which surplus pods are deleted, pods from templates, and
// slow-start batching of creations.
import { getCondition } from '../api/kind.js';
import type { KubeObject, OwnerReference } from '../api/meta.js';
import type { Pod, PodTemplateSpec } from '../api/core/pod-types.js';
import { isPodReady } from '../api/core/pod-helpers.js';

/** readySince returns when the pod last became Ready (ms), or undefined if it is not Ready. */
export function readySince(pod: Pod): number | undefined {
  const c = getCondition(pod.status, 'Ready');
  if (c?.status !== 'True') return undefined;
  const t = Date.parse(c.lastTransitionTime ?? '');
  return Number.isFinite(t) ? t : 0;
}

/** isPodAvailable: Ready, and for at least minReadySeconds by now (ms). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const since = readySince(pod);
  if (since === undefined) return false;
  return minReadySeconds <= 0 || since + minReadySeconds * 1000 <= now;
}

/** nextAvailableIn returns ms until a Ready but not yet available pod becomes available (undefined if none). */
export function nextAvailableIn(pods: Pod[], minReadySeconds: number, now: number): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let best: number | undefined;
  for (const p of pods) {
    const since = readySince(p);
    if (since === undefined) continue;
    const wait = since + minReadySeconds * 1000 - now;
    if (wait > 0 && (best === undefined || wait < best)) best = wait;
  }
  return best;
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}

/**
 * compareForDeletion orders pods the way Kubernetes' ActivePods does, first = deleted first:
 * unscheduled before scheduled, Pending before Unknown before Running, not Ready before
 * Ready, Ready for less time first, more restarts first, newer first.
 */
export function compareForDeletion(a: Pod, b: Pod, colocated?: (p: Pod) => number): number {
  const sa = a.spec?.nodeName ? 1 : 0;
  const sb = b.spec?.nodeName ? 1 : 0;
  if (sa !== sb) return sa - sb;
  const pa = phaseRank[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  if (colocated) {
    const ka = colocated(a);
    const kb = colocated(b);
    if (ka !== kb) return kb - ka; // doubled-up pods first
  }
  if (ra && rb) {
    const ta = readySince(a) ?? 0;
    const tb = readySince(b) ?? 0;
    if (ta !== tb) return tb - ta; // ready more recently first
  }
  const xa = restarts(a);
  const xb = restarts(b);
  if (xa !== xb) return xb - xa;
  const ca = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const cb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ca !== cb) return cb - ca; // newer first
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/**
 * pickForDeletion chooses n pods to delete in compareForDeletion's order, with Kubernetes'
 * "related pods on the same node" rank: pods on nodes that hold more of them go first. Unlike
 * Kubernetes, which ranks once, the rank is recounted after each pick, so scaling down evens
 * the pods out over the nodes (10 pods on 2 nodes scaled to 2 leave one on each).
 */
export function pickForDeletion(pods: readonly Pod[], n: number): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of pods) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const colocated = (p: Pod) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  const left = [...pods];
  const out: Pod[] = [];
  while (out.length < n && left.length) {
    let best = 0;
    for (let i = 1; i < left.length; i++) if (compareForDeletion(left[i]!, left[best]!, colocated) < 0) best = i;
    const [victim] = left.splice(best, 1);
    out.push(victim!);
    if (victim!.spec?.nodeName) perNode.set(victim!.spec.nodeName, colocated(victim!) - 1);
  }
  return out;
}

/** podFromTemplate builds the pod a controller creates from its template. */
export function podFromTemplate(template: PodTemplateSpec, namespace: string, generateName: string, controllerRef: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [controllerRef],
    },
    spec: structuredClone(template.spec),
  };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/**
 * slowStartBatch runs fn count times in growing batches (1, 2, 4, ...), as Kubernetes does, so
 * a create that fails for everyone (quota, a terminating namespace) fails once, not count
 * times. It returns how many succeeded and the first error; the rest are not attempted.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
  }
  return { successes };
}

/** objectRef returns the fields of an object an Event or log line names. */
export function objectRef(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}
