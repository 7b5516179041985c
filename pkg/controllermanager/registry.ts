// registry.ts: the controllers the manager knows, by the names `--controllers` takes.
import type { ControllerContext, Runnable } from '../controllers/context.js';
import { register as deployment } from '../controllers/deployment/deployment.js';
import { register as daemonSet } from '../controllers/daemonset/daemonset.js';
import { register as cronJob } from '../controllers/cronjob/cronjob.js';
import { register as job } from '../controllers/job/job.js';
import { register as garbageCollector } from '../controllers/garbagecollector/garbagecollector.js';
import { register as nodeLifecycle } from '../controllers/nodelifecycle/nodelifecycle.js';
import { register as podgc } from '../controllers/podgc/podgc.js';
import { register as namespace } from '../controllers/namespace/namespace.js';
import { register as replicaSet } from '../controllers/replicaset/replicaset.js';
import { register as endpointSlice } from '../network/endpoints/endpointslice.js';
import { registerEndpoints as endpoints } from '../network/endpoints/endpoints.js';
import { registerNodeIpam as nodeIpam } from '../network/node-ipam.js';

/** ControllerFactory builds one controller from the shared context. */
export type ControllerFactory = (ctx: ControllerContext) => Runnable;

/** knownControllers maps controller names to their factories, in start order. */
export const knownControllers: Record<string, ControllerFactory> = {
  namespace: (ctx) => namespace(ctx),
  garbagecollector: (ctx) => garbageCollector(ctx),
  replicaset: (ctx) => replicaSet(ctx),
  deployment: (ctx) => deployment(ctx),
  daemonset: (ctx) => daemonSet(ctx),
  job: (ctx) => job(ctx),
  cronjob: (ctx) => cronJob(ctx),
  nodelifecycle: (ctx) => nodeLifecycle(ctx, ctx.options),
  podgc: (ctx) => podgc(ctx),
  endpointslice: (ctx) => endpointSlice(ctx),
  endpoints: (ctx) => endpoints(ctx),
  nodeipam: (ctx) => nodeIpam(ctx),
};

/**
 * selectControllers resolves a --controllers list as kube-controller-manager does: "*" means
 * every controller, "foo" enables foo, "-foo" disables it. No list means "*".
 */
export function selectControllers(names: string[] | undefined): string[] {
  const list = names?.length ? names : ['*'];
  const all = Object.keys(knownControllers);
  for (const n of list) {
    const bare = n.replace(/^-/, '');
    if (bare !== '*' && !knownControllers[bare]) throw new Error(`unknown controller "${bare}" (known: ${all.join(', ')})`);
  }
  const star = list.includes('*');
  return all.filter((name) => !list.includes(`-${name}`) && (star || list.includes(name)));
}
