// lister.ts: read-only, typed views of an informer's store, the way controllers read state.
import { namespacedKey } from '../api/meta.js';
import { NamespaceIndex } from './indexers.js';
import { selectorMatcher, type SelectorInput } from './selector.js';
import type { Keyed, Store } from './store.js';

/** Lister reads cached objects. The objects are shared: copy before changing them. */
export class Lister<T extends Keyed> {
  constructor(private readonly store: Store<T>) {}

  /** get returns the object, or undefined (namespace is ignored for cluster-scoped: pass undefined or ''). */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.getByKey(namespacedKey({ namespace: namespace || undefined, name }));
  }

  /** list returns the objects in a namespace (all namespaces if none) that match the label selector. */
  list(namespace?: string, selector?: SelectorInput): T[] {
    const matches = selectorMatcher(selector);
    let candidates: T[];
    if (!namespace) candidates = this.store.list();
    else if (this.store.hasIndex(NamespaceIndex)) candidates = this.store.byIndex(NamespaceIndex, namespace);
    else candidates = this.store.list().filter((o) => o.metadata.namespace === namespace);
    return candidates.filter((o) => matches(o.metadata.labels));
  }

  /** byIndex returns the objects filed under value in the named index. */
  byIndex(indexName: string, value: string): T[] {
    return this.store.byIndex(indexName, value);
  }
}
