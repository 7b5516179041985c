// informer.ts: a shared informer keeps one cache of a resource (fed by a Reflector) and tells
// every registered handler about adds, updates and deletes. Handlers should only work out
// which key changed and enqueue it; the real work happens in a controller's sync.
import type { KubeObject } from '../api/meta.js';
import { type Clock, realClock, type TimerHandle } from './clock.js';
import type { ListerWatcher } from './list_watch.js';
import { Lister } from './lister.js';
import { defaultLogger, type Logger } from './logger.js';
import { Reflector, type ReflectorOptions, type ReflectorSink } from './reflector.js';
import { DeletedFinalStateUnknown, type Indexers, type Keyed, Store } from './store.js';

/** ResourceEventHandler receives notifications; every method is optional. */
export interface ResourceEventHandler<T> {
  /** onAdd: a new object, or one already cached when the handler registered (isInInitialList). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** onUpdate: a change, a relist, or a periodic resync (then oldObj === newObj). */
  onUpdate?(oldObj: T, newObj: T): void;
  /** onDelete: the last state seen, or a tombstone if the deletion was missed while disconnected. */
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

/** HandlerRegistration removes a handler again. */
export interface HandlerRegistration {
  remove(): void;
}

/** HasSynced is anything whose cache can be waited for. */
export interface HasSynced {
  hasSynced(): boolean;
  /** whenSynced resolves once hasSynced() is true (optional: waitForCacheSync polls without it). */
  whenSynced?(): Promise<void>;
}

/** InformerOptions configure a SharedIndexInformer. */
export interface InformerOptions<T> {
  name: string;
  listerWatcher: ListerWatcher<T>;
  indexers?: Indexers<T>;
  /** resyncPeriodMs is the default resync period of handlers (0 = never). */
  resyncPeriodMs?: number;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /** reflector tunes the reflector's backoff and watch timeouts. */
  reflector?: Pick<ReflectorOptions<T>, 'backoffInitialMs' | 'backoffMaxMs' | 'minWatchTimeoutSeconds'>;
}

interface Listener<T> {
  handler: ResourceEventHandler<T>;
  resyncPeriodMs: number;
  timer?: TimerHandle;
}

/** SharedIndexInformer is one list + watch + cache of a resource, shared by all its handlers. */
export class SharedIndexInformer<T extends Keyed = KubeObject> implements ReflectorSink<T>, HasSynced {
  readonly store: Store<T>;
  private readonly listeners = new Set<Listener<T>>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private reflector?: Reflector<T>;
  private synced = false;
  private running = false;
  private syncWaiters: (() => void)[] = [];

  constructor(private readonly opts: InformerOptions<T>) {
    this.store = new Store<T>(opts.indexers ?? {});
    this.clock = opts.clock ?? realClock;
    this.logger = (opts.logger ?? defaultLogger('informer')).child({ informer: opts.name });
  }

  /** name identifies the informer in logs. */
  get name(): string {
    return this.opts.name;
  }

  /** lister returns a typed reader of the cache. */
  lister(): Lister<T> {
    return new Lister(this.store);
  }

  /** addIndexers adds indexes (existing objects are indexed at once). */
  addIndexers(indexers: Indexers<T>): void {
    this.store.addIndexers(indexers);
  }

  /** lastSyncResourceVersion is the resourceVersion the cache is up to date with. */
  get lastSyncResourceVersion(): string {
    return this.reflector?.lastSyncResourceVersion ?? '';
  }

  /** hasSynced is true once the first list has been stored and delivered to handlers. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** whenSynced resolves when hasSynced becomes true. */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /**
   * addEventHandler registers a handler. Objects already cached are delivered to it as adds,
   * so a late handler sees the same world as an early one.
   */
  addEventHandler(handler: ResourceEventHandler<T>, resyncPeriodMs = this.opts.resyncPeriodMs ?? 0): HandlerRegistration {
    const listener: Listener<T> = { handler, resyncPeriodMs };
    this.listeners.add(listener);
    for (const obj of this.store.list()) this.call(listener, 'onAdd', () => handler.onAdd?.(obj, true));
    if (this.running) this.scheduleResync(listener);
    return {
      remove: () => {
        this.clock.clearTimeout(listener.timer);
        this.listeners.delete(listener);
      },
    };
  }

  /** run lists, watches and notifies until signal aborts; resolves when stopped. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`informer ${this.name} is already running`);
    this.running = true;
    this.reflector = new Reflector<T>({
      ...this.opts.reflector,
      name: this.name,
      listerWatcher: this.opts.listerWatcher,
      sink: this,
      clock: this.clock,
      random: this.opts.random,
      logger: this.logger,
    });
    for (const l of this.listeners) this.scheduleResync(l);
    try {
      await this.reflector.run(signal);
    } finally {
      this.running = false;
      for (const l of this.listeners) this.clock.clearTimeout(l.timer);
    }
  }

  /** replace is the reflector's relist: adds, updates and tombstone deletes for what changed. */
  replace(items: T[], resourceVersion: string): void {
    const initial = !this.synced;
    const diff = this.store.replace(items, resourceVersion);
    for (const obj of diff.added) this.notify('onAdd', (h) => h.onAdd?.(obj, initial));
    for (const { oldObj, newObj } of diff.updated) this.notify('onUpdate', (h) => h.onUpdate?.(oldObj, newObj));
    for (const tombstone of diff.deleted) this.notify('onDelete', (h) => h.onDelete?.(tombstone));
    if (initial) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  /** add is a watch ADDED event. */
  add(obj: T): void {
    const old = this.store.add(obj);
    if (old) this.notify('onUpdate', (h) => h.onUpdate?.(old, obj));
    else this.notify('onAdd', (h) => h.onAdd?.(obj, false));
  }

  /** update is a watch MODIFIED event. */
  update(obj: T): void {
    this.add(obj);
  }

  /** delete is a watch DELETED event. */
  delete(obj: T): void {
    this.store.delete(obj);
    this.notify('onDelete', (h) => h.onDelete?.(obj));
  }

  private notify(what: string, fn: (h: ResourceEventHandler<T>) => void): void {
    for (const l of this.listeners) this.call(l, what, () => fn(l.handler));
  }

  private call(_l: Listener<T>, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // One faulty handler must not starve the others or stop the reflector.
      this.logger.error({ err, handler: what }, 'event handler threw');
    }
  }

  private scheduleResync(l: Listener<T>): void {
    if (l.resyncPeriodMs <= 0) return;
    this.clock.clearTimeout(l.timer);
    l.timer = this.clock.setTimeout(() => {
      if (!this.running || !this.listeners.has(l)) return;
      if (this.synced) for (const obj of this.store.list()) this.call(l, 'onUpdate', () => l.handler.onUpdate?.(obj, obj));
      this.scheduleResync(l);
    }, l.resyncPeriodMs);
  }
}

/** waitForCacheSync resolves true once every informer has synced, or false if signal aborts first. */
export async function waitForCacheSync(informers: HasSynced[], signal?: AbortSignal, pollMs = 50): Promise<boolean> {
  for (const inf of informers) {
    if (inf.hasSynced()) continue;
    const synced = inf.whenSynced
      ? inf.whenSynced()
      : new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            if (inf.hasSynced() || signal?.aborted) {
              clearInterval(timer);
              resolve();
            }
          }, pollMs);
        });
    if (!signal) await synced;
    else {
      if (signal.aborted) return false;
      let onAbort = (): void => {};
      const aborted = new Promise<void>((resolve) => {
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
      });
      await Promise.race([synced, aborted]);
      signal.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) return false;
  }
  return informers.every((i) => i.hasSynced());
}
