// pod-validation.ts: validation of Pod, PodSpec and PodTemplateSpec on create and update
// (core/validation ValidatePod, ValidatePodSpec, ValidatePodUpdate).
import { deepEqual } from '../equality.js';
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from '../field.js';
import type { ObjectMeta } from '../meta.js';
import {
  isDNS1123Label,
  isQualifiedName,
  isValidIP,
  messagesToErrors,
  nonNegative,
  oneOf,
  validateAnnotations,
  validateDNSSubdomainField,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../validation.js';
import { validateContainers, validateResources, type ContainerContext } from './container-validation.js';
import type { Pod, PodSpec, PodTemplateSpec } from './pod-types.js';
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from './scheduling-validation.js';
import { validateVolumes } from './volume-validation.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

function validateSecurity(spec: PodSpec, fld: FieldPath): FieldError[] {
  const sc = spec.securityContext;
  if (!sc) return [];
  const p = fld.child('securityContext');
  const errs = [...nonNegative(sc.runAsUser, p.child('runAsUser')), ...nonNegative(sc.runAsGroup, p.child('runAsGroup')), ...nonNegative(sc.fsGroup, p.child('fsGroup'))];
  (sc.supplementalGroups ?? []).forEach((g, i) => errs.push(...nonNegative(g, p.child('supplementalGroups').index(i))));
  errs.push(...oneOf(sc.fsGroupChangePolicy, ['OnRootMismatch', 'Always'], p.child('fsGroupChangePolicy')));
  errs.push(...oneOf(sc.supplementalGroupsPolicy, ['Merge', 'Strict'], p.child('supplementalGroupsPolicy')));
  (sc.sysctls ?? []).forEach((s, i) => {
    if (!s.name) errs.push(required(p.child('sysctls').index(i).child('name')));
    else if (!/^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/.test(s.name)) {
      errs.push(invalid(p.child('sysctls').index(i).child('name'), s.name, "must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"));
    }
  });
  if (spec.hostUsers === false && (spec.hostNetwork || spec.hostPID || spec.hostIPC)) {
    errs.push(forbidden(fld.child('hostUsers'), 'when `hostUsers` is false, `hostNetwork`, `hostPID` and `hostIPC` must be false'));
  }
  return errs;
}

/** validatePodSpec checks a PodSpec (of a pod or of a template). */
export function validatePodSpec(spec: PodSpec | undefined, fld: FieldPath): FieldError[] {
  if (!spec) return [required(fld)];
  const errs: FieldError[] = [];
  const vols = validateVolumes(spec.volumes, fld.child('volumes'));
  errs.push(...vols.errors);
  const ctx: ContainerContext = { volumes: vols.names, names: new Set(), hostNetwork: spec.hostNetwork === true, hostPorts: new Set() };
  if (!spec.containers || spec.containers.length === 0) errs.push(required(fld.child('containers')));
  errs.push(...validateContainers(spec.initContainers, 'initContainers', fld.child('initContainers'), ctx));
  errs.push(...validateContainers(spec.containers, 'containers', fld.child('containers'), ctx));
  errs.push(...validateContainers(spec.ephemeralContainers, 'ephemeralContainers', fld.child('ephemeralContainers'), ctx));

  errs.push(...oneOf(spec.restartPolicy, RESTART_POLICIES, fld.child('restartPolicy'), true));
  errs.push(...oneOf(spec.dnsPolicy, DNS_POLICIES, fld.child('dnsPolicy'), true));
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig) errs.push(required(fld.child('dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  if (spec.dnsConfig) {
    const dc = fld.child('dnsConfig');
    if ((spec.dnsConfig.nameservers ?? []).length > 3) errs.push(invalid(dc.child('nameservers'), spec.dnsConfig.nameservers, 'must not have more than 3 nameservers'));
    (spec.dnsConfig.nameservers ?? []).forEach((ns, i) => errs.push(...messagesToErrors(dc.child('nameservers').index(i), ns, isValidIP(ns))));
    if ((spec.dnsConfig.searches ?? []).length > 32) errs.push(invalid(dc.child('searches'), spec.dnsConfig.searches, 'must not have more than 32 search paths'));
    (spec.dnsConfig.options ?? []).forEach((o, i) => {
      if (!o.name) errs.push(required(dc.child('options').index(i).child('name')));
    });
    if (spec.dnsPolicy === 'None' && (spec.dnsConfig.nameservers ?? []).length === 0) {
      errs.push(required(dc.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
    }
  }
  errs.push(...validateLabels(spec.nodeSelector, fld.child('nodeSelector')));
  if (spec.serviceAccountName) errs.push(...validateDNSSubdomainField(spec.serviceAccountName, fld.child('serviceAccountName')));
  if (spec.nodeName) errs.push(...validateDNSSubdomainField(spec.nodeName, fld.child('nodeName')));
  if (spec.priorityClassName) errs.push(...validateDNSSubdomainField(spec.priorityClassName, fld.child('priorityClassName')));
  if (spec.runtimeClassName) errs.push(...validateDNSSubdomainField(spec.runtimeClassName, fld.child('runtimeClassName')));
  if (spec.schedulerName !== undefined) errs.push(...validateDNSSubdomainField(spec.schedulerName, fld.child('schedulerName')));
  if (spec.activeDeadlineSeconds !== undefined && !(spec.activeDeadlineSeconds >= 1)) {
    errs.push(invalid(fld.child('activeDeadlineSeconds'), spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  errs.push(...nonNegative(spec.terminationGracePeriodSeconds, fld.child('terminationGracePeriodSeconds')));
  if (spec.hostname) errs.push(...messagesToErrors(fld.child('hostname'), spec.hostname, isDNS1123Label(spec.hostname)));
  if (spec.hostnameOverride) errs.push(...validateDNSSubdomainField(spec.hostnameOverride, fld.child('hostnameOverride')));
  if (spec.subdomain) errs.push(...messagesToErrors(fld.child('subdomain'), spec.subdomain, isDNS1123Label(spec.subdomain)));
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (!s.name) errs.push(required(fld.child('imagePullSecrets').index(i).child('name')));
  });
  (spec.hostAliases ?? []).forEach((h, i) => {
    const p = fld.child('hostAliases').index(i);
    errs.push(...messagesToErrors(p.child('ip'), h.ip, isValidIP(h.ip ?? '')));
  });
  errs.push(...validateTolerations(spec.tolerations, fld.child('tolerations')));
  errs.push(...validateAffinity(spec.affinity, fld.child('affinity')));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, fld.child('topologySpreadConstraints')));
  (spec.readinessGates ?? []).forEach((g, i) => {
    errs.push(...messagesToErrors(fld.child('readinessGates').index(i).child('conditionType'), g.conditionType, isQualifiedName(g.conditionType ?? '')));
  });
  (spec.schedulingGates ?? []).forEach((g, i) => {
    errs.push(...messagesToErrors(fld.child('schedulingGates').index(i).child('name'), g.name, isQualifiedName(g.name ?? '')));
  });
  errs.push(...oneOf(spec.preemptionPolicy, ['PreemptLowerPriority', 'Never'], fld.child('preemptionPolicy')));
  if (spec.os) errs.push(...oneOf(spec.os.name, ['linux', 'windows'], fld.child('os').child('name'), true));
  if (spec.shareProcessNamespace && spec.hostPID) errs.push(invalid(fld.child('shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  if (spec.overhead) errs.push(...validateResources({ requests: spec.overhead }, fld.child('overhead')).map((e) => ({ ...e, field: e.field.replace('overhead.requests', 'overhead') })));
  errs.push(...validateResources(spec.resources, fld.child('resources')));
  errs.push(...validateSecurity(spec, fld));
  return errs;
}

/** validatePodTemplateSpec checks a workload's pod template: labels, annotations and spec. */
export function validatePodTemplateSpec(template: PodTemplateSpec | undefined, fld: FieldPath): FieldError[] {
  if (!template) return [required(fld)];
  const meta: ObjectMeta = template.metadata ?? {};
  const errs = validateLabels(meta.labels, fld.child('metadata').child('labels'));
  errs.push(...validateAnnotations(meta.annotations, fld.child('metadata').child('annotations')));
  errs.push(...validatePodSpec(template.spec, fld.child('spec')));
  return errs;
}

/** validatePod checks a pod on create. */
export function validatePod(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { namespaced: true });
  errs.push(...validatePodSpec(pod.spec, new FieldPath('spec')));
  if (pod.status?.phase) errs.push(...oneOf(pod.status.phase, POD_PHASES, new FieldPath('status').child('phase')));
  return errs;
}

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** validatePodUpdate allows only images, activeDeadlineSeconds, added tolerations and removed scheduling gates to change. */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const spec = new FieldPath('spec');
  const next = pod.spec;
  const prev = old.spec;
  if (prev.activeDeadlineSeconds !== undefined) {
    if (next.activeDeadlineSeconds === undefined) errs.push(invalid(spec.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
    else if (next.activeDeadlineSeconds > prev.activeDeadlineSeconds) {
      errs.push(invalid(spec.child('activeDeadlineSeconds'), next.activeDeadlineSeconds, 'must be less than or equal to previous value'));
    }
  }
  const oldTolerations = prev.tolerations ?? [];
  if (!oldTolerations.every((t) => (next.tolerations ?? []).some((n) => deepEqual(n, t) || (sameToleration(n, t) && t.tolerationSeconds !== undefined && n.tolerationSeconds !== undefined && n.tolerationSeconds <= t.tolerationSeconds)))) {
    errs.push(forbidden(spec.child('tolerations'), 'existing toleration can not be modified except its tolerationSeconds'));
  }
  if ((next.schedulingGates ?? []).some((g) => !(prev.schedulingGates ?? []).some((o) => o.name === g.name))) {
    errs.push(forbidden(spec.child('schedulingGates'), 'only deletion is allowed, but found new scheduling gate'));
  }
  // Compare the rest: copy the new spec, put the mutable fields back to their old values.
  const mutable = structuredClone(next);
  mutable.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  mutable.tolerations = prev.tolerations;
  mutable.schedulingGates = prev.schedulingGates;
  if ((prev.terminationGracePeriodSeconds ?? 0) < 0 && next.terminationGracePeriodSeconds === 1) mutable.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  for (const list of ['containers', 'initContainers'] as const) {
    const mine = mutable[list];
    const theirs = prev[list];
    if (mine && theirs && mine.length === theirs.length) mine.forEach((c, i) => (c.image = theirs[i].image));
  }
  // Ephemeral containers change only through their own subresource.
  mutable.ephemeralContainers = prev.ephemeralContainers;
  if (!deepEqual(mutable, prev)) errs.push(forbidden(spec, POD_UPDATE_MESSAGE));
  (next.containers ?? []).forEach((c, i) => {
    if (!c.image) errs.push(required(spec.child('containers').index(i).child('image')));
  });
  return errs;
}

function sameToleration(a: { key?: string; operator?: string; value?: string; effect?: string }, b: typeof a): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

/** validatePodStatus checks a status write: the phase must be known. */
export function validatePodStatus(pod: Pod): FieldError[] {
  const phase = pod.status?.phase;
  if (phase !== undefined && !POD_PHASES.includes(phase)) return [notSupported(new FieldPath('status').child('phase'), phase, POD_PHASES)];
  return [];
}
