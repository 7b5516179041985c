// Package cronjob: creates Jobs on a CronJob's schedule (see schedule.ts). Each sync looks for
// the most recent missed start time since the last one (at most one catch-up run after
// downtime, as Kubernetes), honours startingDeadlineSeconds, concurrencyPolicy
// (Allow/Forbid/Replace) and suspend, names Jobs by their scheduled minute so a repeated sync
// never starts one twice, keeps status.active and the last schedule and success times, and
// deletes finished Jobs beyond the history limits.
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import type { CronJob, CronJobStatus } from '../../api/batch/cronjob.js';
import type { Job } from '../../api/batch/job.js';
import type { ObjectReference } from '../../api/core/pod-types.js';
import { deepEqual } from '../../api/equality.js';
import { controllerOf, getCondition, newControllerRef } from '../../api/kind.js';
import { rfc3339 } from '../../api/meta.js';
import { Controller, TerminalError, type SyncResult } from '../../client/controller.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { ControllerUIDIndex } from '../../client/indexers.js';
import type { Lister } from '../../client/lister.js';
import { Resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../context.js';
import { keyHandler, unwrapTombstone } from '../enqueue.js';
import { isJobFinished } from '../job/job.js';
import { Schedule } from './schedule.js';

const cronJobGVK = { group: 'batch', version: 'v1', kind: 'CronJob' };
/** SCHEDULED_TIMESTAMP_ANNOTATION records on a Job the time it was scheduled for. */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** jobNameFor names the Job of a scheduled time: the CronJob's name and the time in minutes since the epoch. */
export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledMs / 60_000)}`;
}

/** CronJobController reconciles CronJobs with their Jobs. */
export class CronJobController implements Runnable {
  readonly name = 'cronjob';
  readonly queue: WorkQueue;
  private readonly ctx: ResolvedContext;
  private readonly cjInformer: SharedIndexInformer<CronJob>;
  private readonly jobInformer: SharedIndexInformer<Job>;
  private readonly cronJobs: Lister<CronJob>;
  private readonly jobs: Lister<Job>;

  constructor(context: ControllerContext) {
    this.ctx = resolveContext(context, this.name);
    this.queue = newQueue(this.ctx, this.name);
    this.cjInformer = this.ctx.informers.informerFor<CronJob>(Resources.cronjobs);
    this.jobInformer = this.ctx.informers.informerFor<Job>(Resources.jobs);
    this.cronJobs = this.cjInformer.lister();
    this.jobs = this.jobInformer.lister();
    this.cjInformer.addEventHandler(keyHandler((key) => this.queue.add(key)));
    const jobChanged = (job: Job): void => {
      const ref = controllerOf(job);
      if (ref?.kind === 'CronJob') this.queue.add(`${job.metadata.namespace}/${ref.name}`);
    };
    this.jobInformer.addEventHandler({ onAdd: jobChanged, onUpdate: (_o, j) => jobChanged(j), onDelete: (t) => jobChanged(unwrapTombstone(t)) });
  }

  /** run reconciles until signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({ name: this.name, queue: this.queue, informers: [this.cjInformer, this.jobInformer], sync: (key) => this.sync(key), workers: 2, logger: this.ctx.logger }).run(signal);
  }

  /** sync reconciles the CronJob "namespace/name". */
  async sync(key: string): Promise<SyncResult> {
    const [namespace, name] = key.split('/');
    const cj = this.cronJobs.get(namespace, name);
    if (!cj) return;
    let schedule: Schedule;
    try {
      schedule = new Schedule(cj.spec.schedule, cj.spec.timeZone);
    } catch (err) {
      this.ctx.recorder.event(cj, 'Warning', 'UnparseableSchedule', (err as Error).message);
      throw new TerminalError((err as Error).message);
    }
    const now = this.ctx.clock.now();
    const owned = this.jobs.byIndex(ControllerUIDIndex, cj.metadata.uid ?? '').filter((j) => j.metadata.namespace === namespace);
    const status: CronJobStatus = structuredClone(cj.status ?? {});
    const byUid = new Map(owned.map((j) => [j.metadata.uid, j]));
    // Active: owned Jobs not finished (the list is rebuilt from the Jobs, which are the truth).
    status.active = owned.filter((j) => !isJobFinished(j) && !j.metadata.deletionTimestamp).map(jobRef);
    for (const j of owned) {
      if (isJobFinished(j) !== 'Complete') continue;
      const done = j.status?.completionTime;
      if (done && (!status.lastSuccessfulTime || Date.parse(done) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = done;
    }
    if (!status.active.length) delete status.active;
    await this.cleanupHistory(cj, owned);

    const requeueAfter = schedule.next(now) - now;
    if (!cj.metadata.deletionTimestamp && !cj.spec.suspend) {
      const created = Date.parse(cj.metadata.creationTimestamp ?? '') || now;
      let earliest = status.lastScheduleTime ? Date.parse(status.lastScheduleTime) : created;
      const deadline = cj.spec.startingDeadlineSeconds;
      if (deadline !== undefined && now - deadline * 1000 > earliest) earliest = now - deadline * 1000;
      const { time: scheduled, missed } = schedule.mostRecent(earliest, now);
      if (missed > 100) this.ctx.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times (${missed}); check clock skew`);
      if (scheduled !== undefined) {
        const started = await this.start(cj, status, scheduled, now, byUid);
        if (started) status.lastScheduleTime = rfc3339(new Date(scheduled));
      }
    }
    await this.writeStatus(cj, status);
    return { requeueAfter: Math.max(1, requeueAfter) };
  }

  /** start runs the Job for a scheduled time, as concurrencyPolicy allows; returns whether the time is used up. */
  private async start(cj: CronJob, status: CronJobStatus, scheduled: number, now: number, byUid: Map<string | undefined, Job>): Promise<boolean> {
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline !== undefined && scheduled + deadline * 1000 < now) {
      this.ctx.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc3339(new Date(scheduled))}`);
      return false;
    }
    const active = status.active ?? [];
    const policy = cj.spec.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && active.length > 0) {
      // Kubernetes does not record the time either: it runs once the active Job is done, if still within the deadline.
      this.ctx.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return false;
    }
    const jobs = this.ctx.client.resource<Job>(Resources.jobs).namespace(cj.metadata.namespace ?? '');
    if (policy === 'Replace') {
      for (const ref of active) {
        const job = byUid.get(ref.uid);
        if (!job || job.metadata.name === jobNameFor(cj, scheduled)) continue;
        try {
          await jobs.delete(ref.name ?? '', { propagationPolicy: 'Background', preconditions: { uid: ref.uid } });
          this.ctx.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name}`);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      status.active = [];
    }
    const template = cj.spec.jobTemplate;
    const job: Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobNameFor(cj, scheduled),
        namespace: cj.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339(new Date(scheduled)) },
        ownerReferences: [newControllerRef(cj, cronJobGVK)],
      },
      spec: structuredClone(template.spec),
    };
    try {
      const created = await jobs.create(job);
      status.active = [...(status.active ?? []), jobRef(created)];
      this.ctx.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err; // a previous sync already started it
    }
    return true;
  }

  /** cleanupHistory deletes the oldest finished Jobs beyond the history limits. */
  private async cleanupHistory(cj: CronJob, owned: Job[]): Promise<void> {
    const jobs = this.ctx.client.resource<Job>(Resources.jobs).namespace(cj.metadata.namespace ?? '');
    const finishedAt = (j: Job): number => Date.parse(j.status?.completionTime ?? getCondition(j.status, 'Failed')?.lastTransitionTime ?? j.metadata.creationTimestamp ?? '') || 0;
    for (const [type, limit] of [
      ['Complete', cj.spec.successfulJobsHistoryLimit ?? 3],
      ['Failed', cj.spec.failedJobsHistoryLimit ?? 1],
    ] as const) {
      const finished = owned.filter((j) => isJobFinished(j) === type && !j.metadata.deletionTimestamp).sort((a, b) => finishedAt(a) - finishedAt(b));
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) {
        try {
          await jobs.delete(j.metadata.name ?? '', { propagationPolicy: 'Background', preconditions: { uid: j.metadata.uid } });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
  }

  private async writeStatus(cj: CronJob, status: CronJobStatus): Promise<void> {
    if (deepEqual(cj.status ?? {}, status)) return;
    try {
      await this.ctx.client.resource<CronJob>(Resources.cronjobs).namespace(cj.metadata.namespace ?? '').updateStatus({ ...structuredClone(cj), status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function jobRef(job: Job): ObjectReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, namespace: job.metadata.namespace, uid: job.metadata.uid };
}

/** register builds the CronJob controller. */
export function register(ctx: ControllerContext): CronJobController {
  return new CronJobController(ctx);
}
