// registry.ts: the generic store behind every resource (Kubernetes' registry/generic). It turns
// REST verbs into storage operations: defaults, validation, metadata bookkeeping, optimistic
// concurrency, graceful deletion and finalizers. Kind-specific behaviour lives in strategy.ts.
import { randomUUID, randomBytes } from 'node:crypto';
import {
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newGone,
  newInvalid,
  newNotFound,
  newServiceUnavailable,
  newInternal,
  StatusError,
  type GroupResource,
} from '../api/errors.js';
import type { FieldError } from '../api/field.js';
import { rfc3339, type DeleteOptions, type KubeList, type KubeObject } from '../api/meta.js';
import { structuralErrors, type Schema } from '../api/schema.js';
import { deepEqual } from '../api/equality.js';
import { apiVersionOf, type KindInfo } from '../api/scheme.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, type PatchType } from './patch.js';
import { StorageError, type Storage } from './storage.js';
import type { Allocator } from './allocator.js';
import { displayPath, mergeApply, trackUpdate, type Writer } from './managedfields.js';
import type { WatchCache, WatchFilter, WatchSink, CacheWatcher } from './watchcache.js';
import type { Strategy } from './strategy.js';

/** RequestContext carries per-request options that change how a write is done. */
export interface RequestContext {
  dryRun: boolean;
  /** fieldManager is the manager named by the request (required for apply). */
  fieldManager?: string;
  /** manager owns the fields this request changes: fieldManager, else derived from the User-Agent. */
  manager?: string;
  /** force: a server-side apply takes fields other managers own. */
  force?: boolean;
  /** operation is 'Apply' for server-side apply. */
  operation?: 'Apply' | 'Update';
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  /** warnings collected for the Warning response header. */
  warnings: string[];
}

/** ListOptions are the query options of a list or watch. */
export interface ListOptions {
  filter: WatchFilter;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
}

/** RegistryHost lets a store reach other resources (namespaces for lifecycle checks) and the allocators. */
export interface RegistryHost {
  store(resource: string, group?: string): ResourceStore | undefined;
  allocators: {
    serviceIPs: Allocator;
    nodePorts: Allocator;
    serviceCidr: { cidr: string; base: number; size: number };
  };
}

/** ResourceStore serves one kind. */
export class ResourceStore {
  readonly gr: GroupResource;
  readonly apiVersion: string;

  constructor(
    readonly info: KindInfo,
    private readonly storage: Storage,
    readonly cache: WatchCache,
    private readonly strategy: Strategy,
    private readonly host: RegistryHost,
  ) {
    this.gr = { group: info.group, resource: info.resource };
    this.apiVersion = apiVersionOf(info);
  }

  /** prefix is the etcd key prefix of the kind (optionally narrowed to a namespace). */
  prefix(namespace?: string): string {
    return namespace && this.info.namespaced ? `/registry/${this.info.resource}/${namespace}/` : `/registry/${this.info.resource}/`;
  }

  /** key is the etcd key of one object. */
  key(namespace: string | undefined, name: string): string {
    return this.info.namespaced ? `/registry/${this.info.resource}/${namespace}/${name}` : `/registry/${this.info.resource}/${name}`;
  }

  decode = decodeObject;

  private encode(obj: KubeObject): Buffer {
    const { resourceVersion: _rv, ...metadata } = obj.metadata;
    return Buffer.from(JSON.stringify({ ...obj, metadata }));
  }

