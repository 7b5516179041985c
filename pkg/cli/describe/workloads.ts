// workloads.ts: describing Deployments, Services and Nodes, and a generic describer for the rest.
import type { KubeObject } from '../../api/meta.js';
import { humanDuration } from '../../api/duration.js';
import { formatLabelSelector } from '../../api/labels.js';
import { rfc1123z } from '../printers/duration.js';
import { writeEvents } from './events.js';
import { writeMeta, writePodTemplate, type DescribeContext } from './pod.js';
import { DescribeWriter } from './writer.js';


/** describeDeployment prints a Deployment like kubectl describe deployment. */
export function describeDeployment(d: KubeObject, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  const spec = (d.spec ?? {}) as any;
  const status = (d.status ?? {}) as any;
  writeMeta(w, d, { creation: true });
  w.line(0, 'Selector:', formatLabelSelector(spec.selector));
  w.line(0, 'Replicas:', `${spec.replicas ?? 1} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable`);
  if (spec.paused) w.line(0, 'Paused:', 'true');
  w.line(0, 'StrategyType:', spec.strategy?.type ?? 'RollingUpdate');
  w.line(0, 'MinReadySeconds:', spec.minReadySeconds ?? 0);
  if ((spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const ru = spec.strategy?.rollingUpdate ?? {};
    w.line(0, 'RollingUpdateStrategy:', `${ru.maxUnavailable ?? '25%'} max unavailable, ${ru.maxSurge ?? '25%'} max surge`);
  }
  writePodTemplate(w, spec.template);
  const conds = (status.conditions ?? []) as any[];
  if (conds.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type', 'Status', 'Reason');
    w.line(1, '----', '------', '------');
    for (const c of conds) w.line(1, `${c.type} `, `${c.status} `, c.reason ?? '');
  }
  const rss = ctx.related?.replicasets;
  if (rss) {
    const owned = rss.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid));
    const sameTemplate = (rs: KubeObject) => {
      const t = structuredClone((rs.spec as any)?.template ?? {});
      if (t.metadata?.labels) delete t.metadata.labels['pod-template-hash'];
      return JSON.stringify(t) === JSON.stringify(spec.template ?? {});
    };
    const newest = owned.find(sameTemplate);
    const old = owned.filter((rs) => rs !== newest && ((rs.spec as any)?.replicas ?? 0) > 0);
    const fmt = (rs: KubeObject) => `${rs.metadata.name} (${(rs.status as any)?.replicas ?? 0}/${(rs.spec as any)?.replicas ?? 0} replicas created)`;
    w.line(0, 'OldReplicaSets:', old.length ? old.map(fmt).join(', ') : '<none>');
    w.line(0, 'NewReplicaSet:', newest ? fmt(newest) : '<none>');
  }
  writeEvents(w, ctx.events, ctx.now);
  return w.text();
}

/** describeService prints a Service like kubectl describe service. */
export function describeService(svc: KubeObject, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  const spec = (svc.spec ?? {}) as any;
  writeMeta(w, svc);
  w.line(0, 'Selector:', Object.entries(spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',') || '<none>');
  w.line(0, 'Type:', spec.type ?? 'ClusterIP');
  w.line(0, 'IP Family Policy:', spec.ipFamilyPolicy ?? 'SingleStack');
  w.line(0, 'IP Families:', (spec.ipFamilies ?? ['IPv4']).join(','));
  w.line(0, 'IP:', spec.clusterIP ?? '');
  w.line(0, 'IPs:', (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).join(',') || '<none>');
  if (spec.externalIPs?.length) w.line(0, 'External IPs:', spec.externalIPs.join(','));
  const endpoints = ctx.related?.endpoints?.[0] as any;
  for (const p of (spec.ports ?? []) as any[]) {
    const name = p.name || '<unset>';
    w.line(0, 'Port:', `${name}  ${p.port}/${p.protocol ?? 'TCP'}`);
    const tp = p.targetPort ?? p.port;
    w.line(0, 'TargetPort:', `${tp}/${p.protocol ?? 'TCP'}`);
    if (p.nodePort) w.line(0, 'NodePort:', `${name}  ${p.nodePort}/${p.protocol ?? 'TCP'}`);
    if (ctx.related?.endpoints) {
      const addrs: string[] = [];
      for (const s of endpoints?.subsets ?? []) {
        const port = (s.ports ?? []).find((sp: any) => (sp.name ?? '') === (p.name ?? '')) ?? (s.ports ?? [])[0];
        for (const a of s.addresses ?? []) addrs.push(port ? `${a.ip}:${port.port}` : a.ip);
      }
      w.line(0, 'Endpoints:', addrs.join(',') || '<none>');
    }
  }
  w.line(0, 'Session Affinity:', spec.sessionAffinity ?? 'None');
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') w.line(0, 'External Traffic Policy:', spec.externalTrafficPolicy ?? 'Cluster');
  w.line(0, 'Internal Traffic Policy:', spec.internalTrafficPolicy ?? 'Cluster');
  writeEvents(w, ctx.events, ctx.now);
  return w.text();
}

