// scheduling-validation.ts: validation of a pod's scheduling directives: tolerations,
// affinity, and topology spread constraints.
import { FieldPath, forbidden, invalid, notSupported, required, duplicate, type FieldError } from '../field.js';
import { validateLabelSelector } from '../labels.js';
import { isQualifiedName, isValidLabelValue, messagesToErrors, oneOf } from '../validation.js';
import type { Affinity, NodeSelector, NodeSelectorTerm, PodAffinityTerm, Toleration, TopologySpreadConstraint } from './pod-types.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const NODE_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

/** validateTolerations checks keys, operators, values and effects. */
export function validateTolerations(tolerations: Toleration[] | undefined, fld: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = fld.index(i);
    if (t.key) errs.push(...messagesToErrors(p.child('key'), t.key, isQualifiedName(t.key)));
    if (!t.key && t.operator !== 'Exists') errs.push(invalid(p.child('operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(p.child('effect'), t.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    }
    switch (t.operator ?? '') {
      case '':
      case 'Equal':
        errs.push(...messagesToErrors(p.child('value'), t.value ?? '', isValidLabelValue(t.value ?? '')));
        break;
      case 'Exists':
        if (t.value) errs.push(invalid(p.child('operator'), t.value, 'value must be empty when `operator` is \'Exists\''));
        break;
      default:
        errs.push(notSupported(p.child('operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...oneOf(t.effect, TAINT_EFFECTS, p.child('effect')));
  });
  return errs;
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, fld: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((r, i) => {
    const p = fld.child('matchExpressions').index(i);
    const values = r.values ?? [];
    errs.push(...messagesToErrors(p.child('key'), r.key, isQualifiedName(r.key ?? '')));
    if (!NODE_SELECTOR_OPERATORS.includes(r.operator)) errs.push(notSupported(p.child('operator'), r.operator, NODE_SELECTOR_OPERATORS));
    if ((r.operator === 'In' || r.operator === 'NotIn') && values.length === 0) errs.push(required(p.child('values'), 'must be specified when `operator` is \'In\' or \'NotIn\''));
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0) errs.push(forbidden(p.child('values'), 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
    if (r.operator === 'Gt' || r.operator === 'Lt') {
      if (values.length !== 1) errs.push(required(p.child('values'), 'must be specified single value when `operator` is \'Lt\' or \'Gt\''));
      else if (!/^-?\d+$/.test(values[0])) errs.push(invalid(p.child('values').index(0), values[0], 'must be an integer'));
    }
  });
  (term.matchFields ?? []).forEach((r, i) => {
    const p = fld.child('matchFields').index(i);
    if (r.key !== 'metadata.name') errs.push(notSupported(p.child('key'), r.key, ['metadata.name']));
    if (r.operator !== 'In' && r.operator !== 'NotIn') errs.push(notSupported(p.child('operator'), r.operator, ['In', 'NotIn']));
    if ((r.values ?? []).length !== 1) errs.push(required(p.child('values'), 'must be only one value when `operator` is \'In\' or \'NotIn\' for node field selector'));
  });
  return errs;
}

function validateNodeSelector(ns: NodeSelector, fld: FieldPath): FieldError[] {
  const terms = ns.nodeSelectorTerms ?? [];
  if (terms.length === 0) return [required(fld.child('nodeSelectorTerms'), 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(t, fld.child('nodeSelectorTerms').index(i)));
}

function validateWeight(weight: number, fld: FieldPath): FieldError[] {
  return Number.isInteger(weight) && weight >= 1 && weight <= 100 ? [] : [invalid(fld, weight, 'must be in the range 1-100')];
}

function validatePodAffinityTerm(term: PodAffinityTerm, fld: FieldPath): FieldError[] {
  const errs = validateLabelSelector(term.labelSelector, fld.child('labelSelector'));
  errs.push(...validateLabelSelector(term.namespaceSelector, fld.child('namespaceSelector')));
  if (!term.topologyKey) errs.push(required(fld.child('topologyKey'), 'can not be empty'));
  else errs.push(...messagesToErrors(fld.child('topologyKey'), term.topologyKey, isQualifiedName(term.topologyKey)));
  return errs;
}

/** validateAffinity checks node, pod and pod anti-affinity. */
export function validateAffinity(affinity: Affinity | undefined, fld: FieldPath): FieldError[] {
  if (!affinity) return [];
  const errs: FieldError[] = [];
  const na = affinity.nodeAffinity;
  if (na) {
    const p = fld.child('nodeAffinity');
    if (na.requiredDuringSchedulingIgnoredDuringExecution) {
      errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, p.child('requiredDuringSchedulingIgnoredDuringExecution')));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = p.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      errs.push(...validateWeight(t.weight, tp.child('weight')));
      errs.push(...validateNodeSelectorTerm(t.preference ?? {}, tp.child('preference')));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = affinity[kind];
    if (!pa) continue;
    const p = fld.child(kind);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      errs.push(...validatePodAffinityTerm(t, p.child('requiredDuringSchedulingIgnoredDuringExecution').index(i)));
    });
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = p.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      errs.push(...validateWeight(t.weight, tp.child('weight')));
      errs.push(...validatePodAffinityTerm(t.podAffinityTerm ?? { topologyKey: '' }, tp.child('podAffinityTerm')));
    });
  }
  return errs;
}

/** validateTopologySpreadConstraints checks each constraint and that (topologyKey, whenUnsatisfiable) pairs are unique. */
export function validateTopologySpreadConstraints(constraints: TopologySpreadConstraint[] | undefined, fld: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (constraints ?? []).forEach((c, i) => {
    const p = fld.index(i);
    if (!(c.maxSkew > 0)) errs.push(invalid(p.child('maxSkew'), c.maxSkew, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(required(p.child('topologyKey'), 'can not be empty'));
    else errs.push(...messagesToErrors(p.child('topologyKey'), c.topologyKey, isQualifiedName(c.topologyKey)));
    errs.push(...oneOf(c.whenUnsatisfiable, ['DoNotSchedule', 'ScheduleAnyway'], p.child('whenUnsatisfiable'), true));
    if (c.minDomains !== undefined) {
      if (c.minDomains <= 0) errs.push(invalid(p.child('minDomains'), c.minDomains, 'must be greater than zero'));
      else if (c.whenUnsatisfiable !== 'DoNotSchedule') errs.push(invalid(p.child('minDomains'), c.minDomains, 'can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway'));
    }
    errs.push(...oneOf(c.nodeAffinityPolicy, ['Honor', 'Ignore'], p.child('nodeAffinityPolicy')));
    errs.push(...oneOf(c.nodeTaintsPolicy, ['Honor', 'Ignore'], p.child('nodeTaintsPolicy')));
    errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
    const pair = `${c.topologyKey}/${c.whenUnsatisfiable}`;
    if (seen.has(pair)) errs.push(duplicate(p, `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    seen.add(pair);
  });
  return errs;
}
