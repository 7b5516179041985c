// harness.ts: run one filter or scorer against a small cluster, for table tests.
import type { Node } from '../../api/core/node.js';
import type { Pod } from '../../api/core/pod-types.js';
import { SchedulerCache } from '../cache.js';
import { CycleState, type FilterPlugin, type FilterResult, type ScorePlugin } from '../framework.js';
import { newPodInfo } from '../pod-info.js';

/** clusterOf builds a cache with the nodes and the (bound) pods. */
export function clusterOf(nodes: Node[], pods: Pod[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of pods) cache.addPod(newPodInfo(p));
  return cache;
}

/** filterResults runs a filter for the pod on every node: node name → result (undefined = fits). */
export function filterResults(plugin: FilterPlugin, pod: Pod, cache: SchedulerCache): Record<string, FilterResult> {
  const info = newPodInfo(pod);
  const state = new CycleState();
  const out: Record<string, FilterResult> = {};
  const active = !plugin.preFilter || plugin.preFilter(info, state, cache);
  for (const node of cache.nodes()) out[node.name] = active ? plugin.filter(info, node, state) : undefined;
  return out;
}

/** feasibleNames lists the nodes a filter lets the pod onto. */
export function feasibleNames(plugin: FilterPlugin, pod: Pod, cache: SchedulerCache): string[] {
  return Object.entries(filterResults(plugin, pod, cache))
    .filter(([, r]) => r === undefined)
    .map(([name]) => name);
}

/** scoreResults runs a scorer (with normalization) over every node: node name → score; undefined if preScore skipped it. */
export function scoreResults(plugin: ScorePlugin, pod: Pod, cache: SchedulerCache): Record<string, number> | undefined {
  const info = newPodInfo(pod);
  const state = new CycleState();
  const nodes = cache.nodes();
  if (plugin.preScore && !plugin.preScore(info, state, cache, nodes)) return undefined;
  const scores = new Float64Array(nodes.length);
  nodes.forEach((n, i) => (scores[i] = plugin.score(info, n, state)));
  plugin.normalize?.(scores, nodes.length);
  return Object.fromEntries(nodes.map((n, i) => [n.name, Math.round(scores[i])]));
}
