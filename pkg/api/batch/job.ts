// job.ts: the Job kind (batch/v1 jobs): pods that run to completion.
import { conditionsSchema, kindSchema, labelSelectorSchema, objectMetaSchema } from '../common-schema.js';
import { defaultPodSpec } from '../core/pod-defaults.js';
import { podSpecSchema } from '../core/pod-schema.js';
import type { PodTemplateSpec } from '../core/pod-types.js';
import { validatePodTemplateSpec } from '../core/pod-validation.js';
import { deepEqual } from '../equality.js';
import { FieldPath, invalid, notSupported, required, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import { labelsMatch, validateLabelSelector, type LabelSelector } from '../labels.js';
import type { Condition, KubeObject } from '../meta.js';
import { bool, int, listOf, obj, str, type Schema } from '../schema.js';
import { immutable, nonNegative, oneOf, unchanged, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';

export interface PodFailurePolicyRule {
  action: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

export interface JobSpec {
  parallelism?: number;
  completions?: number;
  activeDeadlineSeconds?: number;
  podFailurePolicy?: { rules: PodFailurePolicyRule[] };
  successPolicy?: { rules: { succeededIndexes?: string; succeededCount?: number }[] };
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  selector?: LabelSelector;
  manualSelector?: boolean;
  template: PodTemplateSpec;
  ttlSecondsAfterFinished?: number;
  completionMode?: 'NonIndexed' | 'Indexed';
  suspend?: boolean;
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
  managedBy?: string;
}

/** JobCondition types: Complete, Failed, Suspended, FailureTarget, SuccessCriteriaMet. */
export type JobCondition = Condition;

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  ready?: number;
}

/** Job runs pods until a number of them complete successfully. */
export interface Job extends KubeObject {
  apiVersion?: 'batch/v1';
  kind?: 'Job';
  spec: JobSpec;
  status?: JobStatus;
}

/** JOB_CONTROLLER_UID_LABEL and friends are the labels a generated Job selector uses. */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

const MAX_INT32 = 2147483647;

/**
 * generateJobSelector gives a Job without manualSelector the selector Kubernetes generates:
 * its uid as a label on the template, selected by matchLabels. It needs metadata.uid.
 */
export function generateJobSelector(job: Job): void {
  const uid = job.metadata.uid;
  if (!uid || job.spec.manualSelector) return;
  const template = (job.spec.template ??= { spec: { containers: [] } });
  template.metadata ??= {};
  template.metadata.labels = {
    ...(template.metadata.labels ?? {}),
    [JOB_CONTROLLER_UID_LABEL]: uid,
    [LEGACY_CONTROLLER_UID_LABEL]: uid,
    [JOB_NAME_LABEL]: job.metadata.name ?? '',
    [LEGACY_JOB_NAME_LABEL]: job.metadata.name ?? '',
  };
  job.spec.selector ??= { matchLabels: { [JOB_CONTROLLER_UID_LABEL]: uid } };
}

/** defaultJobSpec applies the Job spec defaults (SetDefaults_Job without the labels). */
export function defaultJobSpec(spec: JobSpec): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const c of rule.onPodConditions ?? []) c.status ??= 'True';
  if (spec.template?.spec) defaultPodSpec(spec.template.spec);
}

function defaults(job: Job): void {
  job.spec ??= {} as JobSpec;
  if (!job.spec.selector && !job.spec.manualSelector) generateJobSelector(job);
  defaultJobSpec(job.spec);
  // A Job without labels takes its template's labels, as in Kubernetes.
  if (Object.keys(job.metadata.labels ?? {}).length === 0 && job.spec.template?.metadata?.labels) {
    job.metadata.labels = { ...job.spec.template.metadata.labels };
  }
}

