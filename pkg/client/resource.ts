// resource.ts: a typed client for one resource: CRUD, patch, list (with paging), watch and the
// subresources (status, scale, binding, eviction, log).
import type { Readable } from 'node:stream';
import type { Status } from '../api/errors.js';
import type { DeleteOptions, ListMeta, WatchEvent } from '../api/meta.js';
import { descriptorApiVersion, type ResourceDescriptor, resourcePath } from './descriptor.js';
import type { QueryValue, RestClient } from './rest.js';
import { decodeWatchStream } from './watch_stream.js';

/** PatchType is the content type of a patch body. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** patchContentTypes maps PatchType to the Content-Type the API server expects. */
export const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** ObjectList is a list response: its resourceVersion and continue token, and the items. */
export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

/** QuerySelector is a label or field selector: the string form, or a map of required equalities. */
export type QuerySelector = string | Record<string, string>;

/** ListOptions filter and page a list. */
export interface ListOptions {
  labelSelector?: QuerySelector;
  fieldSelector?: QuerySelector;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

/** WatchOptions start a watch. */
export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: QuerySelector;
  fieldSelector?: QuerySelector;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** signal stops the watch: the iteration simply ends. */
  signal?: AbortSignal;
}

/** WriteOptions are the query parameters of create, update and patch. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  signal?: AbortSignal;
}

/** PatchOptions add server-side apply's force flag and the subresource to patch. */
export interface PatchOptions extends WriteOptions {
  force?: boolean;
  subresource?: 'status' | 'scale';
}

/** LogOptions are the query parameters of pods/log. */
export interface LogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
  signal?: AbortSignal;
}

/** Scale is autoscaling/v1 Scale, the /scale subresource. */
export interface Scale {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
  spec: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

/** formatSelector renders a selector map as "k=v,k2=v2" (strings pass through). */
export function formatSelector(sel: QuerySelector | undefined): string | undefined {
  if (sel === undefined || typeof sel === 'string') return sel || undefined;
  const parts = Object.entries(sel).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : undefined;
}

/** ResourceClient reads and writes one resource, optionally bound to a namespace. */
export class ResourceClient<T extends { metadata: object }> {
  constructor(
    readonly client: RestClient,
    readonly descriptor: ResourceDescriptor,
    readonly ns?: string,
  ) {}

  /** namespace returns a client bound to ns (ignored for cluster-scoped resources). */
  namespace(ns: string): ResourceClient<T> {
    return new ResourceClient<T>(this.client, this.descriptor, this.descriptor.namespaced ? ns : undefined);
  }

  /** path is the REST path of the collection, or of an object and its subresource. */
  path(name?: string, subresource?: string, namespace = this.ns): string {
    return resourcePath(this.descriptor, namespace, name, subresource);
  }

  /** get reads one object. */
  get(name: string, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return this.client.request<T>({ method: 'GET', path: this.objectPath(name), signal: opts.signal });
  }

  /** list reads one page of the collection. */
  list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    return this.client.request({
      method: 'GET',
      path: this.path(),
      query: listQuery(opts),
      signal: opts.signal,
    });
  }

