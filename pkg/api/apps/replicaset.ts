// replicaset.ts: the ReplicaSet kind (apps/v1 replicasets): keeps N pods matching a selector.
import { kindSchema, labelSelectorSchema } from '../common-schema.js';
import { defaultPodSpec } from '../core/pod-defaults.js';
import type { PodTemplateSpec } from '../core/pod-types.js';
import { FieldPath, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { LabelSelector } from '../labels.js';
import type { Condition, KubeObject } from '../meta.js';
import { int, obj } from '../schema.js';
import { nonNegative, unchanged, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import { replicaStatusFields, templateSchema, validateAlwaysRestartingTemplate, validateSelectorAndTemplate } from './workload.js';

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelector;
  template?: PodTemplateSpec;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  terminatingReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

/** ReplicaSet keeps a number of pods matching its selector running. */
export interface ReplicaSet extends KubeObject {
  apiVersion?: 'apps/v1';
  kind?: 'ReplicaSet';
  spec: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

function validate(rs: ReplicaSet): FieldError[] {
  const errs = validateObjectMeta(rs.metadata, { namespaced: true });
  const spec = new FieldPath('spec');
  const s = rs.spec ?? ({} as ReplicaSetSpec);
  errs.push(...nonNegative(s.replicas, spec.child('replicas')));
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, spec, 'replicaset'));
  errs.push(...validateAlwaysRestartingTemplate(s.template, spec.child('template'), 'ReplicaSet'));
  return errs;
}

/** replicaSetKind is the ReplicaSet's KindInfo. */
export const replicaSetKind = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  resource: 'replicasets',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  hasStatus: true,
  schema: kindSchema({
    spec: obj({ replicas: int(), minReadySeconds: int(), selector: labelSelectorSchema, template: templateSchema }),
    status: obj({ ...replicaStatusFields, fullyLabeledReplicas: int() }),
  }),
  defaults: (obj: KubeObject) => {
    const rs = obj as ReplicaSet;
    rs.spec ??= {} as ReplicaSetSpec;
    rs.spec.replicas ??= 1;
    if (rs.spec.template?.spec) defaultPodSpec(rs.spec.template.spec);
  },
  validate: (obj: KubeObject) => validate(obj as ReplicaSet),
  validateUpdate: (obj: KubeObject, old: KubeObject) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...unchanged((obj as ReplicaSet).spec?.selector, (old as ReplicaSet).spec?.selector, new FieldPath('spec').child('selector')),
  ],
  selectableFields: (obj: KubeObject) => ({ 'status.replicas': String((obj as ReplicaSet).status?.replicas ?? 0) }),
});
