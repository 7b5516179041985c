// Tests of the batch/v1 kinds: Job and CronJob, and cron schedule checks.
import test from 'ava';
import { newPodTemplate } from '../core/pod-builders.js';
import type { KubeObject } from '../meta.js';
import { structuralErrors } from '../schema.js';
import { kindFor } from '../scheme.js';
import { cronJobKind, type CronJob } from './cronjob.js';
import { expandSchedule, isValidTimeZone, scheduleError } from './cron-schedule.js';
import { generateJobSelector, jobKind, type Job } from './job.js';

function newJob(spec: Partial<Job['spec']> = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default' },
    spec: { template: newPodTemplate({ app: 'pi' }, { restartPolicy: 'Never' }), ...spec },
  };
}

function newCronJob(spec: Partial<CronJob['spec']> = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'default' },
    spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: newPodTemplate({ app: 'nightly' }, { restartPolicy: 'OnFailure' }) } }, ...spec },
  };
}

test('batch kinds are registered', (t) => {
  t.is(kindFor('batch/v1', 'Job'), jobKind);
  t.is(kindFor('batch/v1', 'CronJob'), cronJobKind);
});

test('Job defaults', (t) => {
  const job = newJob();
  jobKind.defaults(job);
  t.is(job.spec.parallelism, 1);
  t.is(job.spec.completions, 1);
  t.is(job.spec.backoffLimit, 6);
  t.is(job.spec.completionMode, 'NonIndexed');
  t.is(job.spec.suspend, false);
  t.is(job.spec.podReplacementPolicy, 'TerminatingOrFailed');
  t.is(job.spec.template.spec.dnsPolicy, 'ClusterFirst');
  t.is(job.spec.template.spec.restartPolicy, 'Never');
  t.deepEqual(job.metadata.labels, { app: 'pi' });
});

test('Job defaults: parallelism alone leaves completions unset', (t) => {
  const job = newJob({ parallelism: 3 });
  jobKind.defaults(job);
  t.is(job.spec.parallelism, 3);
  t.is(job.spec.completions, undefined);
});

test('Job without restartPolicy is rejected, as in Kubernetes', (t) => {
  const job = newJob({ template: newPodTemplate({ app: 'pi' }) });
  jobKind.defaults(job);
  t.deepEqual(jobKind.validate(job).map((e) => e.field), ['spec.template.spec.restartPolicy']);
});

test('Job selector is generated from the uid when not manual', (t) => {
  const job = newJob();
  job.metadata.uid = '1234-abcd';
  jobKind.defaults(job);
  t.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': '1234-abcd' } });
  t.is(job.spec.template.metadata!.labels!['job-name'], 'pi');
  t.is(job.spec.template.metadata!.labels!['controller-uid'], '1234-abcd');
  t.deepEqual(jobKind.validate(job), []);
  const manual = newJob({ manualSelector: true, selector: { matchLabels: { app: 'pi' } } });
  manual.metadata.uid = 'u';
  generateJobSelector(manual);
  t.deepEqual(manual.spec.selector, { matchLabels: { app: 'pi' } });
});

type Case = { name: string; obj: () => KubeObject; fields: string[] };
const cases: { kind: typeof jobKind; cases: Case[] }[] = [
  {
    kind: jobKind,
    cases: [
      { name: 'valid', obj: () => newJob(), fields: [] },
      { name: 'negative parallelism', obj: () => newJob({ parallelism: -1 }), fields: ['spec.parallelism'] },
      { name: 'negative backoffLimit', obj: () => newJob({ backoffLimit: -1 }), fields: ['spec.backoffLimit'] },
      { name: 'restartPolicy Always', obj: () => newJob({ template: newPodTemplate({ app: 'pi' }, { restartPolicy: 'Always' }) }), fields: ['spec.template.spec.restartPolicy'] },
      { name: 'selector mismatch', obj: () => newJob({ manualSelector: true, selector: { matchLabels: { app: 'x' } } }), fields: ['spec.template.metadata.labels'] },
      { name: 'Indexed needs completions', obj: () => newJob({ completionMode: 'Indexed', parallelism: 2 }), fields: ['spec.completions'] },
      { name: 'bad completionMode', obj: () => newJob({ completionMode: 'Sometimes' as never }), fields: ['spec.completionMode'] },
      { name: 'missing image', obj: () => newJob({ template: newPodTemplate({ app: 'pi' }, { restartPolicy: 'Never', containers: [{ name: 'pi' }] }) }), fields: ['spec.template.spec.containers[0].image'] },
    ],
  },
  {
    kind: cronJobKind,
    cases: [
      { name: 'valid', obj: () => newCronJob(), fields: [] },
      { name: 'macro schedule', obj: () => newCronJob({ schedule: '@hourly' }), fields: [] },
      { name: 'bad schedule', obj: () => newCronJob({ schedule: '61 * * * *' }), fields: ['spec.schedule'] },
      { name: 'six fields', obj: () => newCronJob({ schedule: '0 * * * * *' }), fields: ['spec.schedule'] },
      { name: 'TZ in schedule', obj: () => newCronJob({ schedule: 'TZ=UTC 0 * * * *' }), fields: ['spec.schedule'] },
      { name: 'missing schedule', obj: () => newCronJob({ schedule: '' }), fields: ['spec.schedule'] },
      { name: 'bad time zone', obj: () => newCronJob({ timeZone: 'Mars/Olympus' }), fields: ['spec.timeZone'] },
      { name: 'bad concurrencyPolicy', obj: () => newCronJob({ concurrencyPolicy: 'Sometimes' as never }), fields: ['spec.concurrencyPolicy'] },
      { name: 'negative history', obj: () => newCronJob({ failedJobsHistoryLimit: -1 }), fields: ['spec.failedJobsHistoryLimit'] },
      {
        name: 'job template restartPolicy',
        obj: () => newCronJob({ jobTemplate: { spec: { template: newPodTemplate({ app: 'n' }) } } }),
        fields: ['spec.jobTemplate.spec.template.spec.restartPolicy'],
      },
    ],
  },
];
for (const { kind, cases: list } of cases) {
  for (const c of list) {
    test(`${kind.kind} validation: ${c.name}`, (t) => {
      const obj = c.obj();
      t.deepEqual(structuralErrors(kind.schema, obj), []);
      kind.defaults(obj);
      const errs = kind.validate(obj);
      t.deepEqual(errs.map((e) => e.field), c.fields, JSON.stringify(errs));
    });
  }
}

