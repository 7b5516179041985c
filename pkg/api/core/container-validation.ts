// container-validation.ts: validation of containers (core/validation validateContainers):
// names, images, ports, env, resources, volume mounts, probes, lifecycle and security context.
import { FieldPath, forbidden, invalid, notSupported, required, duplicate, type FieldError } from '../field.js';
import { tryParseQuantity, type Quantity } from '../quantity.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isEnvVarName,
  isQualifiedName,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  messagesToErrors,
  nonNegative,
  notFound,
  oneOf,
  validateDNSSubdomainField,
} from '../validation.js';
import type { Container, EnvVar, HTTPGetAction, IntOrString, LifecycleHandler, Probe, ResourceRequirements, SecurityContext } from './pod-types.js';

/** ContainerKind says which list a container is in; rules differ slightly between them. */
export type ContainerKind = 'containers' | 'initContainers' | 'ephemeralContainers';

/** ContainerContext is what container validation needs to know about the pod. */
export interface ContainerContext {
  volumes: Set<string>;
  /** names collects container names across all lists (they must be unique in a pod). */
  names: Set<string>;
  hostNetwork: boolean;
  /** hostPorts collects "port/protocol/hostIP" of host ports across the pod (they must be unique). */
  hostPorts: Set<string>;
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const RESOURCE_FIELDS = ['limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage'];

/** validatePortNumOrName checks an int-or-string port: 1-65535 or an IANA service name. */
export function validatePortNumOrName(port: IntOrString | undefined, fld: FieldPath): FieldError[] {
  if (port === undefined || port === '') return [required(fld)];
  if (typeof port === 'number') return messagesToErrors(fld, port, isValidPortNum(port));
  if (/^\d+$/.test(port)) return messagesToErrors(fld, port, isValidPortNum(Number(port)));
  return messagesToErrors(fld, port, isValidPortName(port));
}

function validateHTTPGet(h: HTTPGetAction, fld: FieldPath): FieldError[] {
  const errs = validatePortNumOrName(h.port, fld.child('port'));
  errs.push(...oneOf(h.scheme, ['HTTP', 'HTTPS'], fld.child('scheme')));
  (h.httpHeaders ?? []).forEach((hd, i) => {
    if (!/^[-A-Za-z0-9!#$%&'*+.^_`|~]+$/.test(hd.name ?? '')) errs.push(invalid(fld.child('httpHeaders').index(i).child('name'), hd.name, 'a valid HTTP header must consist of alphanumeric characters or \'-\''));
  });
  return errs;
}

function validateHandler(h: LifecycleHandler & { grpc?: { port: number } }, fld: FieldPath, kinds: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  const set = kinds.filter((k) => (h as Record<string, unknown>)[k] !== undefined);
  if (set.length === 0) return [required(fld, 'must specify a handler type')];
  if (set.length > 1) errs.push(forbidden(fld.child(set[1]), 'may not specify more than 1 handler type'));
  if (h.exec && (h.exec.command ?? []).length === 0) errs.push(required(fld.child('exec').child('command')));
  if (h.httpGet) errs.push(...validateHTTPGet(h.httpGet, fld.child('httpGet')));
  if (h.tcpSocket) errs.push(...validatePortNumOrName(h.tcpSocket.port, fld.child('tcpSocket').child('port')));
  if (h.grpc) errs.push(...messagesToErrors(fld.child('grpc').child('port'), h.grpc.port, isValidPortNum(h.grpc.port)));
  if (h.sleep) errs.push(...nonNegative(h.sleep.seconds, fld.child('sleep').child('seconds')));
  return errs;
}

function validateProbe(probe: Probe | undefined, fld: FieldPath, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!probe) return [];
  const errs = validateHandler(probe, fld, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...nonNegative(probe[f], fld.child(f)));
  }
  if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(invalid(fld.child('successThreshold'), probe.successThreshold, 'must be 1'));
  }
  if (kind === 'readiness' && probe.terminationGracePeriodSeconds !== undefined) {
    errs.push(invalid(fld.child('terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(fld.child('terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function isStandardResource(name: string): boolean {
  return STANDARD_CONTAINER_RESOURCES.includes(name) || name.startsWith('hugepages-');
}

function validateResourceName(name: string, fld: FieldPath): FieldError[] {
  const errs = messagesToErrors(fld, name, isQualifiedName(name));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!isStandardResource(name)) return [invalid(fld, name, 'must be a standard resource for containers')];
  } else if (name.startsWith('kubernetes.io/') || name.startsWith('requests.')) {
    return [invalid(fld, name, 'must be a standard resource for containers')];
  }
  return [];
}

/** validateResources checks resource names, quantities, and requests <= limits. */
export function validateResources(res: ResourceRequirements | undefined, fld: FieldPath): FieldError[] {
  if (!res) return [];
  const errs: FieldError[] = [];
  const parsed: Record<'limits' | 'requests', Map<string, Quantity>> = { limits: new Map(), requests: new Map() };
  for (const which of ['limits', 'requests'] as const) {
    for (const [name, value] of Object.entries(res[which] ?? {})) {
      const p = fld.child(which).key(name);
      const nameErrs = validateResourceName(name, p);
      errs.push(...nameErrs);
      const q = tryParseQuantity(value);
      if (!q) {
        errs.push(invalid(p, value, 'must be a valid quantity'));
        continue;
      }
      if (q.nanos < 0n) errs.push(invalid(p, value, 'must be greater than or equal to 0'));
      if (name === 'cpu' && q.nanos > 0n && q.nanos % 1_000_000n !== 0n) errs.push(invalid(p, value, 'must be no more precise than 1m'));
      if (!nameErrs.length && !isStandardResource(name) && q.nanos % 1_000_000_000n !== 0n) errs.push(invalid(p, value, 'must be an integer'));
      parsed[which].set(name, q);
    }
  }
  for (const [name, req] of parsed.requests) {
    const p = fld.child('requests').key(name);
    const limit = parsed.limits.get(name);
    if (limit && req.cmp(limit) > 0) errs.push(invalid(p, res.requests![name], `must be less than or equal to ${name} limit of ${limit.toString()}`));
    if (!isStandardResource(name) && name.includes('/') && (!limit || limit.cmp(req) !== 0)) {
      errs.push(invalid(p, res.requests![name], `must be equal to ${name} limit`));
    }
  }
  return errs;
}

function validateFieldRefPath(fieldPath: string | undefined, fld: FieldPath): FieldError[] {
  if (!fieldPath) return [required(fld)];
  if (/^metadata\.(labels|annotations)\['[^']+'\]$/.test(fieldPath) || /^metadata\.(labels|annotations)$/.test(fieldPath)) return [];
  return FIELD_PATHS.includes(fieldPath) ? [] : [notSupported(fld, fieldPath, FIELD_PATHS)];
}

function validateEnv(env: EnvVar[] | undefined, fld: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const p = fld.index(i);
    if (!e.name) errs.push(required(p.child('name')));
    else errs.push(...messagesToErrors(p.child('name'), e.name, isEnvVarName(e.name)));
    const from = e.valueFrom;
    if (!from) return;
    const fp = p.child('valueFrom');
    if (e.value) errs.push(invalid(fp, '', 'may not be specified when `value` is not empty'));
    const set = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'] as const).filter((k) => from[k] !== undefined);
    if (set.length === 0) errs.push(invalid(fp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`'));
    if (set.length > 1) errs.push(invalid(fp, '', 'may not have more than one field specified at a time'));
    if (from.fieldRef) errs.push(...validateFieldRefPath(from.fieldRef.fieldPath, fp.child('fieldRef').child('fieldPath')));
    if (from.resourceFieldRef) {
      errs.push(...oneOf(from.resourceFieldRef.resource, RESOURCE_FIELDS, fp.child('resourceFieldRef').child('resource'), true));
    }
    if (from.fileKeyRef) {
      const f = fp.child('fileKeyRef');
      if (!from.fileKeyRef.volumeName) errs.push(required(f.child('volumeName')));
      if (!from.fileKeyRef.path) errs.push(required(f.child('path')));
      if (!from.fileKeyRef.key) errs.push(required(f.child('key')));
      else errs.push(...messagesToErrors(f.child('key'), from.fileKeyRef.key, isEnvVarName(from.fileKeyRef.key)));
    }
    for (const k of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const ref = from[k];
      if (!ref) continue;
      errs.push(...validateDNSSubdomainField(ref.name, fp.child(k).child('name')));
      if (!ref.key) errs.push(required(fp.child(k).child('key')));
      else errs.push(...messagesToErrors(fp.child(k).child('key'), ref.key, isConfigMapKey(ref.key)));
    }
  });
  return errs;
}

function validateSecurityContext(sc: SecurityContext | undefined, fld: FieldPath): FieldError[] {
  if (!sc) return [];
  const errs = [...nonNegative(sc.runAsUser, fld.child('runAsUser')), ...nonNegative(sc.runAsGroup, fld.child('runAsGroup'))];
  if (sc.privileged && sc.allowPrivilegeEscalation === false) {
    errs.push(invalid(fld, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  errs.push(...oneOf(sc.procMount, ['Default', 'Unmasked'], fld.child('procMount')));
  for (const f of ['seccompProfile', 'appArmorProfile'] as const) {
    const prof = sc[f];
    if (!prof) continue;
    errs.push(...oneOf(prof.type, ['Unconfined', 'RuntimeDefault', 'Localhost'], fld.child(f).child('type'), true));
    if (prof.type === 'Localhost' && !prof.localhostProfile) errs.push(required(fld.child(f).child('localhostProfile'), 'must be set when seccomp type is Localhost'));
    if (prof.type !== 'Localhost' && prof.localhostProfile) errs.push(invalid(fld.child(f).child('localhostProfile'), prof.localhostProfile, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

function validateContainer(c: Container, kind: ContainerKind, fld: FieldPath, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(fld.child('name')));
  else {
    errs.push(...messagesToErrors(fld.child('name'), c.name, isDNS1123Label(c.name)));
    if (ctx.names.has(c.name)) errs.push(duplicate(fld.child('name'), c.name));
    ctx.names.add(c.name);
  }
  if (!c.image || c.image.trim() === '') errs.push(required(fld.child('image')));
  else if (c.image.trim() !== c.image) errs.push(invalid(fld.child('image'), c.image, 'must not have leading or trailing whitespace'));
  errs.push(...oneOf(c.imagePullPolicy, PULL_POLICIES, fld.child('imagePullPolicy')));
  errs.push(...oneOf(c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError'], fld.child('terminationMessagePolicy')));

  const sidecar = kind === 'initContainers' && c.restartPolicy === 'Always';
  (c.restartPolicyRules ?? []).forEach((r, i) => {
    const p = fld.child('restartPolicyRules').index(i);
    errs.push(...oneOf(r.action, ['Restart'], p.child('action'), true));
    if (r.exitCodes) errs.push(...oneOf(r.exitCodes.operator, ['In', 'NotIn'], p.child('exitCodes').child('operator'), true));
  });
  if (c.restartPolicyRules?.length && c.restartPolicy === undefined) {
    errs.push(required(fld.child('restartPolicy'), 'must be set when restartPolicyRules are used'));
  }
  if (c.restartPolicy !== undefined) {
    if (kind !== 'initContainers') errs.push(forbidden(fld.child('restartPolicy'), 'may not be set for non-init containers'));
    else if (c.restartPolicy !== 'Always') errs.push(notSupported(fld.child('restartPolicy'), c.restartPolicy, ['Always']));
  }
  const probesAllowed = kind === 'containers' || sidecar;
  for (const [f, k] of [['livenessProbe', 'liveness'], ['readinessProbe', 'readiness'], ['startupProbe', 'startup']] as const) {
    if (c[f] === undefined) continue;
    if (!probesAllowed) errs.push(forbidden(fld.child(f), `may not be set for ${kind === 'initContainers' ? 'init containers without restartPolicy=Always' : 'ephemeral containers'}`));
    else errs.push(...validateProbe(c[f], fld.child(f), k));
  }
  if (c.lifecycle) {
    if (!probesAllowed) errs.push(forbidden(fld.child('lifecycle'), `may not be set for ${kind === 'initContainers' ? 'init containers without restartPolicy=Always' : 'ephemeral containers'}`));
    for (const h of ['postStart', 'preStop'] as const) {
      const handler = c.lifecycle[h];
      if (handler) errs.push(...validateHandler(handler, fld.child('lifecycle').child(h), ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    }
  }

  // Port names are unique within a container (two containers may both name a port "metrics").
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((port, i) => {
    const p = fld.child('ports').index(i);
    if (kind === 'ephemeralContainers') {
      errs.push(forbidden(p, 'cannot be set on ephemeral containers'));
      return;
    }
    if (!port.containerPort) errs.push(required(p.child('containerPort')));
    else errs.push(...messagesToErrors(p.child('containerPort'), port.containerPort, isValidPortNum(port.containerPort)));
    if (port.hostPort) {
      errs.push(...messagesToErrors(p.child('hostPort'), port.hostPort, isValidPortNum(port.hostPort)));
      const id = `${port.hostPort}/${port.protocol ?? 'TCP'}${port.hostIP ? `/${port.hostIP}` : ''}`;
      if (ctx.hostPorts.has(id)) errs.push(duplicate(p.child('hostPort'), `${port.hostPort}/${port.protocol ?? 'TCP'}`));
      ctx.hostPorts.add(id);
    }
    if (ctx.hostNetwork && port.hostPort !== undefined && port.hostPort !== port.containerPort) {
      errs.push(invalid(p.child('hostPort'), port.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    }
    errs.push(...oneOf(port.protocol, PROTOCOLS, p.child('protocol'), true));
    if (port.hostIP) errs.push(...messagesToErrors(p.child('hostIP'), port.hostIP, isValidIP(port.hostIP)));
    if (port.name) {
      errs.push(...messagesToErrors(p.child('name'), port.name, isValidPortName(port.name)));
      if (portNames.has(port.name)) errs.push(duplicate(p.child('name'), port.name));
      portNames.add(port.name);
    }
  });

  errs.push(...validateEnv(c.env, fld.child('env')));
  (c.envFrom ?? []).forEach((ef, i) => {
    const p = fld.child('envFrom').index(i);
    if (ef.prefix) errs.push(...messagesToErrors(p.child('prefix'), ef.prefix, isEnvVarName(ef.prefix)));
    const set = (['configMapRef', 'secretRef'] as const).filter((k) => ef[k] !== undefined);
    if (set.length !== 1) errs.push(invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    for (const k of set) errs.push(...validateDNSSubdomainField(ef[k]!.name, p.child(k).child('name')));
  });
  errs.push(...validateResources(c.resources, fld.child('resources')));
  const resizeSeen = new Set<string>();
  (c.resizePolicy ?? []).forEach((rp, i) => {
    const p = fld.child('resizePolicy').index(i);
    errs.push(...oneOf(rp.resourceName, ['cpu', 'memory'], p.child('resourceName'), true));
    errs.push(...oneOf(rp.restartPolicy, ['NotRequired', 'RestartContainer'], p.child('restartPolicy'), true));
    if (resizeSeen.has(rp.resourceName)) errs.push(duplicate(p.child('resourceName'), rp.resourceName));
    resizeSeen.add(rp.resourceName);
  });

  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = fld.child('volumeMounts').index(i);
    if (!m.name) errs.push(required(p.child('name')));
    else if (!ctx.volumes.has(m.name)) errs.push(notFound(p.child('name'), m.name));
    if (!m.mountPath) errs.push(required(p.child('mountPath')));
    else {
      if (mountPaths.has(m.mountPath)) errs.push(invalid(p.child('mountPath'), m.mountPath, 'must be unique'));
      mountPaths.add(m.mountPath);
    }
    if (m.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      errs.push(invalid(p.child('subPath'), m.subPath, "must be a relative path without '..'"));
    }
    if (m.subPath && m.subPathExpr) errs.push(invalid(p.child('subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
    errs.push(...oneOf(m.mountPropagation, ['None', 'HostToContainer', 'Bidirectional'], p.child('mountPropagation')));
    errs.push(...oneOf(m.recursiveReadOnly, ['Disabled', 'IfPossible', 'Enabled'], p.child('recursiveReadOnly')));
  });
  (c.volumeDevices ?? []).forEach((d, i) => {
    const p = fld.child('volumeDevices').index(i);
    if (!d.name) errs.push(required(p.child('name')));
    else if (!ctx.volumes.has(d.name)) errs.push(notFound(p.child('name'), d.name));
    if (!d.devicePath) errs.push(required(p.child('devicePath')));
  });
  errs.push(...validateSecurityContext(c.securityContext, fld.child('securityContext')));
  return errs;
}

/** validateContainers checks one list of containers of a pod. */
export function validateContainers(containers: Container[] | undefined, kind: ContainerKind, fld: FieldPath, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((c, i) => errs.push(...validateContainer(c, kind, fld.index(i), ctx)));
  return errs;
}
