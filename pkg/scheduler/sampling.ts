// sampling.ts: how many feasible nodes to look for before scoring, as kube-scheduler's
// numFeasibleNodesToFind: small clusters are searched whole; big ones only in part, because
// the best of a few hundred good nodes is nearly as good as the best of thousands.

/** MIN_FEASIBLE_NODES_TO_FIND is the floor below which every node is considered. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND is the floor of the adaptive percentage. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * numFeasibleNodesToFind returns how many feasible nodes to find among allNodes.
 * percentage 0 (the default) means adaptive: 50% minus 1% per 125 nodes, at least 5%.
 */
export function numFeasibleNodesToFind(allNodes: number, percentage = 0): number {
  if (allNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return allNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = 50 - Math.floor(allNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const num = Math.floor((allNodes * pct) / 100);
  return num < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : num;
}
