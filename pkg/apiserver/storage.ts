// storage.ts: the only code that talks to etcd. Objects are stored as JSON under
// /registry/<resource>/<namespace>/<name>; an object's resourceVersion is its etcd
// mod revision; updates and deletes are compare-and-swap on that revision.
import { Etcd3, type IKeyValue } from 'etcd3';
import { noop } from 'cockatiel';

/** StoredValue is one key's raw value and its mod revision. */
export interface StoredValue {
  key: string;
  value: Buffer;
  rev: number;
}

/** StorageErrorKind says why a storage operation failed. */
export type StorageErrorKind = 'KeyExists' | 'KeyNotFound' | 'Conflict' | 'Compacted' | 'Unavailable';

/** StorageError is thrown by Storage; the registry maps it to a Status. */
export class StorageError extends Error {
  constructor(readonly kind: StorageErrorKind, message: string, readonly currentRev?: number) {
    super(message);
    this.name = 'StorageError';
  }
}

/** StorageEvent is one change seen on a watch. */
export interface StorageEvent {
  type: 'put' | 'delete';
  key: string;
  value?: Buffer; // the new value (put)
  prevValue?: Buffer; // the value before (delete, and put of an existing key), if the watch asked for it
  rev: number; // mod revision of the change
  created: boolean; // put that created the key
}

function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

function isCompactedError(err: unknown): boolean {
  return err instanceof Error && /compacted/i.test(err.message);
}

function isUnavailable(err: unknown): boolean {
  return err instanceof Error && /(unavailable|ECONNREFUSED|deadline|no connection|GRPCUnavailable|socket|connect)/i.test(`${err.name} ${err.message}`);
}

/** Storage is a thin compare-and-swap layer over etcd's KV API. */
export class Storage {
  readonly client: Etcd3;