/** validateJobSpec checks a JobSpec (of a Job or of a CronJob's jobTemplate). */
export function validateJobSpec(spec: JobSpec | undefined, fld: FieldPath): FieldError[] {
  if (!spec) return [required(fld)];
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.parallelism, fld.child('parallelism')));
  errs.push(...nonNegative(spec.completions, fld.child('completions')));
  errs.push(...nonNegative(spec.backoffLimit, fld.child('backoffLimit')));
  errs.push(...nonNegative(spec.activeDeadlineSeconds, fld.child('activeDeadlineSeconds')));
  errs.push(...nonNegative(spec.ttlSecondsAfterFinished, fld.child('ttlSecondsAfterFinished')));
  errs.push(...oneOf(spec.completionMode, ['NonIndexed', 'Indexed'], fld.child('completionMode')));
  errs.push(...oneOf(spec.podReplacementPolicy, ['TerminatingOrFailed', 'Failed'], fld.child('podReplacementPolicy')));
  if (spec.completionMode === 'Indexed') {
    if (spec.completions === undefined) errs.push(required(fld.child('completions'), 'when completion mode is Indexed'));
    else if (spec.completions > 100000) errs.push(invalid(fld.child('completions'), spec.completions, 'must be less than or equal to 100000 when completion mode is Indexed'));
  }
  if (spec.backoffLimitPerIndex !== undefined) {
    errs.push(...nonNegative(spec.backoffLimitPerIndex, fld.child('backoffLimitPerIndex')));
    if (spec.completionMode !== 'Indexed') errs.push(invalid(fld.child('backoffLimitPerIndex'), spec.backoffLimitPerIndex, 'requires indexed completion mode'));
  }
  if (spec.maxFailedIndexes !== undefined) {
    if (spec.backoffLimitPerIndex === undefined) errs.push(required(fld.child('backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
    errs.push(...nonNegative(spec.maxFailedIndexes, fld.child('maxFailedIndexes')));
  }
  if (spec.selector) {
    errs.push(...validateLabelSelector(spec.selector, fld.child('selector')));
    const labels = spec.template?.metadata?.labels ?? {};
    if (!labelsMatch(spec.selector, labels)) {
      errs.push(invalid(fld.child('template').child('metadata').child('labels'), labels, '`selector` does not match template `labels`'));
    }
  }
  if (!spec.template) errs.push(required(fld.child('template')));
  else {
    errs.push(...validatePodTemplateSpec(spec.template, fld.child('template')));
    const restart = spec.template.spec?.restartPolicy;
    if (restart !== 'OnFailure' && restart !== 'Never') {
      errs.push(notSupported(fld.child('template').child('spec').child('restartPolicy'), restart ?? '', ['OnFailure', 'Never']));
    }
    if (spec.podFailurePolicy && restart !== 'Never') {
      errs.push(invalid(fld.child('template').child('spec').child('restartPolicy'), restart ?? '', 'only "Never" is supported when podFailurePolicy is specified'));
    }
  }
  (spec.podFailurePolicy?.rules ?? []).forEach((r, i) => {
    const p = fld.child('podFailurePolicy').child('rules').index(i);
    errs.push(...oneOf(r.action, ['FailJob', 'FailIndex', 'Ignore', 'Count'], p.child('action'), true));
    if (!!r.onExitCodes === !!r.onPodConditions) errs.push(invalid(p, r, 'specifying one of OnExitCodes and OnPodConditions is required'));
    if (r.onExitCodes) errs.push(...oneOf(r.onExitCodes.operator, ['In', 'NotIn'], p.child('onExitCodes').child('operator'), true));
  });
  return errs;
}

function validate(job: Job): FieldError[] {
  const errs = validateObjectMeta(job.metadata, { namespaced: true });
  errs.push(...validateJobSpec(job.spec, new FieldPath('spec')));
  return errs;
}

/** Fields of a suspended Job's template that may still change (scheduling directives). */
const MUTABLE_WHILE_SUSPENDED = ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates'] as const;

function validateUpdate(job: Job, old: Job): FieldError[] {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata);
  const spec = new FieldPath('spec');
  errs.push(...unchanged(job.spec.selector, old.spec.selector, spec.child('selector')));
  errs.push(...unchanged(job.spec.completionMode, old.spec.completionMode, spec.child('completionMode')));
  errs.push(...unchanged(job.spec.podFailurePolicy, old.spec.podFailurePolicy, spec.child('podFailurePolicy')));
  errs.push(...unchanged(job.spec.backoffLimitPerIndex, old.spec.backoffLimitPerIndex, spec.child('backoffLimitPerIndex')));
  // Indexed jobs may scale completions together with parallelism ("elastic indexed jobs").
  const elastic = job.spec.completionMode === 'Indexed' && job.spec.completions === job.spec.parallelism;
  if (!elastic) errs.push(...unchanged(job.spec.completions, old.spec.completions, spec.child('completions')));
  const template = structuredClone(job.spec.template);
  if (old.spec.suspend && template) {
    // While suspended (and not yet started), scheduling directives and pod labels may change.
    template.metadata = { ...(template.metadata ?? {}), labels: old.spec.template?.metadata?.labels, annotations: old.spec.template?.metadata?.annotations };
    for (const f of MUTABLE_WHILE_SUSPENDED) (template.spec as unknown as Record<string, unknown>)[f] = (old.spec.template?.spec as unknown as Record<string, unknown>)?.[f];
  }
  if (!deepEqual(template, old.spec.template)) errs.push(immutable(spec.child('template'), '{...}'));
  return errs;
}

/** jobSpecSchema is the schema of a JobSpec (shared with CronJob's jobTemplate). */
export const jobSpecSchema: Schema = obj({
  parallelism: int(),
  completions: int(),
  activeDeadlineSeconds: int(),
  podFailurePolicy: obj({
    rules: listOf(
      obj({
        action: str(),
        onExitCodes: obj({ containerName: str(), operator: str(), values: listOf(int(), { strategy: 'merge' }) }),
        onPodConditions: listOf(obj({ type: str(), status: str() })),
      }),
    ),
  }),
  successPolicy: obj({ rules: listOf(obj({ succeededIndexes: str(), succeededCount: int() })) }),
  backoffLimit: int(),
  backoffLimitPerIndex: int(),
  maxFailedIndexes: int(),
  selector: labelSelectorSchema,
  manualSelector: bool(),
  template: obj({ metadata: objectMetaSchema, spec: podSpecSchema }),
  ttlSecondsAfterFinished: int(),
  completionMode: str(),
  suspend: bool(),
  podReplacementPolicy: str(),
  managedBy: str(),
});

/** jobKind is the Job's KindInfo. */
export const jobKind = defineKind({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  resource: 'jobs',
  namespaced: true,
  categories: ['all'],
  subresources: ['status'],
  hasStatus: true,
  schema: kindSchema({
    spec: jobSpecSchema,
    status: obj({
      conditions: conditionsSchema(),
      startTime: str(),
      completionTime: str(),
      active: int(),
      succeeded: int(),
      failed: int(),
      terminating: int(),
      completedIndexes: str(),
      failedIndexes: str(),
      uncountedTerminatedPods: obj({ succeeded: listOf(str(), { strategy: 'merge' }), failed: listOf(str(), { strategy: 'merge' }) }),
      ready: int(),
    }),
  }),
  defaults: (obj: KubeObject) => defaults(obj as Job),
  validate: (obj: KubeObject) => validate(obj as Job),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateUpdate(obj as Job, old as Job),
  selectableFields: (obj: KubeObject) => ({ 'status.successful': String((obj as Job).status?.succeeded ?? 0) }),
});
