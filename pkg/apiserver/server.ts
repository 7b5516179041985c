// server.ts: the HTTP face of the API server. Paths, verbs, content negotiation and watch
// streams follow the Kubernetes REST conventions; every error is a Status.
//
//   request ──► route (group/version/namespace/resource/name/subresource) ──► verb handler
//           ──► ResourceStore (registry.ts) ──► Storage (etcd) / WatchCache ──► JSON | Table
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import yaml from 'js-yaml';
import pino, { type Logger } from 'pino';
import type { ServerResponse } from 'node:http';
import {
  StatusError,
  newBadRequest,
  newInternal,
  newMethodNotAllowed,
  newTooLarge,
  newUnsupportedMediaType,
  newConflict,
  newServiceUnavailable,
  isConflict,
  type Status,
} from '../api/errors.js';
import { parseFieldSelector, FieldSelectorParseError } from '../api/fields.js';
import { parseSelector, SelectorParseError } from '../api/labels.js';
import type { DeleteOptions, KubeObject } from '../api/meta.js';
import { allKinds, apiVersionOf, kindForResource, type KindInfo } from '../api/scheme.js';
import { decodeProtobufObject, ProtobufError, protobufMediaType } from '../api/protobuf/decode.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { ApiMetrics } from './metrics.js';
import { openapiGroupVersionDoc, openapiRoot, openapiV2 } from './openapi.js';
import { relayUpgrade, resolveAgent, streamLogs, writeUpgradeError } from './podproxy.js';
import { nodePortAllocator, parseCidr, serviceIPAllocator } from './allocator.js';
import { applyJsonPatch, applyMergePatch, patchTypeOf } from './patch.js';
import { ResourceStore, decodeObject, type RequestContext, type RegistryHost } from './registry.js';
import { Storage } from './storage.js';
import { strategyFor } from './strategy.js';
import { toTable } from './tables.js';
import { WatchCache, type WatchFilter } from './watchcache.js';

/** BODY_LIMIT is the largest request body accepted: etcd's default request limit. */
export const BODY_LIMIT = 1.5 * 1024 * 1024;

/** SERVER_VERSION is what /version reports: the Kubernetes API level Skiff follows. */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+skiff-0.1.0',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '2026-11-25T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

/** ApiServerOptions configures an API server. */
export interface ApiServerOptions {
  etcdEndpoints: string[];
  logger?: Logger;
  /** watchCacheCapacity is the number of events each resource keeps for resuming watches. */
  watchCacheCapacity?: number;
  /** bookmarkIntervalMs: how often watches that allow bookmarks get one. */
  bookmarkIntervalMs?: number;
  /** serviceCidr is the range ClusterIPs come from (default 10.43.0.0/16). */
  serviceCidr?: string;
}

/** EXTENSION_GROUP is the API group served by in-process extensions (see registerExtension). */
export const EXTENSION_GROUP = 'skiff.dev';

/** ExtensionRequest is what an extension handler is given: path parameters, query and the parsed body. */
export interface ExtensionRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

/** ExtensionResponse is a status code and a JSON body (an object or a v1 Status). */
export interface ExtensionResponse {
  code: number;
  body: unknown;
}

/** ExtensionHandler answers requests for one registered method and path. */
export type ExtensionHandler = (req: ExtensionRequest) => ExtensionResponse | Promise<ExtensionResponse>;

interface Extension {
  method: string;
  /** segments of the pattern; "{x}" segments capture parameter x. */
  segments: string[];
  handler: ExtensionHandler;
}

interface Route {
  info: KindInfo;
  store: ResourceStore;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** ApiServer is a running (or ready to run) Skiff API server. */
export class ApiServer implements RegistryHost {
  readonly app: FastifyInstance;
  readonly storage: Storage;
  readonly metrics = new ApiMetrics();
  readonly log: Logger;
  private readonly stores = new Map<string, ResourceStore>();
  private readonly openWatches = new Set<() => void>();
  private readonly extensions: Extension[] = [];
  private address = '';
  readonly allocators: RegistryHost['allocators'];

