// Package deployment: rolls Deployments out through ReplicaSets, one per pod template (named
// and labelled by pod-template-hash), numbered by the deployment.kubernetes.io/revision
// annotation. RollingUpdate grows the new ReplicaSet within replicas + maxSurge and shrinks
// the old ones while at least replicas - maxUnavailable pods stay available; Recreate scales
// the old ones to zero and waits for their pods to go before starting the new one. A rollback
// (`kubectl rollout undo`) is just a template change back to an old ReplicaSet's template: the
// old ReplicaSet becomes the new one again and gets the next revision number.
//
//   sync(key) ─► claim ReplicaSets ─► paused or scaling? ─► scale proportionally + status
//                                  └► rollout (rolling | recreate) ─► status, Progressing/Available,
//                                     deadline ─► (skiff.dev/auto-rollback) roll back
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import type { Deployment, DeploymentStatus } from '../../api/apps/deployment.js';
import type { ReplicaSet } from '../../api/apps/replicaset.js';
import type { Pod } from '../../api/core/pod-types.js';
import { deepEqual } from '../../api/equality.js';
import { controllerOf, getCondition, isControlledBy, newControllerRef } from '../../api/kind.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import { namespacedKey } from '../../api/meta.js';
import { Controller, type SyncResult } from '../../client/controller.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { ControllerUIDIndex } from '../../client/indexers.js';
import type { Lister } from '../../client/lister.js';
import type { ResourceClient } from '../../client/resource.js';
import { Resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { type ControllerContext, newQueue, type ResolvedContext, resolveContext, type Runnable } from '../context.js';
import { keyHandler, unwrapTombstone } from '../enqueue.js';
import { claimObjects } from '../refmanager.js';
import {
  AUTO_ROLLBACK_ANNOTATION,
  AUTO_ROLLED_BACK_TO_ANNOTATION,
  copyableAnnotations,
  DESIRED_REPLICAS_ANNOTATION,
  maxRevision,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  revisionOf,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './annotations.js';
import {
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  hasProgressDeadline,
  newCondition,
  progressRequeueMs,
  Reasons,
  removeCondition,
  setCondition,
} from './conditions.js';
import { computeHash, equalIgnoreHash, withoutHash } from './hash.js';
import { availableLowerBound, isRollingUpdate, maxSurge, maxUnavailable, newRSNewReplicas, proportion, specReplicas, statusReplicas } from './replicas.js';

const deploymentGVK = { group: 'apps', version: 'v1', kind: 'Deployment' };

/** RolloutState is what one sync works on: the Deployment (replaced by what the server returns after each write) and its ReplicaSets. */
interface RolloutState {
  d: Deployment;
  /** persisted is the status as the server has it (d.status may carry conditions decided in this sync). */
  persisted: DeploymentStatus;
  /** rsList is every ReplicaSet the Deployment owns, replaced by what the server returns after each write. */
  rsList: ReplicaSet[];
  newRS?: ReplicaSet;
  oldRSs: ReplicaSet[];
}

const created = (rs: ReplicaSet): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
const byCreation = (a: ReplicaSet, b: ReplicaSet): number => created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

/** DeploymentController reconciles Deployments with their ReplicaSets. */
export class DeploymentController implements Runnable {
  readonly name = 'deployment';
  readonly queue: WorkQueue;
  private readonly ctx: ResolvedContext;
  private readonly dInformer: SharedIndexInformer<Deployment>;
  private readonly rsInformer: SharedIndexInformer<ReplicaSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly deployments: Lister<Deployment>;
  private readonly replicaSets: Lister<ReplicaSet>;
  private readonly pods: Lister<Pod>;

  constructor(
    context: ControllerContext,
    private readonly opts: { workers?: number } = {},
  ) {
    this.ctx = resolveContext(context, this.name);
    this.queue = newQueue(this.ctx, this.name);
    this.dInformer = this.ctx.informers.informerFor<Deployment>(Resources.deployments);
    this.rsInformer = this.ctx.informers.informerFor<ReplicaSet>(Resources.replicasets);
    this.podInformer = this.ctx.informers.informerFor<Pod>(Resources.pods);
    this.deployments = this.dInformer.lister();
    this.replicaSets = this.rsInformer.lister();
    this.pods = this.podInformer.lister();
    this.dInformer.addEventHandler(keyHandler((key) => this.queue.add(key)));
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.replicaSetChanged(rs),
      onUpdate: (old, rs) => {
        if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
        this.replicaSetChanged(old);
        this.replicaSetChanged(rs);
      },
      onDelete: (tomb) => this.replicaSetChanged(unwrapTombstone(tomb)),
    });
    // Recreate waits for the old pods to be gone: their deletion is news.
    this.podInformer.addEventHandler({
      onDelete: (tomb) => {
        const pod = unwrapTombstone(tomb);
        const ref = controllerOf(pod);
        if (ref?.kind !== 'ReplicaSet') return;
        const rs = this.replicaSets.get(pod.metadata.namespace, ref.name);
        if (rs) this.replicaSetChanged(rs);
      },
    });
  }

  /** run reconciles until signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return new Controller({
      name: this.name,
      queue: this.queue,
      informers: [this.dInformer, this.rsInformer, this.podInformer],
      sync: (key) => this.sync(key),
      workers: this.opts.workers ?? 5,
      logger: this.ctx.logger,
    }).run(signal);
  }

  private replicaSetChanged(rs: ReplicaSet): void {
    const ref = controllerOf(rs);
    if (ref) {
      if (ref.kind !== 'Deployment') return;
      const d = this.deployments.get(rs.metadata.namespace, ref.name);
      if (d && d.metadata.uid === ref.uid) this.queue.add(namespacedKey(d.metadata));
      return;
    }
    for (const d of this.deployments.list(rs.metadata.namespace)) {
      if (selectorFromLabelSelector(d.spec.selector).matches(rs.metadata.labels)) this.queue.add(namespacedKey(d.metadata));
    }
  }

  private rsClient(namespace: string): ResourceClient<ReplicaSet> {
    return this.ctx.client.resource<ReplicaSet>(Resources.replicasets).namespace(namespace);
  }

  private dClient(namespace: string): ResourceClient<Deployment> {
    return this.ctx.client.resource<Deployment>(Resources.deployments).namespace(namespace);
  }

  /** sync reconciles the Deployment "namespace/name". */
  async sync(key: string): Promise<SyncResult> {
    const [namespace, name] = key.split('/');
    const cached = this.deployments.get(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached);
    const selector = d.spec.selector;
    const state: RolloutState = { d, persisted: structuredClone(d.status ?? {}), rsList: [], oldRSs: [] };
    if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length)) {
      this.ctx.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      await this.writeStatus(state, { ...(d.status ?? {}), observedGeneration: d.metadata.generation });
      return;
    }
    state.rsList = await this.claimReplicaSets(d);
    if (d.metadata.deletionTimestamp) {
      this.splitReplicaSets(state);
      await this.syncStatusOnly(state);
      return;
    }
    await this.checkPausedConditions(state);
    if (state.d.spec.paused) return this.syncScale(state);
    if (await this.isScalingEvent(state)) return this.syncScale(state);
    if (state.d.spec.strategy?.type === 'Recreate') return this.rolloutRecreate(state);
    return this.rolloutRolling(state);
  }

  /** claimReplicaSets returns the Deployment's ReplicaSets, adopting and releasing as the selector says. */
  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const selector = selectorFromLabelSelector(d.spec.selector);
    const namespace = d.metadata.namespace ?? '';
    return claimObjects(this.replicaSets.list(namespace), {
      owner: d,
      controllerRef: newControllerRef(d, deploymentGVK),
      matches: (l) => selector.matches(l),
      client: this.rsClient(namespace),
      freshOwner: async () => {
        try {
          return await this.dClient(namespace).get(d.metadata.name ?? '');
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      },
    });
  }

  /** splitReplicaSets finds the new ReplicaSet (the oldest whose template matches) and the old ones. */
  private splitReplicaSets(state: RolloutState): void {
    const sorted = [...state.rsList].sort(byCreation);
    state.newRS = sorted.find((rs) => equalIgnoreHash(rs.spec.template, state.d.spec.template));
    state.oldRSs = sorted.filter((rs) => rs !== state.newRS);
  }

  /**
   * syncRevision splits the ReplicaSets and, when a new one exists, gives it the next revision
   * and the Deployment's annotations; with create it makes the new ReplicaSet if there is none.
   */
  private async syncRevision(state: RolloutState, create: boolean): Promise<void> {
    this.splitReplicaSets(state);
    const newRevision = maxRevision(state.oldRSs) + 1;
    const d = state.d;
    if (state.newRS) {
      const copy = structuredClone(state.newRS);
      const annotationsChanged = setNewReplicaSetAnnotations(d.metadata.annotations, copy, newRevision);
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        copy.spec.minReadySeconds = d.spec.minReadySeconds;
        this.replaceRS(state, await this.rsClient(d.metadata.namespace ?? '').update(copy));
      }
      await this.setDeploymentRevision(state, String(revisionOf(state.newRS as ReplicaSet)));
      if (hasProgressDeadline(state.d) && !getCondition(state.d.status, 'Progressing')) {
        state.d.status ??= {};
        setCondition(state.d.status, newCondition('Progressing', 'True', Reasons.FoundNewReplicaSet, `Found new replica set "${state.newRS?.metadata.name}"`, this.ctx.clock.now()));
      }
      return;
    }
    if (!create) return;
    const rs = await this.createNewReplicaSet(state, newRevision);
    state.rsList = [...state.rsList.filter((r) => r.metadata.uid !== rs.metadata.uid), rs];
    state.newRS = rs;
  }

  /** replaceRS puts the server's answer to a ReplicaSet write in place of the version the sync held. */
  private replaceRS(state: RolloutState, updated: ReplicaSet): void {
    const same = (o: ReplicaSet) => o.metadata.uid === updated.metadata.uid;
    state.rsList = state.rsList.map((o) => (same(o) ? updated : o));
    if (state.newRS && same(state.newRS)) state.newRS = updated;
    state.oldRSs = state.oldRSs.map((o) => (same(o) ? updated : o));
  }

  private async createNewReplicaSet(state: RolloutState, newRevision: number): Promise<ReplicaSet> {
    const d = state.d;
    const namespace = d.metadata.namespace ?? '';
    const template = withoutHash(d.spec.template);
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace,
        labels: { ...(template.metadata.labels ?? {}) },
        ownerReferences: [newControllerRef(d, deploymentGVK)],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds, selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...state.oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d.metadata.annotations, rs, newRevision);
    setReplicasAnnotations(rs, d.spec.replicas ?? 1, (d.spec.replicas ?? 1) + maxSurge(d));
    let createdRS: ReplicaSet;
    try {
      createdRS = await this.rsClient(namespace).create(rs);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.rsClient(namespace).get(rs.metadata.name ?? '');
      if (isControlledBy(existing, d) && equalIgnoreHash(existing.spec.template, d.spec.template)) return existing;
      // A hash collision: another template got this name. Count it so the next hash differs.
      const status: DeploymentStatus = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
      await this.writeStatus(state, status);
      throw new Error(`replica set ${rs.metadata.name} exists with a different template; collision count is now ${status.collisionCount}`);
    }
    if ((createdRS.spec.replicas ?? 0) > 0) {
      this.ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${createdRS.metadata.name} from 0 to ${createdRS.spec.replicas}`);
    }
    await this.setDeploymentRevision(state, String(newRevision));
    state.d.status ??= {};
    setCondition(state.d.status, newCondition('Progressing', 'True', Reasons.NewReplicaSetCreated, `Created new replica set "${createdRS.metadata.name}"`, this.ctx.clock.now()));
    return createdRS;
  }

  private async setDeploymentRevision(state: RolloutState, revision: string): Promise<void> {
    if (state.d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    const copy = structuredClone(state.d);
    copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
    const pendingStatus = state.d.status;
    const updated = await this.dClient(copy.metadata.namespace ?? '').update(copy);
    state.persisted = structuredClone(updated.status ?? {});
    state.d = { ...updated, status: pendingStatus }; // conditions decided in this sync are written with the status
  }

  /** scaleReplicaSet sets a ReplicaSet's size (and replica annotations); returns whether the size changed. */
  private async scaleReplicaSet(state: RolloutState, rs: ReplicaSet, size: number): Promise<boolean> {
    const d = state.d;
    const copy = structuredClone(rs);
    const from = rs.spec.replicas ?? 0;
    const sizeChanged = from !== size;
    const annotationsChanged = setReplicasAnnotations(copy, d.spec.replicas ?? 1, (d.spec.replicas ?? 1) + maxSurge(d));
    if (!sizeChanged && !annotationsChanged) return false;
    copy.spec.replicas = size;
    this.replaceRS(state, await this.rsClient(rs.metadata.namespace ?? '').update(copy));
    if (sizeChanged) {
      this.ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${size > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${size}`);
    }
    return sizeChanged;
  }

  private allRSs(state: RolloutState): ReplicaSet[] {
    return state.newRS ? [...state.oldRSs, state.newRS] : [...state.oldRSs];
  }

  // ---- paused and scaling -------------------------------------------------------------------

  private async checkPausedConditions(state: RolloutState): Promise<void> {
    const d = state.d;
    if (!hasProgressDeadline(d)) return;
    const c = getCondition(d.status, 'Progressing');
    if (c?.reason === Reasons.ProgressDeadlineExceeded) return; // never hide a timeout behind "paused"
    const pausedShown = c?.reason === Reasons.DeploymentPaused;
    const status = structuredClone(d.status ?? {});
    const now = this.ctx.clock.now();
    if (d.spec.paused && !pausedShown) setCondition(status, newCondition('Progressing', 'Unknown', Reasons.DeploymentPaused, 'Deployment is paused', now));
    else if (!d.spec.paused && pausedShown) setCondition(status, newCondition('Progressing', 'Unknown', Reasons.DeploymentResumed, 'Deployment is resumed', now));
    else return;
    await this.writeStatus(state, status);
  }

  /** isScalingEvent: an active ReplicaSet was sized for a different spec.replicas. */
  private async isScalingEvent(state: RolloutState): Promise<boolean> {
    await this.syncRevision(state, false);
    const replicas = String(state.d.spec.replicas ?? 1);
    return this.allRSs(state).some((rs) => (rs.spec.replicas ?? 0) > 0 && rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] !== undefined && rs.metadata.annotations[DESIRED_REPLICAS_ANNOTATION] !== replicas);
  }

  /** syncScale is Kubernetes' sync(): scale for a replicas change or while paused, clean up, write status. */
  private async syncScale(state: RolloutState): Promise<SyncResult> {
    await this.syncRevision(state, false);
    await this.scale(state);
    if (state.d.spec.paused) await this.cleanup(state);
    const status = calculateStatus(state.d, this.allRSs(state), state.newRS, this.ctx.clock.now());
    await this.writeStatus(state, status);
  }

  /** scale resizes the ReplicaSets for spec.replicas, proportionally while a rollout is under way. */
  private async scale(state: RolloutState): Promise<void> {
    const d = state.d;
    const replicas = d.spec.replicas ?? 1;
    const olderFirst = [...state.oldRSs].sort((a, b) => byCreation(b, a));
    const active = [...olderFirst, ...(state.newRS ? [state.newRS] : [])].filter((rs) => (rs.spec.replicas ?? 0) > 0);
    if (active.length <= 1) {
      const target = active[0] ?? state.newRS ?? olderFirst[0];
      if (target) await this.scaleReplicaSet(state, target, replicas);
      return;
    }
    const newRS = state.newRS;
    const saturated =
      newRS && newRS.spec.replicas === replicas && newRS.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] === String(replicas) && (newRS.status?.availableReplicas ?? 0) === replicas;
    if (saturated) {
      for (const old of state.oldRSs.filter((rs) => (rs.spec.replicas ?? 0) > 0)) await this.scaleReplicaSet(state, old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
    const toAdd = allowed - specReplicas(active);
    const sorted = [...active].sort((a, b) => {
      const size = (b.spec.replicas ?? 0) - (a.spec.replicas ?? 0);
      if (size !== 0) return size;
      return toAdd > 0 ? byCreation(b, a) : byCreation(a, b);
    });
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of sorted) {
      const p = toAdd !== 0 ? proportion(rs, d, toAdd, added) : 0;
      sizes.set(rs, (rs.spec.replicas ?? 0) + p);
      added += p;
    }
    if (toAdd !== 0 && sorted.length) sizes.set(sorted[0], Math.max(0, (sizes.get(sorted[0]) ?? 0) + toAdd - added));
    for (const rs of sorted) await this.scaleReplicaSet(state, rs, sizes.get(rs) ?? 0);
  }

  // ---- rolling update -----------------------------------------------------------------------

  private async rolloutRolling(state: RolloutState): Promise<SyncResult> {
    await this.syncRevision(state, true);
    if (await this.reconcileNewReplicaSet(state)) return this.syncRolloutStatus(state);
    if (await this.reconcileOldReplicaSets(state)) return this.syncRolloutStatus(state);
    if (deploymentComplete(state.d, state.d.status ?? {})) await this.cleanup(state);
    return this.syncRolloutStatus(state);
  }

  private async reconcileNewReplicaSet(state: RolloutState): Promise<boolean> {
    const newRS = state.newRS as ReplicaSet;
    const replicas = state.d.spec.replicas ?? 1;
    const size = newRS.spec.replicas ?? 0;
    if (size === replicas) return false;
    if (size > replicas) return this.scaleReplicaSet(state, newRS, replicas);
    return this.scaleReplicaSet(state, newRS, newRSNewReplicas(state.d, this.allRSs(state), newRS));
  }

  private async reconcileOldReplicaSets(state: RolloutState): Promise<boolean> {
    const d = state.d;
    const newRS = state.newRS as ReplicaSet;
    if (specReplicas(state.oldRSs) === 0) return false;
    const minAvailable = (d.spec.replicas ?? 1) - maxUnavailable(d);
    const newUnavailable = (newRS.spec.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicas(this.allRSs(state)) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // Unhealthy old pods first: they block the rollout and cost no availability.
    let cleaned = 0;
    for (const rs of [...state.oldRSs].sort(byCreation)) {
      if (cleaned >= maxScaledDown) break;
      const size = rs.spec.replicas ?? 0;
      const unhealthy = size - (rs.status?.availableReplicas ?? 0);
      if (size === 0 || unhealthy <= 0) continue;
      const down = Math.min(maxScaledDown - cleaned, unhealthy);
      await this.scaleReplicaSet(state, rs, size - down);
      cleaned += down;
    }
    // Then healthy ones, as far as availability allows.
    const available = availableLowerBound(this.allRSs(state));
    let scaled = 0;
    if (available > minAvailable) {
      const total = Math.min(available - minAvailable, maxScaledDown - cleaned);
      for (const rs of [...state.oldRSs].sort(byCreation)) {
        if (scaled >= total) break;
        const size = rs.spec.replicas ?? 0;
        if (size === 0) continue;
        const down = Math.min(size, total - scaled);
        await this.scaleReplicaSet(state, rs, size - down);
        scaled += down;
      }
    }
    return cleaned + scaled > 0;
  }

  // ---- recreate -----------------------------------------------------------------------------

  private async rolloutRecreate(state: RolloutState): Promise<SyncResult> {
    await this.syncRevision(state, false);
    let scaledDown = false;
    for (const rs of state.oldRSs.filter((r) => (r.spec.replicas ?? 0) > 0)) scaledDown = (await this.scaleReplicaSet(state, rs, 0)) || scaledDown;
    if (scaledDown || this.oldPodsRunning(state)) return this.syncRolloutStatus(state);
    if (!state.newRS) await this.syncRevision(state, true);
    const newRS = state.newRS as ReplicaSet;
    if ((newRS.spec.replicas ?? 0) !== (state.d.spec.replicas ?? 1)) await this.scaleReplicaSet(state, newRS, state.d.spec.replicas ?? 1);
    if (deploymentComplete(state.d, state.d.status ?? {})) await this.cleanup(state);
    return this.syncRolloutStatus(state);
  }

  /** oldPodsRunning: some pod of an old ReplicaSet has not finished (terminating pods count). */
  private oldPodsRunning(state: RolloutState): boolean {
    if (statusReplicas(state.oldRSs) > 0) return true;
    return state.oldRSs.some((rs) =>
      this.pods.byIndex(ControllerUIDIndex, rs.metadata.uid ?? '').some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded'),
    );
  }

  // ---- history, status, rollback --------------------------------------------------------------

  /** cleanup deletes the oldest idle ReplicaSets beyond revisionHistoryLimit. */
  private async cleanup(state: RolloutState): Promise<void> {
    const limit = state.d.spec.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = state.oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    const excess = cleanable.length - limit;
    for (let i = 0; i < excess; i++) {
      const rs = cleanable[i];
      if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec.replicas ?? 0) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.rsClient(rs.metadata.namespace ?? '').delete(rs.metadata.name ?? '', { preconditions: { uid: rs.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async syncStatusOnly(state: RolloutState): Promise<void> {
    await this.writeStatus(state, calculateStatus(state.d, this.allRSs(state), state.newRS, this.ctx.clock.now()));
  }

  /** syncRolloutStatus writes status with the Progressing condition, and acts on a passed deadline. */
  private async syncRolloutStatus(state: RolloutState): Promise<SyncResult> {
    const now = this.ctx.clock.now();
    const d = state.d;
    const newRS = state.newRS;
    const status = calculateStatus(d, this.allRSs(state), newRS, now);
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const current = getCondition(status, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && current?.reason === Reasons.NewReplicaSetAvailable;
    const rsName = newRS?.metadata.name ?? '';
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, status)) {
        setCondition(status, newCondition('Progressing', 'True', Reasons.NewReplicaSetAvailable, `ReplicaSet "${rsName}" has successfully progressed.`, now));
      } else if (deploymentProgressing(d, status)) {
        // Progress restarts the deadline: always stamp lastUpdateTime.
        const c = newCondition('Progressing', 'True', Reasons.ReplicaSetUpdated, `ReplicaSet "${rsName}" is progressing.`, now);
        if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
        status.conditions = [...(status.conditions ?? []), c];
      } else if (deploymentTimedOut(d, status, now)) {
        setCondition(status, newCondition('Progressing', 'False', Reasons.ProgressDeadlineExceeded, `ReplicaSet "${rsName}" has timed out progressing.`, now));
      }
    }
    const wasTimedOut = getCondition(d.status, 'Progressing')?.reason === Reasons.ProgressDeadlineExceeded;
    const timedOut = getCondition(status, 'Progressing')?.reason === Reasons.ProgressDeadlineExceeded;
    await this.writeStatus(state, status);
    if (timedOut && !wasTimedOut) this.ctx.recorder.event(d, 'Warning', Reasons.ProgressDeadlineExceeded, `Deployment "${d.metadata.name}" has timed out progressing.`);
    if (timedOut) await this.autoRollback(state);
    const wait = progressRequeueMs(state.d, status, now);
    return wait === undefined ? undefined : { requeueAfter: wait };
  }

  /**
   * autoRollback rolls a Deployment annotated skiff.dev/auto-rollback: "true" back to its
   * previous revision, the way `kubectl rollout undo` does: the old ReplicaSet's template (and
   * annotations) are written into the Deployment. A revision produced by an automatic rollback
   * is never rolled back automatically, so two bad revisions cannot ping-pong.
   */
  private async autoRollback(state: RolloutState): Promise<void> {
    const d = state.d;
    if (d.metadata.annotations?.[AUTO_ROLLBACK_ANNOTATION] !== 'true' || !state.newRS) return;
    const current = revisionOf(state.newRS);
    if (d.metadata.annotations[AUTO_ROLLED_BACK_TO_ANNOTATION] === String(current)) return;
    const previous = state.oldRSs.filter((rs) => revisionOf(rs) < current).sort((a, b) => revisionOf(b) - revisionOf(a))[0];
    if (!previous?.spec.template) return;
    const target = maxRevision(this.allRSs(state)) + 1;
    const copy = structuredClone(d);
    copy.spec.template = withoutHash(previous.spec.template);
    copy.metadata.annotations = {
      ...(copy.metadata.annotations ?? {}),
      ...copyableAnnotations(previous.metadata.annotations),
      [AUTO_ROLLBACK_ANNOTATION]: 'true',
      [AUTO_ROLLED_BACK_TO_ANNOTATION]: String(target),
    };
    const updated = await this.dClient(d.metadata.namespace ?? '').update(copy);
    state.d = updated;
    state.persisted = structuredClone(updated.status ?? {});
    this.ctx.recorder.event(
      d,
      'Warning',
      'DeploymentRollback',
      `Rolled back deployment "${d.metadata.name}" to revision ${revisionOf(previous)} (as revision ${target}): revision ${current} exceeded its progress deadline`,
    );
  }

  /** writeStatus writes status unless the server already has it, and keeps state.d current. */
  private async writeStatus(state: RolloutState, status: DeploymentStatus): Promise<void> {
    if (deepEqual(state.persisted, status)) {
      state.d = { ...state.d, status };
      return;
    }
    const next = { ...structuredClone(state.d), status };
    try {
      const updated = await this.dClient(state.d.metadata.namespace ?? '').updateStatus(next);
      state.d = updated;
      state.persisted = structuredClone(updated.status ?? {});
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** register builds the Deployment controller. */
export function register(ctx: ControllerContext): DeploymentController {
  return new DeploymentController(ctx);
}
