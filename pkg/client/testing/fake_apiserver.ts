// fake_apiserver.ts: an in-memory API server for client tests, speaking the same REST shapes as
// Skiff's real one (paths, lists with resourceVersion/continue, chunked NDJSON watches, Status
// errors, patches, subresources). It knows nothing of kinds: any resource path works. Tests
// drive its failure modes: compaction (410), bookmarks, closed or dropped watches, restarts,
// and injected faults.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import jsonpatch from 'fast-json-patch';
import yaml from 'js-yaml';
import {
  type Status,
  type StatusError,
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newGone,
  newNotFound,
  newUnsupportedMediaType,
} from '../../api/errors.js';
import type { KubeObject, WatchEvent, WatchEventType } from '../../api/meta.js';
import { fieldMatcher, selectorMatcher } from '../selector.js';

/** Fault is what an injected failure does to a request: answer with a status, cut the connection, or never answer. */
export type Fault = { status: number; body?: unknown; retryAfterSeconds?: number } | { reset: true } | { hang: true };

/** RecordedRequest is one request the fake served (for assertions). */
export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

interface Target {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

interface Watcher {
  resourceKey: string;
  namespace?: string;
  labels: (l: Record<string, string> | undefined) => boolean;
  fields: (o: unknown) => boolean;
  bookmarks: boolean;
  raw: ServerResponse;
  timer?: NodeJS.Timeout;
}

interface HistoryEntry {
  rv: number;
  resourceKey: string;
  type: WatchEventType;
  object: KubeObject;
}

/** FakeApiServer is the in-memory API server; start() it, point a RestClient at url, stop() it. */
export class FakeApiServer {
  /** requests lists every request served, oldest first. */
  readonly requests: RecordedRequest[] = [];
  /** logs holds the text served by pods/NAME/log, keyed "namespace/name". */
  readonly logs = new Map<string, string>();
  private readonly store = new Map<string, Map<string, KubeObject>>();
  private readonly kinds = new Map<string, { apiVersion: string; kind: string }>();
  private history: HistoryEntry[] = [];
  private compactedRv = 0;
  private rv = 1;
  private watchers = new Set<Watcher>();
  private app?: FastifyInstance;
  private faults: ((req: RecordedRequest) => Fault | undefined)[] = [];
  private port = 0;
  private readonly hung = new Set<Socket>();

  /** url is the base URL (valid while started). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** revision is the current resourceVersion of the whole store. */
  get revision(): string {
    return String(this.rv);
  }

  /** watchCount is the number of open watch streams. */
  get watchCount(): number {
    return this.watchers.size;
  }

  /** start listens on 127.0.0.1 (on the previous port after a stop, so clients can reconnect). */
  async start(port = this.port): Promise<string> {
    const app = Fastify({ forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: '/*',
      handler: (req, reply) => this.handle(req, reply),
    });
    await app.listen({ host: '127.0.0.1', port });
    const address = app.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    this.app = app;
    return this.url;
  }

  /** stop closes every connection (watches included) and stops listening: the server "goes away". */
  async stop(): Promise<void> {
    for (const w of this.watchers) this.endWatch(w, true);
    for (const socket of this.hung) socket.destroy();
    await this.app?.close();
    this.app = undefined;
  }

  /** inject adds a fault rule; it is consulted for every request until it returns undefined... forever. */
  inject(rule: (req: RecordedRequest) => Fault | undefined): void {
    this.faults.push(rule);
  }

  /** failNext makes the next n requests matching `match` fail with fault. */
  failNext(n: number, fault: Fault, match: (req: RecordedRequest) => boolean = () => true): void {
    let left = n;
    this.inject((req) => (left > 0 && match(req) ? (left--, fault) : undefined));
  }

  /** clearFaults removes every fault rule. */
  clearFaults(): void {
    this.faults = [];
  }

  /** objects lists the stored objects of a resource ("group/version/resource"; core is "/v1/pods"). */
  objects(resourceKey: string): KubeObject[] {
    return [...(this.store.get(resourceKey)?.values() ?? [])];
  }

  /** seed stores an object directly (as a create or update would), emitting the watch event. */
  seed(resourceKey: string, obj: KubeObject): KubeObject {
    const items = this.collection(resourceKey);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name ?? '');
    const existing = items.get(key);
    const stored = structuredClone(obj);
    stored.metadata.uid ??= existing?.metadata.uid ?? randomUUID();
    stored.metadata.creationTimestamp ??= existing?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.rememberKind(resourceKey, stored);
    return this.commit(resourceKey, existing ? 'MODIFIED' : 'ADDED', stored);
  }

