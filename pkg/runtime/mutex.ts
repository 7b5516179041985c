// mutex.ts: per-key serialization, so two calls about one container never interleave.

/** KeyedMutex runs functions one at a time per key. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** run waits for earlier work on key, then runs fn. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
