// store.ts: the informer's cache, an indexed map of objects by "namespace/name". Objects in it
// are shared with every reader: never mutate them, structuredClone first.
import { namespacedKey, type ObjectMeta } from '../api/meta.js';

/** Keyed is the least an object must have to be cached. */
export interface Keyed {
  metadata: ObjectMeta;
}

/** KeyFunc computes an object's cache key. */
export type KeyFunc<T> = (obj: T) => string;

/** IndexFunc returns the index values an object is filed under (none, one or several). */
export type IndexFunc<T> = (obj: T) => string[];

/** Indexers names the index functions of a store. */
export type Indexers<T> = Record<string, IndexFunc<T>>;

/** metaNamespaceKey is the default key: "namespace/name", or "name" for cluster-scoped objects. */
export function metaNamespaceKey(obj: Keyed): string {
  return namespacedKey(obj.metadata);
}

/**
 * DeletedFinalStateUnknown is handed to onDelete when an object vanished while the watch was
 * down: a relist no longer has it, so its final state is unknown and obj is the last one seen.
 */
export class DeletedFinalStateUnknown<T> {
  constructor(
    readonly key: string,
    readonly obj: T,
  ) {}
}

/** ReplaceResult says how a replace changed the store. */
export interface ReplaceResult<T> {
  added: T[];
  updated: { oldObj: T; newObj: T }[];
  deleted: DeletedFinalStateUnknown<T>[];
}

/** Store is an indexed, keyed cache of objects. */
export class Store<T extends Keyed> {
  private readonly items = new Map<string, T>();
  private readonly indexers: Indexers<T> = {};
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  /** resourceVersion is the version of the last replace or event applied. */
  resourceVersion = '';

  constructor(
    indexers: Indexers<T> = {},
    readonly keyFunc: KeyFunc<T> = metaNamespaceKey,
  ) {
    this.addIndexers(indexers);
  }

  /** addIndexers adds index functions and indexes the objects already cached; redefining a name is an error. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers[name]) {
        if (this.indexers[name] === fn) continue;
        throw new Error(`indexer "${name}" already exists`);
      }
      this.indexers[name] = fn;
      this.indices.set(name, new Map());
      for (const [key, obj] of this.items) this.indexOne(name, fn, key, obj);
    }
  }

  /** hasIndex tells whether an index is defined. */
  hasIndex(name: string): boolean {
    return name in this.indexers;
  }

  /** size is the number of cached objects. */
  get size(): number {
    return this.items.size;
  }

  /** add caches an object (replacing one with the same key) and returns the one it replaced. */
  add(obj: T): T | undefined {
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of Object.entries(this.indexers)) this.indexOne(name, fn, key, obj);
    this.trackVersion(obj);
    return old;
  }

  /** update is add: the store keeps the newest version of each key. */
  update(obj: T): T | undefined {
    return this.add(obj);
  }

  /** delete removes an object by its key and returns what was cached. */
  delete(obj: T): T | undefined {
    const old = this.deleteByKey(this.keyFunc(obj));
    this.trackVersion(obj);
    return old;
  }

  /** deleteByKey removes the object with the key and returns it. */
  deleteByKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** get returns the cached object with the same key as obj. */
  get(obj: T): T | undefined {
    return this.items.get(this.keyFunc(obj));
  }

  /** getByKey returns the cached object with the key. */
  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  /** list returns every cached object. */
  list(): T[] {
    return [...this.items.values()];
  }

  /** listKeys returns every key. */
  listKeys(): string[] {
    return [...this.items.keys()];
  }

  /** byIndex returns the objects filed under value in the named index. */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k) as T);
  }

  /** indexKeys returns the keys filed under value in the named index. */
  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...(index.get(value) ?? [])];
  }

  /** indexValues lists the values present in the named index. */
  indexValues(indexName: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...index.keys()];
  }

  /**
   * replace swaps the whole content for a fresh list (a relist) and reports the difference;
   * objects that vanished come back as DeletedFinalStateUnknown tombstones.
   */
  replace(objs: T[], resourceVersion: string): ReplaceResult<T> {
    const result: ReplaceResult<T> = { added: [], updated: [], deleted: [] };
    const fresh = new Set<string>();
    for (const obj of objs) {
      const key = this.keyFunc(obj);
      fresh.add(key);
      const old = this.add(obj);
      if (old) result.updated.push({ oldObj: old, newObj: obj });
      else result.added.push(obj);
    }
    for (const key of [...this.items.keys()]) {
      if (fresh.has(key)) continue;
      const old = this.deleteByKey(key) as T;
      result.deleted.push(new DeletedFinalStateUnknown(key, old));
    }
    this.resourceVersion = resourceVersion;
    return result;
  }

  private indexOne(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const index = this.indices.get(name) as Map<string, Set<string>>;
    for (const value of fn(obj)) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }

  private trackVersion(obj: T): void {
    const rv = obj.metadata.resourceVersion;
    if (rv) this.resourceVersion = rv;
  }
}