  constructor(private readonly opts: ApiServerOptions) {
    this.log = (opts.logger ?? pino({ level: 'info' })).child({ component: 'apiserver' });
    this.storage = new Storage(opts.etcdEndpoints);
    const serviceCidr = opts.serviceCidr ?? '10.43.0.0/16';
    this.allocators = {
      serviceIPs: serviceIPAllocator(this.storage, serviceCidr),
      nodePorts: nodePortAllocator(this.storage),
      serviceCidr: { cidr: serviceCidr, ...parseCidr(serviceCidr) },
    };
    for (const info of allKinds()) {
      const prefix = `/registry/${info.resource}/`;
      const cache = new WatchCache(this.storage, prefix, decodeObject, this.log, opts.watchCacheCapacity);
      const store = new ResourceStore(info, this.storage, cache, strategyFor(info), this);
      this.stores.set(`${info.group}/${info.resource}`, store);
    }
    this.app = Fastify({ logger: false, bodyLimit: BODY_LIMIT, routerOptions: { maxParamLength: 1000 }, forceCloseConnections: true, return503OnClosing: false });
    this.setup();
  }

  /** store returns the store of a resource. */
  store(resource: string, group = ''): ResourceStore | undefined {
    return this.stores.get(`${group}/${resource}`);
  }

  /** listen starts serving on host:port; resolves with the base URL. */
  async listen(host = '127.0.0.1', port = 6443): Promise<string> {
    await Promise.all([...this.stores.values()].map((s) => s.cache.start()));
    await this.app.listen({ host, port });
    const addr = this.app.server.address();
    const actualPort = typeof addr === 'object' && addr ? addr.port : port;
    this.address = `${host}:${actualPort}`;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
    this.log.info({ url }, 'API server listening');
    return url;
  }

  /**
   * registerExtension serves METHOD PATTERN (e.g. "/apis/skiff.dev/v1/namespaces/{namespace}/pods/{name}/why")
   * from a component in this process, also after listen (fastify cannot add routes then).
   * Patterns live under /apis/skiff.dev/; while none is registered, that group answers 503, as
   * Kubernetes answers for an aggregated APIService whose backend is unavailable. Returns a
   * function that unregisters the handler.
   */
  registerExtension(method: string, pattern: string, handler: ExtensionHandler): () => void {
    const segments = pattern.split('/').filter(Boolean);
    if (segments[0] !== 'apis' || segments[1] !== EXTENSION_GROUP) throw new Error(`extension paths must start with /apis/${EXTENSION_GROUP}/, got ${pattern}`);
    const ext: Extension = { method: method.toUpperCase(), segments, handler };
    this.extensions.push(ext);
    return () => {
      const i = this.extensions.indexOf(ext);
      if (i >= 0) this.extensions.splice(i, 1);
    };
  }

  /** compact discards etcd history up to rev and lets watch caches forget it (watches from before get 410). */
  async compact(rev?: number): Promise<number> {
    const target = rev ?? (await this.storage.currentRevision());
    await this.storage.compact(target);
    for (const s of this.stores.values()) s.cache.compacted(target);
    return target;
  }

  /** close stops watches, the HTTP server and the etcd client. */
  async close(): Promise<void> {
    for (const end of this.openWatches) end();
    await this.app.close();
    await Promise.all([...this.stores.values()].map((s) => s.cache.stop()));
    this.storage.close();
  }

