// explain.ts: `skiff why POD` — for a pending or placed pod, every node with the filter that
// rejected it, or its score from each scorer and the weighted total. It runs the same filters
// and scorers as the scheduler, over every node (no sampling), against the scheduler's cache.
// A placed pod is taken off its node for the evaluation (and put back), so it is judged as
// it was when it was scheduled, minus whatever changed since.
import type { Pod } from '../api/core/pod-types.js';
import { prepareFilters, prepareScorers, runFilters, scoreInto } from './algorithm.js';
import { CycleState, type ClusterView } from './framework.js';
import type { NodeInfo } from './node-info.js';
import { newPodInfo, type PodInfo } from './pod-info.js';
import type { Profile } from './profile.js';

/** ExplainRow is one node's verdict. */
export interface ExplainRow {
  node: string;
  fits: boolean;
  /** filter is the plugin that rejected the node. */
  filter?: string;
  reasons?: string[];
  /** scores maps each scorer that applied to its normalized score (0–100), for feasible nodes. */
  scores?: Record<string, number>;
  /** total is the weighted sum of scores. */
  total?: number;
  /** current marks the node the pod is on (placed pods). */
  current?: boolean;
}

/** Explanation is `why` for one pod. */
export interface Explanation {
  apiVersion: 'skiff.dev/v1';
  kind: 'SchedulingExplanation';
  pod: string;
  nodeName?: string;
  priority: number;
  feasibleNodes: number;
  totalNodes: number;
  /** weights maps each scorer to its weight in the total. */
  weights: Record<string, number>;
  rows: ExplainRow[];
}

function withPodRemoved<T>(info: PodInfo, node: NodeInfo | undefined, fn: () => T): T {
  if (!node || !node.removePod(info.key)) return fn();
  const placed = info;
  try {
    return fn();
  } finally {
    node.addPod(placed);
  }
}

/** explain evaluates every node for the pod; priority defaults to spec.priority. */
export function explain(pod: Pod, cluster: ClusterView, profile: Profile, priority = pod.spec.priority ?? 0): Explanation {
  const current = pod.spec.nodeName;
  // Judge the pod as the scheduler saw it: not yet bound to a node.
  const unbound: Pod = current ? { ...pod, spec: { ...pod.spec, nodeName: undefined } } : pod;
  const info = newPodInfo(unbound, priority);
  const currentNode = current ? cluster.nodeInfo(current) : undefined;
  const placed = currentNode?.pods.get(info.key);
  return withPodRemoved(placed ?? info, placed ? currentNode : undefined, () => {
    const rows: ExplainRow[] = [];
    const feasible: NodeInfo[] = [];
    const state = new CycleState();
    const filters = prepareFilters(profile.filters, info, state, cluster);
    for (const node of cluster.nodes()) {
      const rejection = runFilters(filters, info, node, state);
      const row: ExplainRow = { node: node.name, fits: !rejection };
      if (rejection) {
        row.filter = rejection.plugin;
        row.reasons = [...rejection.reasons];
      } else feasible.push(node);
      if (node.name === current) row.current = true;
      rows.push(row);
    }
    const byNode = new Map(rows.map((r) => [r.node, r]));
    for (const node of feasible) {
      const row = byNode.get(node.name) as ExplainRow;
      row.scores = {};
      row.total = 0;
    }
    const weights: Record<string, number> = {};
    if (feasible.length > 0) {
      const buffer = new Float64Array(feasible.length);
      for (const { plugin, weight } of prepareScorers(profile.scorers, info, state, cluster, feasible)) {
        weights[plugin.name] = weight;
        scoreInto(plugin, info, feasible, feasible.length, state, buffer);
        feasible.forEach((node, i) => {
          const row = byNode.get(node.name) as ExplainRow;
          row.scores![plugin.name] = Math.round(buffer[i] * 100) / 100;
          row.total! += weight * buffer[i];
        });
      }
    }
    for (const row of rows) if (row.total !== undefined) row.total = Math.round(row.total * 100) / 100;
    rows.sort((a, b) => Number(b.fits) - Number(a.fits) || (b.total ?? 0) - (a.total ?? 0) || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    return {
      apiVersion: 'skiff.dev/v1',
      kind: 'SchedulingExplanation',
      pod: info.key,
      ...(current ? { nodeName: current } : {}),
      priority,
      feasibleNodes: feasible.length,
      totalNodes: rows.length,
      weights,
      rows,
    };
  });
}

/** explanationTable renders an Explanation as the CLI's table: NODE, FITS, FILTER, REASON, SCORES, TOTAL. */
export function explanationTable(e: Explanation): { columns: string[]; rows: string[][] } {
  return {
    columns: ['NODE', 'FITS', 'FILTER', 'REASON', 'SCORES', 'TOTAL'],
    rows: e.rows.map((r) => [
      r.current ? `${r.node} (current)` : r.node,
      r.fits ? 'yes' : 'no',
      r.filter ?? '',
      (r.reasons ?? []).join('; '),
      Object.entries(r.scores ?? {})
        .map(([k, v]) => `${k}=${Math.round(v)}`)
        .join(' '),
      r.total === undefined ? '' : String(Math.round(r.total)),
    ]),
  };
}
