// cronjob.ts: the CronJob kind (batch/v1 cronjobs): Jobs created on a cron schedule.
import { kindSchema, objectMetaSchema, objectReferenceSchema } from '../common-schema.js';
import { defaultPodSpec } from '../core/pod-defaults.js';
import type { ObjectReference } from '../core/pod-types.js';
import { FieldPath, invalid, required, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { KubeObject, ObjectMeta } from '../meta.js';
import { bool, int, listOf, obj, str } from '../schema.js';
import { nonNegative, oneOf, validateAnnotations, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import { isValidTimeZone, scheduleError } from './cron-schedule.js';
import { jobSpecSchema, validateJobSpec, type JobSpec } from './job.js';

export interface JobTemplateSpec {
  metadata?: ObjectMeta;
  spec: JobSpec;
}

export interface CronJobSpec {
  schedule: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  jobTemplate: JobTemplateSpec;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
}

export interface CronJobStatus {
  active?: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

/** CronJob creates Jobs on a schedule. */
export interface CronJob extends KubeObject {
  apiVersion?: 'batch/v1';
  kind?: 'CronJob';
  spec: CronJobSpec;
  status?: CronJobStatus;
}

/** CRONJOB_NAME_MAX is the longest CronJob name: its Jobs append an 11-character suffix. */
export const CRONJOB_NAME_MAX = 52;

function defaults(cj: CronJob): void {
  const spec = (cj.spec ??= {} as CronJobSpec);
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  // As in Kubernetes, only the pod template inside the job template is defaulted.
  const pod = spec.jobTemplate?.spec?.template?.spec;
  if (pod) defaultPodSpec(pod);
}

function validateSpec(cj: CronJob): FieldError[] {
  const spec = new FieldPath('spec');
  const s = cj.spec ?? ({} as CronJobSpec);
  const errs: FieldError[] = [];
  if (!s.schedule) errs.push(required(spec.child('schedule')));
  else {
    const why = scheduleError(s.schedule);
    if (why) errs.push(invalid(spec.child('schedule'), s.schedule, why));
  }
  if (s.timeZone !== undefined && !isValidTimeZone(s.timeZone)) errs.push(invalid(spec.child('timeZone'), s.timeZone, 'unknown time zone'));
  errs.push(...oneOf(s.concurrencyPolicy, ['Allow', 'Forbid', 'Replace'], spec.child('concurrencyPolicy'), true));
  errs.push(...nonNegative(s.startingDeadlineSeconds, spec.child('startingDeadlineSeconds')));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, spec.child('successfulJobsHistoryLimit')));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, spec.child('failedJobsHistoryLimit')));
  const jt = spec.child('jobTemplate');
  if (!s.jobTemplate) errs.push(required(jt));
  else {
    errs.push(...validateLabels(s.jobTemplate.metadata?.labels, jt.child('metadata').child('labels')));
    errs.push(...validateAnnotations(s.jobTemplate.metadata?.annotations, jt.child('metadata').child('annotations')));
    errs.push(...validateJobSpec(s.jobTemplate.spec, jt.child('spec')));
  }
  return errs;
}

function validate(cj: CronJob): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, { namespaced: true });
  const name = cj.metadata.name ?? '';
  if (name.length > CRONJOB_NAME_MAX) errs.push(invalid(new FieldPath('metadata').child('name'), name, `must be no more than ${CRONJOB_NAME_MAX} characters`));
  errs.push(...validateSpec(cj));
  return errs;
}

/** cronJobKind is the CronJob's KindInfo. */
export const cronJobKind = defineKind({
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  resource: 'cronjobs',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: ['status'],
  hasStatus: true,
  schema: kindSchema({
    spec: obj({
      schedule: str(),
      timeZone: str(),
      startingDeadlineSeconds: int(),
      concurrencyPolicy: str(),
      suspend: bool(),
      jobTemplate: obj({ metadata: objectMetaSchema, spec: jobSpecSchema }),
      successfulJobsHistoryLimit: int(),
      failedJobsHistoryLimit: int(),
    }),
    status: obj({ active: listOf(objectReferenceSchema), lastScheduleTime: str(), lastSuccessfulTime: str() }),
  }),
  defaults: (obj: KubeObject) => defaults(obj as CronJob),
  validate: (obj: KubeObject) => validate(obj as CronJob),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateObjectMetaUpdate(obj.metadata, old.metadata),
});
