// resource-allocation.ts: NodeResourcesFit's scoring strategies over CPU and memory, counting
// pods without requests at the defaults (100m, 200Mi) so empty pods still spread:
// LeastAllocated prefers the emptiest nodes (spread, the default), MostAllocated the fullest
// (bin-packing).
import type { ScorePlugin } from '../framework.js';
import { MAX_NODE_SCORE } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';

/** ScoringStrategy names a resource allocation strategy. */
export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

function leastAllocated(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return ((capacity - requested) * MAX_NODE_SCORE) / capacity;
}

function mostAllocated(requested: number, capacity: number): number {
  if (capacity <= 0) return 0;
  if (requested > capacity) return MAX_NODE_SCORE;
  return (requested * MAX_NODE_SCORE) / capacity;
}

/** resourceAllocationScore returns the NodeResourcesFit scorer for a strategy (CPU and memory weighted 1:1). */
export function resourceAllocationScore(strategy: ScoringStrategy = 'LeastAllocated'): ScorePlugin {
  const fn = strategy === 'MostAllocated' ? mostAllocated : leastAllocated;
  return {
    name: 'NodeResourcesFit',
    score(pod: PodInfo, node: NodeInfo): number {
      const cpu = fn(node.nonZeroCpuMilli + pod.nonZeroCpuMilli, node.allocatable.cpuMilli);
      const mem = fn(node.nonZeroMemoryBytes + pod.nonZeroMemoryBytes, node.allocatable.memoryBytes);
      return Math.floor((cpu + mem) / 2);
    },
  };
}
