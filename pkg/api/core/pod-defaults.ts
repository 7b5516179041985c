// pod-defaults.ts: Kubernetes' defaults for pods (core/v1 SetDefaults_Pod, SetDefaults_PodSpec,
// SetDefaults_Container, probes, ports, volumes). Workload templates get defaultPodSpec only,
// as in Kubernetes, where the pod-level defaults apply when the pod itself is created.
import { qosClass } from './pod-helpers.js';
import { UNSUPPORTED_VOLUME_SOURCES, type Container, type HTTPGetAction, type Pod, type PodSpec, type Probe, type Volume, type VolumeProjection } from './pod-types.js';

/** DEFAULT_FILE_MODE is 0644, the default mode of projected files. */
export const DEFAULT_FILE_MODE = 0o644;

/** imageTag returns the tag of an image reference ("latest" when it has neither tag nor digest). */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return tagOf(image.slice(0, at));
  return tagOf(image) || 'latest';
}

function tagOf(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(colon + 1) : '';
}

/** defaultImagePullPolicy: Always for ":latest" or an untagged image, else IfNotPresent. */
export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  return imageTag(image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(action: HTTPGetAction | undefined): void {
  if (!action) return;
  action.path ??= '/';
  action.scheme ??= 'HTTP';
}

function defaultProbe(probe: Probe | undefined): void {
  if (!probe) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  defaultHTTPGet(probe.httpGet);
}

function defaultContainer(c: Container): void {
  c.imagePullPolicy ??= defaultImagePullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHTTPGet(c.lifecycle?.postStart?.httpGet);
  defaultHTTPGet(c.lifecycle?.preStop?.httpGet);
}

const VOLUME_SOURCES = ['hostPath', 'emptyDir', 'secret', 'configMap', 'projected', 'downwardAPI', 'persistentVolumeClaim', 'nfs', 'image'] as const;

function defaultProjection(p: VolumeProjection): void {
  if (p.serviceAccountToken) p.serviceAccountToken.expirationSeconds ??= 3600;
  for (const item of p.downwardAPI?.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ??= 'v1';
}

function defaultVolume(v: Volume): void {
  const record = v as unknown as Record<string, unknown>;
  if (![...VOLUME_SOURCES, ...UNSUPPORTED_VOLUME_SOURCES].some((s) => record[s] !== undefined)) v.emptyDir = {};
  if (v.hostPath) v.hostPath.type ??= '';
  if (v.secret) v.secret.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.configMap) v.configMap.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= DEFAULT_FILE_MODE;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ??= 'v1';
  }
  if (v.projected) {
    v.projected.defaultMode ??= DEFAULT_FILE_MODE;
    for (const s of v.projected.sources ?? []) defaultProjection(s);
  }
}

/** defaultPodSpec applies the PodSpec defaults (used for pods and every pod template). */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

function defaultRequestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits) return;
  const requests = (c.resources!.requests ??= {});
  for (const [name, value] of Object.entries(limits)) {
    if (!(name in requests)) requests[name] = value;
  }
}

function defaultHostNetworkPorts(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    for (const p of c.ports ?? []) p.hostPort ??= p.containerPort;
  }
}

/** defaultPod applies the Pod defaults: PodSpec defaults, requests from limits, service links, initial status. */
export function defaultPod(pod: Pod): void {
  pod.spec ??= { containers: [] };
  const spec = pod.spec;
  defaultPodSpec(spec);
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) defaultRequestsFromLimits(c);
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    defaultHostNetworkPorts(spec.containers);
    defaultHostNetworkPorts(spec.initContainers);
  }
  pod.status ??= {};
  pod.status.phase ??= 'Pending';
  pod.status.qosClass ??= qosClass(pod);
}
