// why-handler.ts: the HTTP side of `skiff why`. The API server mounts it at
//
//   GET /apis/skiff.dev/v1/namespaces/{namespace}/pods/{name}/why
//
// and answers 200 with a SchedulingExplanation (see explain.ts), or a v1 Status: 404 when the
// pod is unknown to the scheduler, 503 when no scheduler runs in this process.
import type { Pod } from '../api/core/pod-types.js';
import { newNotFound, newServiceUnavailable, type Status } from '../api/errors.js';
import type { Explanation } from './explain.js';

/** WHY_ROUTE is the route pattern to mount the handler at (fastify syntax). */
export const WHY_ROUTE = '/apis/skiff.dev/v1/namespaces/:namespace/pods/:name/why';

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
