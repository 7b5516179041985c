// workqueue.ts: the rate-limited work queue between event handlers and workers (client-go's
// workqueue). Keys are de-duplicated while they wait, and a key is never handed to two workers
// at once: one added again while it is being processed waits until done() and then goes back
// on the queue. Delays (addAfter, addRateLimited) run on an injected clock.
import type { Registry } from 'prom-client';
import { type Clock, realClock, type TimerHandle } from './clock.js';
import { type QueueMetrics, queueMetrics } from './queue_metrics.js';
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimiter.js';

/** WorkQueueOptions configure a WorkQueue. */
export interface WorkQueueOptions {
  /** name labels the queue's metrics and logs. */
  name: string;
  clock?: Clock;
  /** rateLimiter decides addRateLimited delays (default: defaultControllerRateLimiter). */
  rateLimiter?: RateLimiter;
  /** metrics is the registry the queue's metrics go to (none if omitted). */
  metrics?: Registry;
}

/** WorkQueue is a de-duplicating, delaying, rate-limited queue of string keys. */
export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  private readonly metrics?: QueueMetrics;
  private queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>(); // key → when a worker took it
  private readonly addedAt = new Map<string, number>();
  private readonly waiting = new Map<string, { readyAt: number; timer: TimerHandle }>();
  private getters: ((key: string | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shutdown = false;

  constructor(opts: WorkQueueOptions) {
    this.name = opts.name;
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    if (opts.metrics) this.metrics = queueMetrics(opts.metrics);
  }

  /** add queues key unless it is already waiting; a key being processed is re-queued at done(). */
  add(key: string): void {
    if (this.shutdown || this.dirty.has(key)) return;
    this.metrics?.adds.inc({ name: this.name });
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** addAfter adds key once ms have passed; of several pending delays for a key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shutdown) return;
    if (ms <= 0) return this.add(key);
    const readyAt = this.clock.now() + ms;
    const pending = this.waiting.get(key);
    if (pending && pending.readyAt <= readyAt) return;
    if (pending) this.clock.clearTimeout(pending.timer);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { readyAt, timer });
  }

  /** addRateLimited adds key after the rate limiter's delay (per-key backoff and overall bucket). */
  addRateLimited(key: string): void {
    if (this.shutdown) return;
    this.metrics?.retries.inc({ name: this.name });
    this.addAfter(key, this.limiter.when(key));
  }

  /** forget ends the key's backoff; call it when the key was processed successfully. */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  /** numRequeues is how many rate-limited retries the key has had since it was last forgotten. */
  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /**
   * get resolves with the next key, waiting if the queue is empty, or undefined once the queue
   * is shut down and empty. Every key got must be passed to done().
   */
  get(): Promise<string | undefined> {
    if (this.queue.length > 0) return Promise.resolve(this.take());
    if (this.shutdown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** done marks the end of processing key; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics?.workDuration.observe({ name: this.name }, (this.clock.now() - started) / 1000);
    if (this.dirty.has(key)) this.push(key);
    if (this.processing.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** len is the number of keys waiting to be handed out (not counting delayed or in-flight ones). */
  len(): number {
    return this.queue.length;
  }

  /** shuttingDown tells whether shutDown has been called. */
  shuttingDown(): boolean {
    return this.shutdown;
  }

  /** shutDown stops accepting keys, drops delayed ones, and wakes idle workers with undefined. */
  shutDown(): void {
    if (this.shutdown) return;
    this.shutdown = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    for (const resolve of this.getters.splice(0)) resolve(undefined);
  }

  /** shutDownWithDrain is shutDown, then resolves once every key handed out is done(). */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private push(key: string): void {
    this.addedAt.set(key, this.clock.now());
    const getter = this.getters.shift();
    if (getter) {
      this.queue.push(key);
      getter(this.take());
      return;
    }
    this.queue.push(key);
    this.metrics?.depth.set({ name: this.name }, this.queue.length);
  }

  private take(): string {
    const key = this.queue.shift() as string;
    this.dirty.delete(key);
    this.processing.set(key, this.clock.now());
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (this.metrics) {
      this.metrics.depth.set({ name: this.name }, this.queue.length);
      if (added !== undefined) this.metrics.queueDuration.observe({ name: this.name }, (this.clock.now() - added) / 1000);
    }
    return key;
  }
}
