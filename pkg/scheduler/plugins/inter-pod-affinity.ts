// inter-pod-affinity.ts: pod affinity and anti-affinity by topology domain (a node label such as
// zone or hostname). The filter checks three things, as kube-scheduler's InterPodAffinity:
//   1. existing pods' required anti-affinity must not match the new pod in the node's domain;
//   2. the new pod's required affinity terms must each find a matching pod in the node's domain
//      (unless no pod matches anywhere and the pod matches its own terms: the first of a group);
//   3. the new pod's required anti-affinity terms must find no matching pod in the node's domain.
// The scorer adds the weights of preferred terms (the new pod's, and existing pods' towards it).
import type { Pod } from '../../api/core/pod-types.js';
import type { ClusterView, FilterPlugin, ScorePlugin } from '../framework.js';
import { normalizeMinMax } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import { type AffinityTerm, type PodInfo, termMatches } from '../pod-info.js';

/** REASON_AFFINITY is the rejection when required pod affinity is not met. */
export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
/** REASON_ANTI_AFFINITY is the rejection when the pod's own anti-affinity is violated. */
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
/** REASON_EXISTING_ANTI_AFFINITY is the rejection when an existing pod's anti-affinity repels the pod. */
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

/** topologyPair is the map key of one domain: topology key and value. */
export function topologyPair(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

function isTerminating(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp;
}

interface AffinityState {
  namespaceLabels: ClusterView['namespaceLabels'];
  existingAnti: Map<string, number>;
  affinity: Map<string, number>;
  anti: Map<string, number>;
}

const KEY = 'InterPodAffinity/filter';

function countExistingAnti(pod: PodInfo, cluster: ClusterView, out: Map<string, number>): void {
  if (!cluster.hasPodsWithRequiredAntiAffinity()) return;
  for (const node of cluster.nodes()) {
    if (node.podsWithRequiredAntiAffinity.size === 0) continue;
    for (const existing of node.podsWithRequiredAntiAffinity.values()) {
      for (const term of existing.requiredAntiAffinity) {
        const value = node.labels[term.topologyKey];
        if (value === undefined) continue;
        if (!termMatches(term, pod.pod, cluster.namespaceLabels)) continue;
        const pair = topologyPair(term.topologyKey, value);
        out.set(pair, (out.get(pair) ?? 0) + 1);
      }
    }
  }
}

function countMatching(terms: readonly AffinityTerm[], cluster: ClusterView, out: Map<string, number>): void {
  if (terms.length === 0) return;
  for (const node of cluster.nodes()) {
    for (const existing of node.pods.values()) {
      if (isTerminating(existing.pod)) continue;
      for (const term of terms) {
        const value = node.labels[term.topologyKey];
        if (value === undefined) continue;
        if (!termMatches(term, existing.pod, cluster.namespaceLabels)) continue;
        const pair = topologyPair(term.topologyKey, value);
        out.set(pair, (out.get(pair) ?? 0) + 1);
      }
    }
  }
}

function satisfiesAffinity(pod: PodInfo, node: NodeInfo, st: AffinityState): boolean {
  let podsExist = true;
  for (const term of pod.requiredAffinity) {
    const value = node.labels[term.topologyKey];
    if (value === undefined) return false;
    if ((st.affinity.get(topologyPair(term.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself must be allowed somewhere.
  return st.affinity.size === 0 && pod.requiredAffinity.every((term) => termMatches(term, pod.pod, st.namespaceLabels));
}

/** interPodAffinityFilter is the InterPodAffinity filter. */
export const interPodAffinityFilter: FilterPlugin = {
  name: 'InterPodAffinity',
  unresolvable: false,
  preFilter(pod, state, cluster) {
    if (pod.requiredAffinity.length === 0 && pod.requiredAntiAffinity.length === 0 && !cluster.hasPodsWithRequiredAntiAffinity()) return false;
    const st: AffinityState = { namespaceLabels: cluster.namespaceLabels, existingAnti: new Map(), affinity: new Map(), anti: new Map() };
    countExistingAnti(pod, cluster, st.existingAnti);
    countMatching(pod.requiredAffinity, cluster, st.affinity);
    countMatching(pod.requiredAntiAffinity, cluster, st.anti);
    if (st.existingAnti.size === 0 && pod.requiredAffinity.length === 0 && pod.requiredAntiAffinity.length === 0) return false;
    state.write(KEY, st);
    return true;
  },
  filter(pod, node, state) {
    const st = state.read<AffinityState>(KEY);
    if (!st) return undefined;
    for (const [pair, n] of st.existingAnti) {
      if (n <= 0) continue;
      const sep = pair.indexOf('\u0000');
      if (node.labels[pair.slice(0, sep)] === pair.slice(sep + 1)) return REASON_EXISTING_ANTI_AFFINITY;
    }
    if (pod.requiredAffinity.length > 0 && !satisfiesAffinity(pod, node, st)) {
      return { reasons: [REASON_AFFINITY], unresolvable: true };
    }
    for (const term of pod.requiredAntiAffinity) {
      const value = node.labels[term.topologyKey];
      if (value !== undefined && (st.anti.get(topologyPair(term.topologyKey, value)) ?? 0) > 0) return REASON_ANTI_AFFINITY;
    }
    return undefined;
  },
};

const SCORE_KEY = 'InterPodAffinity/score';

function addWeights(scores: Map<string, number>, terms: readonly AffinityTerm[], target: Pod, node: NodeInfo, sign: 1 | -1, cluster: ClusterView): void {
  for (const term of terms) {
    const value = node.labels[term.topologyKey];
    if (value === undefined || !termMatches(term, target, cluster.namespaceLabels)) continue;
    const pair = topologyPair(term.topologyKey, value);
    scores.set(pair, (scores.get(pair) ?? 0) + sign * term.weight);
  }
}

/** interPodAffinityScore is the InterPodAffinity scorer (preferred terms, both directions). */
export const interPodAffinityScore: ScorePlugin = {
  name: 'InterPodAffinity',
  preScore(pod, state, cluster) {
    const own = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
    if (!own && !cluster.hasPodsWithAffinity()) return false;
    const scores = new Map<string, number>();
    for (const node of cluster.nodes()) {
      if (own) {
        for (const existing of node.pods.values()) {
          addWeights(scores, pod.preferredAffinity, existing.pod, node, 1, cluster);
          addWeights(scores, pod.preferredAntiAffinity, existing.pod, node, -1, cluster);
        }
      }
      for (const existing of node.podsWithAffinity.values()) {
        addWeights(scores, existing.preferredAffinity, pod.pod, node, 1, cluster);
        addWeights(scores, existing.preferredAntiAffinity, pod.pod, node, -1, cluster);
      }
    }
    if (scores.size === 0) return false;
    state.write(SCORE_KEY, scores);
    return true;
  },
  score(_pod, node, state) {
    const scores = state.read<Map<string, number>>(SCORE_KEY);
    if (!scores) return 0;
    let total = 0;
    for (const [pair, w] of scores) {
      const sep = pair.indexOf('\u0000');
      if (node.labels[pair.slice(0, sep)] === pair.slice(sep + 1)) total += w;
    }
    return total;
  },
  normalize: normalizeMinMax,
};
