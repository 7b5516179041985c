// pod.ts: describing a Pod, and the container and pod-template sections Deployments reuse.
import type { KubeObject } from '../../api/meta.js';
import { rfc1123z } from '../printers/duration.js';
import { writeEvents } from './events.js';
import { DescribeWriter } from './writer.js';


/** DescribeContext is what a describer may show besides the object. */
export interface DescribeContext {
  now: number;
  events?: KubeObject[];
  /** related holds objects other describers need (a Deployment's ReplicaSets, a Service's Endpoints, a Node's pods). */
  related?: Record<string, KubeObject[]>;
}

/** writeMeta prints Name, Namespace, and optionally labels and annotations. */
export function writeMeta(w: DescribeWriter, obj: KubeObject, opts: { creation?: boolean; labels?: boolean } = {}): void {
  w.line(0, 'Name:', obj.metadata.name ?? '');
  if (obj.metadata.namespace) w.line(0, 'Namespace:', obj.metadata.namespace);
  if (opts.creation) w.line(0, 'CreationTimestamp:', rfc1123z(obj.metadata.creationTimestamp));
  if (opts.labels ?? true) {
    w.map(0, 'Labels', obj.metadata.labels);
    const annotations = { ...(obj.metadata.annotations ?? {}) };
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    w.map(0, 'Annotations', annotations, ': ');
  }
}

function ports(c: any, key: 'containerPort' | 'hostPort'): string {
  const ps = (c.ports ?? []) as any[];
  if (!ps.length) return '<none>';
  return ps.map((p) => `${p[key] ?? 0}/${p.protocol ?? 'TCP'}`).join(', ');
}

function writeState(w: DescribeWriter, level: number, title: string, state: any): void {
  if (state?.running) {
    w.line(level, `${title}:`, 'Running');
    w.line(level + 1, 'Started:', rfc1123z(state.running.startedAt));
  } else if (state?.waiting) {
    w.line(level, `${title}:`, 'Waiting');
    w.line(level + 1, 'Reason:', state.waiting.reason ?? '');
  } else if (state?.terminated) {
    const t = state.terminated;
    w.line(level, `${title}:`, 'Terminated');
    w.line(level + 1, 'Reason:', t.reason ?? '');
    if (t.message) w.line(level + 1, 'Message:', t.message);
    w.line(level + 1, 'Exit Code:', t.exitCode ?? 0);
    if (t.signal) w.line(level + 1, 'Signal:', t.signal);
    w.line(level + 1, 'Started:', rfc1123z(t.startedAt));
    w.line(level + 1, 'Finished:', rfc1123z(t.finishedAt));
  } else {
    w.line(level, `${title}:`, 'Waiting');
  }
}