  private storageError(err: unknown, name: string): never {
    if (err instanceof StorageError) {
      switch (err.kind) {
        case 'KeyExists':
          throw newAlreadyExists(this.gr, name);
        case 'KeyNotFound':
          throw newNotFound(this.gr, name);
        case 'Conflict':
          throw newConflict(this.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
        case 'Compacted':
          throw newGone('The resourceVersion for the provided list is too old.');
        case 'Unavailable':
          throw newServiceUnavailable(err.message);
      }
    }
    if (err instanceof StatusError) throw err;
    throw newInternal(err);
  }

  /** checkBody validates the shape of an incoming object and fills apiVersion/kind. */
  private checkBody(body: unknown, namespace: string | undefined, ctx: RequestContext): { obj: KubeObject; errors: FieldError[] } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw newBadRequest('the request body must be a JSON or YAML object');
    // apiVersion and kind first, as Kubernetes serializes objects.
    const { apiVersion: bodyVersion, kind: bodyKind, ...fields } = body as KubeObject;
    const obj = { apiVersion: bodyVersion, kind: bodyKind, ...fields } as KubeObject;
    if (obj.kind !== undefined && obj.kind !== this.info.kind) {
      throw newBadRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${this.apiVersion}) or kind "${String(obj.kind)}" does not match "${this.info.kind}"`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== this.apiVersion) {
      throw newBadRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${this.apiVersion})`);
    }
    obj.apiVersion = this.apiVersion;
    obj.kind = this.info.kind;
    if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) obj.metadata = {};
    let errors = structuralErrors(this.info.schema, obj);
    if (errors.length && ctx.fieldValidation !== 'Strict') {
      const unknown = errors.filter((e) => e.message.startsWith('unknown field'));
      for (const e of unknown) {
        pruneField(obj, e.field);
        if (ctx.fieldValidation === 'Warn') ctx.warnings.push(e.message);
      }
      errors = errors.filter((e) => !e.message.startsWith('unknown field'));
    }
    if (this.info.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace;
    } else {
      delete obj.metadata.namespace;
    }
    return { obj, errors };
  }

  private invalid(obj: KubeObject, errors: FieldError[]): StatusError {
    return newInvalid(this.info.group, this.info.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', errors);
  }

  /** create stores a new object. */
  async create(namespace: string | undefined, body: unknown, ctx: RequestContext): Promise<KubeObject> {
    // An applying manager owns what it sent, not what defaults add: keep the body as sent.
    const appliedConfig = ctx.operation === 'Apply' ? (structuredClone(body) as KubeObject) : undefined;
    const { obj, errors } = this.checkBody(body, namespace, ctx);
    if (errors.length) throw this.invalid(obj, errors);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (!meta.name) throw this.invalid(obj, [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    if (this.info.hasStatus && !this.strategy.keepStatusOnCreate) delete obj.status;
    // uid before defaults: Job defaults derive the selector from it.
    meta.uid = randomUUID();
    this.info.defaults(obj);
    this.strategy.prepareForCreate?.(obj);
    const invalid = this.info.validate(obj);
    if (invalid.length) throw this.invalid(obj, invalid);
    await this.strategy.admitCreate?.(obj, this.host, ctx);
    meta.creationTimestamp = rfc3339();
    meta.generation = 1;
    if (appliedConfig) {
      const { result } = mergeApply({ metadata: {} }, appliedConfig, this.info.schema, this.writer(ctx, 'Apply'), true);
      meta.managedFields = result!.metadata.managedFields;
    } else {
      delete meta.managedFields;
      trackUpdate(obj, undefined, this.info.schema, this.writer(ctx, 'Update'));
    }
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    if (ctx.dryRun) {
      await this.strategy.release?.(obj, this.host);
      return obj;
    }
    try {
      const rev = await this.storage.create(this.key(meta.namespace, meta.name), this.encode(obj));
      meta.resourceVersion = String(rev);
      return obj;
    } catch (err) {
      await this.strategy.release?.(obj, this.host).catch(() => undefined);
      this.storageError(err, meta.name);
    }
  }

  /** get reads one object from etcd (linearizable). */
  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    let stored;
    try {
      stored = await this.storage.get(this.key(namespace, name));
    } catch (err) {
      this.storageError(err, name);
    }
    if (!stored) throw newNotFound(this.gr, name);
    return this.decode(stored.value, stored.rev);
  }

  /** list returns the objects the filter accepts, from etcd, or from the watch cache for resourceVersion=0. */
  async list(namespace: string | undefined, opts: ListOptions): Promise<KubeList> {
    const listKind = { kind: this.info.listKind, apiVersion: this.apiVersion };
    if (opts.resourceVersion === '0' && !opts.continueToken) {
      await this.cache.start();
      const { items, rev } = this.cache.list(opts.filter);
      return { ...listKind, metadata: { resourceVersion: String(rev) }, items };
    }
    let rev: number | undefined;
    let startKey: string | undefined;
    if (opts.continueToken) {
      const token = decodeContinue(opts.continueToken);
      rev = token.rev;
      startKey = token.start;
    } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
      const n = Number(opts.resourceVersion);
      if (!Number.isInteger(n) || n < 0) throw newBadRequest(`invalid resourceVersion: ${opts.resourceVersion}`);
    }
    const prefix = this.prefix(namespace);
    const items: KubeObject[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    let more = false;
    let lastKey: string | undefined;
    try {
      // Read pages at one revision (etcd's header carries the current revision, so keep the
      // first one) until the filter has accepted `limit` objects and one more key exists.
      outer: while (true) {
        const page = await this.storage.list(prefix, { revision: rev, limit: limit ? limit + 1 : 0, startKey });
        rev ??= page.revision;
        for (const kv of page.items) {
          if (limit && items.length === limit) {
            more = true;
            break outer;
          }
          lastKey = kv.key;
          const obj = this.decode(kv.value, kv.rev);
          if (opts.filter(obj)) items.push(obj);
        }
        if (!page.more || !lastKey) break;
        startKey = lastKey + '\0';
      }
    } catch (err) {
      this.storageError(err, '');
    }
    const metadata: KubeList['metadata'] = { resourceVersion: String(rev) };
    if (more && lastKey) metadata.continue = encodeContinue(rev!, lastKey + '\0');
    return { ...listKind, metadata, items };
  }

  /** update replaces an object (PUT), or only its status with subresource 'status'. */
  async update(namespace: string | undefined, name: string, body: unknown, ctx: RequestContext, subresource?: string): Promise<KubeObject> {
    const { obj, errors } = this.checkBody(body, namespace, ctx);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw newBadRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    obj.metadata.name = name;
    if (errors.length) throw this.invalid(obj, errors);
    return this.write(namespace, name, ctx, subresource, obj.metadata.resourceVersion, () => obj);
  }

  /** patch applies a patch to the current object and writes it, retrying when it races another write. */
  async patch(namespace: string | undefined, name: string, type: PatchType, patchBody: unknown, ctx: RequestContext, subresource?: string): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.write(namespace, name, ctx, subresource, undefined, (current) => {
          const doc = this.strategy.patchView?.(current, subresource) ?? current;
          let patched: unknown;
          if (type === 'json') patched = applyJsonPatch(doc, patchBody);
          else if (type === 'merge') patched = applyMergePatch(doc, patchBody);
          else patched = applyStrategicMergePatch(doc, patchBody, this.info.schema as Schema);
          const { obj, errors } = this.checkBody(patched, namespace, ctx);
          if (errors.length) throw this.invalid(obj, errors);
          if (obj.metadata.name !== name) throw newBadRequest('metadata.name may not be changed by a patch');
          return obj;
        });
      } catch (err) {
        // A patch without a resourceVersion in it is not a conditional write: retry on a lost race.
        const conditional = typeof patchBody === 'object' && patchBody !== null && (patchBody as KubeObject).metadata?.resourceVersion !== undefined;
        if (err instanceof StatusError && err.reason === 'Conflict' && !conditional && attempt < 5) continue;
        throw err;
      }
    }
  }

  /**
   * write is the read-modify-write cycle shared by update and patch: read the current object,
   * build the new one, keep what the client may not change, validate, and compare-and-swap.
   */
  private async write(
    namespace: string | undefined,
    name: string,
    ctx: RequestContext,
    subresource: string | undefined,
    precondition: string | undefined,
    build: (current: KubeObject) => KubeObject,
  ): Promise<KubeObject> {
    let stored;
    try {
      stored = await this.storage.get(this.key(namespace, name));
    } catch (err) {
      this.storageError(err, name);
    }
    if (!stored) throw newNotFound(this.gr, name);
    const current = this.decode(stored.value, stored.rev);
    if (precondition && precondition !== current.metadata.resourceVersion) {
      throw newConflict(this.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const incoming = build(structuredClone(current));
    if (incoming.metadata.uid && incoming.metadata.uid !== current.metadata.uid) {
      throw newConflict(this.gr, name, `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    const next = this.strategy.prepareForUpdate(incoming, current, subresource, this.info);
    // Metadata the server owns (clients may echo it back reformatted, e.g. timestamps with milliseconds).
    next.metadata.uid = current.metadata.uid;
    next.metadata.creationTimestamp = current.metadata.creationTimestamp;
    next.metadata.namespace = current.metadata.namespace;
    next.metadata.name = current.metadata.name;
    if (current.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      next.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
    } else {
      delete next.metadata.deletionTimestamp;
      delete next.metadata.deletionGracePeriodSeconds;
    }
    this.info.defaults(next);
    const errors = [...this.info.validate(next), ...(this.info.validateUpdate?.(next, current) ?? [])];
    if (errors.length) throw this.invalid(next, errors);
    next.metadata.generation = current.metadata.generation ?? 1;
    if (specChanged(current, next)) next.metadata.generation += 1;
    if (ctx.operation !== 'Apply') {
      // Clients can't write managedFields directly; the server works them out from the change.
      next.metadata.managedFields = current.metadata.managedFields;
      trackUpdate(next, current, this.info.schema, this.writer(ctx, 'Update', subresource));
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (deepEqual(current, next)) return current; // a no-op write does not bump the resourceVersion
    if (ctx.dryRun) return next;
    try {
      if (next.metadata.deletionTimestamp && this.strategy.readyToDelete(next)) {
        const rev = await this.storage.delete(this.key(namespace, name), stored.rev);
        await this.strategy.release?.(next, this.host);
        next.metadata.resourceVersion = String(rev);
        return next;
      }
      const rev = await this.storage.update(this.key(namespace, name), this.encode(next), stored.rev);
      next.metadata.resourceVersion = String(rev);
      return next;
    } catch (err) {
      this.storageError(err, name);
    }
  }

  /**
   * delete removes an object, or marks it for deletion (deletionTimestamp) while finalizers or a
   * grace period hold it. Returns the object and whether it is gone already.
   */
  async delete(namespace: string | undefined, name: string, options: DeleteOptions, ctx: RequestContext): Promise<{ object: KubeObject; gone: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(namespace, name);
      if (options.preconditions?.uid && options.preconditions.uid !== current.metadata.uid) {
        throw newConflict(this.gr, name, `Precondition failed: UID in precondition: ${options.preconditions.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (options.preconditions?.resourceVersion && options.preconditions.resourceVersion !== current.metadata.resourceVersion) {
        throw newConflict(this.gr, name, `Precondition failed: ResourceVersion in precondition: ${options.preconditions.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      const next = structuredClone(current);
      const finalizers = new Set(next.metadata.finalizers ?? []);
      if (options.propagationPolicy === 'Foreground') {
        finalizers.delete('orphan');
        finalizers.add('foregroundDeletion');
      } else if (options.propagationPolicy === 'Orphan') {
        finalizers.delete('foregroundDeletion');
        finalizers.add('orphan');
      }
      const grace = this.strategy.gracePeriod?.(next, options);
      const candidate = { ...next, metadata: { ...next.metadata, finalizers: [...finalizers], deletionGracePeriodSeconds: grace ?? 0 } };
      const hold = (grace ?? 0) > 0 || !this.strategy.readyToDelete(candidate);
      try {
        if (!hold) {
          if (ctx.dryRun) return { object: current, gone: true };
          const rev = await this.storage.delete(this.key(namespace, name), Number(current.metadata.resourceVersion));
          await this.strategy.release?.(current, this.host);
          return { object: { ...current, metadata: { ...current.metadata, resourceVersion: String(rev) } }, gone: true };
        }
        if (finalizers.size) next.metadata.finalizers = [...finalizers];
        const now = new Date();
        if (!next.metadata.deletionTimestamp) {
          next.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + (grace ?? 0) * 1000));
          next.metadata.deletionGracePeriodSeconds = grace ?? 0;
        } else if (grace !== undefined && grace < (next.metadata.deletionGracePeriodSeconds ?? 0)) {
          // A shorter grace period may shorten a pending deletion, never lengthen it.
          next.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
          next.metadata.deletionGracePeriodSeconds = grace;
        }
        this.strategy.prepareForDelete?.(next);
        if (deepEqual(current, next) || ctx.dryRun) return { object: next, gone: false };
        const rev = await this.storage.update(this.key(namespace, name), this.encode(next), Number(current.metadata.resourceVersion));
        next.metadata.resourceVersion = String(rev);
        return { object: next, gone: false };
      } catch (err) {
        if (err instanceof StorageError && err.kind === 'Conflict' && attempt < 5) continue;
        if (err instanceof StorageError && err.kind === 'KeyNotFound') throw newNotFound(this.gr, name);
        this.storageError(err, name);
      }
    }
  }

  private writer(ctx: RequestContext, operation: 'Apply' | 'Update', subresource?: string): Writer {
    const w: Writer = { manager: ctx.manager ?? ctx.fieldManager ?? 'unknown', operation, apiVersion: this.apiVersion, time: rfc3339() };
    if (subresource === 'status') w.subresource = 'status';
    return w;
  }

  /**
   * apply is server-side apply: the body is the manager's whole intent. Fields it sets are
   * merged in (409 when another manager owns one with a different value, unless force);
   * fields it applied before and no longer does are removed if no one else owns them.
   */
  async apply(namespace: string | undefined, name: string, body: unknown, ctx: RequestContext): Promise<{ object: KubeObject; created: boolean }> {
    if (!ctx.fieldManager) throw newBadRequest('PATCH, application/apply-patch+yaml requests require a fieldManager');
    const applyCtx: RequestContext = { ...ctx, operation: 'Apply', manager: ctx.fieldManager };
    const { obj: applied, errors } = this.checkBody(structuredClone(body), namespace, applyCtx);
    if (applied.metadata.name !== undefined && applied.metadata.name !== name) {
      throw newBadRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    applied.metadata.name = name;
    if (errors.length) throw this.invalid(applied, errors);
    for (let attempt = 0; ; attempt++) {
      try {
        const object = await this.write(namespace, name, applyCtx, undefined, undefined, (current) => {
          const { result, conflicts } = mergeApply(current, applied, this.info.schema, this.writer(applyCtx, 'Apply'), Boolean(ctx.force));
          if (!result) throw applyConflict(this.gr, name, conflicts);
          return result as KubeObject;
        });
        return { object, created: false };
      } catch (err) {
        if (err instanceof StatusError && err.reason === 'NotFound') {
          try {
            return { object: await this.create(namespace, applied, applyCtx), created: true };
          } catch (createErr) {
            if (createErr instanceof StatusError && createErr.reason === 'AlreadyExists' && attempt < 5) continue;
            throw createErr;
          }
        }
        const fieldConflict = err instanceof StatusError && err.status.details?.causes?.some((c) => c.reason === 'FieldManagerConflict');
        if (err instanceof StatusError && err.reason === 'Conflict' && !fieldConflict && attempt < 5) continue;
        throw err;
      }
    }
  }

  /** watch attaches a client watch to the cache. */
  async watch(fromRev: number, filter: WatchFilter, sink: WatchSink): Promise<CacheWatcher> {
    await this.cache.start();
    return this.cache.watch(fromRev, filter, sink);
  }
}

/** decodeObject turns a stored value into an object whose resourceVersion is its revision. */
export function decodeObject(value: Buffer, rev: number): KubeObject {
  const obj = JSON.parse(value.toString()) as KubeObject;
  obj.metadata.resourceVersion = String(rev);
  return obj;
}

function applyConflict(gr: GroupResource, name: string, conflicts: { manager: string; apiVersion: string; path: string }[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: displayPath(c.path) }));
  const list = causes.map((c) => `${c.message}: ${c.field}`).join('\n- ');
  const message = conflicts.length === 1 ? `Apply failed with 1 conflict: ${list}` : `Apply failed with ${conflicts.length} conflicts: \n- ${list}`;
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Conflict', details: { name, group: gr.group, kind: gr.resource, causes }, code: 409 });
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytes(5);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

const SPEC_EXEMPT = new Set(['metadata', 'status', 'apiVersion', 'kind']);

// specChanged tells whether anything but metadata and status changed: that bumps generation.
function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => Object.fromEntries(Object.entries(o).filter(([k]) => !SPEC_EXEMPT.has(k)));
  return !deepEqual(strip(a), strip(b));
}

function encodeContinue(rev: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'skiff/1', rv: rev, start })).toString('base64url');
}

function decodeContinue(token: string): { rev: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString()) as { rv: number; start: string };
    if (typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad token');
    return { rev: t.rv, start: t.start };
  } catch {
    throw newBadRequest('continue key is not valid: the continue token is malformed');
  }
}

// pruneField removes an unknown field named by a path like "spec.template.spec.foo" or "spec.containers[0].bar".
function pruneField(obj: unknown, path: string): void {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  let cur: unknown = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string, unknown>)[parts[i]];
  }
  if (cur && typeof cur === 'object') delete (cur as Record<string, unknown>)[parts[parts.length - 1]];
}
