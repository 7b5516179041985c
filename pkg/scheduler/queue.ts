// queue.ts: the scheduling queue, as kube-scheduler's PriorityQueue, in three parts:
//
//   add ──► activeQ (priority desc, then age) ──pop──► scheduling attempt
//               ▲                                        │ failed to fit
//               │ backoff expired                        ▼
//           backoffQ (1 s doubling to 10 s) ◄── event ── unschedulable (parked until a node or
//               ▲                                         pod event could make it fit, or 5 min)
//               └──────────── error (not a fit failure) ──┘
//
// A pod that failed while a relevant event happened during its attempt goes to backoffQ
// rather than waiting in unschedulable for another event (the moveRequestCycle rule).
import { type Clock, realClock, type TimerHandle } from '../client/clock.js';
import { KeyedHeap } from './heap.js';
import type { PodInfo } from './pod-info.js';

/** QueuedPodInfo is a pod in the queue with its scheduling history. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** timestamp orders pods of equal priority: when the pod first entered the queue. */
  timestamp: number;
  /** attempts counts scheduling attempts so far. */
  attempts: number;
  /** lastFailure is when the last attempt failed (backoff counts from it). */
  lastFailure: number;
  /** unschedulablePlugins names the filters that rejected the pod last time (empty: unknown/any). */
  unschedulablePlugins: ReadonlySet<string>;
  /** cycle is the scheduling cycle in which the pod was popped. */
  cycle: number;
  seq: number;
}

/** ClusterEvent says what changed; plugins lists the filters whose rejections it could undo (undefined: all). */
export interface ClusterEvent {
  name: string;
  plugins?: ReadonlySet<string>;
}

/** QueueOptions configure a SchedulingQueue. */
export interface QueueOptions {
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** maxUnschedulableMs: pods parked longer than this are retried anyway (default 5 min). */
  maxUnschedulableMs?: number;
}

/** PodPriorityLess orders by priority (high first), then by age (old first), then arrival. */
export function podPriorityLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  if (a.podInfo.priority !== b.podInfo.priority) return a.podInfo.priority > b.podInfo.priority;
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp;
  return a.seq < b.seq;
}

const keyOf = (q: QueuedPodInfo): string => q.podInfo.key;

/** SchedulingQueue holds pods waiting to be scheduled. */
export class SchedulingQueue {
  private readonly activeQ = new KeyedHeap<QueuedPodInfo>(keyOf, podPriorityLess);
  private readonly backoffQ: KeyedHeap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** inFlight holds pods popped and not yet done, so updates to them are not lost. */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private backoffTimer: TimerHandle | undefined;
  private backoffTimerAt = Infinity;
  private unschedulableTimer: TimerHandle | undefined;
  private closed = false;
  private seq = 0;
  /** schedulingCycle counts pops. */
  schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(opts: QueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.backoffQ = new KeyedHeap<QueuedPodInfo>(keyOf, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
    this.scheduleUnschedulableFlush();
  }

  /** add queues a new pending pod (or updates it if queued). */
  add(podInfo: PodInfo): void {
    if (this.update(podInfo)) return;
    const now = this.clock.now();
    this.pushActive({ podInfo, timestamp: now, attempts: 0, lastFailure: 0, unschedulablePlugins: new Set(), cycle: 0, seq: this.seq++ });
  }

  /**
   * update replaces a queued pod's info; a parked pod is retried (unless retryParked is false,
   * for changes that cannot make it fit, such as status). It returns false if the pod is not queued.
   */
  update(podInfo: PodInfo, retryParked = true): boolean {
    const key = podInfo.key;
    const active = this.activeQ.get(key);
    if (active) {
      this.activeQ.push({ ...active, podInfo });
      return true;
    }
    const backoff = this.backoffQ.get(key);
    if (backoff) {
      this.backoffQ.push({ ...backoff, podInfo });
      return true;
    }
    const parked = this.unschedulable.get(key);
    if (parked && !retryParked) {
      parked.podInfo = podInfo;
      return true;
    }
    if (parked) {
      this.unschedulable.delete(key);
      const next = { ...parked, podInfo };
      if (this.isBackingOff(next)) this.pushBackoff(next);
      else this.pushActive(next);
      return true;
    }
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.podInfo = podInfo;
      return true;
    }
    return false;
  }

  /** delete drops a pod from every part of the queue. */
  delete(key: string): void {
    this.activeQ.delete(key);
    if (this.backoffQ.delete(key)) this.armBackoffTimer();
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** has tells whether a pod is queued (in any part) or in flight. */
  has(key: string): boolean {
    return this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key) || this.inFlight.has(key);
  }

