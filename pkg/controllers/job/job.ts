// Package job: runs a Job's pods to completion. It keeps min(parallelism, completions left)
// pods active, counts Succeeded and Failed pods, retries failures after an exponential delay
// (10 s, 20 s, ... capped at 6 min) until backoffLimit, fails the Job when
// activeDeadlineSeconds passes, marks it Complete or Failed, and deletes it
// ttlSecondsAfterFinished after it finished. With restartPolicy OnFailure a failing container
// restarts in place: its restarts count toward backoffLimit.
//
// Skiff counts finished pods from the pods themselves (Kubernetes tracks them with a finalizer):
// a finished pod deleted by hand before the Job finished is not counted.
import { isNotFound } from '../../api/errors.js';
import type { Job, JobStatus } from '../../api/batch/job.js';
import { isPodActive, isPodReady } from '../../api/core/pod-helpers.js';
import type { Pod } from '../../api/core/pod-types.js';
import { deepEqual } from '../../api/equality.js';
import { controllerOf, getCondition, newControllerRef } from '../../api/kind.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import { type Condition, namespacedKey, rfc3339 } from '../../api/meta.js';
import { Controller, type SyncResult } from '../../client/controller.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Lister } from '../../client/lister.js';
import { Resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../context.js';
import { keyHandler, unwrapTombstone } from '../enqueue.js';
import { ControllerExpectations } from '../expectations.js';
import { compareForDeletion, podFromTemplate, slowStartBatch } from '../podutil.js';
import { claimObjects } from '../refmanager.js';

const jobGVK = { group: 'batch', version: 'v1', kind: 'Job' };

/** JobControllerOptions tune the controller. */
export interface JobControllerOptions {
  /** backoffBaseMs is the first retry delay after a failed pod (default 10 s, doubling, capped at backoffMaxMs). */
  backoffBaseMs?: number;
  /** backoffMaxMs caps the retry delay (default 6 min). */
  backoffMaxMs?: number;
  workers?: number;
}

/** isJobFinished tells whether a Job has a Complete or Failed condition that is True. */
export function isJobFinished(job: Job): 'Complete' | 'Failed' | undefined {
  if (getCondition(job.status, 'Complete')?.status === 'True') return 'Complete';
  if (getCondition(job.status, 'Failed')?.status === 'True') return 'Failed';
  return undefined;
}

function finishedAt(pod: Pod): number {
  let latest = 0;
  for (const s of pod.status?.containerStatuses ?? []) {
    const t = Date.parse(s.state?.terminated?.finishedAt ?? s.lastState?.terminated?.finishedAt ?? '');
    if (Number.isFinite(t)) latest = Math.max(latest, t);
  }
  return latest || Date.parse(pod.metadata.deletionTimestamp ?? pod.metadata.creationTimestamp ?? '') || 0;
}

function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

/** JobController reconciles Jobs with their pods. */
export class JobController implements Runnable {
  readonly name = 'job';
  readonly queue: WorkQueue;
  readonly expectations: ControllerExpectations;
  private readonly ctx: ResolvedContext;
  private readonly jobInformer: SharedIndexInformer<Job>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly jobs: Lister<Job>;
  private readonly pods: Lister<Pod>;

  constructor(
    context: ControllerContext,
    private readonly opts: JobControllerOptions = {},
  ) {
    this.ctx = resolveContext(context, this.name);
    this.queue = newQueue(this.ctx, this.name);
    this.expectations = new ControllerExpectations(this.ctx.clock);
    this.jobInformer = this.ctx.informers.informerFor<Job>(Resources.jobs);
    this.podInformer = this.ctx.informers.informerFor<Pod>(Resources.pods);
    this.jobs = this.jobInformer.lister();
    this.pods = this.podInformer.lister();
    this.jobInformer.addEventHandler(keyHandler((key) => this.queue.add(key)));
    this.podInformer.addEventHandler({
      onAdd: (pod) => {
        const key = this.ownerKey(pod);
        if (!key) return;
        if (pod.metadata.deletionTimestamp) this.expectations.deletionObserved(key, namespacedKey(pod.metadata));
        else this.expectations.creationObserved(key);
        this.queue.add(key);
      },
      onUpdate: (old, pod) => {
        const key = this.ownerKey(pod) ?? this.ownerKey(old);
        if (!key) return;
        if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.deletionObserved(key, namespacedKey(pod.metadata));
        this.queue.add(key);
      },
      onDelete: (tomb) => {
        const pod = unwrapTombstone(tomb);
        const key = this.ownerKey(pod);
        if (!key) return;
        this.expectations.deletionObserved(key, namespacedKey(pod.metadata));
        this.queue.add(key);
      },
    });
  }

  /** run reconciles until signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({
      name: this.name,
      queue: this.queue,
      informers: [this.jobInformer, this.podInformer],
      sync: (key) => this.sync(key),
      workers: this.opts.workers ?? 5,
      logger: this.ctx.logger,
    }).run(signal);
  }

  private ownerKey(pod: Pod): string | undefined {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'Job') return undefined;
    const job = this.jobs.get(pod.metadata.namespace, ref.name);
    return job && job.metadata.uid === ref.uid ? namespacedKey(job.metadata) : undefined;
  }

  /** sync reconciles the Job "namespace/name". */
  async sync(key: string): Promise<SyncResult> {
    const [namespace, name] = key.split('/');
    const job = this.jobs.get(namespace, name);
    if (!job) {
      this.expectations.delete(key);
      return;
    }
    const now = this.ctx.clock.now();
    if (isJobFinished(job)) return this.cleanupFinished(job, now);
    const podClient = this.ctx.client.resource<Pod>(Resources.pods).namespace(namespace);
    const selector = selectorFromLabelSelector(job.spec.selector);
    const pods = await claimObjects(this.pods.list(namespace), {
      owner: job,
      controllerRef: newControllerRef(job, jobGVK),
      matches: (l) => selector.matches(l),
      client: podClient,
      adoptable: isPodActive,
      freshOwner: async () => {
        try {
          return await this.ctx.client.resource<Job>(Resources.jobs).namespace(namespace).get(name);
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      },
    });
    const active = pods.filter(isPodActive);
    const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
    const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
    const onFailure = job.spec.template.spec.restartPolicy === 'OnFailure';
    const failed = failedPods.length + (onFailure ? active.reduce((n, p) => n + restarts(p), 0) : 0);
    const status: JobStatus = structuredClone(job.status ?? {});
    status.startTime ??= job.spec.suspend ? undefined : rfc3339(new Date(now));
    const backoffLimit = job.spec.backoffLimit ?? 6;
    const completions = job.spec.completions;
    const parallelism = job.spec.parallelism ?? 1;
    let finish: { type: 'Complete' | 'Failed'; reason: string; message: string } | undefined;
    const started = Date.parse(status.startTime ?? '');
    let requeueAfter: number | undefined;

    if (failed > backoffLimit) {
      finish = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    } else if (job.spec.activeDeadlineSeconds !== undefined && Number.isFinite(started) && now >= started + job.spec.activeDeadlineSeconds * 1000) {
      finish = { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    } else if (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0) {
      finish = { type: 'Complete', reason: 'Completed', message: 'Reached expected number of succeeded pods' };
    }

    if (finish) {
      // A finished Job stops its remaining pods.
      await Promise.all(active.map((p) => podClient.delete(p.metadata.name ?? '').catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))));
    } else if (this.expectations.satisfied(key) && !job.spec.suspend) {
      let want = completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? 0 : parallelism;
      want = Math.max(0, want);
      if (active.length < want) {
        const delay = this.retryDelay(failed, failedPods, now);
        if (delay > 0) requeueAfter = delay;
        else await this.createPods(key, job, want - active.length);
      } else if (active.length > want) {
        const victims = [...active].sort(compareForDeletion).slice(0, active.length - want);
        this.expectations.expectDeletions(key, victims.map((p) => namespacedKey(p.metadata)));
        for (const p of victims) {
          try {
            await podClient.delete(p.metadata.name ?? '');
          } catch (err) {
            this.expectations.deletionObserved(key, namespacedKey(p.metadata));
            if (!isNotFound(err)) throw err;
          }
        }
      }
    } else if (job.spec.suspend) {
      for (const p of active) await podClient.delete(p.metadata.name ?? '').catch(() => undefined);
    }

    status.active = finish ? 0 : active.length;
    status.ready = active.filter(isPodReady).length;
    status.succeeded = succeeded;
    status.failed = failed;
    status.terminating = pods.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
    if (finish) {
      const at = rfc3339(new Date(now));
      const conditions: Condition[] = [...(status.conditions ?? [])];
      conditions.push({ type: finish.type, status: 'True', reason: finish.reason, message: finish.message, lastProbeTime: at, lastTransitionTime: at });
      status.conditions = conditions;
      if (finish.type === 'Complete') status.completionTime = at;
      this.ctx.recorder.event(job, finish.type === 'Complete' ? 'Normal' : 'Warning', finish.type === 'Complete' ? 'Completed' : finish.reason, finish.message);
    }
    await this.writeStatus(job, status);
    if (!finish && job.spec.activeDeadlineSeconds !== undefined && Number.isFinite(started)) {
      const left = started + job.spec.activeDeadlineSeconds * 1000 - now;
      requeueAfter = Math.min(requeueAfter ?? Infinity, Math.max(1, left));
    }
    return requeueAfter !== undefined ? { requeueAfter } : undefined;
  }

  /** retryDelay is how long to wait before replacing failed pods: base × 2^(failures-1), from the last failure. */
  private retryDelay(failed: number, failedPods: Pod[], now: number): number {
    if (failed === 0) return 0;
    const base = this.opts.backoffBaseMs ?? 10_000;
    const delay = Math.min(base * 2 ** (failed - 1), this.opts.backoffMaxMs ?? 360_000);
    const last = Math.max(0, ...failedPods.map(finishedAt));
    return Math.max(0, last + delay - now);
  }

  private async createPods(key: string, job: Job, n: number): Promise<void> {
    const podClient = this.ctx.client.resource<Pod>(Resources.pods).namespace(job.metadata.namespace ?? '');
    this.expectations.expectCreations(key, n);
    const ref = newControllerRef(job, jobGVK);
    const { successes, error } = await slowStartBatch(n, 1, async () => {
      try {
        await podClient.create(podFromTemplate(job.spec.template, job.metadata.namespace ?? '', `${job.metadata.name}-`, ref));
      } catch (err) {
        this.expectations.creationObserved(key);
        throw err;
      }
    });
    for (let i = successes + (error ? 1 : 0); i < n; i++) this.expectations.creationObserved(key);
    if (successes) this.ctx.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created ${successes} pod(s)`);
    if (error) throw error;
  }

  /** cleanupFinished deletes a finished Job once ttlSecondsAfterFinished has passed. */
  private async cleanupFinished(job: Job, now: number): Promise<SyncResult> {
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (ttl === undefined) return;
    const type = isJobFinished(job) as string;
    const at = Date.parse(job.status?.completionTime ?? getCondition(job.status, type)?.lastTransitionTime ?? '');
    if (!Number.isFinite(at)) return;
    const due = at + ttl * 1000;
    if (now < due) return { requeueAfter: due - now };
    try {
      await this.ctx.client.resource(Resources.jobs).namespace(job.metadata.namespace ?? '').delete(job.metadata.name ?? '', {
        propagationPolicy: 'Background',
        preconditions: { uid: job.metadata.uid },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async writeStatus(job: Job, status: JobStatus): Promise<void> {
    if (deepEqual(job.status ?? {}, status)) return;
    try {
      await this.ctx.client.resource<Job>(Resources.jobs).namespace(job.metadata.namespace ?? '').updateStatus({ ...structuredClone(job), status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** register builds the Job controller. */
export function register(ctx: ControllerContext, opts?: JobControllerOptions): JobController {
  return new JobController(ctx, opts);
}
