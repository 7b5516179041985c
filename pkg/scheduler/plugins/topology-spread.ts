// topology-spread.ts: topologySpreadConstraints. For each constraint, matching pods are counted
// per domain (value of topologyKey) over the eligible nodes; a node fits a DoNotSchedule
// constraint when placing the pod there keeps (count + 1) - (smallest domain count) ≤ maxSkew.
// ScheduleAnyway constraints only score: fewer matching pods in the node's domain is better.
import type { Pod } from '../../api/core/pod-types.js';
import type { ClusterView, FilterPlugin, ScorePlugin } from '../framework.js';
import { normalizeReverse } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import { podMatchesNodeSelectorAndAffinity } from '../node-selector.js';
import type { PodInfo, SpreadConstraint } from '../pod-info.js';
import { firstUntolerated } from '../tolerations.js';

/** REASON_TOPOLOGY_SPREAD is the rejection when a node would break maxSkew. */
export const REASON_TOPOLOGY_SPREAD = "node(s) didn't match pod topology spread constraints";
/** REASON_TOPOLOGY_MISSING_LABEL is the rejection when a node lacks a constraint's topology key. */
export const REASON_TOPOLOGY_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";

interface ConstraintCounts {
  constraint: SpreadConstraint;
  counts: Map<string, number>;
  minMatch: number;
  selfMatch: number;
}

const hard = (): boolean => true;

function eligible(pod: Pod, node: NodeInfo, c: SpreadConstraint): boolean {
  if (!node.node) return false;
  if (c.honorNodeAffinity && !podMatchesNodeSelectorAndAffinity(pod, node.node)) return false;
  if (c.honorNodeTaints && firstUntolerated(node.hardTaints, pod.spec.tolerations, hard)) return false;
  return true;
}

function countMatches(pod: PodInfo, node: NodeInfo, c: SpreadConstraint): number {
  let n = 0;
  const ns = pod.pod.metadata.namespace;
  for (const existing of node.pods.values()) {
    if (existing.pod.metadata.namespace !== ns || existing.pod.metadata.deletionTimestamp) continue;
    if (c.selector.matches(existing.pod.metadata.labels)) n++;
  }
  return n;
}

/** countDomains counts matching pods per domain of each constraint over eligible nodes that carry every topology key. */
function countDomains(pod: PodInfo, constraints: readonly SpreadConstraint[], nodes: readonly NodeInfo[]): ConstraintCounts[] {
  const out: ConstraintCounts[] = constraints.map((c) => ({ constraint: c, counts: new Map(), minMatch: 0, selfMatch: c.selector.matches(pod.pod.metadata.labels) ? 1 : 0 }));
  for (const node of nodes) {
    if (!constraints.every((c) => node.labels[c.topologyKey] !== undefined)) continue;
    for (const cc of out) {
      if (!eligible(pod.pod, node, cc.constraint)) continue;
      const value = node.labels[cc.constraint.topologyKey];
      cc.counts.set(value, (cc.counts.get(value) ?? 0) + countMatches(pod, node, cc.constraint));
    }
  }
  for (const cc of out) {
    let min = Infinity;
    for (const n of cc.counts.values()) if (n < min) min = n;
    cc.minMatch = cc.counts.size < cc.constraint.minDomains || min === Infinity ? 0 : min;
  }
  return out;
}

const FILTER_KEY = 'PodTopologySpread/filter';

/** topologySpreadFilter is the PodTopologySpread filter (DoNotSchedule constraints). */
export const topologySpreadFilter: FilterPlugin = {
  name: 'PodTopologySpread',
  unresolvable: false,
  preFilter(pod, state, cluster: ClusterView) {
    const hardConstraints = pod.spreadConstraints.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    if (hardConstraints.length === 0) return false;
    state.write(FILTER_KEY, countDomains(pod, hardConstraints, cluster.nodes()));
    return true;
  },
  filter(_pod, node, state) {
    const all = state.read<ConstraintCounts[]>(FILTER_KEY);
    if (!all) return undefined;
    for (const cc of all) {
      const value = node.labels[cc.constraint.topologyKey];
      if (value === undefined) return { reasons: [REASON_TOPOLOGY_MISSING_LABEL], unresolvable: true };
      const skew = (cc.counts.get(value) ?? 0) + cc.selfMatch - cc.minMatch;
      if (skew > cc.constraint.maxSkew) return REASON_TOPOLOGY_SPREAD;
    }
    return undefined;
  },
};

const SCORE_KEY = 'PodTopologySpread/score';

interface ScoreState {
  counts: ConstraintCounts[];
  weights: number[];
}

/** topologySpreadScore is the PodTopologySpread scorer (ScheduleAnyway constraints). */
export const topologySpreadScore: ScorePlugin = {
  name: 'PodTopologySpread',
  preScore(pod, state, cluster) {
    const soft = pod.spreadConstraints.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
    if (soft.length === 0) return false;
    const counts = countDomains(pod, soft, cluster.nodes());
    // Constraints over many domains weigh more, as kube-scheduler's log(domains + 2).
    state.write(SCORE_KEY, { counts, weights: counts.map((cc) => Math.log(cc.counts.size + 2)) } satisfies ScoreState);
    return true;
  },
  score(_pod, node, state) {
    const st = state.read<ScoreState>(SCORE_KEY);
    if (!st) return 0;
    let total = 0;
    st.counts.forEach((cc, i) => {
      const value = node.labels[cc.constraint.topologyKey];
      // A node outside every domain is the worst place to spread to.
      total += value === undefined ? Number.MAX_SAFE_INTEGER / 1e6 : ((cc.counts.get(value) ?? 0) + cc.selfMatch) * st.weights[i];
    });
    return total;
  },
  normalize: normalizeReverse,
};
