// event-queue.ts: the scheduler's Events wait behind its bindings. Every binding is followed by
// a "Scheduled" Event, an API write of the same cost; written at once, binding thousands of pods
// would cost the API server two writes per pod, and the bindings (what the pods are waiting
// for) would share the server with their own announcements. Like client-go's event broadcaster
// (a queue of at most 1,000 events drained by a rate-limited sink, events beyond it dropped),
// Normal events are queued with the time they happened and written at a steady rate, and only
// while the scheduler is not busy binding; Warning events (FailedScheduling, binding rejected)
// pass at once: they are rarer and are what users look for. flush writes whatever is queued.
//
//   Scheduler ──Warning──────────────────────────────► next (EventRecorder)
//       └──────Normal──► queue (≤ maxQueued, else dropped) ──► while !busy(): qps per second
//
// A queued event keeps the time it was recorded: the next sink is given recordingClock, which
// reads that time while the event is passed on, so "Scheduled 40s ago" means what it says.
import type { Pod } from '../api/core/pod-types.js';
import { type Clock, realClock, type TimerHandle } from '../client/clock.js';
import type { EventSink } from './scheduler.js';

/** EventQueueOptions shape how Normal events wait. */
export interface EventQueueOptions {
  /** maxQueued bounds the Normal events waiting (default 1000, client-go's maxQueuedEvents); more are dropped. */
  maxQueued?: number;
  /** qps is how many queued events per second are passed on while not busy (default 50, kube-scheduler's client QPS). */
  qps?: number;
  /** busy says the scheduler's bindings need the API server; queued events wait while it is true. */
  busy?: () => boolean;
  clock?: Clock;
}

interface QueuedEvent {
  /** obj is the part of the pod an Event refers to (not the whole pod, which may be kept long after it changed). */
  obj: Pod;
  reason: string;
  message: string;
  at: number;
}

/** TICK_MS is how often queued events are passed on (qps × TICK_MS / 1000 at a time). */
const TICK_MS = 100;

/** EventQueue is an EventSink that passes Warnings on at once and Normal events later, at a bounded rate, when bindings leave room. */
export class EventQueue implements EventSink {
  /** dropped counts Normal events dropped because the queue was full. */
  dropped = 0;
  /** recordingClock is the clock for the next sink: while a queued event is passed on it reads the time the event was recorded. */
  readonly recordingClock: Clock;
  private readonly next: EventSink;
  private readonly clock: Clock;
  private readonly maxQueued: number;
  private readonly perTick: number;
  private readonly busy: () => boolean;
  private queued: QueuedEvent[] = [];
  private head = 0;
  private timer: TimerHandle | undefined;
  private recordedAt: number | undefined;

  /** makeNext builds the sink events go to, given recordingClock (an EventRecorder takes it as its clock). */
  constructor(makeNext: (recordingClock: Clock) => EventSink, opts: EventQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.maxQueued = opts.maxQueued ?? 1000;
    this.perTick = Math.max(1, Math.round(((opts.qps ?? 50) * TICK_MS) / 1000));
    this.busy = opts.busy ?? (() => false);
    const clock = this.clock;
    this.recordingClock = {
      now: () => this.recordedAt ?? clock.now(),
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
      clearTimeout: (h) => clock.clearTimeout(h),
    };
    this.next = makeNext(this.recordingClock);
  }

  /** length is the number of events waiting. */
  get length(): number {
    return this.queued.length - this.head;
  }

  event(obj: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (type === 'Warning') {
      this.next.event(obj, type, reason, message);
      return;
    }
    if (this.length >= this.maxQueued) {
      this.dropped++;
      return;
    }
    this.queued.push({ obj: referenceOnly(obj), reason, message, at: this.clock.now() });
    this.arm();
  }

  /** flush passes every queued event on and resolves when the next sink has written them. */
  async flush(): Promise<void> {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.release(Infinity);
    await this.next.flush?.();
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => this.tick(), TICK_MS);
    // Waiting events must not keep a finished process alive: flush is how they are written at the end.
    (this.timer as { unref?: () => void } | undefined)?.unref?.();
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.busy()) this.release(this.perTick);
    if (this.length > 0) this.arm();
  }

  private release(n: number): void {
    for (let i = 0; i < n && this.head < this.queued.length; i++) {
      const e = this.queued[this.head];
      this.queued[this.head++] = undefined as unknown as QueuedEvent;
      this.recordedAt = e.at;
      try {
        this.next.event(e.obj, 'Normal', e.reason, e.message);
      } finally {
        this.recordedAt = undefined;
      }
    }
    // Compact once the consumed head outgrows what is left.
    if (this.head > 1024 && this.head * 2 > this.queued.length) {
      this.queued = this.queued.slice(this.head);
      this.head = 0;
    }
  }
}

/** referenceOnly keeps what an Event's involvedObject is built from. */
function referenceOnly(pod: Pod): Pod {
  const { namespace, name, uid, resourceVersion } = pod.metadata;
  return { apiVersion: pod.apiVersion, kind: pod.kind, metadata: { namespace, name, uid, resourceVersion } } as Pod;
}
