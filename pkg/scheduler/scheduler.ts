// scheduler.ts: the Scheduler component. Informers feed the cache (nodes, placed pods) and the
// queue (pending pods); one loop pops a pod, runs the algorithm against the cache, assumes the
// result and binds in the background, so the next decision does not wait for the API server.
//
//   pod informer ──pending──► SchedulingQueue ──pop──► GenericScheduler ──► assume in cache
//        │ placed                    ▲ parked/backoff       │ FitError            │
//        ▼                           │                      ▼                     ▼ async
//   SchedulerCache ◄── node informer │            preemption / PodScheduled=False  bind (pods/binding)
//                                    └──────────── failure: forget, requeue ◄──────┘
import type { Node } from '../api/core/node.js';
import { isPodTerminal } from '../api/core/pod-helpers.js';
import type { Pod } from '../api/core/pod-types.js';
import { isConflict, isNotFound } from '../api/errors.js';
import { namespacedKey } from '../api/meta.js';
import type { PriorityClass } from '../api/scheduling.js';
import { type Clock, realClock, type TimerHandle } from '../client/clock.js';
import { EventRecorder } from '../client/events.js';
import { SharedInformerFactory } from '../client/factory.js';
import type { SharedIndexInformer } from '../client/informer.js';
import { defaultLogger, type Logger } from '../client/logger.js';
import { Resources } from '../client/resources.js';
import type { RestClient } from '../client/rest.js';
import { DeletedFinalStateUnknown } from '../client/store.js';
import { GenericScheduler } from './algorithm.js';
import { ApiBinder, type Binder } from './binder.js';
import { SchedulerCache } from './cache.js';
import { EventQueue, type EventQueueOptions } from './event-queue.js';
import { ASSIGNED_POD_ADD, ASSIGNED_POD_DELETE, ASSIGNED_POD_UPDATE, NODE_ADD, NODE_UPDATE, nodeSchedulingChanged } from './events.js';
import { explain, type Explanation } from './explain.js';
import { FitError } from './fit-error.js';
import { newPodInfo, type PodInfo } from './pod-info.js';
import { findPreemption } from './preemption.js';
import { PriorityResolver } from './priority.js';
import { newProfile, type Profile, type ProfileConfig } from './profile.js';
import { type QueuedPodInfo, SchedulingQueue } from './queue.js';

