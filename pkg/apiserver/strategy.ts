// strategy.ts: what differs between kinds in the generic store — status handling, graceful
// deletion, namespace lifecycle, ClusterIP allocation (Kubernetes' per-kind registry strategies).
import { newForbidden, newInvalid, newNotFound } from '../api/errors.js';
import { invalid, type FieldError } from '../api/field.js';
import { ipToInt } from './allocator.js';
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
  /** release frees what admitCreate allocated, when the object is gone or its create failed. */
  release?(obj: KubeObject, host: RegistryHost): Promise<void>;
}

interface ServicePort {
  port?: number;
  nodePort?: number;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
}

// allocateService gives a Service its ClusterIP and NodePorts, releasing what it took if a
// later step fails, so that an invalid request leaks nothing.
async function allocateService(obj: KubeObject, host: RegistryHost): Promise<void> {
  const spec = (obj.spec ?? {}) as ServiceSpec;
  const type = spec.type ?? 'ClusterIP';
  const owner = `${obj.metadata.namespace}/${obj.metadata.name}`;
  const { serviceIPs, nodePorts, serviceCidr } = host.allocators;
  const errors: FieldError[] = [];
  const taken: (() => Promise<void>)[] = [];
  if (type !== 'ExternalName') {
    const requested = spec.clusterIP ?? spec.clusterIPs?.[0];
    if (requested === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
    } else if (requested) {
      const n = /^\d+\.\d+\.\d+\.\d+$/.test(requested) ? ipToInt(requested) : NaN;
      if (!(n >= serviceCidr.base && n < serviceCidr.base + serviceCidr.size)) {
        errors.push(invalid('spec.clusterIPs', requested, `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${serviceCidr.cidr}`));
      } else if (!(await serviceIPs.reserve(n, owner))) {
        errors.push(invalid('spec.clusterIPs', requested, `failed to allocate IP ${requested}: provided IP is already allocated`));
      } else {
        taken.push(() => serviceIPs.release(n));
      }
    } else {
      const n = await serviceIPs.allocateNext(owner);
      if (n === undefined) errors.push(invalid('spec.clusterIPs', '', 'failed to allocate a serviceIP: range is full'));
      else {
        taken.push(() => serviceIPs.release(n));
        spec.clusterIP = serviceIPs.format(n);
        spec.clusterIPs = [spec.clusterIP];
      }
    }
    if (spec.clusterIP && spec.clusterIP !== 'None') {
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
    }
  }
  if (type === 'NodePort' || type === 'LoadBalancer') {
    for (const [i, port] of (spec.ports ?? []).entries()) {
      if (port.nodePort) {
        if (!nodePorts.contains(port.nodePort)) errors.push(invalid(`spec.ports[${i}].nodePort`, port.nodePort, 'provided port is not in the valid range. The range of valid ports is 30000-32767'));
        else if (!(await nodePorts.reserve(port.nodePort, owner))) errors.push(invalid(`spec.ports[${i}].nodePort`, port.nodePort, 'provided port is already allocated'));
        else {
          const p = port.nodePort;
          taken.push(() => nodePorts.release(p));
        }
      } else {
        const p = await nodePorts.allocateNext(owner);
        if (p === undefined) errors.push(invalid(`spec.ports[${i}].nodePort`, 0, 'range is full'));
        else {
          taken.push(() => nodePorts.release(p));
          port.nodePort = p;
        }
      }
    }
  }
  obj.spec = spec;
  if (errors.length) {
    for (const undo of taken) await undo();
    throw newInvalid('', 'Service', obj.metadata.name ?? '', errors);
  }
}

async function releaseService(obj: KubeObject, host: RegistryHost): Promise<void> {
  const spec = (obj.spec ?? {}) as ServiceSpec;
  const { serviceIPs, nodePorts, serviceCidr } = host.allocators;
  if (spec.clusterIP && spec.clusterIP !== 'None' && /^\d+\.\d+\.\d+\.\d+$/.test(spec.clusterIP)) {
    const n = ipToInt(spec.clusterIP);
    if (n >= serviceCidr.base && n < serviceCidr.base + serviceCidr.size) await serviceIPs.release(n);
  }
  for (const port of spec.ports ?? []) if (port.nodePort) await nodePorts.release(port.nodePort);
}

const NO_NAMESPACE_CHECK = new Set(['namespaces', 'nodes', 'events']);

async function namespaceLifecycle(obj: KubeObject, host: RegistryHost, info: KindInfo): Promise<void> {
  if (!info.namespaced || NO_NAMESPACE_CHECK.has(info.resource)) return;
  const ns = obj.metadata.namespace!;
  const namespaces = host.store('namespaces');
  if (!namespaces) return;
  // The watch cache answers for namespaces that exist (as Kubernetes' admission uses an
  // informer); only a miss, e.g. a namespace created a moment ago, costs an etcd read.
  let nsObj = namespaces.cache.get(namespaces.key(undefined, ns));
  if (!nsObj) {
    try {
      nsObj = await namespaces.get(undefined, ns);
    } catch {
      throw newNotFound({ group: '', resource: 'namespaces' }, ns);
    }
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
    case '/services':
      return {
        ...base,
        async admitCreate(obj, host, ctx) {
          await base.admitCreate!(obj, host, ctx);
          await allocateService(obj, host);
        },
        release: releaseService,
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
