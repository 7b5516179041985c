// node-affinity.ts: spec.nodeSelector and required node affinity as a filter; preferred node
// affinity as a scorer (the sum of the weights of the terms a node matches).
import type { FilterPlugin, ScorePlugin } from '../framework.js';
import { normalizeToMax } from '../framework.js';
import { matchNodeSelectorTerm, podMatchesNodeSelectorAndAffinity } from '../node-selector.js';

/** REASON_NODE_AFFINITY is NodeAffinity's rejection. */
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/** nodeAffinityFilter is the NodeAffinity filter. */
export const nodeAffinityFilter: FilterPlugin = {
  name: 'NodeAffinity',
  unresolvable: true,
  preFilter: (pod) => !!pod.pod.spec.nodeSelector || !!pod.pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
  filter: (pod, node) => (node.node && podMatchesNodeSelectorAndAffinity(pod.pod, node.node) ? undefined : REASON_NODE_AFFINITY),
};

/** nodeAffinityScore is the NodeAffinity scorer (preferredDuringSchedulingIgnoredDuringExecution). */
export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  preScore: (pod) => (pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0,
  score(pod, node) {
    let total = 0;
    if (!node.node) return 0;
    for (const term of pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (term.weight !== 0 && matchNodeSelectorTerm(term.preference, node.node)) total += term.weight;
    }
    return total;
  },
  normalize: normalizeToMax,
};
