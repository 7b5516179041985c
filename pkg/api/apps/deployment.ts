// deployment.ts: the Deployment kind (apps/v1 deployments): declarative rollouts of ReplicaSets.
import { conditionsSchema, kindSchema, labelSelectorSchema } from '../common-schema.js';
import { defaultPodSpec } from '../core/pod-defaults.js';
import type { IntOrString, PodTemplateSpec } from '../core/pod-types.js';
import { FieldPath, forbidden, invalid, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { LabelSelector } from '../labels.js';
import type { Condition, KubeObject } from '../meta.js';
import { bool, int, intOrString, obj, str } from '../schema.js';
import { nonNegative, oneOf, unchanged, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import { isZeroIntOrPercent, replicaStatusFields, templateSchema, validateAlwaysRestartingTemplate, validateIntOrPercent, validateSelectorAndTemplate } from './workload.js';

export interface RollingUpdateDeployment {
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
}

export interface DeploymentStrategy {
  type?: 'Recreate' | 'RollingUpdate';
  rollingUpdate?: RollingUpdateDeployment;
}

export interface DeploymentSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

/** DeploymentCondition types: Available, Progressing, ReplicaFailure. */
export type DeploymentCondition = Condition;

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  terminatingReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

/** Deployment keeps a number of identical pods running and rolls out changes to them. */
export interface Deployment extends KubeObject {
  apiVersion?: 'apps/v1';
  kind?: 'Deployment';
  spec: DeploymentSpec;
  status?: DeploymentStatus;
}

function defaults(d: Deployment): void {
  const spec = (d.spec ??= {} as DeploymentSpec);
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ??= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  if (spec.template?.spec) defaultPodSpec(spec.template.spec);
}

function validateStrategy(strategy: DeploymentStrategy | undefined, fld: FieldPath): FieldError[] {
  if (!strategy) return [];
  const errs = oneOf(strategy.type, ['Recreate', 'RollingUpdate'], fld.child('type'), true);
  const ru = strategy.rollingUpdate;
  if (strategy.type === 'Recreate' && ru) errs.push(forbidden(fld.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  if (strategy.type === 'RollingUpdate' && ru) {
    const p = fld.child('rollingUpdate');
    errs.push(...validateIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable'), true));
    errs.push(...validateIntOrPercent(ru.maxSurge, p.child('maxSurge')));
    if (isZeroIntOrPercent(ru.maxUnavailable) && isZeroIntOrPercent(ru.maxSurge)) {
      errs.push(invalid(p.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  return errs;
}

function validate(d: Deployment): FieldError[] {
  const errs = validateObjectMeta(d.metadata, { namespaced: true });
  const spec = new FieldPath('spec');
  const s = d.spec ?? ({} as DeploymentSpec);
  errs.push(...nonNegative(s.replicas, spec.child('replicas')));
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, spec, 'deployment'));
  errs.push(...validateAlwaysRestartingTemplate(s.template, spec.child('template'), 'Deployment'));
  errs.push(...validateStrategy(s.strategy, spec.child('strategy')));
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...nonNegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  if (s.progressDeadlineSeconds !== undefined) {
    errs.push(...nonNegative(s.progressDeadlineSeconds, spec.child('progressDeadlineSeconds')));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(invalid(spec.child('progressDeadlineSeconds'), s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

/** deploymentKind is the Deployment's KindInfo. */
export const deploymentKind = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  resource: 'deployments',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  hasStatus: true,
  schema: kindSchema({
    spec: obj({
      replicas: int(),
      selector: labelSelectorSchema,
      template: templateSchema,
      strategy: obj({ type: str(), rollingUpdate: obj({ maxUnavailable: intOrString(), maxSurge: intOrString() }) }),
      minReadySeconds: int(),
      revisionHistoryLimit: int(),
      paused: bool(),
      progressDeadlineSeconds: int(),
    }),
    status: obj({ ...replicaStatusFields, updatedReplicas: int(), unavailableReplicas: int(), collisionCount: int(), conditions: conditionsSchema() }),
  }),
  defaults: (obj: KubeObject) => defaults(obj as Deployment),
  validate: (obj: KubeObject) => validate(obj as Deployment),
  validateUpdate: (obj: KubeObject, old: KubeObject) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...unchanged((obj as Deployment).spec?.selector, (old as Deployment).spec?.selector, new FieldPath('spec').child('selector')),
  ],
});
