// daemonset.ts: the DaemonSet kind (apps/v1 daemonsets): one pod on every eligible node.
import { conditionsSchema, kindSchema, labelSelectorSchema } from '../common-schema.js';
import { defaultPodSpec } from '../core/pod-defaults.js';
import type { IntOrString, PodTemplateSpec } from '../core/pod-types.js';
import { FieldPath, forbidden, invalid, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { LabelSelector } from '../labels.js';
import type { Condition, KubeObject } from '../meta.js';
import { int, intOrString, obj, str } from '../schema.js';
import { nonNegative, oneOf, unchanged, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import { isZeroIntOrPercent, templateSchema, validateAlwaysRestartingTemplate, validateIntOrPercent, validateSelectorAndTemplate } from './workload.js';

export interface DaemonSetUpdateStrategy {
  type?: 'RollingUpdate' | 'OnDelete';
  rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString };
}

export interface DaemonSetSpec {
  selector: LabelSelector;
  template: PodTemplateSpec;
  updateStrategy?: DaemonSetUpdateStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: Condition[];
}

/** DaemonSet runs one copy of a pod on every node its template fits. */
export interface DaemonSet extends KubeObject {
  apiVersion?: 'apps/v1';
  kind?: 'DaemonSet';
  spec: DaemonSetSpec;
  status?: DaemonSetStatus;
}

function defaults(ds: DaemonSet): void {
  const spec = (ds.spec ??= {} as DaemonSetSpec);
  spec.updateStrategy ??= {};
  spec.updateStrategy.type ??= 'RollingUpdate';
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  if (spec.template?.spec) defaultPodSpec(spec.template.spec);
}

function validate(ds: DaemonSet): FieldError[] {
  const errs = validateObjectMeta(ds.metadata, { namespaced: true });
  const spec = new FieldPath('spec');
  const s = ds.spec ?? ({} as DaemonSetSpec);
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, spec, 'daemonset'));
  errs.push(...validateAlwaysRestartingTemplate(s.template, spec.child('template'), 'DaemonSet'));
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...nonNegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  const us = s.updateStrategy;
  if (us) {
    const p = spec.child('updateStrategy');
    errs.push(...oneOf(us.type, ['RollingUpdate', 'OnDelete'], p.child('type'), true));
    if (us.type === 'OnDelete' && us.rollingUpdate) errs.push(forbidden(p.child('rollingUpdate'), "may not be specified when strategy `type` is 'OnDelete'"));
    const ru = us.rollingUpdate;
    if (us.type === 'RollingUpdate' && ru) {
      const rp = p.child('rollingUpdate');
      errs.push(...validateIntOrPercent(ru.maxUnavailable, rp.child('maxUnavailable'), true));
      errs.push(...validateIntOrPercent(ru.maxSurge, rp.child('maxSurge'), true));
      if (isZeroIntOrPercent(ru.maxUnavailable) && isZeroIntOrPercent(ru.maxSurge)) {
        errs.push(invalid(rp.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
    }
  }
  return errs;
}

/** daemonSetKind is the DaemonSet's KindInfo. */
export const daemonSetKind = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  resource: 'daemonsets',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: ['status'],
  hasStatus: true,
  schema: kindSchema({
    spec: obj({
      selector: labelSelectorSchema,
      template: templateSchema,
      updateStrategy: obj({ type: str(), rollingUpdate: obj({ maxUnavailable: intOrString(), maxSurge: intOrString() }) }),
      minReadySeconds: int(),
      revisionHistoryLimit: int(),
    }),
    status: obj({
      currentNumberScheduled: int(),
      numberMisscheduled: int(),
      desiredNumberScheduled: int(),
      numberReady: int(),
      observedGeneration: int(),
      updatedNumberScheduled: int(),
      numberAvailable: int(),
      numberUnavailable: int(),
      collisionCount: int(),
      conditions: conditionsSchema(),
    }),
  }),
  defaults: (obj: KubeObject) => defaults(obj as DaemonSet),
  validate: (obj: KubeObject) => validate(obj as DaemonSet),
  validateUpdate: (obj: KubeObject, old: KubeObject) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...unchanged((obj as DaemonSet).spec?.selector, (old as DaemonSet).spec?.selector, new FieldPath('spec').child('selector')),
  ],
});