/** writeContainers prints a Containers (or Init Containers) section. */
export function writeContainers(w: DescribeWriter, level: number, title: string, containers: any[], statuses: any[] | undefined): void {
  w.line(level, `${title}:`);
  for (const c of containers) {
    const s = statuses?.find((x) => x.name === c.name);
    w.line(level + 1, `${c.name}:`);
    const l = level + 2;
    if (statuses) w.line(l, 'Container ID:', s?.containerID ?? '');
    w.line(l, 'Image:', c.image ?? '');
    if (statuses) w.line(l, 'Image ID:', s?.imageID ?? '');
    const many = (c.ports ?? []).length > 1;
    w.line(l, many ? 'Ports:' : 'Port:', ports(c, 'containerPort'));
    w.line(l, many ? 'Host Ports:' : 'Host Port:', ports(c, 'hostPort'));
    for (const [key, label] of [['command', 'Command'], ['args', 'Args']] as const) {
      if (!c[key]?.length) continue;
      w.line(l, `${label}:`);
      for (const a of c[key]) w.line(l + 1, String(a));
    }
    if (statuses) {
      writeState(w, l, 'State', s?.state);
      if (s?.lastState && Object.keys(s.lastState).length) writeState(w, l, 'Last State', s.lastState);
      w.line(l, 'Ready:', s?.ready ? 'True' : 'False');
      w.line(l, 'Restart Count:', s?.restartCount ?? 0);
    }
    for (const [key, label] of [['limits', 'Limits'], ['requests', 'Requests']] as const) {
      const r = c.resources?.[key];
      if (!r || !Object.keys(r).length) continue;
      w.line(l, `${label}:`);
      for (const k of Object.keys(r).sort()) w.line(l + 1, `${k}:`, r[k]);
    }
    for (const [key, label] of [['livenessProbe', 'Liveness'], ['readinessProbe', 'Readiness'], ['startupProbe', 'Startup']] as const) {
      if (c[key]) w.line(l, `${label}:`, probe(c[key]));
    }
    const env = (c.env ?? []) as any[];
    if (!env.length && !(c.envFrom ?? []).length) w.line(l, 'Environment:', '<none>');
    else {
      w.line(l, 'Environment:');
      for (const e of env) {
        const from = e.valueFrom;
        const value = from?.configMapKeyRef
          ? `<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name}'>`
          : from?.secretKeyRef
            ? `<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name}'>`
            : from?.fieldRef
              ? ` (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})`
              : (e.value ?? '');
        w.line(l + 1, `${e.name}:`, value);
      }
    }
    const mounts = (c.volumeMounts ?? []) as any[];
    if (!mounts.length) w.line(l, 'Mounts:', '<none>');
    else {
      w.line(l, 'Mounts:');
      for (const m of mounts) w.line(l + 1, `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'}${m.subPath ? `,path="${m.subPath}"` : ''})`);
    }
  }
}