  /** pop waits for the next pod to schedule; it resolves undefined once the queue is closed or signal aborts. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    const next = this.tryPop();
    if (next || this.closed || signal?.aborted) return Promise.resolve(next);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      const waiter = (q: QueuedPodInfo | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(q);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** tryPop returns the next pod at once, or undefined. */
  tryPop(): QueuedPodInfo | undefined {
    const q = this.activeQ.pop();
    if (!q) return undefined;
    q.attempts++;
    q.cycle = ++this.schedulingCycle;
    this.inFlight.set(q.podInfo.key, q);
    return q;
  }

  /** done marks a popped pod as no longer in flight (it was bound, parked or requeued). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * addUnschedulable returns a pod that did not fit: parked until an event could help, or in
   * backoff if such an event already happened during its attempt.
   */
  addUnschedulable(q: QueuedPodInfo, plugins: ReadonlySet<string>): void {
    if (!this.inFlight.has(q.podInfo.key)) return; // deleted meanwhile
    this.inFlight.delete(q.podInfo.key);
    const next: QueuedPodInfo = { ...q, lastFailure: this.clock.now(), unschedulablePlugins: plugins };
    if (this.moveRequestCycle >= q.cycle) this.pushBackoff(next);
    else this.unschedulable.set(next.podInfo.key, next);
  }

  /** requeueWithBackoff returns a pod whose attempt failed for another reason (API error, binding conflict). */
  requeueWithBackoff(q: QueuedPodInfo): void {
    if (!this.inFlight.has(q.podInfo.key)) return;
    this.inFlight.delete(q.podInfo.key);
    this.pushBackoff({ ...q, lastFailure: this.clock.now() });
  }

  /** moveAllToActiveOrBackoff retries the parked pods an event could help. */
  moveAllToActiveOrBackoff(event: ClusterEvent): number {
    this.moveRequestCycle = this.schedulingCycle;
    let moved = 0;
    for (const [key, q] of this.unschedulable) {
      if (!this.eventHelps(event, q)) continue;
      this.unschedulable.delete(key);
      if (this.isBackingOff(q)) this.pushBackoff(q);
      else this.pushActive(q);
      moved++;
    }
    return moved;
  }

  /** backoffDuration is how long a pod waits after its n-th failed attempt: 1 s doubling to 10 s by default. */
  backoffDuration(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  /** lengths reports the size of each part (for metrics and tests). */
  lengths(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  /** pendingKeys lists the keys of every queued pod (for debugging). */
  pendingKeys(): string[] {
    return [...this.activeQ.values(), ...this.backoffQ.values(), ...this.unschedulable.values()].map(keyOf);
  }

  /** close stops the queue: waiting pops resolve undefined and timers stop. */
  close(): void {
    this.closed = true;
    this.clock.clearTimeout(this.backoffTimer);
    this.clock.clearTimeout(this.unschedulableTimer);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private eventHelps(event: ClusterEvent, q: QueuedPodInfo): boolean {
    if (!event.plugins || q.unschedulablePlugins.size === 0) return true;
    for (const p of q.unschedulablePlugins) if (event.plugins.has(p)) return true;
    return false;
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.lastFailure + this.backoffDuration(q.attempts);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.clock.now();
  }

  private pushActive(q: QueuedPodInfo): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.activeQ.push(q);
      waiter(this.tryPop());
      return;
    }
    this.activeQ.push(q);
  }

  private pushBackoff(q: QueuedPodInfo): void {
    if (this.closed) return;
    if (!this.isBackingOff(q)) {
      this.pushActive(q);
      return;
    }
    this.backoffQ.push(q);
    this.armBackoffTimer();
  }

  /** armBackoffTimer keeps one timer for the earliest backoff expiry. */
  private armBackoffTimer(): void {
    const top = this.backoffQ.peek();
    const at = top ? this.backoffExpiry(top) : Infinity;
    if (at === this.backoffTimerAt) return;
    this.clock.clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
    this.backoffTimerAt = at;
    if (at === Infinity || this.closed) return;
    this.backoffTimer = this.clock.setTimeout(() => {
      this.backoffTimer = undefined;
      this.backoffTimerAt = Infinity;
      this.flushBackoff();
    }, at - this.clock.now());
  }

  private flushBackoff(): void {
    const now = this.clock.now();
    for (let top = this.backoffQ.peek(); top && this.backoffExpiry(top) <= now; top = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.pushActive(top);
    }
    this.armBackoffTimer();
  }

  private scheduleUnschedulableFlush(): void {
    const period = Math.min(30_000, this.maxUnschedulableMs);
    this.unschedulableTimer = this.clock.setTimeout(() => {
      if (this.closed) return;
      const now = this.clock.now();
      for (const [key, q] of this.unschedulable) {
        if (now - q.lastFailure < this.maxUnschedulableMs) continue;
        this.unschedulable.delete(key);
        this.pushBackoff(q);
      }
      this.scheduleUnschedulableFlush();
    }, period);
  }
}
