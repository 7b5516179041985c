// algorithm.ts: one scheduling decision. Filters run over the nodes, starting where the last
// decision stopped (so sampling visits every node in turn), until enough feasible nodes are
// found; scorers rank those; the best wins, ties broken by a generator seeded from the pod's
// uid so the same cluster state and pod give the same answer.
//
//   nodes ──filters──► feasible (sampled) ──scorers × weights──► totals ──seeded tie-break──► node
import type { ClusterView, FilterPlugin, ScorePlugin, WeightedScorer } from './framework.js';
import { CycleState, isUnresolvable, rejectionReasons } from './framework.js';
import { Diagnosis, FitError, type NodeRejection } from './fit-error.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Profile } from './profile.js';
import { randomForPod } from './random.js';
import { numFeasibleNodesToFind } from './sampling.js';

/** ScheduleResult is where a pod should go and how much of the cluster was looked at. */
export interface ScheduleResult {
  nodeName: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

/** prepareFilters runs every filter's preFilter and returns those with something to check. */
export function prepareFilters(filters: readonly FilterPlugin[], pod: PodInfo, state: CycleState, cluster: ClusterView): FilterPlugin[] {
  const active: FilterPlugin[] = [];
  for (const f of filters) if (!f.preFilter || f.preFilter(pod, state, cluster)) active.push(f);
  return active;
}

/** runFilters returns undefined if the node fits, else the first rejection. */
export function runFilters(filters: readonly FilterPlugin[], pod: PodInfo, node: NodeInfo, state: CycleState): NodeRejection | undefined {
  for (const f of filters) {
    const result = f.filter(pod, node, state);
    if (result !== undefined) return { plugin: f.name, reasons: rejectionReasons(result), unresolvable: isUnresolvable(f, result) };
  }
  return undefined;
}

/** prepareScorers runs every scorer's preScore and returns those that apply. */
export function prepareScorers(scorers: readonly WeightedScorer[], pod: PodInfo, state: CycleState, cluster: ClusterView, feasible: readonly NodeInfo[]): WeightedScorer[] {
  const active: WeightedScorer[] = [];
  for (const s of scorers) if (!s.plugin.preScore || s.plugin.preScore(pod, state, cluster, feasible)) active.push(s);
  return active;
}

/** scoreInto fills out[0..count) with one scorer's normalized scores of the feasible nodes. */
export function scoreInto(plugin: ScorePlugin, pod: PodInfo, feasible: readonly NodeInfo[], count: number, state: CycleState, out: Float64Array): void {
  for (let i = 0; i < count; i++) out[i] = plugin.score(pod, feasible[i], state);
  plugin.normalize?.(out, count);
}

/** GenericScheduler decides where pods go, reading the cluster through a ClusterView. */
export class GenericScheduler {
  private nextStartNodeIndex = 0;
  private feasible: NodeInfo[] = [];
  private totals = new Float64Array(0);
  private buffer = new Float64Array(0);

  constructor(
    readonly profile: Profile,
    private readonly cluster: ClusterView,
  ) {}

  /** schedule picks a node for the pod or throws FitError. */
  schedule(pod: PodInfo): ScheduleResult {
    const nodes = this.cluster.nodes();
    const n = nodes.length;
    const diagnosis = new Diagnosis();
    if (n === 0) throw new FitError(pod, 0, diagnosis);
    const state = new CycleState();
    const filters = prepareFilters(this.profile.filters, pod, state, this.cluster);

    // A nominated node (set by preemption) is tried first, so the room made there is used.
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = this.cluster.nodeInfo(nominated);
      if (ni?.node && !runFilters(filters, pod, ni, state)) return { nodeName: nominated, evaluatedNodes: 1, feasibleNodes: 1 };
    }

    const want = numFeasibleNodesToFind(n, this.profile.percentageOfNodesToScore);
    const feasible = this.feasible;
    feasible.length = 0;
    let evaluated = 0;
    const start = this.nextStartNodeIndex % n;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const node = nodes[(start + i) % n];
      evaluated++;
      const rejection = runFilters(filters, pod, node, state);
      if (rejection) diagnosis.record(node.name, rejection);
      else feasible.push(node);
    }
    this.nextStartNodeIndex = (start + evaluated) % n;
    if (feasible.length === 0) throw new FitError(pod, n, diagnosis);
    if (feasible.length === 1) return { nodeName: feasible[0].name, evaluatedNodes: evaluated, feasibleNodes: 1 };

    const count = feasible.length;
    if (this.totals.length < count) {
      this.totals = new Float64Array(count * 2);
      this.buffer = new Float64Array(count * 2);
    }
    const totals = this.totals;
    totals.fill(0, 0, count);
    for (const { plugin, weight } of prepareScorers(this.profile.scorers, pod, state, this.cluster, feasible)) {
      scoreInto(plugin, pod, feasible, count, state, this.buffer);
      for (let i = 0; i < count; i++) totals[i] += weight * this.buffer[i];
    }
    const best = selectHost(totals, count, randomForPod(pod.uid));
    const nodeName = feasible[best].name;
    feasible.length = 0;
    return { nodeName, evaluatedNodes: evaluated, feasibleNodes: count };
  }
}

/** selectHost returns the index of the highest total, picking uniformly among ties with random. */
export function selectHost(totals: Float64Array, count: number, random: () => number): number {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < count; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return best;
}
