// preemption.ts: when nothing fits, find the node where evicting the fewest, least important
// lower-priority pods makes room (kube-scheduler's DefaultPreemption, simplified):
//   1. candidates: nodes rejected only for reasons removing pods could fix;
//   2. on each, remove every lower-priority pod; if the pod still does not fit, skip the node;
//   3. give pods back, highest priority first, while the pod still fits ("reprieve"): what
//      cannot be given back are the victims — the minimum set for that node;
//   4. pick the node whose victims have the lowest highest priority, then the lowest sum of
//      priorities, then the fewest victims, then by name.
// The simulation edits NodeInfos in place and restores them before returning; nothing else
// runs meanwhile (one thread), so no one sees the intermediate state.
import { prepareFilters, runFilters } from './algorithm.js';
import { CycleState, type ClusterView } from './framework.js';
import type { Diagnosis } from './fit-error.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Profile } from './profile.js';
import { summarizeReasons } from './fit-error.js';

/** PreemptionCandidate is a node and the pods to evict there. */
export interface PreemptionCandidate {
  nodeName: string;
  victims: PodInfo[];
}

/** PreemptionOutcome is a chosen candidate, or the reasons none was found (for the event message). */
export type PreemptionOutcome = { candidate: PreemptionCandidate } | { candidate?: undefined; message: string };

const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = 'No preemption victims found for incoming pod';

function fits(pod: PodInfo, node: NodeInfo, profile: Profile, cluster: ClusterView): boolean {
  const state = new CycleState();
  return runFilters(prepareFilters(profile.filters, pod, state, cluster), pod, node, state) === undefined;
}

/** victimsOn returns the minimal victims on one node, or undefined if evicting cannot help there. */
export function victimsOn(pod: PodInfo, node: NodeInfo, profile: Profile, cluster: ClusterView): PodInfo[] | undefined {
  const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority && !p.pod.metadata.deletionTimestamp);
  if (lower.length === 0) return undefined;
  for (const p of lower) node.removePod(p.key);
  const victims: PodInfo[] = [];
  try {
    if (!fits(pod, node, profile, cluster)) return undefined;
    lower.sort((a, b) => b.priority - a.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const p of lower) {
      node.addPod(p);
      if (!fits(pod, node, profile, cluster)) {
        node.removePod(p.key);
        victims.push(p);
      }
    }
    return victims;
  } finally {
    for (const p of lower) if (!node.pods.has(p.key)) node.addPod(p);
  }
}

function better(a: PreemptionCandidate, b: PreemptionCandidate): boolean {
  const maxA = Math.max(...a.victims.map((v) => v.priority));
  const maxB = Math.max(...b.victims.map((v) => v.priority));
  if (maxA !== maxB) return maxA < maxB;
  const sumA = a.victims.reduce((s, v) => s + v.priority, 0);
  const sumB = b.victims.reduce((s, v) => s + v.priority, 0);
  if (sumA !== sumB) return sumA < sumB;
  if (a.victims.length !== b.victims.length) return a.victims.length < b.victims.length;
  return a.nodeName < b.nodeName;
}

/** findPreemption looks for the best node to preempt on, given why each node rejected the pod. */
export function findPreemption(pod: PodInfo, diagnosis: Diagnosis, profile: Profile, cluster: ClusterView): PreemptionOutcome {
  const counts = new Map<string, number>();
  const note = (reason: string): void => void counts.set(reason, (counts.get(reason) ?? 0) + 1);
  let best: PreemptionCandidate | undefined;
  for (const [nodeName, rejection] of diagnosis.nodes) {
    const node = cluster.nodeInfo(nodeName);
    if (rejection.unresolvable || !node?.node) {
      note(NOT_HELPFUL);
      continue;
    }
    const victims = victimsOn(pod, node, profile, cluster);
    if (!victims) {
      note(NO_VICTIMS);
      continue;
    }
    const candidate = { nodeName, victims };
    if (!best || better(candidate, best)) best = candidate;
  }
  if (best) return { candidate: best };
  return { message: `0/${cluster.numNodes} nodes are available: ${summarizeReasons(counts)}.` };
}
