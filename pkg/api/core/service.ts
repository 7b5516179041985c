// service.ts: the Service kind (core/v1 services): a stable virtual IP and DNS name in front
// of the pods its selector picks.
import { conditionsSchema, kindSchema } from '../common-schema.js';
import { FieldPath, forbidden, invalid, required, duplicate, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { Condition, KubeObject } from '../meta.js';
import { bool, int, intOrString, listOf, mapOf, obj, str } from '../schema.js';
import {
  immutable,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidCIDR,
  isValidIP,
  isValidPortNum,
  messagesToErrors,
  nameIsDNS1035Label,
  oneOf,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../validation.js';
import { validatePortNumOrName } from './container-validation.js';
import type { IntOrString } from './pod-types.js';

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface ServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
  port: number;
  targetPort?: IntOrString;
  nodePort?: number;
}

export interface ServiceSpec {
  ports?: ServicePort[];
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  type?: ServiceType;
  externalIPs?: string[];
  sessionAffinity?: 'None' | 'ClientIP';
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  externalName?: string;
  externalTrafficPolicy?: 'Cluster' | 'Local';
  healthCheckNodePort?: number;
  publishNotReadyAddresses?: boolean;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  ipFamilies?: ('IPv4' | 'IPv6')[];
  ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerClass?: string;
  internalTrafficPolicy?: 'Cluster' | 'Local';
  trafficDistribution?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: 'VIP' | 'Proxy';
  ports?: { port: number; protocol: string; error?: string }[];
}

export interface ServiceStatus {
  loadBalancer?: { ingress?: LoadBalancerIngress[] };
  conditions?: Condition[];
}

/** Service exposes a set of pods behind one virtual IP and name. */
export interface Service extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'Service';
  spec?: ServiceSpec;
  status?: ServiceStatus;
}

/** DEFAULT_CLIENT_IP_TIMEOUT_SECONDS is the default ClientIP session affinity timeout (3 hours). */
export const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** isHeadless tells whether a service has no cluster IP ("None"). */
export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

function defaults(svc: Service): void {
  const spec = (svc.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= DEFAULT_CLIENT_IP_TIMEOUT_SECONDS;
  }
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.clusterIP && spec.clusterIP !== '' && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
}

function validatePorts(svc: Service, fld: FieldPath): FieldError[] {
  const spec = svc.spec ?? {};
  const ports = spec.ports ?? [];
  const errs: FieldError[] = [];
  if (ports.length === 0 && !isHeadless(svc) && spec.type !== 'ExternalName') errs.push(required(fld));
  const names = new Set<string>();
  const ids = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const pp = fld.index(i);
    if (ports.length > 1 && !p.name) errs.push(required(pp.child('name')));
    if (p.name) {
      // A Service port's name is a DNS label ("80-8080" is fine), unlike a container port's.
      errs.push(...messagesToErrors(pp.child('name'), p.name, isDNS1123Label(p.name)));
      if (names.has(p.name)) errs.push(duplicate(pp.child('name'), p.name));
      names.add(p.name);
    }
    if (!p.port) errs.push(required(pp.child('port')));
    else errs.push(...messagesToErrors(pp.child('port'), p.port, isValidPortNum(p.port)));
    errs.push(...oneOf(p.protocol, PROTOCOLS, pp.child('protocol'), true));
    if (spec.type !== 'ExternalName' || p.targetPort !== undefined) errs.push(...validatePortNumOrName(p.targetPort, pp.child('targetPort')));
    if (p.nodePort) {
      if (spec.type === 'ClusterIP' || spec.type === 'ExternalName') errs.push(forbidden(pp.child('nodePort'), `may not be used when \`type\` is '${spec.type}'`));
      else errs.push(...messagesToErrors(pp.child('nodePort'), p.nodePort, isValidPortNum(p.nodePort)));
      const np = `${p.nodePort}/${p.protocol}`;
      if (nodePorts.has(np)) errs.push(duplicate(pp.child('nodePort'), p.nodePort));
      nodePorts.add(np);
    }
    const id = `${p.port}/${p.protocol}`;
    if (ids.has(id)) errs.push(duplicate(pp, { port: p.port, protocol: p.protocol }));
    ids.add(id);
  });
  return errs;
}

