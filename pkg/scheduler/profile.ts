// profile.ts: which filters run (in order: cheap and decisive first) and how scorers are weighed.
import type { FilterPlugin, WeightedScorer } from './framework.js';
import { imageLocality } from './plugins/image-locality.js';
import { interPodAffinityFilter, interPodAffinityScore } from './plugins/inter-pod-affinity.js';
import { nodeAffinityFilter, nodeAffinityScore } from './plugins/node-affinity.js';
import { nodeName } from './plugins/node-name.js';
import { nodePorts } from './plugins/node-ports.js';
import { nodeReady } from './plugins/node-ready.js';
import { nodeResourcesFit } from './plugins/node-resources-fit.js';
import { nodeUnschedulable } from './plugins/node-unschedulable.js';
import { resourceAllocationScore, type ScoringStrategy } from './plugins/resource-allocation.js';
import { taintTolerationFilter, taintTolerationScore } from './plugins/taint-toleration.js';
import { topologySpreadFilter, topologySpreadScore } from './plugins/topology-spread.js';

/** ScorerName names a configurable scorer. */
export type ScorerName = 'NodeResourcesFit' | 'NodeAffinity' | 'TaintToleration' | 'PodTopologySpread' | 'ImageLocality' | 'InterPodAffinity';

/** DEFAULT_WEIGHTS are kube-scheduler's default score weights. */
export const DEFAULT_WEIGHTS: Readonly<Record<ScorerName, number>> = {
  NodeResourcesFit: 1,
  NodeAffinity: 2,
  TaintToleration: 3,
  PodTopologySpread: 2,
  ImageLocality: 1,
  InterPodAffinity: 2,
};

/** DEFAULT_SCHEDULER_NAME is the spec.schedulerName this scheduler serves by default. */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** ProfileConfig is the user-facing scheduling configuration. */
export interface ProfileConfig {
  schedulerName?: string;
  /** scoringStrategy: LeastAllocated spreads (default), MostAllocated bin-packs. */
  scoringStrategy?: ScoringStrategy;
  /** weights override DEFAULT_WEIGHTS; 0 disables a scorer. */
  weights?: Partial<Record<ScorerName, number>>;
  /** percentageOfNodesToScore: 0 = adaptive (default), 100 = every node. */
  percentageOfNodesToScore?: number;
}

/** Profile is a resolved configuration: filters in order and weighted scorers. */
export interface Profile {
  schedulerName: string;
  filters: readonly FilterPlugin[];
  scorers: readonly WeightedScorer[];
  percentageOfNodesToScore: number;
}

/** newProfile resolves a ProfileConfig into the plugin lists the algorithm runs. */
export function newProfile(config: ProfileConfig = {}): Profile {
  const weights = { ...DEFAULT_WEIGHTS, ...(config.weights ?? {}) };
  const scorers: WeightedScorer[] = [
    { plugin: resourceAllocationScore(config.scoringStrategy ?? 'LeastAllocated'), weight: weights.NodeResourcesFit },
    { plugin: nodeAffinityScore, weight: weights.NodeAffinity },
    { plugin: taintTolerationScore, weight: weights.TaintToleration },
    { plugin: topologySpreadScore, weight: weights.PodTopologySpread },
    { plugin: imageLocality, weight: weights.ImageLocality },
    { plugin: interPodAffinityScore, weight: weights.InterPodAffinity },
  ];
  return {
    schedulerName: config.schedulerName ?? DEFAULT_SCHEDULER_NAME,
    filters: [nodeUnschedulable, nodeReady, nodeName, taintTolerationFilter, nodeAffinityFilter, nodePorts, nodeResourcesFit, topologySpreadFilter, interPodAffinityFilter],
    scorers: scorers.filter((s) => s.weight > 0),
    percentageOfNodesToScore: config.percentageOfNodesToScore ?? 0,
  };
}
