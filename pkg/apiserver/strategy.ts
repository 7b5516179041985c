// strategy.ts: what differs between kinds in the generic store — status handling, graceful
// deletion, namespace lifecycle, ClusterIP allocation (Kubernetes' per-kind registry strategies).
import { newForbidden, newInvalid, newNotFound } from '../api/errors.js';
import { invalid, type FieldError } from '../api/field.js';
import { ipToInt } from './allocator.js';
import { preserveAllocatedValues, type Service } from '../api/core/service.js';
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

/** DEFAULT_TOLERATION_SECONDS is how long pods stay on a not-ready or unreachable node (DefaultTolerationSeconds admission). */
export const DEFAULT_TOLERATION_SECONDS = 300;

interface PodAdmissionSpec {
  serviceAccountName?: string;
  priorityClassName?: string;
  priority?: number;
  tolerations?: { key?: string; operator?: string; effect?: string; tolerationSeconds?: number }[];
}

// admitPod does what Kubernetes' admission plugins do to a new pod: the default service
// account name, priority from its PriorityClass, and NoExecute tolerations for not-ready and
// unreachable nodes so that the node lifecycle controller evicts after 300 s.
async function admitPod(pod: KubeObject, host: RegistryHost): Promise<void> {
  const spec = (pod.spec ?? {}) as PodAdmissionSpec;
  spec.serviceAccountName ??= 'default';
  if (spec.priorityClassName) {
    const classes = host.store('priorityclasses', 'scheduling.k8s.io');
    const pc = classes?.cache.get(classes.key(undefined, spec.priorityClassName));
    if (!pc) {
      throw newForbidden({ group: '', resource: 'pods' }, pod.metadata.name ?? '', `no PriorityClass with name ${spec.priorityClassName} was found`);
    }
    spec.priority = Number((pc as { value?: number }).value ?? 0);
  } else {
    spec.priority ??= 0;
  }
  const tolerations = (spec.tolerations ??= []);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  pod.spec = spec;
}

/** strategyFor returns the strategy of a kind. */
export function strategyFor(info: KindInfo): Strategy {
  const base = genericStrategy(info);
  switch (`${info.group}/${info.resource}`) {
    case '/pods':
      return {
        ...base,
        async admitCreate(obj, host, ctx) {
          await base.admitCreate!(obj, host, ctx);
          await admitPod(obj, host);
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
        prepareForUpdate(incoming, current, subresource, i) {
          const next = base.prepareForUpdate(incoming, current, subresource, i);
          // A re-applied manifest without clusterIP/nodePort keeps the allocated ones.
          preserveAllocatedValues(next as unknown as Service, current as unknown as Service);
          return next;
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