function validate(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameValidator: nameIsDNS1035Label });
  const spec = svc.spec ?? {};
  const fld = new FieldPath('spec');
  errs.push(...oneOf(spec.type, SERVICE_TYPES, fld.child('type'), true));
  errs.push(...validatePorts(svc, fld.child('ports')));
  errs.push(...validateLabels(spec.selector, fld.child('selector')));
  errs.push(...oneOf(spec.sessionAffinity, ['None', 'ClientIP'], fld.child('sessionAffinity'), true));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === 'ClientIP' && timeout !== undefined && !(timeout > 0 && timeout <= 86400)) {
    errs.push(invalid(fld.child('sessionAffinityConfig').child('clientIP').child('timeoutSeconds'), timeout, 'must be greater than 0 and less than 86400'));
  }
  if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbidden(fld.child('sessionAffinityConfig'), "must not be set when session affinity is None"));
  }
  if (spec.clusterIP && spec.clusterIP !== 'None') errs.push(...messagesToErrors(fld.child('clusterIP'), spec.clusterIP, isValidIP(spec.clusterIP)));
  if (spec.clusterIP === 'None' && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) {
    errs.push(invalid(fld.child('clusterIP'), spec.clusterIP, `may not be set to 'None' for ${spec.type} services`));
  }
  (spec.clusterIPs ?? []).forEach((ip, i) => {
    if (ip !== 'None') errs.push(...messagesToErrors(fld.child('clusterIPs').index(i), ip, isValidIP(ip)));
  });
  if (spec.clusterIPs?.length && spec.clusterIP !== undefined && spec.clusterIPs[0] !== spec.clusterIP) {
    errs.push(invalid(fld.child('clusterIPs'), spec.clusterIPs, 'first value must match `clusterIP`'));
  }
  if (spec.type === 'ExternalName') {
    if (spec.clusterIP) errs.push(forbidden(fld.child('clusterIP'), 'may not be set for ExternalName services'));
    const name = (spec.externalName ?? '').replace(/\.$/, '');
    if (!name) errs.push(required(fld.child('externalName')));
    else errs.push(...messagesToErrors(fld.child('externalName'), spec.externalName, isDNS1123Subdomain(name)));
  }
  if (spec.externalTrafficPolicy !== undefined) {
    if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
      errs.push(invalid(fld.child('externalTrafficPolicy'), spec.externalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    } else errs.push(...oneOf(spec.externalTrafficPolicy, ['Cluster', 'Local'], fld.child('externalTrafficPolicy')));
  }
  if (spec.type !== 'ExternalName') errs.push(...oneOf(spec.internalTrafficPolicy, ['Cluster', 'Local'], fld.child('internalTrafficPolicy'), true));
  (spec.externalIPs ?? []).forEach((ip, i) => errs.push(...messagesToErrors(fld.child('externalIPs').index(i), ip, isValidIP(ip))));
  (spec.loadBalancerSourceRanges ?? []).forEach((r, i) => errs.push(...messagesToErrors(fld.child('loadBalancerSourceRanges').index(i), r, isValidCIDR(r))));
  errs.push(...oneOf(spec.ipFamilyPolicy, ['SingleStack', 'PreferDualStack', 'RequireDualStack'], fld.child('ipFamilyPolicy')));
  (spec.ipFamilies ?? []).forEach((f, i) => errs.push(...oneOf(f, ['IPv4', 'IPv6'], fld.child('ipFamilies').index(i))));
  if (spec.healthCheckNodePort && !(spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) {
    errs.push(invalid(fld.child('healthCheckNodePort'), spec.healthCheckNodePort, 'may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\''));
  }
  return errs;
}

function validateUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const fld = new FieldPath('spec');
  const next = svc.spec ?? {};
  const prev = old.spec ?? {};
  // A cluster IP, once allocated, stays until the service becomes an ExternalName service.
  if (prev.clusterIP && next.type !== 'ExternalName' && next.clusterIP !== prev.clusterIP) errs.push(immutable(fld.child('clusterIP'), next.clusterIP ?? ''));
  if (prev.clusterIPs?.length && next.type !== 'ExternalName' && next.clusterIPs?.[0] !== prev.clusterIPs[0]) {
    errs.push(invalid(fld.child('clusterIPs').index(0), next.clusterIPs?.[0] ?? '', 'may not change once set'));
  }
  return errs;
}

/**
 * preserveAllocatedValues copies what the API server allocated (cluster IPs, node ports,
 * health-check port) from the stored service into an update that omits them, as Kubernetes
 * does so that a re-applied manifest without clusterIP keeps its address.
 */
export function preserveAllocatedValues(svc: Service, old: Service): void {
  const next = (svc.spec ??= {});
  const prev = old.spec ?? {};
  if (next.type === 'ExternalName' || prev.type === 'ExternalName') return;
  if (!next.clusterIP && prev.clusterIP) next.clusterIP = prev.clusterIP;
  if (!next.clusterIPs?.length && prev.clusterIPs?.length) next.clusterIPs = [...prev.clusterIPs];
  if (next.type === 'NodePort' || next.type === 'LoadBalancer') {
    for (const p of next.ports ?? []) {
      if (p.nodePort) continue;
      const match = (prev.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
    if (!next.healthCheckNodePort && prev.healthCheckNodePort && next.externalTrafficPolicy === 'Local') next.healthCheckNodePort = prev.healthCheckNodePort;
  }
}

/** serviceKind is the Service's KindInfo. */
export const serviceKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Service',
  resource: 'services',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: ['status', 'proxy'],
  hasStatus: true,
  schema: kindSchema({
    spec: obj({
      ports: listOf(obj({ name: str(), protocol: str(), appProtocol: str(), port: int(), targetPort: intOrString(), nodePort: int() }), { mergeKey: 'port' }),
      selector: mapOf(str()),
      clusterIP: str(),
      clusterIPs: listOf(str()),
      type: str(),
      externalIPs: listOf(str()),
      sessionAffinity: str(),
      loadBalancerIP: str(),
      loadBalancerSourceRanges: listOf(str()),
      externalName: str(),
      externalTrafficPolicy: str(),
      healthCheckNodePort: int(),
      publishNotReadyAddresses: bool(),
      sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: int() }) }),
      ipFamilies: listOf(str()),
      ipFamilyPolicy: str(),
      allocateLoadBalancerNodePorts: bool(),
      loadBalancerClass: str(),
      internalTrafficPolicy: str(),
      trafficDistribution: str(),
    }),
    status: obj({
      loadBalancer: obj({
        ingress: listOf(obj({ ip: str(), hostname: str(), ipMode: str(), ports: listOf(obj({ port: int(), protocol: str(), error: str() })) })),
      }),
      conditions: conditionsSchema(),
    }),
  }),
  defaults: (obj: KubeObject) => defaults(obj as Service),
  validate: (obj: KubeObject) => validate(obj as Service),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateUpdate(obj as Service, old as Service),
});
