// fake_list_watch.ts: a scripted ListerWatcher for reflector and informer unit tests without HTTP.
import type { KubeObject, WatchEvent } from '../../api/meta.js';
import type { ListerWatcher } from '../list_watch.js';
import type { ObjectList } from '../resource.js';

/** ScriptedWatch is one open watch the test feeds with events, then ends or breaks. */
export class ScriptedWatch<T> {
  private events: WatchEvent<T>[] = [];
  private ended = false;
  private failure?: unknown;
  private wake?: () => void;

  constructor(readonly resourceVersion: string) {}

  /** send delivers an event to the reflector. */
  send(ev: WatchEvent<T>): void {
    this.events.push(ev);
    this.wake?.();
  }

  /** end closes the stream normally. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** fail breaks the stream with an error. */
  fail(err: unknown): void {
    this.failure = err;
    this.wake?.();
  }

  async *iterate(signal?: AbortSignal): AsyncGenerator<WatchEvent<T>> {
    const onAbort = (): void => this.end();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (this.events.length) {
          yield this.events.shift() as WatchEvent<T>;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** FakeListWatch answers list calls from a queue of results and records every watch. */
export class FakeListWatch<T = KubeObject> implements ListerWatcher<T> {
  readonly watches: ScriptedWatch<T>[] = [];
  listCalls = 0;
  private listResults: (ObjectList<T> | Error)[] = [];
  private watchWaiters: (() => void)[] = [];

  /** queueList makes a future list call return items at resourceVersion (or throw err). */
  queueList(result: { items: T[]; resourceVersion: string } | Error): void {
    this.listResults.push(result instanceof Error ? result : { metadata: { resourceVersion: result.resourceVersion }, items: result.items });
  }

  async list(): Promise<ObjectList<T>> {
    this.listCalls++;
    const next = this.listResults.shift();
    if (!next) throw new Error('FakeListWatch: no list result queued');
    if (next instanceof Error) throw next;
    return next;
  }

  watch(opts: { resourceVersion: string; signal?: AbortSignal }): AsyncIterable<WatchEvent<T>> {
    const w = new ScriptedWatch<T>(opts.resourceVersion);
    this.watches.push(w);
    for (const wake of this.watchWaiters.splice(0)) wake();
    return w.iterate(opts.signal);
  }

  /** nextWatch resolves with watch number n (0-based) once the reflector opened it. */
  async nextWatch(n: number): Promise<ScriptedWatch<T>> {
    while (this.watches.length <= n) await new Promise<void>((resolve) => this.watchWaiters.push(resolve));
    return this.watches[n];
  }
}
