// taint-toleration.ts: NoSchedule and NoExecute taints repel pods that do not tolerate them
// (filter); PreferNoSchedule taints make a node less attractive per untolerated taint (scorer).
import type { FilterPlugin, ScorePlugin } from '../framework.js';
import { normalizeReverse } from '../framework.js';
import { firstUntolerated, formatTaint, toleratesAny } from '../tolerations.js';

/** REASON_UNTOLERATED_TAINT_PREFIX starts TaintToleration's rejection; the taint follows. */
export const REASON_UNTOLERATED_TAINT_PREFIX = 'node(s) had untolerated taint ';

const hard = (): boolean => true;

/** taintTolerationFilter is the TaintToleration filter. */
export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  unresolvable: true,
  filter(pod, node) {
    if (node.hardTaints.length === 0) return undefined;
    const taint = firstUntolerated(node.hardTaints, pod.pod.spec.tolerations, hard);
    return taint ? REASON_UNTOLERATED_TAINT_PREFIX + formatTaint(taint) : undefined;
  },
};

/** taintTolerationScore is the TaintToleration scorer: fewer untolerated PreferNoSchedule taints is better. */
export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  score(pod, node) {
    let n = 0;
    for (const taint of node.preferTaints) if (!toleratesAny(pod.pod.spec.tolerations, taint)) n++;
    return n;
  },
  normalize: normalizeReverse,
};