/** EventSink receives the scheduler's Events (EventRecorder fits). */
export interface EventSink {
  event(obj: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** flush resolves when recorded events have been written. */
  flush?(): Promise<void>;
}

/** SchedulerOptions configure a Scheduler; everything but client has a default. */
export interface SchedulerOptions {
  client: RestClient;
  /** informers is shared with other components of the process (default: a factory of its own). */
  informers?: SharedInformerFactory;
  profile?: ProfileConfig;
  binder?: Binder;
  /**
   * events receives Scheduled / FailedScheduling / Preempted events; null records none. The
   * default is an EventRecorder behind an EventQueue: Normal events wait while bindings keep the
   * API server busy, then go at a bounded rate (Warnings go at once).
   */
  events?: EventSink | null;
  /** normalEvents shapes the default sink's queue (default at most 1,000 waiting, 50 per second). */
  normalEvents?: Pick<EventQueueOptions, 'maxQueued' | 'qps'>;
  clock?: Clock;
  logger?: Logger;
  /**
   * maxInFlightBindings bounds background binding writes (default 64). Up to about that many, more
   * in flight bind faster: etcd commits them in bigger batches and the API server writes each
   * watch stream once per turn of its event loop, so the cost per binding falls (measured: 64 vs
   * 32 on 2 cores, ~20% less etcd CPU and ~7% less API server CPU per binding). Far more (256)
   * only queues requests in the API server, and everyone sees bindings seconds late.
   */
  maxInFlightBindings?: number;
  assumedPodTtlMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** preemption enables evicting lower-priority pods (default true). */
  preemption?: boolean;
  /** identity names this scheduler in events (reportingInstance). */
  identity?: string;
}

/** SchedulerStats are counters since start (for benchmarks and metrics). */
export interface SchedulerStats {
  attempts: number;
  scheduled: number;
  unschedulable: number;
  bindErrors: number;
  preemptions: number;
  /** algorithmMs is the time spent in the algorithm alone (filters, scores, selection). */
  algorithmMs: number;
}

/** Scheduler binds pending pods to nodes. */
export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly profile: Profile;
  readonly algorithm: GenericScheduler;
  readonly priorities = new PriorityResolver();
  private readonly informers: SharedInformerFactory;
  private readonly binder: Binder;
  private readonly events: EventSink | null;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxInFlight: number;
  private podInformer?: SharedIndexInformer<Pod>;
  private inFlightBindings = 0;
  private slotWaiters: (() => void)[] = [];
  private bindingsDone: Promise<void>[] = [];
  private cleanupTimer: TimerHandle | undefined;
  private started = false;
  private synced = false;
  readonly stats: SchedulerStats = { attempts: 0, scheduled: 0, unschedulable: 0, bindErrors: 0, preemptions: 0, algorithmMs: 0 };

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? realClock;
    this.logger = (opts.logger ?? defaultLogger('scheduler')).child({ component: 'scheduler' });
    this.cache = new SchedulerCache({ clock: this.clock, assumedPodTtlMs: opts.assumedPodTtlMs });
    this.queue = new SchedulingQueue({ clock: this.clock, initialBackoffMs: opts.initialBackoffMs, maxBackoffMs: opts.maxBackoffMs });
    this.profile = newProfile(opts.profile);
    this.algorithm = new GenericScheduler(this.profile, this.cache);
    this.informers = opts.informers ?? new SharedInformerFactory(opts.client, { logger: this.logger });
    this.binder = opts.binder ?? new ApiBinder(opts.client, () => this.clock.now());
    this.maxInFlight = opts.maxInFlightBindings ?? 64;
    this.events =
      opts.events === undefined
        ? new EventQueue((clock) => new EventRecorder({ client: opts.client, component: 'default-scheduler', host: opts.identity, clock, logger: this.logger }), {
            clock: this.clock,
            // Events are lower priority than bindings: they wait while pods wait to be scheduled or bound.
            busy: () => this.inFlightBindings >= this.maxInFlight || this.queue.lengths().active > 0,
            ...opts.normalEvents,
          })
        : opts.events;
  }

  /** start registers event handlers, starts the informers and resolves once their caches have synced. */
  async start(signal: AbortSignal): Promise<boolean> {
    if (!this.started) {
      this.started = true;
      this.registerHandlers();
      signal.addEventListener(
        'abort',
        () => {
          this.clock.clearTimeout(this.cleanupTimer);
          this.queue.close();
        },
        { once: true },
      );
      this.scheduleCleanup(signal);
    }
    this.informers.start(signal);
    this.synced = await this.informers.waitForCacheSync(signal);
    return this.synced;
  }

  /** hasSynced tells whether start's informer caches have synced (explanations before that would see no nodes). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** schedulingLoop schedules pods until signal aborts (call start first). Bindings in flight are awaited. */
  async schedulingLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const q = await this.queue.pop(signal);
      if (!q) break;
      if (signal.aborted) {
        // Leadership ended between pop and now: hand the pod back untouched.
        this.queue.done(q.podInfo.key);
        this.queue.add(q.podInfo);
        break;
      }
      this.scheduleOne(q);
      if (this.inFlightBindings >= this.maxInFlight) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    await this.waitForBindings();
  }

  /** run starts the informers and schedules until signal aborts; then it waits for bindings, events and (its own) informers to stop. */
  async run(signal: AbortSignal): Promise<void> {
    if (await this.start(signal)) await this.schedulingLoop(signal);
    await this.waitForBindings();
    await this.flushEvents();
    if (!this.opts.informers) await this.informers.shutdown();
  }

  /** waitForBindings resolves when every binding started so far has finished. */
  async waitForBindings(): Promise<void> {
    while (this.bindingsDone.length) await Promise.all(this.bindingsDone.splice(0));
  }

  /** flushEvents resolves when every event recorded so far has been written (call before closing the client). */
  async flushEvents(): Promise<void> {
    await this.events?.flush?.();
  }

  /** explain reports, for one pod, every node with the filter that rejected it or its scores. */
  explain(pod: Pod): Explanation {
    return explain(pod, this.cache, this.profile, this.priorities.priorityOf(pod));
  }

  /** getPod returns a pod from the informer cache. */
  getPod(namespace: string, name: string): Pod | undefined {
    return this.podInformer?.store.getByKey(`${namespace}/${name}`);
  }

  /** scheduleOne makes one decision for a popped pod (exported for tests that drive the loop). */
  scheduleOne(q: QueuedPodInfo): void {
    const info = q.podInfo;
    const pod = info.pod;
    if (pod.metadata.deletionTimestamp || pod.spec.nodeName || this.cache.podNodeName(info.key)) {
      this.queue.done(info.key);
      return;
    }
    this.stats.attempts++;
    const t0 = performance.now();
    let nodeName: string;
    try {
      nodeName = this.algorithm.schedule(info).nodeName;
    } catch (err) {
      this.stats.algorithmMs += performance.now() - t0;
      if (err instanceof FitError) this.handleFitError(q, err);
      else {
        this.logger.error({ err, pod: info.key }, 'scheduling algorithm failed');
        this.queue.requeueWithBackoff(q);
      }
      return;
    }
    this.stats.algorithmMs += performance.now() - t0;
    this.cache.assumePod(info, nodeName);
    this.inFlightBindings++;
    this.bindingsDone.push(this.bind(q, nodeName));
  }

  private async bind(q: QueuedPodInfo, nodeName: string): Promise<void> {
    const info = q.podInfo;
    try {
      await this.binder.bind(info.pod, nodeName);
      this.cache.finishBinding(info.key);
      this.queue.done(info.key);
      this.stats.scheduled++;
      this.events?.event(info.pod, 'Normal', 'Scheduled', `Successfully assigned ${info.key} to ${nodeName}`);
    } catch (err) {
      this.cache.forgetPod(info.key);
      if (isConflict(err) || isNotFound(err)) {
        // Bound by someone else (another scheduler, a user) or deleted: nothing left to do.
        this.logger.debug({ pod: info.key, err: (err as Error).message }, 'binding not needed any more');
        this.queue.done(info.key);
      } else {
        this.stats.bindErrors++;
        this.logger.warn({ pod: info.key, node: nodeName, err }, 'binding failed');
        this.events?.event(info.pod, 'Warning', 'FailedScheduling', `Binding rejected: ${(err as Error).message}`);
        this.queue.requeueWithBackoff(q);
      }
    } finally {
      this.inFlightBindings--;
      this.slotWaiters.shift()?.();
      if (this.bindingsDone.length > this.maxInFlight * 4) this.bindingsDone = this.bindingsDone.slice(-this.maxInFlight);
    }
  }

  private handleFitError(q: QueuedPodInfo, err: FitError): void {
    const info = q.podInfo;
    this.stats.unschedulable++;
    if (this.opts.preemption !== false && this.priorities.preemptionPolicyOf(info.pod) !== 'Never' && !this.waitingForVictims(info)) {
      const outcome = findPreemption(info, err.diagnosis, this.profile, this.cache);
      if (outcome.candidate) {
        this.preempt(info, outcome.candidate.nodeName, outcome.candidate.victims);
      } else {
        err.preemptionMessage = outcome.message;
      }
    }
    const message = err.fullMessage();
    this.logger.debug({ pod: info.key, message }, 'pod does not fit');
    this.events?.event(info.pod, 'Warning', 'FailedScheduling', message);
    this.binder.markUnschedulable(info.pod, message).catch((e) => {
      if (!isNotFound(e)) this.logger.warn({ pod: info.key, err: e }, 'failed to set PodScheduled=False');
    });
    const plugins = new Set<string>();
    for (const r of err.diagnosis.nodes.values()) plugins.add(r.plugin);
    this.queue.addUnschedulable(q, plugins);
  }

  /** waitingForVictims: the pod already preempted on its nominated node and victims are still leaving. */
  private waitingForVictims(info: PodInfo): boolean {
    const nominated = info.pod.status?.nominatedNodeName;
    if (!nominated) return false;
    const node = this.cache.nodeInfo(nominated);
    if (!node) return false;
    for (const p of node.pods.values()) if (p.pod.metadata.deletionTimestamp && p.priority < info.priority) return true;
    return false;
  }

  private preempt(info: PodInfo, nodeName: string, victims: PodInfo[]): void {
    this.stats.preemptions++;
    this.logger.info({ pod: info.key, node: nodeName, victims: victims.map((v) => v.key) }, 'preempting');
    this.binder.nominate(info.pod, nodeName).catch((e) => this.logger.warn({ pod: info.key, err: e }, 'failed to nominate node'));
    for (const v of victims) {
      this.events?.event(v.pod, 'Normal', 'Preempted', `Preempted by pod ${info.pod.metadata.uid ?? info.key} on node ${nodeName}`);
      this.binder.evict(v.pod).catch((e) => {
        if (!isNotFound(e)) this.logger.warn({ pod: v.key, err: e }, 'failed to evict preemption victim');
      });
    }
  }

  private responsibleFor(pod: Pod): boolean {
    return (pod.spec.schedulerName ?? 'default-scheduler') === this.profile.schedulerName;
  }

  private podInfo(pod: Pod): PodInfo {
    return newPodInfo(pod, this.priorities.priorityOf(pod));
  }

  private registerHandlers(): void {
    const pods = this.informers.informerFor<Pod>(Resources.pods);
    this.podInformer = pods;
    pods.addEventHandler({
      onAdd: (pod) => this.onPodAdd(pod),
      onUpdate: (oldPod, newPod) => this.onPodUpdate(oldPod, newPod),
      onDelete: (obj) => this.onPodDelete(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj),
    });
    const nodes = this.informers.informerFor<Node>(Resources.nodes);
    nodes.addEventHandler({
      onAdd: (node) => {
        this.cache.addNode(node);
        this.queue.moveAllToActiveOrBackoff(NODE_ADD);
      },
      onUpdate: (oldNode, newNode) => {
        this.cache.updateNode(newNode);
        if (nodeSchedulingChanged(oldNode, newNode)) this.queue.moveAllToActiveOrBackoff(NODE_UPDATE);
      },
      onDelete: (obj) => this.cache.removeNode((obj instanceof DeletedFinalStateUnknown ? obj.obj : obj).metadata.name as string),
    });
    const classes = this.informers.informerFor<PriorityClass>({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false });
    classes.addEventHandler({
      onAdd: (pc) => this.priorities.set(pc),
      onUpdate: (_old, pc) => this.priorities.set(pc),
      onDelete: (obj) => this.priorities.delete((obj instanceof DeletedFinalStateUnknown ? obj.obj : obj).metadata.name as string),
    });
    const namespaces = this.informers.informerFor(Resources.namespaces);
    namespaces.addEventHandler({
      onAdd: (ns) => this.cache.setNamespaceLabels(ns.metadata.name as string, ns.metadata.labels ?? {}),
      onUpdate: (_old, ns) => this.cache.setNamespaceLabels(ns.metadata.name as string, ns.metadata.labels ?? {}),
      onDelete: (obj) => this.cache.setNamespaceLabels((obj instanceof DeletedFinalStateUnknown ? obj.obj : obj).metadata.name as string, undefined),
    });
  }

  private onPodAdd(pod: Pod): void {
    if (pod.spec.nodeName) {
      if (isPodTerminal(pod)) return;
      this.cache.addPod(this.podInfo(pod));
      this.queue.moveAllToActiveOrBackoff(ASSIGNED_POD_ADD);
    } else if (this.responsibleFor(pod) && !isPodTerminal(pod) && !pod.metadata.deletionTimestamp) {
      this.queue.add(this.podInfo(pod));
    }
  }

  private onPodUpdate(oldPod: Pod, pod: Pod): void {
    const key = namespacedKey(pod.metadata);
    if (pod.spec.nodeName) {
      if (!oldPod.spec.nodeName) this.queue.delete(key);
      if (isPodTerminal(pod)) {
        // A finished pod no longer holds resources.
        if (this.cache.podNodeName(key)) {
          this.cache.removePod(key);
          this.queue.moveAllToActiveOrBackoff(ASSIGNED_POD_DELETE);
        }
        return;
      }
      const confirmed = !oldPod.spec.nodeName;
      if (!confirmed && oldPod.metadata.resourceVersion === pod.metadata.resourceVersion) return; // resync
      this.cache.addPod(this.podInfo(pod));
      this.queue.moveAllToActiveOrBackoff(confirmed ? ASSIGNED_POD_ADD : ASSIGNED_POD_UPDATE);
      return;
    }
    if (!this.responsibleFor(pod) || this.cache.isAssumed(key)) return;
    if (pod.metadata.deletionTimestamp || isPodTerminal(pod)) {
      this.queue.delete(key);
      return;
    }
    if (oldPod.metadata.resourceVersion === pod.metadata.resourceVersion && this.queue.has(key)) return;
    // Status-only changes (our own PodScheduled=False among them) cannot make a parked pod fit.
    const specOrLabels = oldPod.metadata.generation !== pod.metadata.generation || JSON.stringify(oldPod.metadata.labels) !== JSON.stringify(pod.metadata.labels);
    if (!specOrLabels && this.queue.update(this.podInfo(pod), false)) return;
    this.queue.add(this.podInfo(pod));
  }

  private onPodDelete(pod: Pod): void {
    const key = namespacedKey(pod.metadata);
    this.queue.delete(key);
    if (this.cache.podNodeName(key)) {
      if (this.cache.isAssumed(key) && !pod.spec.nodeName) this.cache.forgetPod(key);
      else this.cache.removePod(key);
      this.queue.moveAllToActiveOrBackoff(ASSIGNED_POD_DELETE);
    }
  }

  /** scheduleCleanup checks assumed pods whose binding never showed up: confirmed if the API has them bound, else forgotten and requeued. */
  private scheduleCleanup(signal: AbortSignal): void {
    if (signal.aborted) return;
    this.cleanupTimer = this.clock.setTimeout(() => {
      for (const key of this.cache.expiredAssumedPods()) void this.checkExpired(key);
      this.scheduleCleanup(signal);
    }, 1000);
  }

  private async checkExpired(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    let pod: Pod | undefined;
    try {
      pod = await this.opts.client.resource<Pod>(Resources.pods).namespace(namespace).get(name);
    } catch (err) {
      if (!isNotFound(err)) return; // try again after another TTL
    }
    if (!this.cache.isAssumed(key)) return; // the watch caught up meanwhile
    if (pod?.spec.nodeName && pod.metadata.uid === this.cache.podInfo(key)?.uid) {
      this.cache.addPod(this.podInfo(pod));
      return;
    }
    this.logger.warn({ pod: key }, 'assumed pod was never bound; forgetting it');
    this.cache.forgetPod(key);
    const cached = this.podInformer?.store.getByKey(key);
    if (cached && !cached.spec.nodeName) this.onPodAdd(cached);
  }
}
