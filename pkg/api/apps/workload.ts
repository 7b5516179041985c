// workload.ts: what the apps/v1 workload kinds share: the selector-must-match-template rule,
// template validation with restartPolicy Always, int-or-percent checks, and status schemas.
import { conditionsSchema } from '../common-schema.js';
import { podTemplateSpecSchema } from '../core/pod-schema.js';
import type { IntOrString, PodTemplateSpec } from '../core/pod-types.js';
import { validatePodTemplateSpec } from '../core/pod-validation.js';
import { FieldPath, invalid, notSupported, required, type FieldError } from '../field.js';
import { labelsMatch, validateLabelSelector, type LabelSelector } from '../labels.js';
import { int, type Schema } from '../schema.js';

export { podTemplateSpecSchema };

/** validateSelectorAndTemplate: the selector is required, not empty, and selects the template's labels. */
export function validateSelectorAndTemplate(selector: LabelSelector | undefined, template: PodTemplateSpec | undefined, spec: FieldPath, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec.child('selector');
  if (!selector) errs.push(required(sel));
  else {
    errs.push(...validateLabelSelector(selector, sel));
    if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
      errs.push(invalid(sel, selector, `empty selector is invalid for ${kind}`));
    }
  }
  if (!template) {
    errs.push(required(spec.child('template')));
    return errs;
  }
  const labels = template.metadata?.labels ?? {};
  if (selector && errs.length === 0 && !labelsMatch(selector, labels)) {
    errs.push(invalid(spec.child('template').child('metadata').child('labels'), labels, '`selector` does not match template `labels`'));
  }
  return errs;
}

/** validateAlwaysRestartingTemplate checks a template whose pods must run forever (Deployment, ReplicaSet, DaemonSet). */
export function validateAlwaysRestartingTemplate(template: PodTemplateSpec | undefined, fld: FieldPath, kind: string): FieldError[] {
  if (!template) return [];
  const errs = validatePodTemplateSpec(template, fld);
  const restart = template.spec?.restartPolicy;
  if (restart !== undefined && restart !== 'Always') errs.push(notSupported(fld.child('spec').child('restartPolicy'), restart, ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(invalid(fld.child('spec').child('activeDeadlineSeconds'), template.spec.activeDeadlineSeconds, `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

/** validateIntOrPercent: a non-negative integer or "N%". */
export function validateIntOrPercent(value: IntOrString | undefined, fld: FieldPath, atMost100Percent = false): FieldError[] {
  if (value === undefined) return [];
  if (typeof value === 'number') return value < 0 ? [invalid(fld, value, 'must be greater than or equal to 0')] : [];
  if (!/^[0-9]+%$/.test(value)) return [invalid(fld, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  if (atMost100Percent && Number(value.slice(0, -1)) > 100) return [invalid(fld, value, 'must not be greater than 100%')];
  return [];
}

/** isZeroIntOrPercent tells whether a value is 0 or "0%". */
export function isZeroIntOrPercent(value: IntOrString | undefined): boolean {
  return value === undefined || value === 0 || value === '0%' || value === '0';
}

/** templateSchema is the schema of spec.template. */
export const templateSchema: Schema = podTemplateSpecSchema;

/** replicaStatusFields are the status fields Deployment and ReplicaSet share. */
export const replicaStatusFields = {
  observedGeneration: int(),
  replicas: int(),
  readyReplicas: int(),
  availableReplicas: int(),
  terminatingReplicas: int(),
  conditions: conditionsSchema(),
};

