// watchcache.ts: one etcd watch per resource, fanned out to every client watch.
//
//   etcd ──watch(prefix)──► WatchCache ──► objects (current state, for RV=0 lists and initial events)
//                                    └──► ring buffer of recent events ──► CacheWatcher × N
//
// A client watch from resourceVersion R replays buffered events newer than R, then follows live
// ones. R older than the buffer's horizon (compacted, or fallen out of the ring) is 410 Gone.
import type { Logger } from 'pino';
import type { KubeObject } from '../api/meta.js';
import { newGone } from '../api/errors.js';
import type { Storage, StorageEvent } from './storage.js';

/** CacheEvent is one change to one object, as clients see it. */
export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  object: KubeObject;
  prevObject?: KubeObject;
  rev: number;
}

/** WatchFilter decides which objects a client watch sees (namespace, label and field selectors). */
export type WatchFilter = (obj: KubeObject) => boolean;

/** CacheWatcher is one client watch fed by the cache. */
export interface CacheWatcher {
  /** stop detaches the watcher. */
  stop(): void;
}

/** WatchSink receives a client's events; `end` is called when the cache drops the watcher (e.g. on relist). */
export interface WatchSink {
  event(type: CacheEvent['type'], object: KubeObject, rev: number): void;
  end(reason: 'gone' | 'closed'): void;
}

interface Registered {
  filter: WatchFilter;
  sink: WatchSink;
  /** after: events at or below this revision are not delivered (the client has them already). */
  after: number;
}

/** WatchCache keeps the current objects of one resource and a window of recent events. */
export class WatchCache {
  private readonly objects = new Map<string, KubeObject>();
  private buffer: CacheEvent[] = [];
  private horizon = 0; // every event with rev > horizon is in the buffer
  private latest = 0;
  private readonly watchers = new Set<Registered>();
  private cancelWatch?: () => Promise<void>;
  private stopped = false;
  private startPromise?: Promise<void>;

  constructor(
    private readonly storage: Storage,
    private readonly prefix: string,
    private readonly decode: (value: Buffer, rev: number) => KubeObject,
    private readonly log: Logger,
    private readonly capacity = 50_000,
  ) {}

  /** start lists the prefix and starts following etcd; resolves when the cache is filled. */
  start(): Promise<void> {
    this.startPromise ??= this.fill();
    return this.startPromise;
  }

  /** resourceVersion is the latest revision the cache has applied. */
  get resourceVersion(): number {
    return this.latest;
  }

  /** watcherCount is the number of client watches attached. */
  get watcherCount(): number {
    return this.watchers.size;
  }

  /** size is the number of objects cached. */
  get size(): number {
    return this.objects.size;
  }

  private async fill(): Promise<void> {
    const listing = await this.storage.list(this.prefix);
    this.objects.clear();
    for (const item of listing.items) this.objects.set(item.key, this.decode(item.value, item.rev));
    this.latest = listing.revision;
    this.horizon = listing.revision;
    this.buffer = [];
    // No previous values from etcd: the cache holds every object from the listing on, so it has
    // the object before each change itself (and etcd is spared a read of the old revision per write).
    const w = await this.storage.watch(
      this.prefix,
      listing.revision,
      (ev) => this.apply(ev),
      (err) => void this.restart(err),
    );
    this.cancelWatch = () => w.cancel();
  }