  /** remove deletes an object directly, emitting DELETED. */
  remove(resourceKey: string, namespace: string | undefined, name: string): void {
    const items = this.collection(resourceKey);
    const existing = items.get(objectKey(namespace, name));
    if (existing) this.commit(resourceKey, 'DELETED', structuredClone(existing));
  }

  /** compact forgets history: watches from any older resourceVersion get 410 Expired. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  /** sendBookmarks sends a BOOKMARK at the current revision to every watch that asked for them. */
  sendBookmarks(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      const kind = this.kinds.get(w.resourceKey);
      this.write(w, { type: 'BOOKMARK', object: { ...kind, metadata: { resourceVersion: this.revision } } as KubeObject });
    }
  }

  /** closeWatches ends every watch stream cleanly, as a server-side timeout does. */
  closeWatches(): void {
    for (const w of this.watchers) this.endWatch(w, false);
  }

  /** dropWatches cuts every watch connection mid-stream. */
  dropWatches(): void {
    for (const w of this.watchers) this.endWatch(w, true);
  }

  private collection(resourceKey: string): Map<string, KubeObject> {
    let m = this.store.get(resourceKey);
    if (!m) this.store.set(resourceKey, (m = new Map()));
    return m;
  }

  private rememberKind(resourceKey: string, obj: KubeObject): void {
    if (obj.kind && obj.apiVersion) this.kinds.set(resourceKey, { apiVersion: obj.apiVersion, kind: obj.kind });
  }

  private commit(resourceKey: string, type: WatchEventType, obj: KubeObject): KubeObject {
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    const items = this.collection(resourceKey);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name ?? '');
    if (type === 'DELETED') items.delete(key);
    else items.set(key, obj);
    const entry = { rv: this.rv, resourceKey, type, object: structuredClone(obj) };
    this.history.push(entry);
    for (const w of this.watchers) this.deliver(w, entry);
    return structuredClone(obj);
  }

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const u = new URL(req.url, 'http://fake');
    const recorded: RecordedRequest = { method: req.method, url: req.url, path: u.pathname, query: u.searchParams, headers: req.headers };
    this.requests.push(recorded);
    for (const rule of this.faults) {
      const fault = rule(recorded);
      if (!fault) continue;
      if ('reset' in fault) {
        reply.hijack();
        req.raw.socket.destroy();
        return;
      }
      if ('hang' in fault) {
        reply.hijack();
        this.hung.add(req.raw.socket);
        req.raw.socket.once('close', () => this.hung.delete(req.raw.socket));
        return;
      }
      if (fault.retryAfterSeconds !== undefined) reply.header('Retry-After', String(fault.retryAfterSeconds));
      return reply.code(fault.status).send(fault.body ?? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: fault.status, message: 'injected fault' });
    }
    try {
      const target = parsePath(u.pathname);
      if (!target) throw newNotFound({ group: '', resource: 'path' }, u.pathname);
      const body = typeof req.body === 'string' && req.body !== '' ? req.body : undefined;
      return await this.route(req, reply, target, u.searchParams, body);
    } catch (err) {
      const status = (err as StatusError).status as Status | undefined;
      if (status?.kind === 'Status') return reply.code(status.code).send(status);
      throw err;
    }
  }

  private async route(req: FastifyRequest, reply: FastifyReply, t: Target, q: URLSearchParams, body: string | undefined): Promise<unknown> {
    const resourceKey = `${t.group}/${t.version}/${t.resource}`;
    const gr = { group: t.group, resource: t.resource };
    const items = this.collection(resourceKey);
    if (t.name === undefined) {
      if (req.method === 'GET' && q.get('watch') === 'true') return this.watch(reply, resourceKey, t.namespace, q);
      if (req.method === 'GET') return this.list(resourceKey, t.namespace, q);
      if (req.method === 'POST') return reply.code(201).send(this.create(resourceKey, t, parseJson(body)));
      if (req.method === 'DELETE') {
        const doomed = this.select(resourceKey, t.namespace, q);
        for (const o of doomed) this.commit(resourceKey, 'DELETED', structuredClone(o));
        return this.listBody(resourceKey, doomed, undefined);
      }
      throw newBadRequest(`${req.method} not supported on a collection`);
    }
    const key = objectKey(t.namespace, t.name);
    const existing = items.get(key);
    const sub = t.subresource;
    if (req.method === 'POST' && sub === 'binding') return reply.code(201).send(this.bind(resourceKey, t, parseJson(body)));
    if (req.method === 'POST' && sub === 'eviction') {
      if (!existing) throw newNotFound(gr, t.name);
      this.commit(resourceKey, 'DELETED', structuredClone(existing));
      return reply.code(201).send(success(201));
    }
    if (sub === 'log' && req.method === 'GET') {
      if (!existing) throw newNotFound(gr, t.name);
      return reply.type('text/plain').send(this.logs.get(key) ?? '');
    }
    if (!existing) throw newNotFound(gr, t.name);
    if (req.method === 'GET' && sub === 'scale') return scaleOf(existing);
    if (req.method === 'GET') return existing;
    if (req.method === 'DELETE') {
      const opts = body ? (parseJson(body) as { preconditions?: { uid?: string; resourceVersion?: string } }) : {};
      if (opts.preconditions?.uid && opts.preconditions.uid !== existing.metadata.uid) throw newConflict(gr, t.name, 'the UID in the precondition does not match');
      return this.commit(resourceKey, 'DELETED', structuredClone(existing));
    }
    if (req.method === 'PUT') {
      const incoming = parseJson(body) as KubeObject;
      if (sub === 'scale') {
        const next = structuredClone(existing);
        (next as { spec?: Record<string, unknown> }).spec = { ...(existing.spec as object), replicas: (incoming.spec as { replicas?: number }).replicas };
        return scaleOf(this.commit(resourceKey, 'MODIFIED', next));
      }
      const rv = incoming.metadata?.resourceVersion;
      if (rv && rv !== existing.metadata.resourceVersion) {
        throw newConflict(gr, t.name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      let next: KubeObject;
      if (sub === 'status') next = { ...structuredClone(existing), status: incoming.status };
      else next = { ...incoming, metadata: { ...incoming.metadata, uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp } };
      if (sub !== 'status' && 'status' in existing) next.status = existing.status;
      return this.commit(resourceKey, 'MODIFIED', next);
    }
    if (req.method === 'PATCH') return this.commit(resourceKey, 'MODIFIED', applyPatch(existing, req.headers['content-type'] ?? '', body ?? ''));
    throw newBadRequest(`${req.method} not supported`);
  }

  private create(resourceKey: string, t: Target, obj: unknown): KubeObject {
    const o = structuredClone(obj) as KubeObject;
    if (!o || typeof o !== 'object' || !o.metadata) throw newBadRequest('metadata is required');
    if (t.namespace) o.metadata.namespace = t.namespace;
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + randomUUID().slice(0, 5);
    if (!o.metadata.name) throw newBadRequest('metadata.name is required');
    if (this.collection(resourceKey).has(objectKey(o.metadata.namespace, o.metadata.name))) {
      throw newAlreadyExists({ group: t.group, resource: t.resource }, o.metadata.name);
    }
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.rememberKind(resourceKey, o);
    return this.commit(resourceKey, 'ADDED', o);
  }

  private bind(resourceKey: string, t: Target, binding: unknown): Status {
    const b = binding as { target?: { name?: string }; metadata?: { uid?: string } };
    const gr = { group: t.group, resource: t.resource };
    const pod = this.collection(resourceKey).get(objectKey(t.namespace, t.name ?? ''));
    if (!pod) throw newNotFound(gr, t.name ?? '');
    if (b.metadata?.uid && b.metadata.uid !== pod.metadata.uid) throw newConflict(gr, t.name ?? '', 'uid precondition failed');
    const spec = (pod.spec ?? {}) as { nodeName?: string };
    if (spec.nodeName) throw newConflict(gr, t.name ?? '', `pod ${t.name} is already assigned to node "${spec.nodeName}"`);
    const next = structuredClone(pod);
    next.spec = { ...spec, nodeName: b.target?.name };
    this.commit(resourceKey, 'MODIFIED', next);
    return success(201);
  }

  private select(resourceKey: string, namespace: string | undefined, q: URLSearchParams): KubeObject[] {
    const labels = selectorMatcher(q.get('labelSelector') ?? undefined);
    const fields = fieldMatcher(q.get('fieldSelector') ?? undefined);
    return [...this.collection(resourceKey).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o)
      .filter((o) => (!namespace || o.metadata.namespace === namespace) && labels(o.metadata.labels) && fields(o));
  }

  private list(resourceKey: string, namespace: string | undefined, q: URLSearchParams): unknown {
    let all = this.select(resourceKey, namespace, q);
    let rv = this.rv;
    const token = q.get('continue');
    if (token) {
      const { after, rv: listRv } = JSON.parse(Buffer.from(token, 'base64url').toString()) as { after: string; rv: number };
      if (listRv < this.compactedRv) throw newGone('The provided continue parameter is too old to display a consistent list result.');
      all = all.filter((o) => objectKey(o.metadata.namespace, o.metadata.name ?? '') > after);
      rv = listRv;
    }
    const limit = Number(q.get('limit') ?? 0);
    let next: string | undefined;
    if (limit > 0 && all.length > limit) {
      all = all.slice(0, limit);
      const last = all[all.length - 1];
      next = Buffer.from(JSON.stringify({ after: objectKey(last.metadata.namespace, last.metadata.name ?? ''), rv })).toString('base64url');
    }
    return this.listBody(resourceKey, all, next, rv);
  }

  private listBody(resourceKey: string, items: KubeObject[], next: string | undefined, rv = this.rv): unknown {
    const kind = this.kinds.get(resourceKey);
    const [group, version] = resourceKey.split('/');
    const metadata: Record<string, string> = { resourceVersion: String(rv) };
    if (next) metadata.continue = next;
    return {
      kind: kind ? `${kind.kind}List` : 'List',
      apiVersion: group ? `${group}/${version}` : version,
      metadata,
      items,
    };
  }

  private watch(reply: FastifyReply, resourceKey: string, namespace: string | undefined, q: URLSearchParams): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    raw.flushHeaders(); // as the real API server does: a quiet watch is not a slow response
    const w: Watcher = {
      resourceKey,
      namespace,
      labels: selectorMatcher(q.get('labelSelector') ?? undefined),
      fields: fieldMatcher(q.get('fieldSelector') ?? undefined),
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      raw,
    };
    const from = q.get('resourceVersion');
    if (from && from !== '0' && Number(from) < this.compactedRv) {
      const expired = newGone(`too old resource version: ${from} (${this.compactedRv})`).status;
      raw.end(JSON.stringify({ type: 'ERROR', object: expired }) + '\n');
      return;
    }
    this.watchers.add(w);
    raw.on('close', () => this.endWatch(w, false));
    if (!from || from === '0') {
      for (const o of this.select(resourceKey, namespace, q)) this.write(w, { type: 'ADDED', object: o });
    } else {
      for (const e of this.history) if (e.rv > Number(from)) this.deliver(w, e);
    }
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0) w.timer = setTimeout(() => this.endWatch(w, false), timeout * 1000);
  }

  private deliver(w: Watcher, e: HistoryEntry): void {
    if (e.resourceKey !== w.resourceKey) return;
    if (w.namespace && e.object.metadata.namespace !== w.namespace) return;
    if (!w.labels(e.object.metadata.labels) || !w.fields(e.object)) return;
    this.write(w, { type: e.type, object: e.object });
  }

  private write(w: Watcher, ev: WatchEvent): void {
    if (!w.raw.writableEnded) w.raw.write(JSON.stringify(ev) + '\n');
  }

  private endWatch(w: Watcher, abrupt: boolean): void {
    if (!this.watchers.delete(w)) return;
    clearTimeout(w.timer);
    if (abrupt) w.raw.socket?.destroy();
    else if (!w.raw.writableEnded) w.raw.end();
  }
}