/** describeNode prints a Node like kubectl describe node. */
export function describeNode(node: KubeObject, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  const spec = (node.spec ?? {}) as any;
  const status = (node.status ?? {}) as any;
  w.line(0, 'Name:', node.metadata.name ?? '');
  const roles = Object.keys(node.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice(24));
  w.line(0, 'Roles:', roles.join(',') || '<none>');
  w.map(0, 'Labels', node.metadata.labels);
  w.map(0, 'Annotations', node.metadata.annotations, ': ');
  w.line(0, 'CreationTimestamp:', rfc1123z(node.metadata.creationTimestamp));
  const taints = ((spec.taints ?? []) as any[]).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
  if (!taints.length) w.line(0, 'Taints:', '<none>');
  else taints.forEach((t, i) => w.line(0, i === 0 ? 'Taints:' : '', t));
  w.line(0, 'Unschedulable:', Boolean(spec.unschedulable));
  const lease = ctx.related?.leases?.[0] as any;
  if (ctx.related?.leases) {
    w.line(0, 'Lease:');
    w.line(1, 'HolderIdentity:', lease?.spec?.holderIdentity ?? '<unset>');
    w.line(1, 'AcquireTime:', lease?.spec?.acquireTime ? rfc1123z(lease.spec.acquireTime) : '<unset>');
    w.line(1, 'RenewTime:', lease?.spec?.renewTime ? rfc1123z(lease.spec.renewTime) : '<unset>');
  }
  const conds = (status.conditions ?? []) as any[];
  w.line(0, 'Conditions:');
  w.line(1, 'Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message');
  w.line(1, '----', '------', '-----------------', '------------------', '------', '-------');
  for (const c of conds) w.line(1, c.type, c.status, rfc1123z(c.lastHeartbeatTime), rfc1123z(c.lastTransitionTime), c.reason ?? '', c.message ?? '');
  w.line(0, 'Addresses:');
  for (const a of (status.addresses ?? []) as any[]) w.line(1, `${a.type}:`, a.address);
  for (const [key, title] of [['capacity', 'Capacity'], ['allocatable', 'Allocatable']] as const) {
    w.line(0, `${title}:`);
    for (const k of Object.keys(status[key] ?? {}).sort()) w.line(1, `${k}:`, status[key][k]);
  }
  const info = status.nodeInfo ?? {};
  w.line(0, 'System Info:');
  for (const [k, label] of [['machineID', 'Machine ID'], ['systemUUID', 'System UUID'], ['bootID', 'Boot ID'], ['kernelVersion', 'Kernel Version'], ['osImage', 'OS Image'], ['operatingSystem', 'Operating System'], ['architecture', 'Architecture'], ['containerRuntimeVersion', 'Container Runtime Version'], ['kubeletVersion', 'Kubelet Version']]) {
    w.line(1, `${label}:`, info[k] ?? '');
  }
  if (spec.podCIDR) w.line(0, 'PodCIDR:', spec.podCIDR);
  if (spec.podCIDRs?.length) w.line(0, 'PodCIDRs:', spec.podCIDRs.join(','));
  const pods = ctx.related?.pods;
  if (pods) {
    const running = pods.filter((p) => !['Succeeded', 'Failed'].includes((p.status as any)?.phase));
    w.line(0, 'Non-terminated Pods:', `(${running.length} in total)`);
    w.line(1, 'Namespace', 'Name', 'CPU Requests', 'Memory Requests', 'Age');
    w.line(1, '---------', '----', '------------', '---------------', '---');
    for (const p of running) {
      const cs = ((p.spec as any)?.containers ?? []) as any[];
      const req = (r: string) => cs.map((c) => c.resources?.requests?.[r]).filter(Boolean).join('+') || '0';
      w.line(1, p.metadata.namespace ?? '', p.metadata.name ?? '', req('cpu'), req('memory'), p.metadata.creationTimestamp ? humanDuration(ctx.now - Date.parse(p.metadata.creationTimestamp)) : '<unknown>');
    }
  }
  writeEvents(w, ctx.events, ctx.now);
  return w.text();
}

function title(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function writeValue(w: DescribeWriter, level: number, key: string, v: unknown): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) {
    if (v.length === 0) return w.line(level, `${title(key)}:`, '<none>');
    if (v.every((x) => typeof x !== 'object')) return w.line(level, `${title(key)}:`, v.join(', '));
    w.line(level, `${title(key)}:`);
    for (const item of v) {
      const entries = Object.entries(item as Record<string, unknown>);
      entries.forEach(([k, x], i) => (i === 0 && typeof x !== 'object' ? w.line(level + 1, `${title(k)}:`, String(x)) : writeValue(w, level + 1, k, x)));
    }
    return;
  }
  if (typeof v === 'object') {
    w.line(level, `${title(key)}:`);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) writeValue(w, level + 1, k, x);
    return;
  }
  w.line(level, `${title(key)}:`, String(v));
}

/** describeGeneric prints any object: metadata, then every other field, as kubectl's generic describer. */
export function describeGeneric(obj: KubeObject, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  writeMeta(w, obj);
  if (obj.kind === 'ConfigMap') {
    w.line(0, '');
    w.line(0, 'Data');
    w.line(0, '====');
    for (const [k, v] of Object.entries((obj.data as Record<string, string>) ?? {})) {
      w.line(0, `${k}:`);
      w.line(0, '----');
      w.line(0, String(v).replace(/\n$/, ''));
      w.line(0, '');
    }
    w.line(0, '');
    w.line(0, 'BinaryData');
    w.line(0, '====');
    w.line(0, '');
  } else if (obj.kind === 'Secret') {
    w.line(0, '');
    w.line(0, 'Type:', String(obj.type ?? 'Opaque'));
    w.line(0, '');
    w.line(0, 'Data');
    w.line(0, '====');
    for (const [k, v] of Object.entries((obj.data as Record<string, string>) ?? {})) w.line(0, `${k}:`, `${Buffer.from(v, 'base64').length} bytes`);
  } else {
    w.line(0, 'API Version:', obj.apiVersion ?? '');
    w.line(0, 'Kind:', obj.kind ?? '');
    for (const [k, v] of Object.entries(obj)) if (!['apiVersion', 'kind', 'metadata'].includes(k)) writeValue(w, 0, k, v);
  }
  writeEvents(w, ctx.events, ctx.now);
  return w.text();
}