  private setup(): void {
    const app = this.app;
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (req, body, done) => {
      try {
        done(null, parseBody(String(req.headers['content-type'] ?? 'application/json'), body as Buffer));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    app.setErrorHandler((err: unknown, _req, reply) => {
      const e = err as { code?: string; statusCode?: number; message?: string };
      let status: StatusError;
      if (err instanceof StatusError) status = err;
      else if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') status = newTooLarge(BODY_LIMIT);
      else if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.statusCode === 400) status = newBadRequest(e.message ?? 'bad request');
      else {
        this.log.error({ err }, 'internal error');
        status = newInternal(err);
      }
      void reply.code(status.code).type('application/json').send(status.status);
    });
    app.setNotFoundHandler((req, reply) => {
      void reply.code(404).send(notFoundStatus(req.url));
    });
    app.addHook('onResponse', async (req, reply) => {
      const r = (req as FastifyRequest & { skiffRoute?: { verb: string; resource: string; subresource: string } }).skiffRoute;
      if (!r || r.verb === 'WATCH') return;
      this.metrics.requests.inc({ verb: r.verb, resource: r.resource, subresource: r.subresource, code: String(reply.statusCode) });
      this.metrics.latency.observe({ verb: r.verb, resource: r.resource }, reply.elapsedTime / 1000);
    });

    app.server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
    app.get('/healthz', async (_req, reply) => reply.type('text/plain').send('ok'));
    app.get('/livez', async (_req, reply) => reply.type('text/plain').send('ok'));
    app.get('/readyz', async (_req, reply) => {
      try {
        await this.storage.currentRevision();
        return reply.type('text/plain').send('ok');
      } catch (err) {
        return reply.code(503).type('text/plain').send(`etcd not reachable: ${(err as Error).message}`);
      }
    });
    app.get('/metrics', async (_req, reply) => {
      for (const [key, s] of this.stores) {
        const resource = key.split('/')[1];
        this.metrics.cachedObjects.set({ resource }, s.cache.size);
        this.metrics.watchers.set({ resource }, s.cache.watcherCount);
      }
      return reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
    });
    app.get('/version', async () => SERVER_VERSION);
    app.get('/api', async () => apiVersions(this.address));
    app.get('/apis', async () => apiGroupList(allKinds()));
    app.get('/openapi/v2', async (req, reply) => {
      const doc = openapiV2(String(req.headers.accept ?? ''));
      return reply.type(doc.type).send(doc.body);
    });
    app.get('/openapi/v3', async () => openapiRoot(allKinds()));
    app.get('/openapi/v3/*', async (req, reply) => {
      const parts = new URL(req.url, 'http://x').pathname.split('/').filter(Boolean).slice(2);
      const [group, version] = parts[0] === 'api' ? ['', parts[1]] : [parts[1], parts[2]];
      const doc = openapiGroupVersionDoc(allKinds(), group, version);
      return doc ?? reply.code(404).send(notFoundStatus(req.url));
    });
    app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/api/*', handler: (req, reply) => this.handle(req, reply) });
    app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/apis/*', handler: (req, reply) => this.handle(req, reply) });
  }

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const url = new URL(req.url, 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      group = '';
      version = parts[1];
      rest = parts.slice(2);
      if (version !== 'v1') return reply.code(404).send(notFoundStatus(url.pathname));
    } else {
      group = parts[1];
      version = parts[2];
      rest = parts.slice(3);
      if (group === EXTENSION_GROUP) return this.serveExtension(req, reply, parts, url);
      if (!version) {
        const doc = apiGroup(allKinds(), group);
        return doc ? doc : reply.code(404).send(notFoundStatus(url.pathname));
      }
    }
    if (rest.length === 0) {
      if (req.method !== 'GET') throw newMethodNotAllowed({ group, resource: '' }, req.method);
      const doc = apiResourceList(allKinds(), group, version);
      return doc ?? reply.code(404).send(notFoundStatus(url.pathname));
    }
    let watchPath = false;
    if (rest[0] === 'watch') {
      watchPath = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && kindForResource(group, version, rest[2])?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, subresource, ...extra] = rest;
    const info = kindForResource(group, version, resource);
    if (!info || extra.length) {
      if (resource === 'bindings' && namespace && req.method === 'POST' && group === '') {
        return this.bindLegacy(req, reply, namespace, url);
      }
      return reply.code(404).send(notFoundStatus(url.pathname));
    }
    const store = this.store(resource, group)!;
    if (!info.namespaced && namespace) return reply.code(404).send(notFoundStatus(url.pathname));
    const route: Route = { info, store, namespace, name, subresource };
    const q = Object.fromEntries(url.searchParams.entries());
    const ctx: RequestContext = {
      dryRun: url.searchParams.getAll('dryRun').includes('All'),
      fieldManager: q.fieldManager,
      manager: q.fieldManager || String(req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown',
      force: q.force === 'true',
      fieldValidation: q.fieldValidation === 'Ignore' ? 'Ignore' : q.fieldValidation === 'Warn' ? 'Warn' : 'Strict',
      warnings: [],
    };
    const isWatch = watchPath || q.watch === 'true' || q.watch === '1';
    const verb = this.verbOf(req.method, route, isWatch);
    (req as FastifyRequest & { skiffRoute?: unknown }).skiffRoute = { verb, resource, subresource: subresource ?? '' };
    if (subresource && !info.subresources.includes(subresource)) {
      return reply.code(404).send(notFoundStatus(url.pathname));
    }
    const send = (code: number, body: unknown) => {
      if (ctx.warnings.length) void reply.header('Warning', ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', '));
      return this.respond(req, reply, route, code, body);
    };
    switch (verb) {
      case 'LIST':
        return this.list(req, reply, route, q);
      case 'WATCH':
        return this.watch(req, reply, route, q);
      case 'GET':
        return send(200, await store.get(namespace, name));
      case 'CREATE': {
        const obj = await store.create(namespace, req.body, ctx);
        return send(201, obj);
      }
      case 'UPDATE':
        return send(200, await store.update(namespace, name, req.body, ctx, subresource));
      case 'PATCH': {
        const { object, created } = await this.patch(req, route, ctx);
        return send(created ? 201 : 200, object);
      }
      case 'DELETE': {
        const options = deleteOptionsOf(req.body, q);
        if (options.dryRun?.includes('All')) ctx.dryRun = true; // DeleteOptions may carry dryRun in the body
        const { object, gone } = await store.delete(namespace, name!, options, ctx);
        return send(gone ? 200 : 202, object);
      }
      case 'DELETECOLLECTION': {
        const options = deleteOptionsOf(req.body, q);
        if (options.dryRun?.includes('All')) ctx.dryRun = true;
        return send(200, await this.deleteCollection(route, q, options, ctx));
      }
      case 'GET_SCALE':
        return send(200, toScale(await store.get(namespace, name!)));
      case 'UPDATE_SCALE':
      case 'PATCH_SCALE':
        return send(200, await this.writeScale(req, route, ctx, verb === 'PATCH_SCALE'));
      case 'GET_STATUS':
        return send(200, await store.get(namespace, name!));
      case 'BINDING':
        return send(201, await this.bind(namespace!, name!, req.body, ctx));
      case 'LOG': {
        const target = await resolveAgent(store, this.store('nodes')!, namespace!, name!, url.searchParams.get('container'));
        reply.hijack();
        await streamLogs(target, url.searchParams, reply.raw);
        return reply;
      }
      case 'NEEDS_UPGRADE':
        throw newBadRequest(`${subresource} needs a WebSocket upgrade with the v5.channel.k8s.io subprotocol (SPDY is not supported)`);
      case 'EVICTION': {
        await store.delete(namespace, name!, deleteOptionsOf((req.body as { deleteOptions?: unknown })?.deleteOptions, {}), ctx);
        return reply.code(201).send({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      }
      default:
        throw newMethodNotAllowed({ group, resource: subresource ? `${resource}/${subresource}` : resource }, req.method);
    }
  }

  // serveExtension answers a path under /apis/skiff.dev/ from the registered extensions.
  private async serveExtension(req: FastifyRequest, reply: FastifyReply, parts: string[], url: URL): Promise<FastifyReply> {
    if (this.extensions.length === 0) {
      const err = newServiceUnavailable(`the server is currently unable to handle the request: no component in this API server's process serves ${EXTENSION_GROUP}`);
      return reply.code(err.code).send(err.status);
    }
    let pathMatched = false;
    for (const ext of this.extensions) {
      const params = matchSegments(ext.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (ext.method !== req.method) continue;
      (req as FastifyRequest & { skiffRoute?: unknown }).skiffRoute = { verb: req.method, resource: ext.segments.slice(3).filter((s) => !s.startsWith('{')).join('/'), subresource: '' };
      const res = await ext.handler({ method: req.method, params, query: url.searchParams, body: req.body });
      return reply.code(res.code).type('application/json').send(res.body);
    }
    if (pathMatched) throw newMethodNotAllowed({ group: EXTENSION_GROUP, resource: parts.slice(3).join('/') }, req.method);
    return reply.code(404).send(notFoundStatus(url.pathname));
  }

  // upgrade relays exec/attach WebSockets to the pod's agent.
  private async upgrade(req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)$/.exec(url.pathname);
    if (!m) {
      writeUpgradeError(socket, notFoundStatus(url.pathname));
      return;
    }
    try {
      const target = await resolveAgent(this.store('pods')!, this.store('nodes')!, decodeURIComponent(m[1]), decodeURIComponent(m[2]), url.searchParams.get('container'));
      relayUpgrade(req, socket, head, target, m[3] as 'exec' | 'attach');
    } catch (err) {
      writeUpgradeError(socket, err instanceof StatusError ? err.status : newInternal(err).status);
    }
  }

  private verbOf(method: string, route: Route, isWatch: boolean): string {
    const { name, subresource } = route;
    if (!name) {
      if (method === 'GET') return isWatch ? 'WATCH' : 'LIST';
      if (method === 'POST') return 'CREATE';
      if (method === 'DELETE') return 'DELETECOLLECTION';
      return 'UNSUPPORTED';
    }
    if (!subresource) {
      if (method === 'GET') return isWatch ? 'WATCH' : 'GET';
      if (method === 'PUT') return 'UPDATE';
      if (method === 'PATCH') return 'PATCH';
      if (method === 'DELETE') return 'DELETE';
      return 'UNSUPPORTED';
    }
    switch (subresource) {
      case 'status':
      case 'finalize':
        return method === 'GET' ? 'GET_STATUS' : method === 'PUT' ? 'UPDATE' : method === 'PATCH' ? 'PATCH' : 'UNSUPPORTED';
      case 'scale':
        return method === 'GET' ? 'GET_SCALE' : method === 'PUT' ? 'UPDATE_SCALE' : method === 'PATCH' ? 'PATCH_SCALE' : 'UNSUPPORTED';
      case 'binding':
        return method === 'POST' ? 'BINDING' : 'UNSUPPORTED';
      case 'eviction':
        return method === 'POST' ? 'EVICTION' : 'UNSUPPORTED';
      case 'log':
        return method === 'GET' ? 'LOG' : 'UNSUPPORTED';
      case 'exec':
      case 'attach':
        return 'NEEDS_UPGRADE';
      default:
        return 'UNSUPPORTED';
    }
  }

  private respond(req: FastifyRequest, reply: FastifyReply, route: Route, code: number, body: unknown): FastifyReply {
    const accept = String(req.headers.accept ?? '');
    if (wantsTable(accept) && body && typeof body === 'object' && (body as KubeObject).metadata && !route.subresource) {
      const q = new URL(req.url, 'http://x').searchParams;
      return reply.code(code).type('application/json').send(toTable(route.info.resource, [body as KubeObject], { includeObject: q.get('includeObject') ?? undefined }));
    }
    if (wantsYaml(accept)) return reply.code(code).type('application/yaml').send(yaml.dump(body, { noRefs: true }));
    return reply.code(code).type('application/json').send(body);
  }

  private filterFor(route: Route, q: Record<string, string>): WatchFilter {
    let labels;
    let fields;
    try {
      labels = parseSelector(q.labelSelector ?? '');
    } catch (err) {
      if (err instanceof SelectorParseError) throw newBadRequest(`unable to parse requirement: ${err.message}`);
      throw err;
    }
    try {
      fields = parseFieldSelector(q.fieldSelector ?? '');
    } catch (err) {
      if (err instanceof FieldSelectorParseError) throw newBadRequest(`invalid field selector: ${err.message}`);
      throw err;
    }
    const info = route.info;
    const namespace = route.namespace;
    const sample = info.selectableFields?.({ metadata: {} } as KubeObject) ?? {};
    for (const f of fields.fields()) {
      if (f !== 'metadata.name' && f !== 'metadata.namespace' && !(f in sample)) {
        throw newBadRequest(`field label not supported: ${f}`);
      }
    }
    const name = route.name;
    const labelsEmpty = labels.empty();
    const fieldsEmpty = fields.empty();
    return (obj) => {
      if (namespace && obj.metadata.namespace !== namespace) return false;
      if (name && obj.metadata.name !== name) return false;
      if (!labelsEmpty && !labels.matches(obj.metadata.labels)) return false;
      if (!fieldsEmpty) {
        const f: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '', ...(info.selectableFields?.(obj) ?? {}) };
        if (info.namespaced) f['metadata.namespace'] = obj.metadata.namespace ?? '';
        if (!fields.matches(f)) return false;
      }
      return true;
    };
  }

  private async list(req: FastifyRequest, reply: FastifyReply, route: Route, q: Record<string, string>): Promise<FastifyReply> {
    const filter = this.filterFor(route, q);
    const limit = q.limit ? Number(q.limit) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw newBadRequest(`invalid limit: ${q.limit}`);
    const list = await route.store.list(route.namespace, { filter, limit, continueToken: q.continue, resourceVersion: q.resourceVersion });
    const accept = String(req.headers.accept ?? '');
    if (wantsTable(accept)) {
      return reply.type('application/json').send(toTable(route.info.resource, list.items, { resourceVersion: list.metadata.resourceVersion, continue: list.metadata.continue, includeObject: q.includeObject }));
    }
    return this.respond(req, reply, route, 200, list);
  }

  private async watch(req: FastifyRequest, reply: FastifyReply, route: Route, q: Record<string, string>): Promise<void> {
    const filter = this.filterFor(route, q);
    const fromRev = q.resourceVersion ? Number(q.resourceVersion) : 0;
    if (!Number.isInteger(fromRev) || fromRev < 0) throw newBadRequest(`invalid resourceVersion: ${q.resourceVersion}`);
    const table = wantsTable(String(req.headers.accept ?? ''));
    const bookmarks = q.allowWatchBookmarks === 'true';
    const timeoutSec = q.timeoutSeconds ? Number(q.timeoutSeconds) : 1800 + Math.floor(Math.random() * 1800);
    const resource = route.info.resource;
    const res: ServerResponse = reply.raw;
    let columnsSent = false;
    let closed = false;
    // A client that leaves (or a server that closes) while the watch attaches must not leave a
    // watcher and its timers behind: note the close from the start and check it after each wait.
    let clientGone = res.destroyed;
    res.once('close', () => {
      clientGone = true;
    });

    const encode = (type: string, obj: KubeObject): string => {
      if (!table) return `{"type":"${type}","object":${jsonOf(obj)}}\n`;
      const t = toTable(resource, [obj], { includeObject: q.includeObject, noHeaders: columnsSent });
      columnsSent = true;
      return JSON.stringify({ type, object: t }) + '\n';
    };
    // Events replayed while the watch attaches are held until the response head is out. After
    // that, events are gathered and written once per turn of the event loop (setImmediate runs
    // right after the I/O callbacks that produced them, so nothing waits for a timer): under load
    // one etcd read carries many changes, and a socket write per event per watcher was the API
    // server's largest single cost while binding thousands of pods (a syscall each, and a read
    // each on the watching side).
    let pending: string[] = [];
    let ready = false;
    let flushScheduled = false;
    let unsentEvents = 0;
    const flush = () => {
      flushScheduled = false;
      if (!ready || pending.length === 0) return;
      if (!res.destroyed) {
        // Joined in pieces of about a MiB: the initial events of a big list would otherwise make
        // one string of the whole list (Node's writes in one tick still go out as one writev).
        let piece: string[] = [];
        let size = 0;
        for (const chunk of pending) {
          piece.push(chunk);
          size += chunk.length;
          if (size >= WATCH_WRITE_BYTES) {
            res.write(piece.join(''));
            piece = [];
            size = 0;
          }
        }
        if (piece.length) res.write(piece.length === 1 ? piece[0] : piece.join(''));
      }
      pending = [];
      if (unsentEvents) this.metrics.watchEvents.inc({ resource }, unsentEvents);
      unsentEvents = 0;
    };
    const write = (chunk: string) => {
      pending.push(chunk);
      if (ready && !flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    };
    const watcher = await route.store.watch(fromRev, filter, {
      event: (type, obj) => {
        if (closed) return;
        unsentEvents++;
        write(encode(type, obj));
      },
      end: (reason) => {
        if (reason === 'gone' && !closed) write(JSON.stringify({ type: 'ERROR', object: newGoneStatus() }) + '\n');
        finish();
      },
    });
    if (clientGone) {
      watcher.stop();
      return;
    }
    reply.hijack();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
    ready = true;
    flush();
    res.flushHeaders();
    const bookmarkTimer = bookmarks
      ? setInterval(() => {
          const rv = String(route.store.cache.resourceVersion);
          write(JSON.stringify({ type: 'BOOKMARK', object: { kind: route.info.kind, apiVersion: apiVersionOf(route.info), metadata: { resourceVersion: rv } } }) + '\n');
        }, this.opts.bookmarkIntervalMs ?? 60_000)
      : undefined;
    const timeout = setTimeout(() => finish(), timeoutSec * 1000);
    const finish = () => {
      if (closed) return;
      closed = true;
      watcher.stop();
      clearTimeout(timeout);
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      this.openWatches.delete(finish);
      flush();
      res.end();
    };
    this.openWatches.add(finish);
    // The response closes when the client goes away (a request's own 'close' only means its body was read).
    res.on('close', finish);
  }

  private async patch(req: FastifyRequest, route: Route, ctx: RequestContext): Promise<{ object: KubeObject; created: boolean }> {
    const contentType = String(req.headers['content-type'] ?? '');
    const type = patchTypeOf(contentType);
    if (!type) throw newUnsupportedMediaType(contentType);
    const { store, namespace, name, subresource } = route;
    if (type === 'apply') {
      if (subresource) throw newMethodNotAllowed(store.gr, 'apply on a subresource');
      return store.apply(namespace, name!, req.body, ctx);
    }
    return { object: await store.patch(namespace, name!, type, req.body, ctx, subresource), created: false };
  }

  private async deleteCollection(route: Route, q: Record<string, string>, options: DeleteOptions, ctx: RequestContext): Promise<object> {
    const list = await route.store.list(route.namespace, { filter: this.filterFor(route, q) });
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      try {
        const { object } = await route.store.delete(item.metadata.namespace, item.metadata.name!, options, ctx);
        deleted.push(object);
      } catch (err) {
        if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
      }
    }
    return { kind: route.info.listKind, apiVersion: apiVersionOf(route.info), metadata: { resourceVersion: list.metadata.resourceVersion }, items: deleted };
  }

  private async writeScale(req: FastifyRequest, route: Route, ctx: RequestContext, isPatch: boolean): Promise<object> {
    const { store, namespace, name } = route;
    const current = await store.get(namespace, name!);
    let scale = toScale(current) as { spec: { replicas?: number }; metadata: { resourceVersion?: string } };
    if (isPatch) {
      const contentType = String(req.headers['content-type'] ?? '');
      const type = patchTypeOf(contentType);
      if (!type) throw newUnsupportedMediaType(contentType);
      scale = (type === 'json' ? applyJsonPatch(scale, req.body) : applyMergePatch(scale, req.body)) as typeof scale;
    } else {
      scale = req.body as typeof scale;
      if (scale?.metadata?.resourceVersion && scale.metadata.resourceVersion !== current.metadata.resourceVersion) {
        throw newConflict(store.gr, name!, 'the object has been modified; please apply your changes to the latest version and try again');
      }
    }
    const replicas = scale?.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw new StatusError({
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid',
        message: `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        details: { name, group: 'autoscaling', kind: 'Scale', causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }] },
      });
    }
    const updated = await store.patch(namespace, name!, 'merge', { spec: { replicas } }, ctx);
    return toScale(updated);
  }

  private async bind(namespace: string, name: string, body: unknown, ctx: RequestContext): Promise<object> {
    const binding = body as { target?: { name?: string; kind?: string }; metadata?: { name?: string; uid?: string } };
    const node = binding?.target?.name;
    if (!node) throw newBadRequest('binding target.name is required');
    const uid = binding.metadata?.uid;
    const pods = this.store('pods')!;
    // Start from the watch cache's copy, as Kubernetes' GuaranteedUpdate does: the write is a
    // compare-and-swap on its revision, so a stale copy costs a conflict and one read from etcd,
    // and a fresh one (the usual case for a pod the scheduler just saw) saves that read.
    const cached = pods.cache.get(pods.key(namespace, name));
    if (cached) {
      try {
        return await this.bindPod(cached, namespace, name, node, uid, ctx);
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    return this.bindPod(await pods.get(namespace, name), namespace, name, node, uid, ctx);
  }

  private async bindPod(current: KubeObject, namespace: string, name: string, node: string, uid: string | undefined, ctx: RequestContext): Promise<object> {
    const pods = this.store('pods')!;
    // The Binding's uid is a precondition: a decision made for a pod that was since deleted and
    // recreated under the same name must not land on the new one.
    if (uid && uid !== current.metadata.uid) throw newConflict(pods.gr, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`);
    const spec = current.spec as { nodeName?: string };
    if (current.metadata.deletionTimestamp) throw newConflict(pods.gr, name, 'pod is being deleted, cannot be assigned to a host');
    if (spec.nodeName) throw newConflict(pods.gr, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const status = (current.status ?? {}) as { conditions?: { type: string }[] };
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now } as never);
    // Binding writes spec.nodeName, which a normal update may not change; go through storage directly.
    const next = { ...current, spec: { ...spec, nodeName: node }, status: { ...status, conditions } };
    if (ctx.dryRun) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
    await this.storage.update(pods.key(namespace, name), Buffer.from(JSON.stringify({ ...next, metadata: { ...next.metadata, resourceVersion: undefined } })), Number(current.metadata.resourceVersion)).catch((err) => {
      if ((err as { kind?: string }).kind === 'Conflict') throw newConflict(pods.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
      throw err;
    });
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }

  private async bindLegacy(req: FastifyRequest, reply: FastifyReply, namespace: string, _url: URL): Promise<FastifyReply> {
    const body = req.body as { metadata?: { name?: string } };
    const name = body?.metadata?.name;
    if (!name) throw newBadRequest('binding metadata.name is required');
    const ctx: RequestContext = { dryRun: false, fieldValidation: 'Strict', warnings: [] };
    return reply.code(201).send(await this.bind(namespace, name, req.body, ctx));
  }
}

/** WATCH_WRITE_BYTES is about how much of a watch stream is joined into one write. */
const WATCH_WRITE_BYTES = 1 << 20;

const jsonCache = new WeakMap<object, string>();

/** jsonOf serializes an object once, however many watchers receive it. */
function jsonOf(obj: object): string {
  let s = jsonCache.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    jsonCache.set(obj, s);
  }
  return s;
}

function wantsTable(accept: string): boolean {
  return /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

function wantsYaml(accept: string): boolean {
  return /^application\/yaml/.test(accept.trim());
}

function newGoneStatus(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'The resourceVersion for the provided watch is too old.', reason: 'Expired', code: 410 };
}

// matchSegments matches decoded path segments against a pattern's; "{x}" captures segment x.
function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{') && p.endsWith('}')) params[p.slice(1, -1)] = parts[i];
    else if (p !== parts[i]) return undefined;
  }
  return params;
}

function notFoundStatus(_path: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 };
}

