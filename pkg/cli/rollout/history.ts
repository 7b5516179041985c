// history.ts: a Deployment's revisions are its ReplicaSets, numbered by their
// deployment.kubernetes.io/revision annotation; undo copies one's pod template back.
import type { KubeObject } from '../../api/meta.js';
import { alignColumnsPadded } from '../printers/tabwriter.js';

/** REVISION_ANNOTATION numbers a Deployment's ReplicaSets. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** CHANGE_CAUSE_ANNOTATION is what `rollout history` shows as CHANGE-CAUSE. */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

/** revisionOf reads a ReplicaSet's revision (0 when missing). */
export function revisionOf(rs: KubeObject): number {
  const n = Number(rs.metadata.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(n) ? n : 0;
}

/** ownedReplicaSets picks the ReplicaSets a Deployment controls, by owner uid. */
export function ownedReplicaSets(deployment: KubeObject, replicaSets: KubeObject[]): KubeObject[] {
  return replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === deployment.metadata.uid));
}

/** historyTable prints kubectl's rollout history: the object, then REVISION and CHANGE-CAUSE. */
export function historyTable(kindName: string, replicaSets: KubeObject[]): string {
  const byRevision = new Map<number, KubeObject>();
  for (const rs of replicaSets) byRevision.set(revisionOf(rs), rs);
  const rows = [...byRevision.keys()].sort((a, b) => a - b).map((rev) => [String(rev), byRevision.get(rev)!.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? '<none>']);
  return `${kindName} \n${alignColumnsPadded([['REVISION', 'CHANGE-CAUSE'], ...rows], 0, 2)}\n`;
}

/** templateFor finds the pod template of a revision (0 = the one before the current). */
export function templateFor(replicaSets: KubeObject[], toRevision: number): { revision: number; template: Record<string, unknown> } | undefined {
  const sorted = [...replicaSets].filter((rs) => revisionOf(rs) > 0).sort((a, b) => revisionOf(b) - revisionOf(a));
  const rs = toRevision === 0 ? sorted[1] : sorted.find((r) => revisionOf(r) === toRevision);
  if (!rs) return undefined;
  const template = structuredClone((rs.spec as { template: Record<string, unknown> }).template);
  const meta = (template.metadata ?? {}) as { labels?: Record<string, string> };
  if (meta.labels) delete meta.labels['pod-template-hash'];
  return { revision: revisionOf(rs), template };
}
