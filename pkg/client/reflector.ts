// reflector.ts: keeps a sink (the informer) in step with the API server by list + watch.
// It lists once, then watches from the list's resourceVersion; when a watch ends normally it
// resumes from the last resourceVersion seen (events and BOOKMARKs), when the server says 410
// Gone/Expired it relists, and when the server is unreachable it retries with capped, jittered
// exponential backoff.
import { isGone, type Status, StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import { Backoff } from './backoff.js';
import { type Clock, realClock, sleep } from './clock.js';
import type { ListerWatcher } from './list_watch.js';
import { defaultLogger, type Logger } from './logger.js';

/** ReflectorSink receives what the reflector learns. */
export interface ReflectorSink<T> {
  /** replace swaps in a complete list (initial list and every relist). */
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

/** ReflectorOptions configure a Reflector; everything but name, listerWatcher and sink has a default. */
export interface ReflectorOptions<T> {
  name: string;
  listerWatcher: ListerWatcher<T>;
  sink: ReflectorSink<T>;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /** backoffInitialMs / backoffMaxMs shape reconnect delays (default 800 ms doubling to 30 s, full jitter). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** minWatchTimeoutSeconds: each watch asks the server to end it after between 1× and 2× this (default 300). */
  minWatchTimeoutSeconds?: number;
}

/** Reflector runs the list + watch loop for one resource. */
export class Reflector<T extends { metadata: { resourceVersion?: string } } = KubeObject> {
  /** lastSyncResourceVersion is the last resourceVersion the sink is known to be up to date with. */
  lastSyncResourceVersion = '';
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly backoff: Backoff;

  constructor(private readonly opts: ReflectorOptions<T>) {
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.logger = (opts.logger ?? defaultLogger('reflector')).child({ reflector: opts.name });
    this.backoff = new Backoff({
      initialMs: opts.backoffInitialMs ?? 800,
      maxMs: opts.backoffMaxMs ?? 30_000,
      jitter: 1,
      random: this.random,
    });
  }

  /** run lists and watches until signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    let relistsWithoutProgress = 0;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.list(signal);
          needList = false;
        }
        const progressed = await this.watch(signal);
        if (progressed) {
          this.backoff.reset();
          relistsWithoutProgress = 0;
        }
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          // Our resourceVersion was compacted away: only a fresh list can tell what we missed.
          needList = true;
          this.logger.info({ resourceVersion: this.lastSyncResourceVersion }, 'watch expired (410), relisting');
          // One relist right away; if relists keep expiring, back off like any other failure.
          if (relistsWithoutProgress++ === 0) continue;
        } else {
          this.logger.warn({ err: describe(err) }, 'list/watch failed, retrying with backoff');
        }
        await sleep(this.clock, this.backoff.next(), signal);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const list = await this.opts.listerWatcher.list({ signal });
    if (signal.aborted) return;
    const rv = list.metadata?.resourceVersion ?? '';
    this.opts.sink.replace(list.items, rv);
    this.lastSyncResourceVersion = rv;
    this.backoff.reset();
    this.logger.debug({ resourceVersion: rv, count: list.items.length }, 'listed');
  }

  /** watch runs one watch; it returns whether it made progress (an event, or a long healthy stream). */
  private async watch(signal: AbortSignal): Promise<boolean> {
    const min = this.opts.minWatchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(min * (1 + this.random()));
    const started = this.clock.now();
    let events = 0;
    const stream = this.opts.listerWatcher.watch({ resourceVersion: this.lastSyncResourceVersion, timeoutSeconds, signal });
    for await (const ev of stream) {
      if (signal.aborted) return false;
      const obj = ev.object;
      switch (ev.type) {
        case 'ERROR':
          throw new StatusError(obj as unknown as Status);
        case 'ADDED':
          this.opts.sink.add(obj);
          break;
        case 'MODIFIED':
          this.opts.sink.update(obj);
          break;
        case 'DELETED':
          this.opts.sink.delete(obj);
          break;
        case 'BOOKMARK':
          break;
        default:
          this.logger.warn({ type: ev.type }, 'unknown watch event type, ignored');
          continue;
      }
      events++;
      const rv = obj?.metadata?.resourceVersion;
      if (rv) this.lastSyncResourceVersion = rv;
    }
    if (signal.aborted) return false;
    if (events === 0 && this.clock.now() - started < 1000) {
      // A watch the server closes at once, over and over, must not turn into a busy loop.
      throw new Error('very short watch: the server closed it within a second and sent no events');
    }
    return true;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
