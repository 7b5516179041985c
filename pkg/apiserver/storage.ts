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
  async create(key: string, value: Buffer): Promise<number> {
    return this.call(async () => {
      const k = Buffer.from(key);
      const res = await this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value } }],
        failure: [],
      });
      if (!res.succeeded) throw new StorageError('KeyExists', `${key} exists`);
      return Number(res.header.revision);
    });
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
  async update(key: string, value: Buffer, expectedRev: number): Promise<number> {
    return this.call(async () => {
      const k = Buffer.from(key);
      const res = await this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRev }],
        success: [{ request_put: { key: k, value } }],
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

function toStored(kv: IKeyValue): StoredValue {
  return { key: kv.key.toString(), value: kv.value, rev: Number(kv.mod_revision) };
}
