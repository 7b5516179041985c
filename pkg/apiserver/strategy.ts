// strategy.ts: what differs between kinds in the generic store — status handling, graceful
// deletion, namespace lifecycle, ClusterIP allocation (Kubernetes' per-kind registry strategies).
import { newForbidden, newNotFound } from '../api/errors.js';
import type { DeleteOptions, KubeObject } from '../api/meta.js';
import type { KindInfo } from '../api/scheme.js';
import type { RegistryHost, RequestContext } from './registry.js';

/** Strategy customizes the generic store for one kind. */
export interface Strategy {
  /** keepStatusOnCreate: status in a create body is stored (Nodes); otherwise it is dropped. */
  keepStatusOnCreate?: boolean;
  /** admitCreate runs admission checks and allocations before defaults and validation. */
  admitCreate?(obj: KubeObject, host: RegistryHost, ctx: RequestContext): Promise<void>;
  prepareForCreate?(obj: KubeObject): void;
  /** prepareForUpdate merges the incoming object with the current one (spec vs status). */
  prepareForUpdate(incoming: KubeObject, current: KubeObject, subresource: string | undefined, info: KindInfo): KubeObject;
  /** patchView is the document a patch applies to (defaults to the whole object). */
  patchView?(current: KubeObject, subresource: string | undefined): KubeObject;
  /** readyToDelete: nothing holds the object any more (finalizers empty). */
  readyToDelete(obj: KubeObject): boolean;
  /** gracePeriod returns the graceful-deletion period in seconds, or undefined for immediate deletion. */
  gracePeriod?(obj: KubeObject, options: DeleteOptions): number | undefined;
  /** prepareForDelete changes an object marked for deletion (e.g. Namespace phase Terminating). */
  prepareForDelete?(obj: KubeObject): void;
}

const NO_NAMESPACE_CHECK = new Set(['namespaces', 'nodes', 'events']);

async function namespaceLifecycle(obj: KubeObject, host: RegistryHost, info: KindInfo): Promise<void> {
  if (!info.namespaced || NO_NAMESPACE_CHECK.has(info.resource)) return;
  const ns = obj.metadata.namespace!;
  const namespaces = host.store('namespaces');
  if (!namespaces) return;
  let nsObj: KubeObject;
  try {
    nsObj = await namespaces.get(undefined, ns);
  } catch {
    throw newNotFound({ group: '', resource: 'namespaces' }, ns);
  }
  if (nsObj.metadata.deletionTimestamp) {
    throw newForbidden({ group: info.group, resource: info.resource }, obj.metadata.name ?? '', `unable to create new content in namespace ${ns} because it is being terminated`);
  }
}

/** genericStrategy: status only through /status, immediate deletion unless finalizers hold it. */
export function genericStrategy(info: KindInfo): Strategy {
  return {
    admitCreate: (obj, host) => namespaceLifecycle(obj, host, info),
    prepareForUpdate(incoming, current, subresource) {
      if (!info.hasStatus) return incoming;
      if (subresource === 'status') {
        return { ...current, status: incoming.status, metadata: { ...current.metadata } };
      }
      const next: KubeObject = { ...incoming };
      if (current.status !== undefined) next.status = current.status;
      else delete next.status;
      return next;
    },
    readyToDelete: (obj) => !(obj.metadata.finalizers?.length),
  };
}

function podQOS(pod: KubeObject): string {
  const spec = pod.spec as { containers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] } | undefined;
  const containers = spec?.containers ?? [];
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) anySet = true;
    for (const r of ['cpu', 'memory']) {
      if (!lim[r] || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** strategyFor returns the strategy of a kind. */
export function strategyFor(info: KindInfo): Strategy {
  const base = genericStrategy(info);
  switch (`${info.group}/${info.resource}`) {
    case '/pods':
      return {
        ...base,
        prepareForCreate(obj) {
          obj.status = { phase: 'Pending', qosClass: podQOS(obj) };
        },
        gracePeriod(obj, options) {
          const spec = obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
          const phase = (obj.status as { phase?: string } | undefined)?.phase;
          // Pods that never ran, or have finished, go at once: no agent needs to stop them.
          if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
          return options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
        },
        readyToDelete: (obj) => !(obj.metadata.finalizers?.length) && (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0,
      };
    case '/nodes':
      return { ...base, keepStatusOnCreate: true };
    case '/namespaces':
      return {
        ...base,
        admitCreate: async () => undefined,
        prepareForUpdate(incoming, current, subresource, i) {
          if (subresource === 'finalize') {
            return { ...current, spec: { ...(current.spec as object), finalizers: (incoming.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] } };
          }
          const next = base.prepareForUpdate(incoming, current, subresource, i);
          // spec.finalizers change only through /finalize.
          if (subresource !== 'status') next.spec = { ...(next.spec as object), finalizers: (current.spec as { finalizers?: string[] } | undefined)?.finalizers };
          return next;
        },
        readyToDelete: (obj) => !(obj.metadata.finalizers?.length) && !((obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length),
        prepareForDelete(obj) {
          obj.status = { ...(obj.status as object), phase: 'Terminating' };
        },
      };
    default:
      return base;
  }
}
