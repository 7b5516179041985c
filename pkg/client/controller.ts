// controller.ts: runs a reconcile loop: wait for caches, then N workers take keys from the
// queue and call sync(key). Outcomes (controller-runtime's three): done → forget the key;
// {requeueAfter} → check again later; an error → retry with rate-limited backoff, unless it is
// a TerminalError, which is logged and dropped. Nothing a sync throws escapes a worker.
import { type HasSynced, waitForCacheSync } from './informer.js';
import { defaultLogger, type Logger } from './logger.js';
import type { WorkQueue } from './workqueue.js';

/** TerminalError marks a failure retrying cannot fix (bad input, unsupported spec): logged, not retried. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** SyncResult is what a sync returns: nothing (done) or a delay after which to look again. */
export type SyncResult = void | { requeueAfter: number };

/** SyncFunc reconciles one key ("namespace/name"); signal aborts when the controller stops. */
export type SyncFunc = (key: string, signal: AbortSignal) => Promise<SyncResult> | SyncResult;

/** ControllerOptions wire a controller. */
export interface ControllerOptions {
  name: string;
  queue: WorkQueue;
  /** informers must all have synced before the first sync. */
  informers?: HasSynced[];
  sync: SyncFunc;
  /** workers is how many keys are synced at once (default 1). */
  workers?: number;
  logger?: Logger;
  /** maxRetries drops a key after this many failed retries in a row (default: retry forever). */
  maxRetries?: number;
}

/** Controller runs workers over a work queue. */
export class Controller {
  private readonly logger: Logger;
  private inFlight = 0;

  constructor(private readonly opts: ControllerOptions) {
    this.logger = (opts.logger ?? defaultLogger('controller')).child({ controller: opts.name });
  }

  /** name is the controller's name. */
  get name(): string {
    return this.opts.name;
  }

  /** busy is the number of syncs running now. */
  get busy(): number {
    return this.inFlight;
  }

  /**
   * run waits for the caches, runs the workers until signal aborts, then shuts the queue down
   * and resolves once every in-flight sync has finished.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { queue } = this.opts;
    const onAbort = (): void => queue.shutDown();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      this.logger.info('waiting for caches to sync');
      if (!(await waitForCacheSync(this.opts.informers ?? [], signal))) {
        this.logger.info('stopped before caches synced');
        return;
      }
      const workers = Math.max(1, this.opts.workers ?? 1);
      this.logger.info({ workers }, 'caches synced, starting workers');
      await Promise.all(Array.from({ length: workers }, () => this.worker(signal)));
      this.logger.info('stopped');
    } finally {
      signal.removeEventListener('abort', onAbort);
      queue.shutDown();
    }
  }

  private async worker(signal: AbortSignal): Promise<void> {
    const { queue } = this.opts;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      if (signal.aborted) {
        queue.done(key);
        return;
      }
      await this.process(key, signal);
    }
  }

  private async process(key: string, signal: AbortSignal): Promise<void> {
    const { queue } = this.opts;
    this.inFlight++;
    try {
      const result = await this.opts.sync(key, signal);
      queue.forget(key);
      if (result && result.requeueAfter > 0) queue.addAfter(key, result.requeueAfter);
    } catch (err) {
      if (err instanceof TerminalError) {
        this.logger.error({ key, err }, 'sync failed with a terminal error, not retrying');
        queue.forget(key);
      } else if (this.opts.maxRetries !== undefined && queue.numRequeues(key) >= this.opts.maxRetries) {
        this.logger.error({ key, err, retries: queue.numRequeues(key) }, 'sync failed too often, dropping key');
        queue.forget(key);
      } else {
        this.logger.warn({ key, err, retries: queue.numRequeues(key) }, 'sync failed, requeueing with backoff');
        queue.addRateLimited(key);
      }
    } finally {
      this.inFlight--;
      queue.done(key);
    }
  }
}