  /** listAll follows continue tokens and returns every item, with the first page's resourceVersion. */
  async listAll(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const first = await this.list(opts);
    const items = [...first.items];
    let next = first.metadata?.continue;
    while (next) {
      const page = await this.list({ ...opts, continue: next });
      items.push(...page.items);
      next = page.metadata?.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata?.resourceVersion }, items };
  }

  /** create writes a new object (namespace from the client or the object). */
  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    const ns = this.ns ?? namespaceOf(obj);
    return this.client.request<T>({
      method: 'POST',
      path: this.path(undefined, undefined, this.descriptor.namespaced ? required(ns, 'namespace', this.descriptor) : undefined),
      body: this.withType(obj),
      query: writeQuery(opts),
      signal: opts.signal,
    });
  }

  /** update replaces an object; it carries metadata.resourceVersion, so a stale read gets 409. */
  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, undefined, opts);
  }

  /** updateStatus replaces an object's status through the /status subresource. */
  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, 'status', opts);
  }

  /** patch applies a JSON, merge, strategic-merge or apply (YAML or JSON string) patch. */
  patch(name: string, type: PatchType, body: unknown, opts: PatchOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: 'PATCH',
      path: this.objectPath(name, opts.subresource),
      body,
      contentType: patchContentTypes[type],
      query: { ...writeQuery(opts), force: opts.force },
      signal: opts.signal,
    });
  }

  /** delete removes an object; the result is the object (with graceful deletion) or a Status. */
  delete(name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.client.request({
      method: 'DELETE',
      path: this.objectPath(name),
      body: { kind: 'DeleteOptions', apiVersion: 'v1', ...opts },
    });
  }

  /** deleteCollection removes every object that matches the list options. */
  deleteCollection(listOpts: ListOptions = {}, opts: DeleteOptions = {}): Promise<Status | ObjectList<T>> {
    return this.client.request({
      method: 'DELETE',
      path: this.path(),
      query: listQuery(listOpts),
      body: { kind: 'DeleteOptions', apiVersion: 'v1', ...opts },
    });
  }

  /**
   * watch streams changes after opts.resourceVersion. It does not retry by itself (the caller,
   * usually a Reflector, owns reconnecting); an HTTP failure throws StatusError before the first event.
   */
  async *watch(opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const res = await this.client.stream({
      method: 'GET',
      path: this.path(),
      query: {
        watch: 'true',
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: opts.allowWatchBookmarks,
        labelSelector: formatSelector(opts.labelSelector),
        fieldSelector: formatSelector(opts.fieldSelector),
        timeoutSeconds: opts.timeoutSeconds,
      },
      signal: opts.signal,
      retry: false,
    });
    yield* decodeWatchStream<T>(res, opts.signal);
  }

  /** getScale reads the /scale subresource. */
  getScale(name: string): Promise<Scale> {
    return this.client.request<Scale>({ method: 'GET', path: this.objectPath(name, 'scale') });
  }

  /** updateScale writes the /scale subresource. */
  updateScale(name: string, scale: Scale): Promise<Scale> {
    const body = { apiVersion: 'autoscaling/v1', kind: 'Scale', ...scale, metadata: { ...scale.metadata, name } };
    return this.client.request<Scale>({ method: 'PUT', path: this.objectPath(name, 'scale'), body });
  }

  /** bind assigns a pod to a node by POSTing a v1 Binding (uid, when given, is a precondition). */
  bind(name: string, nodeName: string, opts: { uid?: string } = {}): Promise<Status> {
    const metadata: Record<string, string> = { name };
    if (this.ns) metadata.namespace = this.ns;
    if (opts.uid) metadata.uid = opts.uid;
    const body = { apiVersion: 'v1', kind: 'Binding', metadata, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } };
    return this.client.request<Status>({ method: 'POST', path: this.objectPath(name, 'binding'), body });
  }

  /** evict asks to delete a pod through policy/v1 Eviction (honouring disruption budgets). */
  evict(name: string, deleteOptions?: DeleteOptions): Promise<Status> {
    const metadata: Record<string, string> = { name };
    if (this.ns) metadata.namespace = this.ns;
    const body: Record<string, unknown> = { apiVersion: 'policy/v1', kind: 'Eviction', metadata };
    if (deleteOptions) body.deleteOptions = deleteOptions;
    return this.client.request<Status>({ method: 'POST', path: this.objectPath(name, 'eviction'), body });
  }

  /** log reads a container's log to the end (use logStream to follow). */
  async log(name: string, opts: LogOptions = {}): Promise<string> {
    const text = await this.client.request<unknown>({
      method: 'GET',
      path: this.objectPath(name, 'log'),
      query: logQuery({ ...opts, follow: false }),
      accept: 'text/plain, */*',
      signal: opts.signal,
    });
    return text === undefined ? '' : String(text);
  }

  /** logStream returns the raw log stream (with follow it stays open until signal aborts). */
  logStream(name: string, opts: LogOptions = {}): Promise<Readable> {
    return this.client.stream({
      method: 'GET',
      path: this.objectPath(name, 'log'),
      query: logQuery(opts),
      accept: 'text/plain, */*',
      signal: opts.signal,
      retry: !opts.follow,
    });
  }

  private put(obj: T, subresource: string | undefined, opts: WriteOptions): Promise<T> {
    const name = (obj.metadata as { name?: string }).name;
    return this.client.request<T>({
      method: 'PUT',
      path: this.objectPath(required(name, 'metadata.name', this.descriptor), subresource, namespaceOf(obj)),
      body: this.withType(obj),
      query: writeQuery(opts),
      signal: opts.signal,
    });
  }

  private objectPath(name: string, subresource?: string, fallbackNs?: string): string {
    const ns = this.ns ?? fallbackNs;
    if (this.descriptor.namespaced && !ns) throw new Error(`${this.descriptor.resource} "${name}": a namespace is required`);
    return this.path(name, subresource, ns);
  }

  private withType(obj: T): T {
    const typed = obj as T & { apiVersion?: string; kind?: string };
    if (typed.apiVersion && typed.kind) return obj;
    return { apiVersion: descriptorApiVersion(this.descriptor), ...(this.descriptor.kind ? { kind: this.descriptor.kind } : {}), ...obj };
  }
}

function namespaceOf(obj: { metadata: object }): string | undefined {
  return (obj.metadata as { namespace?: string }).namespace;
}

function required(value: string | undefined, what: string, desc: ResourceDescriptor): string {
  if (!value) throw new Error(`${desc.resource}: ${what} is required`);
  return value;
}

function listQuery(opts: ListOptions): Record<string, QueryValue> {
  return {
    labelSelector: formatSelector(opts.labelSelector),
    fieldSelector: formatSelector(opts.fieldSelector),
    limit: opts.limit,
    continue: opts.continue,
    resourceVersion: opts.resourceVersion,
    resourceVersionMatch: opts.resourceVersionMatch,
    timeoutSeconds: opts.timeoutSeconds,
  };
}

function writeQuery(opts: WriteOptions): Record<string, QueryValue> {
  return { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager };
}

function logQuery(opts: LogOptions): Record<string, QueryValue> {
  return {
    container: opts.container,
    follow: opts.follow || undefined,
    previous: opts.previous || undefined,
    tailLines: opts.tailLines,
    sinceSeconds: opts.sinceSeconds,
    timestamps: opts.timestamps || undefined,
    limitBytes: opts.limitBytes,
  };
}
