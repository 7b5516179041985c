// node-selector.ts: matching nodes against a pod's nodeSelector and node affinity terms
// (component-helpers' nodeaffinity): terms are ORed, requirements within a term ANDed.
import type { Node } from '../api/core/node.js';
import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../api/core/pod-types.js';

/** matchRequirement tells whether one requirement holds for a value (undefined = key absent). */
export function matchRequirement(req: NodeSelectorRequirement, has: boolean, value: string | undefined): boolean {
  switch (req.operator) {
    case 'In':
      return has && (req.values ?? []).includes(value as string);
    case 'NotIn':
      return !has || !(req.values ?? []).includes(value as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const limit = Number((req.values ?? [])[0]);
      if (!Number.isFinite(limit)) return false;
      const n = Number(value);
      return req.operator === 'Gt' ? n > limit : n < limit;
    }
    default:
      return false;
  }
}

/** matchNodeSelectorTerm tells whether a node satisfies every expression and field of one term; an empty term matches nothing. */
export function matchNodeSelectorTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const e of exprs) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (!matchRequirement(e, has, labels[e.key])) return false;
  }
  for (const f of fields) {
    // metadata.name is the only field Kubernetes supports in matchFields.
    if (f.key !== 'metadata.name') return false;
    if (!matchRequirement(f, true, node.metadata.name)) return false;
  }
  return true;
}

/** matchNodeSelector tells whether a node satisfies any term of a NodeSelector. */
export function matchNodeSelector(selector: NodeSelector, node: Node): boolean {
  return (selector.nodeSelectorTerms ?? []).some((term) => matchNodeSelectorTerm(term, node));
}

/** matchPlainNodeSelector tells whether a node carries every label of a pod's spec.nodeSelector. */
export function matchPlainNodeSelector(selector: Record<string, string>, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  return true;
}

/** podMatchesNodeSelectorAndAffinity is what the NodeAffinity filter checks: spec.nodeSelector and required node affinity. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  if (pod.spec.nodeSelector && !matchPlainNodeSelector(pod.spec.nodeSelector, node)) return false;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || matchNodeSelector(required, node);
}
