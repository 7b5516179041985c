// pod-helpers.ts: small pod computations other components need: effective resource requests
// (as the scheduler counts them), QoS class, readiness, keys.
import { getCondition } from '../kind.js';
import { namespacedKey } from '../meta.js';
import { Quantity, tryParseQuantity } from '../quantity.js';
import type { Container, Pod, PodSpec, ResourceList } from './pod-types.js';

/** PodResources is what a pod asks for, in the units the scheduler counts. */
export interface PodResources {
  cpuMilli: number;
  memoryBytes: number;
}

type Amounts = Map<string, Quantity>;

function containerRequests(c: Container): Amounts {
  const out: Amounts = new Map();
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  // An unset request takes the limit, as the Pod defaults do; this keeps undefaulted pods exact.
  for (const [name, value] of Object.entries({ ...limits, ...requests })) {
    const q = tryParseQuantity(value);
    if (q) out.set(name, q);
  }
  return out;
}

function addInto(into: Amounts, add: Amounts): void {
  for (const [name, q] of add) into.set(name, into.get(name)?.add(q) ?? q);
}

function maxInto(into: Amounts, other: Amounts): void {
  for (const [name, q] of other) {
    const cur = into.get(name);
    if (!cur || q.cmp(cur) > 0) into.set(name, q);
  }
}

function listAmounts(list: ResourceList | undefined): Amounts {
  const out: Amounts = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = tryParseQuantity(v);
    if (q) out.set(k, q);
  }
  return out;
}

/**
 * podRequestAmounts computes a pod's effective requests per resource as Kubernetes'
 * resourcehelper.PodRequests does: the sum over containers, raised to the largest init
 * container (counting the sidecars started before it), plus sidecars and overhead.
 */
export function podRequestAmounts(spec: PodSpec): Map<string, Quantity> {
  const reqs: Amounts = new Map();
  for (const c of spec.containers ?? []) addInto(reqs, containerRequests(c));
  const sidecars: Amounts = new Map();
  const initMax: Amounts = new Map();
  for (const c of spec.initContainers ?? []) {
    const own = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      addInto(reqs, own);
      addInto(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      const during: Amounts = new Map(sidecars);
      addInto(during, own);
      maxInto(initMax, during);
    }
  }
  maxInto(reqs, initMax);
  if (spec.resources?.requests || spec.resources?.limits) {
    // Pod-level resources override the container sum when set.
    const podLevel = listAmounts({ ...(spec.resources.limits ?? {}), ...(spec.resources.requests ?? {}) });
    for (const [k, v] of podLevel) reqs.set(k, v);
  }
  addInto(reqs, listAmounts(spec.overhead));
  return reqs;
}

/** podRequests returns the CPU (millicores) and memory (bytes) a pod asks for. */
export function podRequests(pod: Pod): PodResources {
  const reqs = podRequestAmounts(pod.spec);
  return { cpuMilli: reqs.get('cpu')?.milliValue() ?? 0, memoryBytes: reqs.get('memory')?.value() ?? 0 };
}

/** qosClass computes a pod's QoS class: Guaranteed, Burstable or BestEffort (Kubernetes' GetPodQOS). */
export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const requests: Amounts = new Map();
  const limits: Amounts = new Map();
  let guaranteed = true;
  for (const c of containers) {
    const cr = c.resources?.requests ?? {};
    const cl = c.resources?.limits ?? {};
    for (const [k, q] of listAmounts(cr)) {
      if ((k === 'cpu' || k === 'memory') && !q.isZero()) addInto(requests, new Map([[k, q]]));
    }
    const seen = new Set<string>();
    for (const [k, q] of listAmounts(cl)) {
      if ((k === 'cpu' || k === 'memory') && !q.isZero()) {
        seen.add(k);
        addInto(limits, new Map([[k, q]]));
      }
    }
    if (!seen.has('cpu') || !seen.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, v] of requests) {
      const l = limits.get(k);
      if (!l || l.cmp(v) !== 0) guaranteed = false;
    }
  }
  return guaranteed && limits.size === 2 ? 'Guaranteed' : 'Burstable';
}

/** isPodReady tells whether the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return getCondition(pod.status, 'Ready')?.status === 'True';
}

/** isPodTerminal tells whether the pod has finished (Succeeded or Failed). */
export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** isPodActive: not terminal and not being deleted (what ReplicaSets and Jobs count). */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** podKey is the "namespace/name" key of a pod. */
export function podKey(pod: Pod): string {
  return namespacedKey(pod.metadata);
}

/** allContainers lists init, regular and ephemeral containers, in that order. */
export function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}
