// why-handler.ts: the HTTP side of `skiff why`. `skiff server` registers it with the API
// server's extension hook (ApiServer.registerExtension) once the scheduler exists:
//
//   GET  /apis/skiff.dev/v1/namespaces/{namespace}/pods/{name}/why      explain a stored pod
//   POST /apis/skiff.dev/v1/namespaces/{namespace}/schedulingexplanations  explain the Pod in the body
//                                                                          (never stored: `skiff schedule --dry-run`)
//
// Both answer 200 with a SchedulingExplanation (see explain.ts), or a v1 Status: 404 when the
// pod is unknown to the scheduler, 400 for a body that is not a Pod, 503 when no scheduler runs
// in this process (or its caches have not synced yet).
import type { Pod } from '../api/core/pod-types.js';
import { newBadRequest, newNotFound, newServiceUnavailable, type Status } from '../api/errors.js';
import type { Explanation } from './explain.js';

/** WHY_ROUTE is the route pattern to mount the handler at (fastify syntax). */
export const WHY_ROUTE = '/apis/skiff.dev/v1/namespaces/:namespace/pods/:name/why';

/** WHY_PATH is the extension path pattern of `why` for a stored pod. */
export const WHY_PATH = '/apis/skiff.dev/v1/namespaces/{namespace}/pods/{name}/why';

/** EXPLAIN_PATH is the extension path pattern that explains the Pod posted to it without storing it. */
export const EXPLAIN_PATH = '/apis/skiff.dev/v1/namespaces/{namespace}/schedulingexplanations';

/** WhySource is what the handler needs from a scheduler (Scheduler implements it). */
export interface WhySource {
  getPod(namespace: string, name: string): Pod | undefined;
  explain(pod: Pod): Explanation;
}

/** WhyResponse is a status code and JSON body. */
export interface WhyResponse {
  code: number;
  body: Explanation | Status;
}

/** whyHandler returns a function answering one `why` request; source may be a getter for a scheduler not started yet. */
export function whyHandler(source: WhySource | (() => WhySource | undefined)): (namespace: string, name: string) => WhyResponse {
  return (namespace, name) => {
    const s = typeof source === 'function' ? source() : source;
    if (!s) {
      const err = newServiceUnavailable('no scheduler is running in this server (or it is not the leader)');
      return { code: err.status.code ?? 503, body: err.status };
    }
    const pod = s.getPod(namespace, name);
    if (!pod) {
      const err = newNotFound({ group: '', resource: 'pods' }, name);
      return { code: err.status.code ?? 404, body: err.status };
    }
    return { code: 200, body: s.explain(pod) };
  };
}

/** dryRunHandler returns a function explaining a Pod that is not stored (the body of a POST to EXPLAIN_PATH). */
export function dryRunHandler(source: WhySource | (() => WhySource | undefined)): (namespace: string, body: unknown) => WhyResponse {
  return (namespace, body) => {
    const s = typeof source === 'function' ? source() : source;
    if (!s) {
      const err = newServiceUnavailable('no scheduler is running in this server (or its caches have not synced yet)');
      return { code: err.code, body: err.status };
    }
    const pod = body as Partial<Pod> | undefined;
    if (!pod || typeof pod !== 'object' || pod.kind !== 'Pod' || !Array.isArray(pod.spec?.containers)) {
      const err = newBadRequest('the body must be a v1 Pod with spec.containers');
      return { code: err.code, body: err.status };
    }
    const metadata = { ...(pod.metadata ?? {}) };
    if (metadata.namespace && metadata.namespace !== namespace) {
      const err = newBadRequest(`the namespace of the Pod (${metadata.namespace}) does not match the namespace of the request (${namespace})`);
      return { code: err.code, body: err.status };
    }
    metadata.namespace = namespace;
    metadata.name ??= `${metadata.generateName ?? 'dry-run-'}explained`;
    return { code: 200, body: s.explain({ ...(pod as Pod), metadata }) };
  };
}

/** ExtensionHost is the part of the API server registerWhyExtension needs (ApiServer implements it). */
export interface ExtensionHost {
  registerExtension(
    method: string,
    pattern: string,
    handler: (req: { params: Record<string, string>; body: unknown }) => { code: number; body: unknown },
  ): () => void;
}

/** registerWhyExtension serves WHY_PATH and EXPLAIN_PATH from source on the API server of this process; returns an unregister function. */
export function registerWhyExtension(host: ExtensionHost, source: WhySource | (() => WhySource | undefined)): () => void {
  const why = whyHandler(source);
  const dryRun = dryRunHandler(source);
  const offs = [
    host.registerExtension('GET', WHY_PATH, ({ params }) => why(params.namespace, params.name)),
    host.registerExtension('POST', EXPLAIN_PATH, ({ params, body }) => dryRun(params.namespace, body)),
  ];
  return () => offs.forEach((off) => off());
}

/** RouteHost is the part of a fastify instance whyRoute needs. */
export interface RouteHost {
  get(path: string, handler: (req: { params: unknown }, reply: { code(n: number): { send(body: unknown): unknown } }) => unknown): unknown;
}

/** mountWhyRoute registers the handler on a fastify-like app at WHY_ROUTE. */
export function mountWhyRoute(app: RouteHost, source: WhySource | (() => WhySource | undefined)): void {
  const handle = whyHandler(source);
  app.get(WHY_ROUTE, (req, reply) => {
    const { namespace, name } = req.params as { namespace: string; name: string };
    const res = handle(namespace, name);
    return reply.code(res.code).send(res.body);
  });
}
