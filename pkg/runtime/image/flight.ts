// flight.ts: in-process coordination: one shared run per key (so concurrent pulls of the
// same blob download it once), a mutex for the image database, and a readers-writer lock
// that keeps GC's deletions away from pulls and imports in progress.

/** SingleFlight runs at most one operation per key; callers of the same kind share it. */
export class SingleFlight {
  private readonly ops = new Map<string, { kind: string; promise: Promise<unknown> }>();

  /**
   * run executes fn for key unless an operation of the same kind is already running, in
   * which case its result is shared. An operation of another kind (e.g. a delete while a
   * download is asked for) is waited out first.
   */
  async run<T>(key: string, kind: string, fn: () => Promise<T>): Promise<T> {
    while (true) {
      const current = this.ops.get(key);
      if (!current) break;
      if (current.kind === kind) return current.promise as Promise<T>;
      await current.promise.catch(() => {});
    }
    const promise = fn().finally(() => {
      if (this.ops.get(key)?.promise === promise) this.ops.delete(key);
    });
    this.ops.set(key, { kind, promise });
    return promise;
  }

  /** size is the number of running operations (for tests). */
  get size(): number {
    return this.ops.size;
  }
}

/** Mutex serializes async critical sections. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** lock runs fn after every earlier holder has finished. */
  async lock<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * RwLock lets many readers (pulls, imports) or one writer (GC, remove) in. It is fair: once
 * a writer waits, new readers queue behind it, so GC cannot starve under steady pulls.
 */
export class RwLock {
  private readers = 0;
  private writer = false;
  private readonly queue: Array<{ write: boolean; grant: () => void }> = [];

  async read<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await fn();
    } finally {
      this.readers--;
      this.drain();
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await fn();
    } finally {
      this.writer = false;
      this.drain();
    }
  }

  private acquire(write: boolean): Promise<void> {
    return new Promise<void>((grant) => {
      this.queue.push({ write, grant });
      this.drain();
    });
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (next.write) {
        if (this.writer || this.readers > 0) return;
        this.writer = true;
      } else {
        if (this.writer) return;
        this.readers++;
      }
      this.queue.shift();
      next.grant();
    }
  }
}
