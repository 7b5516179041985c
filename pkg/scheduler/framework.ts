// framework.ts: the plugin contracts of the scheduling pipeline. A filter says whether a pod may
// go on a node, and if not, why (a named reason `why` and events show). A scorer ranks the
// feasible nodes from 0 to MAX_NODE_SCORE. Both may prepare per-pod state once (preFilter /
// preScore) so the per-node call stays a handful of comparisons.
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

/** MAX_NODE_SCORE is the best score a scorer gives a node. */
export const MAX_NODE_SCORE = 100;

/** ClusterView is what plugins may read of the whole cluster (the SchedulerCache implements it). */
export interface ClusterView {
  nodes(): readonly NodeInfo[];
  nodeInfo(name: string): NodeInfo | undefined;
  readonly numNodes: number;
  readonly imageNodeCounts: ReadonlyMap<string, number>;
  hasPodsWithAffinity(): boolean;
  hasPodsWithRequiredAntiAffinity(): boolean;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
}

/** CycleState carries what plugins computed for one pod during one scheduling attempt. */
export class CycleState {
  private readonly data = new Map<string, unknown>();

  /** read returns what a plugin wrote under key. */
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  /** write stores a plugin's state under key. */
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/** Rejection is a filter's answer when a node does not fit, with whether removing pods could help. */
export interface Rejection {
  reasons: readonly string[];
  /** unresolvable: preempting pods on this node would not make the pod fit. */
  unresolvable: boolean;
}

/** FilterResult is undefined when the node fits, a reason (with the plugin's resolvability), or a Rejection. */
export type FilterResult = undefined | string | Rejection;

/** FilterPlugin decides feasibility for one concern. */
export interface FilterPlugin {
  readonly name: string;
  /** unresolvable applies to reasons returned as plain strings. */
  readonly unresolvable: boolean;
  /** preFilter prepares per-pod state; it returns false when the plugin has nothing to check for this pod. */
  preFilter?(pod: PodInfo, state: CycleState, cluster: ClusterView): boolean;
  filter(pod: PodInfo, node: NodeInfo, state: CycleState): FilterResult;
}

/** ScorePlugin ranks feasible nodes for one concern. */
export interface ScorePlugin {
  readonly name: string;
  /** preScore prepares per-pod state over the feasible nodes; false skips the plugin for this pod. */
  preScore?(pod: PodInfo, state: CycleState, cluster: ClusterView, feasible: readonly NodeInfo[]): boolean;
  /** score returns 0..MAX_NODE_SCORE, or raw values that normalize maps into that range. */
  score(pod: PodInfo, node: NodeInfo, state: CycleState): number;
  /** normalize rewrites scores[0..count) into 0..MAX_NODE_SCORE. */
  normalize?(scores: Float64Array, count: number): void;
}

/** WeightedScorer is a scorer and its weight in the total. */
export interface WeightedScorer {
  plugin: ScorePlugin;
  weight: number;
}

/** rejectionReasons lists the reasons of a non-undefined filter result. */
export function rejectionReasons(result: Exclude<FilterResult, undefined>): readonly string[] {
  return typeof result === 'string' ? [result] : result.reasons;
}

/** isUnresolvable tells whether a filter result is one preemption cannot fix. */
export function isUnresolvable(plugin: FilterPlugin, result: Exclude<FilterResult, undefined>): boolean {
  return typeof result === 'string' ? plugin.unresolvable : result.unresolvable;
}

/** normalizeReverse maps raw scores so the lowest raw value gets MAX_NODE_SCORE and the highest 0. */
export function normalizeReverse(scores: Float64Array, count: number): void {
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < count; i++) {
    if (scores[i] > max) max = scores[i];
    if (scores[i] < min) min = scores[i];
  }
  for (let i = 0; i < count; i++) scores[i] = max === min ? MAX_NODE_SCORE : (MAX_NODE_SCORE * (max - scores[i])) / (max - min);
}

/** normalizeToMax maps raw scores so the highest raw value gets MAX_NODE_SCORE (0 stays 0). */
export function normalizeToMax(scores: Float64Array, count: number): void {
  let max = 0;
  for (let i = 0; i < count; i++) if (scores[i] > max) max = scores[i];
  for (let i = 0; i < count; i++) scores[i] = max === 0 ? 0 : (MAX_NODE_SCORE * scores[i]) / max;
}

/** normalizeMinMax maps raw scores (possibly negative) linearly onto 0..MAX_NODE_SCORE. */
export function normalizeMinMax(scores: Float64Array, count: number): void {
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < count; i++) {
    if (scores[i] > max) max = scores[i];
    if (scores[i] < min) min = scores[i];
  }
  for (let i = 0; i < count; i++) scores[i] = max === min ? 0 : (MAX_NODE_SCORE * (scores[i] - min)) / (max - min);
}