function probe(p: any): string {
  const how = p.httpGet
    ? `http-get ${p.httpGet.scheme === 'HTTPS' ? 'https' : 'http'}://${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path ?? ''}`
    : p.tcpSocket
      ? `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port}`
      : p.exec
        ? `exec [${(p.exec.command ?? []).join(' ')}]`
        : p.grpc
          ? `grpc <pod>:${p.grpc.port}`
          : 'unknown';
  return `${how} delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
}

/** writeVolumes prints the Volumes section. */
export function writeVolumes(w: DescribeWriter, level: number, volumes: any[] | undefined): void {
  if (!volumes?.length) return w.line(level, 'Volumes:', '<none>');
  w.line(level, 'Volumes:');
  for (const v of volumes) {
    w.line(level + 1, `${v.name}:`);
    const l = level + 2;
    if (v.emptyDir) {
      w.line(l, 'Type:', 'EmptyDir (a temporary directory that shares a pod\'s lifetime)');
      w.line(l, 'Medium:', v.emptyDir.medium ?? '');
      w.line(l, 'SizeLimit:', v.emptyDir.sizeLimit ?? '<unset>');
    } else if (v.configMap) {
      w.line(l, 'Type:', 'ConfigMap (a volume populated by a ConfigMap)');
      w.line(l, 'Name:', v.configMap.name);
      w.line(l, 'Optional:', Boolean(v.configMap.optional));
    } else if (v.secret) {
      w.line(l, 'Type:', 'Secret (a volume populated by a Secret)');
      w.line(l, 'SecretName:', v.secret.secretName);
      w.line(l, 'Optional:', Boolean(v.secret.optional));
    } else if (v.hostPath) {
      w.line(l, 'Type:', 'HostPath (bare host directory volume)');
      w.line(l, 'Path:', v.hostPath.path);
      w.line(l, 'HostPathType:', v.hostPath.type ?? '');
    } else if (v.projected) {
      w.line(l, 'Type:', 'Projected (a volume that contains injected data from multiple sources)');
    } else {
      w.line(l, 'Type:', Object.keys(v).filter((k) => k !== 'name')[0] ?? '<unknown>');
    }
  }
}

function tolerations(spec: any): string[] {
  return ((spec.tolerations ?? []) as any[]).map((t) => {
    let s = t.key ?? '';
    if (t.operator === 'Exists' && !t.key) s = '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.key && !t.effect) s = 'op=Exists';
    else if (t.operator === 'Exists') s += ' op=Exists';
    if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
    return s;
  });
}

function writeList(w: DescribeWriter, level: number, title: string, items: string[]): void {
  if (!items.length) return w.line(level, `${title}:`, '<none>');
  items.forEach((it, i) => w.line(level, i === 0 ? `${title}:` : '', it));
}

/** qosClass computes a pod's QoS class from its containers' requests and limits. */
export function qosClass(spec: any): string {
  const cs = [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as any[];
  let any = false;
  let guaranteed = true;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** describePod prints a Pod like kubectl describe pod. */
export function describePod(pod: KubeObject, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  const spec = (pod.spec ?? {}) as any;
  const status = (pod.status ?? {}) as any;
  w.line(0, 'Name:', pod.metadata.name ?? '');
  w.line(0, 'Namespace:', pod.metadata.namespace ?? '');
  if (spec.priority !== undefined) w.line(0, 'Priority:', spec.priority);
  if (spec.priorityClassName) w.line(0, 'Priority Class Name:', spec.priorityClassName);
  w.line(0, 'Service Account:', spec.serviceAccountName ?? '');
  w.line(0, 'Node:', spec.nodeName ? `${spec.nodeName}${status.hostIP ? `/${status.hostIP}` : ''}` : '<none>');
  if (status.startTime) w.line(0, 'Start Time:', rfc1123z(status.startTime));
  w.map(0, 'Labels', pod.metadata.labels);
  w.map(0, 'Annotations', pod.metadata.annotations, ': ');
  if (pod.metadata.deletionTimestamp) {
    w.line(0, 'Status:', `Terminating (lasts ${Math.max(0, Math.floor((ctx.now - Date.parse(pod.metadata.deletionTimestamp)) / 1000))}s)`);
    w.line(0, 'Termination Grace Period:', `${pod.metadata.deletionGracePeriodSeconds ?? 30}s`);
  } else w.line(0, 'Status:', status.phase ?? 'Pending');
  if (status.reason) w.line(0, 'Reason:', status.reason);
  if (status.message) w.line(0, 'Message:', status.message);
  w.line(0, 'IP:', status.podIP ?? '');
  const ips = (status.podIPs ?? []) as { ip: string }[];
  if (!ips.length) w.line(0, 'IPs:', '<none>');
  else {
    w.line(0, 'IPs:');
    for (const ip of ips) w.line(1, 'IP:', ip.ip);
  }
  if (status.nominatedNodeName) w.line(0, 'NominatedNodeName:', status.nominatedNodeName);
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
  if (owner) w.line(0, 'Controlled By:', `${owner.kind}/${owner.name}`);
  if (spec.initContainers?.length) writeContainers(w, 0, 'Init Containers', spec.initContainers, status.initContainerStatuses ?? []);
  writeContainers(w, 0, 'Containers', spec.containers ?? [], status.containerStatuses ?? []);
  const conds = (status.conditions ?? []) as any[];
  if (conds.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type', 'Status');
    for (const c of conds) w.line(1, `${c.type} `, `${c.status} `);
  }
  writeVolumes(w, 0, spec.volumes);
  w.line(0, 'QoS Class:', qosClass(spec));
  writeList(w, 0, 'Node-Selectors', Object.entries(spec.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`));
  writeList(w, 0, 'Tolerations', tolerations(spec));
  writeEvents(w, ctx.events, ctx.now);
  return w.text();
}

/** writePodTemplate prints a workload's Pod Template section. */
export function writePodTemplate(w: DescribeWriter, template: any): void {
  const spec = template?.spec ?? {};
  w.line(0, 'Pod Template:');
  w.map(1, 'Labels', template?.metadata?.labels);
  if (Object.keys(template?.metadata?.annotations ?? {}).length) w.map(1, 'Annotations', template.metadata.annotations, ': ');
  if (spec.serviceAccountName) w.line(1, 'Service Account:', spec.serviceAccountName);
  if (spec.initContainers?.length) writeContainers(w, 1, 'Init Containers', spec.initContainers, undefined);
  writeContainers(w, 1, 'Containers', spec.containers ?? [], undefined);
  writeVolumes(w, 1, spec.volumes);
  writeList(w, 1, 'Node-Selectors', Object.entries(spec.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`));
  writeList(w, 1, 'Tolerations', tolerations(spec));
}