  constructor(endpoints: string[], private readonly timeoutMs = 10_000) {
    // No retries or circuit breakers inside the client: a request either reaches etcd or fails
    // at once with 503, and the caller retries. A breaker would keep the server dark after etcd
    // comes back from a crash.
    this.client = new Etcd3({ hosts: endpoints, dialTimeout: 3000, faultHandling: { host: () => noop, global: noop } });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StorageError) throw err;
      if (isCompactedError(err)) throw new StorageError('Compacted', 'the requested revision has been compacted');
      if (isUnavailable(err)) throw new StorageError('Unavailable', `etcd is unavailable: ${(err as Error).message}`);
      throw err;
    }
  }

  /** create writes key only if it does not exist; returns the new revision. */
  create(key: string, value: Buffer): Promise<number> {
    return this.enqueue({ kind: 'create', key, value, expectedRev: 0 });
  }

  /** get reads one key (linearizable), or undefined. */
  async get(key: string): Promise<StoredValue | undefined> {
    return this.call(async () => {
      const res = await this.client.kv.range({ key: Buffer.from(key) });
      const kv = res.kvs[0];
      return kv ? toStored(kv) : undefined;
    });
  }

  /** list reads all keys under prefix at one revision, from startKey on, at most limit (0 = all). */
  async list(prefix: string, opts: { revision?: number; limit?: number; startKey?: string } = {}): Promise<{ items: StoredValue[]; revision: number; more: boolean }> {
    return this.call(async () => {
      const p = Buffer.from(prefix);
      const res = await this.client.kv.range({
        key: opts.startKey ? Buffer.from(opts.startKey) : p,
        range_end: prefixEnd(p),
        revision: opts.revision ?? 0,
        limit: opts.limit ?? 0,
      });
      return { items: res.kvs.map(toStored), revision: Number(res.header.revision), more: res.more };
    });
  }

  /** count returns the number of keys under prefix. */
  async count(prefix: string): Promise<number> {
    return this.call(async () => {
      const p = Buffer.from(prefix);
      const res = await this.client.kv.range({ key: p, range_end: prefixEnd(p), count_only: true });
      return Number(res.count);
    });
  }

  /** update writes key only if its mod revision is still expectedRev; returns the new revision. */
  update(key: string, value: Buffer, expectedRev: number): Promise<number> {
    return this.enqueue({ kind: 'update', key, value, expectedRev });
  }

  // Writes are group-committed: the creates and updates asked for in one turn of the event
  // loop go to etcd as one transaction (each key's compare, then all puts), so a burst of
  // writes (bindings, status updates) costs etcd and the gRPC client one request instead of
  // one each. They then share a revision, as the writes of any etcd transaction do; every key
  // still gets its own compare-and-swap. If a compare fails, the transaction's failure branch
  // reads the keys' revisions, the failed writes get their errors, and the others go again.
  private queue: PendingWrite[] = [];
  private readonly inFlight = new Set<string>();
  private flushScheduled = false;

  private enqueue(w: Omit<PendingWrite, 'resolve' | 'reject'>): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ ...w, resolve, reject });
      this.scheduleFlush();
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      // One batch: distinct keys, none of them in a transaction still in flight (a key written
      // twice waits for the first write's outcome, keeping the order), at most maxBatchWrites
      // writes and about maxBatchBytes of values.
      const batch: PendingWrite[] = [];
      const rest: PendingWrite[] = [];
      const keys = new Set<string>();
      let bytes = 0;
      for (const w of this.queue) {
        const fits = batch.length === 0 || (batch.length < maxBatchWrites && bytes + w.value.length <= maxBatchBytes);
        if (fits && !keys.has(w.key) && !this.inFlight.has(w.key)) {
          batch.push(w);
          keys.add(w.key);
          bytes += w.value.length;
        } else {
          keys.add(w.key); // later writes of this key stay behind this one
          rest.push(w);
        }
      }
      this.queue = rest;
      if (batch.length === 0) return; // the rest wait for keys in flight
      for (const w of batch) this.inFlight.add(w.key);
      void this.commit(batch).finally(() => {
        for (const w of batch) this.inFlight.delete(w.key);
        if (this.queue.length > 0) this.scheduleFlush();
      });
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private async commit(batch: PendingWrite[]): Promise<void> {
    let res;
    try {
      res = await this.call(() =>
        this.client.kv.txn({
          compare: batch.map((w) => (w.kind === 'create' ? { key: Buffer.from(w.key), target: 'Create' as const, result: 'Equal' as const, create_revision: 0 } : { key: Buffer.from(w.key), target: 'Mod' as const, result: 'Equal' as const, mod_revision: w.expectedRev })),
          success: batch.map((w) => ({ request_put: { key: Buffer.from(w.key), value: w.value } })),
          failure: batch.map((w) => ({ request_range: { key: Buffer.from(w.key), keys_only: true } })),
        }),
      );
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    if (res.succeeded) {
      const rev = Number(res.header.revision);
      for (const w of batch) w.resolve(rev);
      return;
    }
    // Which compares failed: the failure branch read every key at the transaction's revision.
    let failed = 0;
    const retry: PendingWrite[] = [];
    batch.forEach((w, i) => {
      const kv = res.responses[i]?.response_range?.kvs?.[0];
      if (w.kind === 'create') {
        if (kv) {
          failed++;
          w.reject(new StorageError('KeyExists', `${w.key} exists`));
        } else retry.push(w);
      } else if (!kv) {
        failed++;
        w.reject(new StorageError('KeyNotFound', `${w.key} not found`));
      } else if (Number(kv.mod_revision) !== w.expectedRev) {
        failed++;
        w.reject(new StorageError('Conflict', `${w.key} was modified`, Number(kv.mod_revision)));
      } else retry.push(w);
    });
    if (retry.length === 0) return;
    if (failed === 0) {
      // Cannot happen (the failure branch is read atomically with the compares); never loop.
      for (const w of retry) w.reject(new StorageError('Conflict', `${w.key} was modified`));
      return;
    }
    // Ahead of anything queued since; their keys leave inFlight when this commit returns.
    this.queue.unshift(...retry);
  }

  /** delete removes key (if expectedRev is given, only at that revision); returns the delete revision. */
  async delete(key: string, expectedRev?: number): Promise<number> {
    return this.call(async () => {
      const k = Buffer.from(key);
      const compare = expectedRev
        ? [{ key: k, target: 'Mod' as const, result: 'Equal' as const, mod_revision: expectedRev }]
        : [{ key: k, target: 'Create' as const, result: 'Greater' as const, create_revision: 0 }];
      const res = await this.client.kv.txn({
        compare,
        success: [{ request_delete_range: { key: k } }],
        failure: [{ request_range: { key: k } }],
      });
      if (!res.succeeded) {
        const kv = res.responses[0]?.response_range?.kvs?.[0];
        if (!kv) throw new StorageError('KeyNotFound', `${key} not found`);
        throw new StorageError('Conflict', `${key} was modified`, Number(kv.mod_revision));
      }
      return Number(res.header.revision);
    });
  }

  /** currentRevision returns etcd's latest revision. */
  async currentRevision(): Promise<number> {
    return this.call(async () => {
      const res = await this.client.kv.range({ key: Buffer.from('/registry/'), limit: 1, keys_only: true });
      return Number(res.header.revision);
    });
  }

  /** compact discards history before revision. */
  async compact(revision: number): Promise<void> {
    await this.call(() => this.client.kv.compact({ revision, physical: true }));
  }

  /**
   * watch streams every change under prefix with a revision greater than fromRev.
   * onError is called (once) when the watch breaks for good, e.g. because fromRev was compacted.
   * With prevKV, events carry the value before the change too: etcd then reads the old revision
   * of every changed key and sends both, which a caller holding the current values (the watch
   * cache) does not need.
   */
  async watch(prefix: string, fromRev: number, onEvent: (ev: StorageEvent) => void, onError: (err: Error) => void, opts: { prevKV?: boolean } = {}): Promise<{ cancel(): Promise<void> }> {
    let builder = this.client.watch().prefix(prefix).startRevision(String(fromRev + 1));
    if (opts.prevKV) builder = builder.withPreviousKV();
    const watcher = await builder.create();
    watcher.on('put', (kv: IKeyValue, prev?: IKeyValue) => {
      onEvent({
        type: 'put',
        key: kv.key.toString(),
        value: kv.value,
        prevValue: prev?.value,
        rev: Number(kv.mod_revision),
        created: kv.create_revision === kv.mod_revision,
      });
    });
    watcher.on('delete', (kv: IKeyValue, prev?: IKeyValue) => {
      onEvent({ type: 'delete', key: kv.key.toString(), prevValue: prev?.value, rev: Number(kv.mod_revision), created: false });
    });
    watcher.on('error', (err: Error) => onError(err));
    return { cancel: () => watcher.cancel() };
  }

  /** close ends the etcd connection. */
  close(): void {
    this.client.close();
  }

  get requestTimeoutMs(): number {
    return this.timeoutMs;
  }
}

/** maxBatchWrites stays under etcd's default --max-txn-ops (128). */
const maxBatchWrites = 64;
/** maxBatchBytes keeps a transaction well under etcd's default request limit (1.5 MiB). */
const maxBatchBytes = 1 << 20;

interface PendingWrite {
  kind: 'create' | 'update';
  key: string;
  value: Buffer;
  /** expectedRev: the mod revision an update compares against (0 for creates). */
  expectedRev: number;
  resolve(rev: number): void;
  reject(err: unknown): void;
}

function toStored(kv: IKeyValue): StoredValue {
  return { key: kv.key.toString(), value: kv.value, rev: Number(kv.mod_revision) };
}