function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function parsePath(pathname: string): Target | undefined {
  const segs = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) [group, version, rest] = ['', segs[1], segs.slice(2)];
  else if (segs[0] === 'apis' && segs.length >= 4) [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
  else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    return { group, version, namespace: rest[1], resource: rest[2], name: rest[3], subresource: rest[4] };
  }
  return { group, version, resource: rest[0], name: rest[1], subresource: rest[2] };
}

function parseJson(body: string | undefined): unknown {
  if (body === undefined) throw newBadRequest('a body is required');
  try {
    return JSON.parse(body);
  } catch (err) {
    throw newBadRequest(`invalid JSON: ${(err as Error).message}`);
  }
}

function success(code: number): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

function scaleOf(obj: KubeObject): unknown {
  const spec = (obj.spec ?? {}) as { replicas?: number };
  const status = (obj.status ?? {}) as { replicas?: number };
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, resourceVersion: obj.metadata.resourceVersion, uid: obj.metadata.uid },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0 },
  };
}

function applyPatch(existing: KubeObject, contentType: string, body: string): KubeObject {
  const type = contentType.split(';')[0].trim();
  let next: KubeObject;
  if (type === 'application/json-patch+json') {
    next = jsonpatch.applyPatch(structuredClone(existing), parseJson(body) as jsonpatch.Operation[], true, false).newDocument;
  } else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
    next = mergePatch(existing, parseJson(body)) as KubeObject;
  } else if (type === 'application/apply-patch+yaml') {
    next = mergePatch(existing, yaml.load(body)) as KubeObject;
  } else {
    throw newUnsupportedMediaType(type);
  }
  const rv = next.metadata?.resourceVersion;
  if (rv && rv !== existing.metadata.resourceVersion) {
    throw newConflict({ group: '', resource: 'object' }, existing.metadata.name ?? '', 'the object has been modified');
  }
  return next;
}

/** mergePatch applies an RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? structuredClone(target as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
