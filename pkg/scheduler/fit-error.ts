// fit-error.ts: what went wrong when no node fits: per-node rejections and the aggregated
// message Kubernetes users know: "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had
// untolerated taint {dedicated: gpu}."
import type { PodInfo } from './pod-info.js';

/** NodeRejection is why one node was rejected. */
export interface NodeRejection {
  plugin: string;
  reasons: readonly string[];
  unresolvable: boolean;
}

/** Diagnosis collects the rejections of one scheduling attempt. */
export class Diagnosis {
  /** nodes maps a node name to its rejection. */
  readonly nodes = new Map<string, NodeRejection>();
  /** reasonCounts maps each reason to the number of nodes that gave it. */
  readonly reasonCounts = new Map<string, number>();

  /** record notes one node's rejection. */
  record(nodeName: string, rejection: NodeRejection): void {
    this.nodes.set(nodeName, rejection);
    for (const reason of rejection.reasons) this.reasonCounts.set(reason, (this.reasonCounts.get(reason) ?? 0) + 1);
  }
}

/** summarizeReasons prints reason counts as "3 Insufficient cpu, 2 node(s) were unschedulable": most frequent first, then by text. */
export function summarizeReasons(counts: ReadonlyMap<string, number>): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
}

/** fitErrorMessage builds the aggregated message of a failed attempt. */
export function fitErrorMessage(numAllNodes: number, diagnosis: Diagnosis, preemptionMessage?: string): string {
  if (numAllNodes === 0) return 'no nodes available to schedule pods';
  let msg = `0/${numAllNodes} nodes are available: ${summarizeReasons(diagnosis.reasonCounts)}.`;
  if (preemptionMessage) msg += ` preemption: ${preemptionMessage}`;
  return msg;
}

/** FitError is thrown when no node fits a pod. */
export class FitError extends Error {
  /** preemptionMessage is filled in when preemption was tried and did not help. */
  preemptionMessage?: string;

  constructor(
    readonly pod: PodInfo,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    super(fitErrorMessage(numAllNodes, diagnosis));
    this.name = 'FitError';
  }

  /** fullMessage is the message including the preemption outcome, if any. */
  fullMessage(): string {
    return fitErrorMessage(this.numAllNodes, this.diagnosis, this.preemptionMessage);
  }
}