function parseBody(contentType: string, body: Buffer): unknown {
  const ct = contentType.split(';')[0].trim().toLowerCase();
  if (body.length === 0) return undefined;
  switch (ct) {
    case 'application/json':
    case 'application/merge-patch+json':
    case 'application/strategic-merge-patch+json':
    case 'application/json-patch+json':
    case 'application/apply-patch+json':
    case '':
      try {
        return JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw newBadRequest(`error decoding request body as JSON: ${(err as Error).message}`);
      }
    case 'application/yaml':
    case 'application/apply-patch+yaml':
      try {
        return yaml.load(body.toString('utf8'));
      } catch (err) {
        throw newBadRequest(`error decoding request body as YAML: ${(err as Error).message.split('\n')[0]}`);
      }
    case protobufMediaType:
      try {
        return decodeProtobufObject(body);
      } catch (err) {
        if (!(err instanceof ProtobufError)) throw err;
        if (err.unsupportedKind) {
          // A kind this server does not serve at all is a 404, as its JSON would be.
          if (!allKinds().some((k) => `${apiVersionOf(k)}/${k.kind}` === err.unsupportedKind)) throw new StatusError(notFoundStatus(''));
          throw newUnsupportedMediaType(`${contentType}: ${err.message}`);
        }
        throw newBadRequest(`error decoding request body as protobuf: ${err.message}`);
      }
    default:
      throw newUnsupportedMediaType(contentType);
  }
}

function deleteOptionsOf(body: unknown, q: Record<string, string>): DeleteOptions {
  const opts: DeleteOptions = body && typeof body === 'object' ? { ...(body as DeleteOptions) } : {};
  if (q.gracePeriodSeconds !== undefined) opts.gracePeriodSeconds = Number(q.gracePeriodSeconds);
  if (q.propagationPolicy) opts.propagationPolicy = q.propagationPolicy as DeleteOptions['propagationPolicy'];
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw newBadRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  return opts;
}

/** toScale renders the autoscaling/v1 Scale of a Deployment, ReplicaSet or StatefulSet. */
export function toScale(obj: KubeObject): object {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const status = (obj.status ?? {}) as { replicas?: number };
  const selector = Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}