  private async restart(err: Error): Promise<void> {
    if (this.stopped) return;
    this.log.warn({ prefix: this.prefix, err: err.message }, 'watch cache lost its etcd watch; relisting');
    await this.cancelWatch?.().catch(() => undefined);
    // Watchers can't be resumed across a relist: end them so their clients relist too.
    for (const w of this.watchers) w.sink.end('gone');
    this.watchers.clear();
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        this.startPromise = this.fill();
        await this.startPromise;
        return;
      } catch (e) {
        this.log.warn({ prefix: this.prefix, err: (e as Error).message }, 'relist failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }

  private apply(ev: StorageEvent): void {
    // Writes of one etcd transaction share a revision (storage group-commits): only older ones are stale.
    if (ev.rev < this.latest) return;
    let event: CacheEvent;
    if (ev.type === 'put' && ev.value) {
      const object = this.decode(ev.value, ev.rev);
      const prevObject = this.objects.get(ev.key);
      this.objects.set(ev.key, object);
      event = { type: prevObject ? 'MODIFIED' : 'ADDED', key: ev.key, object, prevObject, rev: ev.rev };
    } else {
      const prevObject = this.objects.get(ev.key) ?? (ev.prevValue ? this.decode(ev.prevValue, ev.rev) : undefined);
      this.objects.delete(ev.key);
      if (!prevObject) return;
      // A deleted object carries the revision of its deletion, as Kubernetes reports it.
      const object = { ...prevObject, metadata: { ...prevObject.metadata, resourceVersion: String(ev.rev) } };
      event = { type: 'DELETED', key: ev.key, object, prevObject, rev: ev.rev };
    }
    this.latest = ev.rev;
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) {
      const dropped = this.buffer.splice(0, this.buffer.length - this.capacity);
      this.horizon = dropped[dropped.length - 1].rev;
    }
    for (const w of this.watchers) deliver(w, event);
  }

  /** get returns the cached object under an etcd key, if the cache holds it. */
  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** list returns the cached objects accepted by filter, with the cache's revision. */
  list(filter: WatchFilter): { items: KubeObject[]; rev: number } {
    const items: KubeObject[] = [];
    for (const obj of this.objects.values()) if (filter(obj)) items.push(obj);
    items.sort((a, b) => keyOrder(a).localeCompare(keyOrder(b)));
    return { items, rev: this.latest };
  }

  /**
   * watch attaches a client. With fromRev 0 it first sends ADDED for every current object,
   * otherwise it replays buffered events newer than fromRev (410 Gone if they are no longer kept).
   */
  watch(fromRev: number, filter: WatchFilter, sink: WatchSink): CacheWatcher {
    // A client resuming from a list's revision may be ahead of this cache (the list read etcd
    // directly): events it has already seen are skipped instead of waited for.
    const reg: Registered = { filter, sink, after: fromRev };
    if (fromRev === 0) {
      for (const obj of this.list(filter).items) sink.event('ADDED', obj, Number(obj.metadata.resourceVersion));
    } else {
      if (fromRev < this.horizon) {
        throw newGone(`too old resource version: ${fromRev} (${this.horizon})`);
      }
      for (const ev of this.buffer) if (ev.rev > fromRev) deliver(reg, ev);
    }
    this.watchers.add(reg);
    return { stop: () => void this.watchers.delete(reg) };
  }

  /** compacted drops buffered events at or below rev: watches from there now get 410. */
  compacted(rev: number): void {
    if (rev <= this.horizon) return;
    this.horizon = Math.min(rev, Math.max(this.horizon, rev));
    this.buffer = this.buffer.filter((e) => e.rev > rev);
  }

  /** stop ends the etcd watch and every client watch. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watchers) w.sink.end('closed');
    this.watchers.clear();
    await this.cancelWatch?.().catch(() => undefined);
  }
}

function keyOrder(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

// deliver applies the filter as Kubernetes does: an object that stops matching is DELETED for
// this watcher, one that starts matching is ADDED.
function deliver(w: Registered, ev: CacheEvent): void {
  if (ev.rev <= w.after) return;
  const now = ev.type === 'DELETED' ? false : w.filter(ev.object);
  const before = ev.prevObject ? w.filter(ev.prevObject) : false;
  if (ev.type === 'DELETED') {
    if (before) w.sink.event('DELETED', ev.object, ev.rev);
  } else if (now && before) {
    w.sink.event('MODIFIED', ev.object, ev.rev);
  } else if (now) {
    w.sink.event('ADDED', ev.object, ev.rev);
  } else if (before) {
    w.sink.event('DELETED', ev.object, ev.rev);
  }
}
