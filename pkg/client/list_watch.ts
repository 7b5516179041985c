// list_watch.ts: the two calls a Reflector needs, bound to one resource and selector.
import type { WatchEvent } from '../api/meta.js';
import type { ObjectList, ResourceClient, QuerySelector } from './resource.js';

/** ListerWatcher lists a resource and watches it from a resourceVersion. */
export interface ListerWatcher<T> {
  /** list returns the whole collection (paging is the implementation's business). */
  list(opts: { signal?: AbortSignal }): Promise<ObjectList<T>>;
  /** watch streams events after resourceVersion until the server ends it or signal aborts. */
  watch(opts: { resourceVersion: string; timeoutSeconds?: number; signal?: AbortSignal }): AsyncIterable<WatchEvent<T>>;
}

/** ListWatchOptions narrow what a ListerWatcher sees. */
export interface ListWatchOptions {
  labelSelector?: QuerySelector;
  fieldSelector?: QuerySelector;
  /** pageSize is the list page limit (default 500, as client-go). */
  pageSize?: number;
}

/** listWatchFor builds a ListerWatcher from a resource client (namespace-bound or not). */
export function listWatchFor<T extends { metadata: object }>(client: ResourceClient<T>, opts: ListWatchOptions = {}): ListerWatcher<T> {
  return {
    list: ({ signal }) =>
      client.listAll({ labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.pageSize ?? 500, signal }),
    watch: ({ resourceVersion, timeoutSeconds, signal }) =>
      client.watch({
        resourceVersion,
        timeoutSeconds,
        signal,
        allowWatchBookmarks: true,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
      }),
  };
}