test('CronJob name is limited to 52 characters', (t) => {
  const cj = newCronJob();
  cj.metadata.name = 'a'.repeat(53);
  cronJobKind.defaults(cj);
  t.deepEqual(cronJobKind.validate(cj).map((e) => e.field), ['metadata.name']);
});

test('CronJob defaults', (t) => {
  const cj = newCronJob();
  cronJobKind.defaults(cj);
  t.is(cj.spec.concurrencyPolicy, 'Allow');
  t.is(cj.spec.suspend, false);
  t.is(cj.spec.successfulJobsHistoryLimit, 3);
  t.is(cj.spec.failedJobsHistoryLimit, 1);
  t.is(cj.spec.jobTemplate.spec.template.spec.schedulerName, 'default-scheduler');
  t.is(cj.spec.jobTemplate.spec.backoffLimit, undefined, 'Job-level defaults are not applied to job templates');
});

const updateCases: { name: string; change: (j: Job) => void; suspended?: boolean; fields: string[] }[] = [
  { name: 'parallelism may change', change: (j) => (j.spec.parallelism = 4), fields: [] },
  { name: 'suspend may change', change: (j) => (j.spec.suspend = true), fields: [] },
  { name: 'selector is immutable', change: (j) => (j.spec.selector = { matchLabels: { app: 'x' } }), fields: ['spec.selector'] },
  { name: 'completions are immutable', change: (j) => (j.spec.completions = 5), fields: ['spec.completions'] },
  { name: 'template is immutable', change: (j) => (j.spec.template.spec.containers[0].image = 'x:2'), fields: ['spec.template'] },
  { name: 'suspended: nodeSelector may change', suspended: true, change: (j) => (j.spec.template.spec.nodeSelector = { zone: 'a' }), fields: [] },
  { name: 'suspended: image still immutable', suspended: true, change: (j) => (j.spec.template.spec.containers[0].image = 'x:2'), fields: ['spec.template'] },
];
for (const c of updateCases) {
  test(`Job update: ${c.name}`, (t) => {
    const old = newJob({ manualSelector: true, selector: { matchLabels: { app: 'pi' } }, suspend: c.suspended });
    jobKind.defaults(old);
    const next = structuredClone(old);
    c.change(next);
    t.deepEqual(jobKind.validateUpdate!(next, old).map((e) => e.field), c.fields);
  });
}

test('Job selectable fields', (t) => {
  const job = newJob();
  job.status = { succeeded: 2 };
  t.deepEqual(jobKind.selectableFields!(job), { 'status.successful': '2' });
});

const scheduleCases: { name: string; schedule: string; valid: boolean }[] = [
  { name: 'every five minutes', schedule: '*/5 * * * *', valid: true },
  { name: 'weekdays by name', schedule: '0 9 * * MON-FRI', valid: true },
  { name: '@daily', schedule: '@daily', valid: true },
  { name: '@every', schedule: '@every 1h30m', valid: true },
  { name: 'unknown macro', schedule: '@sometimes', valid: false },
  { name: 'seconds field', schedule: '0 0 * * * *', valid: false },
  { name: 'out of range hour', schedule: '0 25 * * *', valid: false },
  { name: 'CRON_TZ prefix', schedule: 'CRON_TZ=UTC 0 * * * *', valid: false },
];
for (const c of scheduleCases) {
  test(`schedule: ${c.name}`, (t) => {
    t.is(scheduleError(c.schedule) === undefined, c.valid, scheduleError(c.schedule));
  });
}

test('expandSchedule and time zones', (t) => {
  t.is(expandSchedule('@hourly'), '0 * * * *');
  t.is(expandSchedule('@weekly'), '0 0 * * 0');
  t.is(expandSchedule('5 4 * * *'), '5 4 * * *');
  t.true(isValidTimeZone('Europe/Paris'));
  t.true(isValidTimeZone('Etc/UTC'));
  t.false(isValidTimeZone('Nowhere/City'));
  t.false(isValidTimeZone(''));
});
