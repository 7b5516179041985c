// pod-info.ts: what the scheduler needs to know about a pod, computed once per pod version:
// requests in plain numbers, host ports, images, parsed affinity terms and spread constraints.
// Filters and scorers read these instead of re-parsing quantities and selectors per node.
import { podRequestAmounts } from '../api/core/pod-helpers.js';
import type { Pod, PodAffinityTerm, TopologySpreadConstraint } from '../api/core/pod-types.js';
import { type Requirement, Selector, selectorFromLabelSelector } from '../api/labels.js';
import { namespacedKey } from '../api/meta.js';

/** DEFAULT_MILLI_CPU_REQUEST is the CPU a pod without requests counts as when scoring (kube-scheduler's 100m). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** DEFAULT_MEMORY_REQUEST is the memory a pod without requests counts as when scoring (200 MiB). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** HostPort is one port a pod takes on its node. */
export interface HostPort {
  protocol: string;
  ip: string;
  port: number;
}

/** AffinityTerm is a pod (anti-)affinity term with its selector parsed. */
export interface AffinityTerm {
  selector: Selector;
  /** namespaces the term looks in; undefined means every namespace (namespaceSelector: {}). */
  namespaces: ReadonlySet<string> | undefined;
  /** namespaceSelector, when set and non-empty, selects further namespaces by their labels. */
  namespaceSelector?: Selector;
  topologyKey: string;
  weight: number;
}

/** SpreadConstraint is a topologySpreadConstraint with its selector parsed. */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  selector: Selector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorNodeTaints: boolean;
}

/** PodInfo is a pod plus the numbers and parsed terms the scheduler works with. */
export interface PodInfo {
  pod: Pod;
  key: string;
  uid: string;
  priority: number;
  cpuMilli: number;
  memoryBytes: number;
  ephemeralBytes: number;
  /** scalar holds other requested resources (extended resources, hugepages), in integer units. */
  scalar: ReadonlyMap<string, number> | undefined;
  /** nonZeroCpuMilli / nonZeroMemoryBytes are the requests used for scoring (defaults when zero). */
  nonZeroCpuMilli: number;
  nonZeroMemoryBytes: number;
  hostPorts: readonly HostPort[];
  images: readonly string[];
  requiredAffinity: readonly AffinityTerm[];
  requiredAntiAffinity: readonly AffinityTerm[];
  preferredAffinity: readonly AffinityTerm[];
  preferredAntiAffinity: readonly AffinityTerm[];
  spreadConstraints: readonly SpreadConstraint[];
}

const SPECIAL_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);

/** normalizeImage gives an image the ":latest" tag when it has neither tag nor digest, as image locality compares them. */
export function normalizeImage(image: string): string {
  if (image.includes('@')) return image;
  const slash = image.lastIndexOf('/');
  return image.indexOf(':', slash + 1) >= 0 ? image : `${image}:latest`;
}

function withLabelKeys(base: Selector, labels: Record<string, string> | undefined, match: string[] | undefined, mismatch: string[] | undefined): Selector {
  if (!match?.length && !mismatch?.length) return base;
  const extra: Requirement[] = [];
  for (const key of match ?? []) if (labels && key in labels) extra.push({ key, operator: 'in', values: [labels[key]] });
  for (const key of mismatch ?? []) if (labels && key in labels) extra.push({ key, operator: 'notin', values: [labels[key]] });
  return new Selector([...base.requirements, ...extra], base.matchesNothing);
}

function affinityTerm(term: PodAffinityTerm, pod: Pod, weight: number): AffinityTerm {
  const selector = withLabelKeys(selectorFromLabelSelector(term.labelSelector), pod.metadata.labels, term.matchLabelKeys, term.mismatchLabelKeys);
  const nsSelector = term.namespaceSelector ? selectorFromLabelSelector(term.namespaceSelector) : undefined;
  let namespaces: Set<string> | undefined;
  let namespaceSelector: Selector | undefined;
  if (nsSelector?.empty()) namespaces = undefined;
  else {
    namespaces = new Set(term.namespaces ?? []);
    if (nsSelector) namespaceSelector = nsSelector;
    else if (namespaces.size === 0) namespaces.add(pod.metadata.namespace ?? 'default');
  }
  return { selector, namespaces, namespaceSelector, topologyKey: term.topologyKey, weight };
}

function spreadConstraint(c: TopologySpreadConstraint, pod: Pod): SpreadConstraint {
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    whenUnsatisfiable: c.whenUnsatisfiable,
    selector: withLabelKeys(selectorFromLabelSelector(c.labelSelector), pod.metadata.labels, c.matchLabelKeys, undefined),
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
  };
}

/** newPodInfo computes a PodInfo; priority defaults to spec.priority (or 0). */
export function newPodInfo(pod: Pod, priority = pod.spec.priority ?? 0): PodInfo {
  const amounts = podRequestAmounts(pod.spec);
  const cpuMilli = amounts.get('cpu')?.milliValue() ?? 0;
  const memoryBytes = amounts.get('memory')?.value() ?? 0;
  let scalar: Map<string, number> | undefined;
  for (const [name, q] of amounts) {
    if (SPECIAL_RESOURCES.has(name) || q.isZero()) continue;
    (scalar ??= new Map()).set(name, q.value());
  }
  const hostPorts: HostPort[] = [];
  const images: string[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    if (c.image) images.push(normalizeImage(c.image));
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) hostPorts.push({ protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort });
    }
  }
  const aff = pod.spec.affinity;
  return {
    pod,
    key: namespacedKey(pod.metadata),
    uid: pod.metadata.uid ?? namespacedKey(pod.metadata),
    priority,
    cpuMilli,
    memoryBytes,
    ephemeralBytes: amounts.get('ephemeral-storage')?.value() ?? 0,
    scalar,
    nonZeroCpuMilli: cpuMilli || DEFAULT_MILLI_CPU_REQUEST,
    nonZeroMemoryBytes: memoryBytes || DEFAULT_MEMORY_REQUEST,
    hostPorts,
    images,
    requiredAffinity: (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(t, pod, 1)),
    requiredAntiAffinity: (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(t, pod, 1)),
    preferredAffinity: (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => affinityTerm(w.podAffinityTerm, pod, w.weight)),
    preferredAntiAffinity: (aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => affinityTerm(w.podAffinityTerm, pod, w.weight)),
    spreadConstraints: (pod.spec.topologySpreadConstraints ?? []).map((c) => spreadConstraint(c, pod)),
  };
}

/** termMatches tells whether a pod falls under an affinity term (namespace and labels). */
export function termMatches(term: AffinityTerm, pod: Pod, namespaceLabels?: (ns: string) => Record<string, string> | undefined): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  if (term.namespaces && !term.namespaces.has(ns)) {
    if (!term.namespaceSelector || !term.namespaceSelector.matches(namespaceLabels?.(ns))) return false;
  }
  return term.selector.matches(pod.metadata.labels);
}

/** hasAffinityTerms tells whether a pod has any pod affinity or anti-affinity term the scheduler must track. */
export function hasAffinityTerms(info: PodInfo): boolean {
  return info.requiredAffinity.length + info.requiredAntiAffinity.length + info.preferredAffinity.length + info.preferredAntiAffinity.length > 0;
}
