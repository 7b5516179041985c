// Package replicaset: keeps spec.replicas pods running for every ReplicaSet. It adopts matching
// orphans, releases pods that stop matching, creates and deletes pods in slow-start batches
// under expectations (so a slow watch never doubles a create), deletes the least valuable
// pods first, and writes status: replicas, fullyLabeledReplicas, readyReplicas,
// availableReplicas (Ready for minReadySeconds) and observedGeneration.
import { isNotFound } from '../../api/errors.js';
import type { ReplicaSet, ReplicaSetStatus } from '../../api/apps/replicaset.js';
import { isPodActive, isPodReady } from '../../api/core/pod-helpers.js';
import type { Pod } from '../../api/core/pod-types.js';
import { deepEqual } from '../../api/equality.js';
import { controllerOf, getCondition, newControllerRef } from '../../api/kind.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import { type Condition, type KubeObject, namespacedKey, rfc3339 } from '../../api/meta.js';
import { Controller, type SyncResult } from '../../client/controller.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Lister } from '../../client/lister.js';
import { Resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../context.js';
import { keyHandler, ownedPodHandler } from '../enqueue.js';
import { ControllerExpectations } from '../expectations.js';
import { isPodAvailable, pickForDeletion, nextAvailableIn, podFromTemplate, slowStartBatch } from '../podutil.js';
import { claimObjects } from '../refmanager.js';

/** BURST_REPLICAS caps the pods created or deleted in one sync, as Kubernetes' burstReplicas. */
export const BURST_REPLICAS = 500;

const rsGVK = { group: 'apps', version: 'v1', kind: 'ReplicaSet' };

/** ReplicaSetController reconciles ReplicaSets with their pods. */
export class ReplicaSetController implements Runnable {
  readonly name = 'replicaset';
  readonly queue: WorkQueue;
  readonly expectations: ControllerExpectations;
  private readonly ctx: ResolvedContext;
  private readonly rsInformer: SharedIndexInformer<ReplicaSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly replicaSets: Lister<ReplicaSet>;
  private readonly pods: Lister<Pod>;

  constructor(
    context: ControllerContext,
    private readonly opts: { workers?: number } = {},
  ) {
    this.ctx = resolveContext(context, this.name);
    this.queue = newQueue(this.ctx, this.name);
    this.expectations = new ControllerExpectations(this.ctx.clock);
    this.rsInformer = this.ctx.informers.informerFor<ReplicaSet>(Resources.replicasets);
    this.podInformer = this.ctx.informers.informerFor<Pod>(Resources.pods);
    this.replicaSets = this.rsInformer.lister();
    this.pods = this.podInformer.lister();
    this.rsInformer.addEventHandler(keyHandler((key) => this.queue.add(key)));
    this.podInformer.addEventHandler(ownedPodHandler({ kind: 'ReplicaSet', owners: this.replicaSets, enqueue: (key) => this.queue.add(key), expectations: this.expectations }));
  }

  /** run reconciles until signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({
      name: this.name,
      queue: this.queue,
      informers: [this.rsInformer, this.podInformer],
      sync: (key) => this.sync(key),
      workers: this.opts.workers ?? 5,
      logger: this.ctx.logger,
    }).run(signal);
  }

  /** sync reconciles the ReplicaSet "namespace/name". */
  async sync(key: string): Promise<SyncResult> {
    const [namespace, name] = key.split('/');
    const rs = this.replicaSets.get(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const log = this.ctx.logger.child({ replicaset: key });
    const selector = selectorFromLabelSelector(rs.spec.selector);
    const podClient = this.ctx.client.resource<Pod>(Resources.pods).namespace(namespace);
    const needsSync = this.expectations.satisfied(key);
    const candidates = this.pods.list(namespace).filter((p) => isPodActive(p) || controllerOf(p)?.uid === rs.metadata.uid);
    const claimed = await claimObjects(candidates, {
      owner: rs,
      controllerRef: newControllerRef(rs, rsGVK),
      matches: (l) => selector.matches(l),
      client: podClient,
      adoptable: isPodActive,
      freshOwner: () => this.fresh(rs),
    });
    const active = claimed.filter(isPodActive);
    let failure: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, rs, active);
      } catch (err) {
        failure = err;
      }
    }
    const now = this.ctx.clock.now();
    const minReady = rs.spec.minReadySeconds ?? 0;
    await this.updateStatus(rs, this.calculateStatus(rs, claimed, active, failure, now), log);
    if (failure) throw failure;
    const wait = nextAvailableIn(active, minReady, now);
    if (wait !== undefined) return { requeueAfter: wait + 1 };
  }

  private async fresh(rs: ReplicaSet): Promise<KubeObject | undefined> {
    try {
      return await this.ctx.client.resource<ReplicaSet>(Resources.replicasets).namespace(rs.metadata.namespace ?? '').get(rs.metadata.name ?? '');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async manageReplicas(key: string, rs: ReplicaSet, active: Pod[]): Promise<void> {
    const want = rs.spec.replicas ?? 1;
    const diff = active.length - want;
    const podClient = this.ctx.client.resource<Pod>(Resources.pods).namespace(rs.metadata.namespace ?? '');
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, n);
      const template = rs.spec.template ?? { spec: { containers: [] } };
      const ref = newControllerRef(rs, rsGVK);
      const { successes, error } = await slowStartBatch(n, 1, async () => {
        const pod = podFromTemplate(template, rs.metadata.namespace ?? '', `${rs.metadata.name}-`, ref);
        try {
          await podClient.create(pod);
        } catch (err) {
          this.expectations.creationObserved(key);
          throw err;
        }
      });
      // Creations never attempted will never be observed.
      const skipped = n - successes - (error ? 1 : 0);
      for (let i = 0; i < skipped; i++) this.expectations.creationObserved(key);
      if (error) {
        this.ctx.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(error as Error).message}`);
        throw error;
      }
      this.ctx.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created ${successes} pod(s)`);
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, BURST_REPLICAS);
      const victims = pickForDeletion(active, n);
      this.expectations.expectDeletions(key, victims.map((p) => namespacedKey(p.metadata)));
      const results = await Promise.allSettled(
        victims.map(async (pod) => {
          try {
            await podClient.delete(pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
          } catch (err) {
            this.expectations.deletionObserved(key, namespacedKey(pod.metadata));
            if (!isNotFound(err)) throw err;
          }
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      const deleted = results.length - results.filter((r) => r.status === 'rejected').length;
      if (deleted) this.ctx.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted ${deleted} pod(s): ${victims.map((p) => p.metadata.name).join(', ')}`);
      if (failed) throw failed.reason;
    }
  }

  /** calculateStatus computes the status the ReplicaSet should show. */
  calculateStatus(rs: ReplicaSet, claimed: Pod[], active: Pod[], failure: unknown, now: number): ReplicaSetStatus {
    const templateLabels = rs.spec.template?.metadata?.labels ?? {};
    const minReady = rs.spec.minReadySeconds ?? 0;
    const status: ReplicaSetStatus = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
      terminatingReplicas: claimed.filter((p) => p.metadata.deletionTimestamp).length,
      observedGeneration: rs.metadata.generation,
    };
    const conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
    if (failure) {
      const prev = getCondition(rs.status, 'ReplicaFailure');
      const c: Condition = { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: String((failure as Error).message ?? failure) };
      c.lastTransitionTime = prev?.status === 'True' ? prev.lastTransitionTime : rfc3339(new Date(now));
      conditions.push(c);
    }
    if (conditions.length) status.conditions = conditions;
    return status;
  }

  private async updateStatus(rs: ReplicaSet, status: ReplicaSetStatus, log: ResolvedContext['logger']): Promise<void> {
    if (deepEqual(rs.status ?? {}, status)) return;
    const next: ReplicaSet = { ...structuredClone(rs), status };
    try {
      await this.ctx.client.resource<ReplicaSet>(Resources.replicasets).namespace(rs.metadata.namespace ?? '').updateStatus(next);
    } catch (err) {
      if (isNotFound(err)) return;
      log.debug({ err }, 'status update failed');
      throw err;
    }
  }
}

/** register builds the ReplicaSet controller. */
export function register(ctx: ControllerContext): ReplicaSetController {
  return new ReplicaSetController(ctx);
}
