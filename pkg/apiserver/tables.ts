// tables.ts: server-side printing. `kubectl get` asks for a meta.k8s.io/v1 Table; the columns
// here are the ones Kubernetes' own printers produce for each kind (priority 1 = `-o wide`).
import type { KubeObject } from '../api/meta.js';
import { humanDuration } from '../api/duration.js';
import { formatLabelSelector } from '../api/labels.js';

/** TableColumn is one column definition. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean;
interface Printer {
  columns: TableColumn[];
  cells(obj: KubeObject, now: number): Cell[];
}

const col = (name: string, type: TableColumn['type'] = 'string', priority = 0, format = ''): TableColumn => ({
  name,
  type,
  format: name === 'Name' ? 'name' : format,
  description: name === 'Name' ? 'Name must be unique within a namespace.' : name,
  priority,
});

function age(obj: KubeObject, now: number): string {
  const ts = obj.metadata.creationTimestamp;
  return ts ? humanDuration(now - Date.parse(ts)) : '<unknown>';
}

const get = (obj: unknown, path: string): any => path.split('.').reduce((o: any, k) => (o == null ? undefined : o[k]), obj);
const orNone = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));
const selectorString = (sel: Record<string, string> | undefined): string => (sel && Object.keys(sel).length ? Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') : '<none>');

const containersOf = (obj: KubeObject) => (get(obj, 'spec.template.spec.containers') ?? get(obj, 'spec.jobTemplate.spec.template.spec.containers') ?? []) as { name: string; image: string }[];
const names = (obj: KubeObject) => containersOf(obj).map((c) => c.name).join(',');
const images = (obj: KubeObject) => containersOf(obj).map((c) => c.image).join(',');

function podStatusReason(pod: KubeObject): { reason: string; ready: number; total: number; restarts: number; lastRestart?: number } {
  const status = (pod.status ?? {}) as any;
  const spec = (pod.spec ?? {}) as any;
  let reason: string = status.reason ?? status.phase ?? 'Pending';
  const containers: any[] = status.containerStatuses ?? [];
  const inits: any[] = status.initContainerStatuses ?? [];
  let restarts = 0;
  let lastRestart: number | undefined;
  const noteRestart = (c: any) => {
    restarts += c.restartCount ?? 0;
    const t = c.lastState?.terminated?.finishedAt;
    if (t) lastRestart = Math.max(lastRestart ?? 0, Date.parse(t));
  };
  let initializing = false;
  inits.forEach((c, i) => {
    noteRestart(c);
    if (c.state?.terminated?.exitCode === 0) return;
    if (c.state?.terminated) {
      reason = c.state.terminated.reason ? `Init:${c.state.terminated.reason}` : c.state.terminated.signal ? `Init:Signal:${c.state.terminated.signal}` : `Init:ExitCode:${c.state.terminated.exitCode}`;
      initializing = true;
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
      initializing = true;
    } else if (!initializing) {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
      initializing = true;
    }
  });
  let ready = 0;
  if (!initializing) {
    let hasRunning = false;
    for (let i = containers.length - 1; i >= 0; i--) {
      const c = containers[i];
      noteRestart(c);
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  } else {
    for (const c of containers) noteRestart(c);
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return { reason, ready, total: (spec.containers ?? []).length, restarts, lastRestart };
}

const printers: Record<string, Printer> = {
  pods: {
    columns: [col('Name'), col('Ready'), col('Status'), col('Restarts', 'string'), col('Age'), col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
    cells(obj, now) {
      const s = podStatusReason(obj);
      const restarts = s.lastRestart ? `${s.restarts} (${humanDuration(now - s.lastRestart)} ago)` : String(s.restarts);
      const gates = (get(obj, 'spec.readinessGates') ?? []) as { conditionType: string }[];
      const conds = (get(obj, 'status.conditions') ?? []) as { type: string; status: string }[];
      const gateCell = gates.length ? `${gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}` : '<none>';
      return [obj.metadata.name!, `${s.ready}/${s.total}`, s.reason, restarts, age(obj, now), orNone(get(obj, 'status.podIP')), orNone(get(obj, 'spec.nodeName')), orNone(get(obj, 'status.nominatedNodeName')), gateCell];
    },
  },
  deployments: {
    columns: [col('Name'), col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (obj, now) => [obj.metadata.name!, `${get(obj, 'status.readyReplicas') ?? 0}/${get(obj, 'spec.replicas') ?? 0}`, get(obj, 'status.updatedReplicas') ?? 0, get(obj, 'status.availableReplicas') ?? 0, age(obj, now), names(obj), images(obj), formatLabelSelector(get(obj, 'spec.selector'))],
  },
  replicasets: {
    columns: [col('Name'), col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (obj, now) => [obj.metadata.name!, get(obj, 'spec.replicas') ?? 0, get(obj, 'status.replicas') ?? 0, get(obj, 'status.readyReplicas') ?? 0, age(obj, now), names(obj), images(obj), formatLabelSelector(get(obj, 'spec.selector'))],
  },
  daemonsets: {
    columns: [col('Name'), col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Node Selector'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (obj, now) => [obj.metadata.name!, get(obj, 'status.desiredNumberScheduled') ?? 0, get(obj, 'status.currentNumberScheduled') ?? 0, get(obj, 'status.numberReady') ?? 0, get(obj, 'status.updatedNumberScheduled') ?? 0, get(obj, 'status.numberAvailable') ?? 0, selectorString(get(obj, 'spec.template.spec.nodeSelector')), age(obj, now), names(obj), images(obj), formatLabelSelector(get(obj, 'spec.selector'))],
  },
  services: {
    columns: [col('Name'), col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), col('Age'), col('Selector', 'string', 1)],
    cells(obj, now) {
      const ports = ((get(obj, 'spec.ports') ?? []) as any[]).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
      const type = get(obj, 'spec.type') ?? 'ClusterIP';
      const ext = (get(obj, 'spec.externalIPs') ?? []).join(',') || (type === 'LoadBalancer' ? '<pending>' : '<none>');
      return [obj.metadata.name!, type, orNone(get(obj, 'spec.clusterIP')), ext, ports || '<none>', age(obj, now), selectorString(get(obj, 'spec.selector'))];
    },
  },
  configmaps: {
    columns: [col('Name'), col('Data', 'integer'), col('Age')],
    cells: (obj, now) => [obj.metadata.name!, Object.keys((obj.data as object) ?? {}).length + Object.keys((obj.binaryData as object) ?? {}).length, age(obj, now)],
  },
  secrets: {
    columns: [col('Name'), col('Type'), col('Data', 'integer'), col('Age')],
    cells: (obj, now) => [obj.metadata.name!, String(obj.type ?? 'Opaque'), Object.keys((obj.data as object) ?? {}).length, age(obj, now)],
  },
  namespaces: {
    columns: [col('Name'), col('Status'), col('Age')],
    cells: (obj, now) => [obj.metadata.name!, get(obj, 'status.phase') ?? 'Active', age(obj, now)],
  },
  nodes: {
    columns: [col('Name'), col('Status'), col('Roles'), col('Age'), col('Version'), col('Internal-IP', 'string', 1), col('External-IP', 'string', 1), col('OS-Image', 'string', 1), col('Kernel-Version', 'string', 1), col('Container-Runtime', 'string', 1)],
    cells(obj, now) {
      const conds = (get(obj, 'status.conditions') ?? []) as { type: string; status: string }[];
      const ready = conds.find((c) => c.type === 'Ready');
      let status = ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown';
      if (get(obj, 'spec.unschedulable')) status += ',SchedulingDisabled';
      const roles = Object.keys(obj.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length)).join(',');
      const addr = (type: string) => orNone(((get(obj, 'status.addresses') ?? []) as { type: string; address: string }[]).find((a) => a.type === type)?.address);
      return [obj.metadata.name!, status, roles || '<none>', age(obj, now), get(obj, 'status.nodeInfo.kubeletVersion') ?? '', addr('InternalIP'), addr('ExternalIP'), orNone(get(obj, 'status.nodeInfo.osImage')), orNone(get(obj, 'status.nodeInfo.kernelVersion')), orNone(get(obj, 'status.nodeInfo.containerRuntimeVersion'))];
    },
  },
  jobs: {
    columns: [col('Name'), col('Status'), col('Completions'), col('Duration'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells(obj, now) {
      const conds = (get(obj, 'status.conditions') ?? []) as { type: string; status: string }[];
      const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
      const status = has('Complete') ? 'Complete' : has('Failed') ? 'Failed' : has('Suspended') ? 'Suspended' : has('FailureTarget') ? 'FailureTarget' : 'Running';
      const completions = get(obj, 'spec.completions');
      const succeeded = get(obj, 'status.succeeded') ?? 0;
      const start = get(obj, 'status.startTime');
      const end = get(obj, 'status.completionTime');
      const duration = start ? humanDuration((end ? Date.parse(end) : now) - Date.parse(start)) : '';
      return [obj.metadata.name!, status, completions !== undefined ? `${succeeded}/${completions}` : `${succeeded}/1 of ${get(obj, 'spec.parallelism') ?? 1}`, duration, age(obj, now), names(obj), images(obj), formatLabelSelector(get(obj, 'spec.selector'))];
    },
  },
  cronjobs: {
    columns: [col('Name'), col('Schedule'), col('Timezone'), col('Suspend', 'boolean'), col('Active', 'integer'), col('Last Schedule'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells(obj, now) {
      const last = get(obj, 'status.lastScheduleTime');
      return [obj.metadata.name!, String(get(obj, 'spec.schedule')), orNone(get(obj, 'spec.timeZone')), Boolean(get(obj, 'spec.suspend')), (get(obj, 'status.active') ?? []).length, last ? humanDuration(now - Date.parse(last)) : '<none>', age(obj, now), names(obj), images(obj), formatLabelSelector(get(obj, 'spec.jobTemplate.spec.selector'))];
    },
  },
  endpoints: {
    columns: [col('Name'), col('Endpoints'), col('Age')],
    cells(obj, now) {
      const eps: string[] = [];
      for (const s of (obj.subsets ?? []) as any[]) for (const a of s.addresses ?? []) for (const p of s.ports ?? [{}]) eps.push(p.port ? `${a.ip}:${p.port}` : a.ip);
      const shown = eps.slice(0, 3).join(',') + (eps.length > 3 ? ` + ${eps.length - 3} more...` : '');
      return [obj.metadata.name!, shown || '<none>', age(obj, now)];
    },
  },
  endpointslices: {
    columns: [col('Name'), col('AddressType'), col('Ports'), col('Endpoints'), col('Age')],
    cells(obj, now) {
      const ports = ((obj.ports ?? []) as any[]).map((p) => String(p.port)).join(',');
      const addrs = ((obj.endpoints ?? []) as any[]).flatMap((e) => e.addresses ?? []);
      const shown = addrs.slice(0, 3).join(',') + (addrs.length > 3 ? ` + ${addrs.length - 3} more...` : '');
      return [obj.metadata.name!, String(obj.addressType ?? ''), ports || '<unset>', shown || '<unset>', age(obj, now)];
    },
  },
  events: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Subobject', 'string', 1), col('Source', 'string', 1), col('Message'), col('First Seen', 'string', 1), col('Count', 'integer', 1), col('Name', 'string', 1)],
    cells(obj, now) {
      const o = obj as any;
      const last = o.lastTimestamp ?? o.eventTime ?? obj.metadata.creationTimestamp;
      const first = o.firstTimestamp ?? o.eventTime ?? obj.metadata.creationTimestamp;
      const inv = o.involvedObject ?? {};
      return [last ? humanDuration(now - Date.parse(last)) : '<unknown>', o.type ?? 'Normal', o.reason ?? '', `${String(inv.kind ?? '').toLowerCase()}/${inv.name ?? ''}`, inv.fieldPath ?? '', o.source?.component ?? o.reportingComponent ?? '', o.message ?? '', first ? humanDuration(now - Date.parse(first)) : '<unknown>', o.count ?? 1, obj.metadata.name!];
    },
  },
  leases: {
    columns: [col('Name'), col('Holder'), col('Age')],
    cells: (obj, now) => [obj.metadata.name!, String(get(obj, 'spec.holderIdentity') ?? ''), age(obj, now)],
  },
  serviceaccounts: {
    columns: [col('Name'), col('Secrets', 'integer'), col('Age')],
    cells: (obj, now) => [obj.metadata.name!, ((obj.secrets as unknown[]) ?? []).length, age(obj, now)],
  },
  priorityclasses: {
    columns: [col('Name'), col('Value', 'integer'), col('Global-Default', 'boolean'), col('Age'), col('Preemption Policy', 'string')],
    cells: (obj, now) => [obj.metadata.name!, Number(obj.value ?? 0), Boolean(obj.globalDefault), age(obj, now), String(obj.preemptionPolicy ?? 'PreemptLowerPriority')],
  },
};

const defaultPrinter: Printer = {
  columns: [col('Name'), { ...col('Created At', 'date'), description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }],
  cells: (obj) => [obj.metadata.name!, obj.metadata.creationTimestamp ?? ''],
};

/** toTable renders objects as a meta.k8s.io/v1 Table; includeObject picks what rows[].object holds. */
export function toTable(resource: string, objects: KubeObject[], opts: { resourceVersion?: string; continue?: string; includeObject?: string; noHeaders?: boolean }, now = Date.now()): object {
  const printer = printers[resource] ?? defaultPrinter;
  const rows = objects.map((obj) => ({
    cells: printer.cells(obj, now),
    object: opts.includeObject === 'None' ? undefined : opts.includeObject === 'Object' ? obj : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
  }));
  const metadata: Record<string, string> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: opts.noHeaders ? [] : printer.columns, rows };
}
