// discovery.ts: the EndpointSlice kind (discovery.k8s.io/v1 endpointslices): a slice of a
// Service's endpoints, at most 1000 per slice.
import { isIPv4, isIPv6 } from 'node:net';
import { kindSchema, objectReferenceSchema } from './common-schema.js';
import type { ObjectReference } from './core/pod-types.js';
import { FieldPath, required, duplicate, type FieldError } from './field.js';
import { defineKind } from './kind.js';
import type { KubeObject } from './meta.js';
import { bool, int, listOf, mapOf, obj, str } from './schema.js';
import { immutable, tooMany, isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, messagesToErrors, oneOf, validateDNSSubdomainField, validateObjectMeta, validateObjectMetaUpdate } from './validation.js';

/** SERVICE_NAME_LABEL ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** MANAGED_BY_LABEL names the controller that manages an EndpointSlice. */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

export const MAX_ENDPOINTS = 1000;
export const MAX_ADDRESSES = 100;
export const MAX_PORTS = 100;

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  deprecatedTopology?: Record<string, string>;
  nodeName?: string;
  zone?: string;
  hints?: { forZones?: { name: string }[]; forNodes?: { name: string }[] };
}

export interface EndpointSlicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number;
  appProtocol?: string;
}

/** EndpointSlice lists endpoints of one address type for a Service. */
export interface EndpointSlice extends KubeObject {
  apiVersion?: 'discovery.k8s.io/v1';
  kind?: 'EndpointSlice';
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: Endpoint[];
  ports?: EndpointSlicePort[];
}

function addressErrors(type: string, address: string): string[] {
  switch (type) {
    case 'IPv4':
      return isIPv4(address) ? [] : ['must be a valid IPv4 address'];
    case 'IPv6':
      return isIPv6(address) ? [] : ['must be a valid IPv6 address'];
    case 'FQDN':
      return isDNS1123Subdomain(address);
    default:
      return [];
  }
}

function validate(slice: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, { namespaced: true });
  errs.push(...oneOf(slice.addressType, ['IPv4', 'IPv6', 'FQDN'], new FieldPath('addressType'), true));
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany(new FieldPath('endpoints'), endpoints.length, MAX_ENDPOINTS));
  endpoints.forEach((ep, i) => {
    const p = new FieldPath('endpoints').index(i);
    const addresses = ep.addresses ?? [];
    if (addresses.length === 0) errs.push(required(p.child('addresses'), 'must contain at least 1 address'));
    if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(p.child('addresses'), addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => errs.push(...messagesToErrors(p.child('addresses').index(j), a, addressErrors(slice.addressType, a))));
    if (ep.hostname) errs.push(...messagesToErrors(p.child('hostname'), ep.hostname, isDNS1123Label(ep.hostname)));
    if (ep.nodeName) errs.push(...validateDNSSubdomainField(ep.nodeName, p.child('nodeName')));
  });
  const ports = slice.ports ?? [];
  if (ports.length > MAX_PORTS) errs.push(tooMany(new FieldPath('ports'), ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = new FieldPath('ports').index(i);
    const name = port.name ?? '';
    if (name) errs.push(...messagesToErrors(p.child('name'), name, isValidPortName(name)));
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    names.add(name);
    if (port.port !== undefined) errs.push(...messagesToErrors(p.child('port'), port.port, isValidPortNum(port.port)));
    errs.push(...oneOf(port.protocol, ['TCP', 'UDP', 'SCTP'], p.child('protocol'), true));
  });
  return errs;
}

/** endpointSliceKind is the EndpointSlice's KindInfo. */
export const endpointSliceKind = defineKind({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  resource: 'endpointslices',
  namespaced: true,
  schema: kindSchema({
    addressType: str(),
    endpoints: listOf(
      obj({
        addresses: listOf(str(), { strategy: 'merge' }),
        conditions: obj({ ready: bool(), serving: bool(), terminating: bool() }),
        hostname: str(),
        targetRef: objectReferenceSchema,
        deprecatedTopology: mapOf(str()),
        nodeName: str(),
        zone: str(),
        hints: obj({ forZones: listOf(obj({ name: str() })), forNodes: listOf(obj({ name: str() })) }),
      }),
    ),
    ports: listOf(obj({ name: str(), protocol: str(), port: int(), appProtocol: str() })),
  }),
  defaults: (obj: KubeObject) => {
    for (const p of (obj as EndpointSlice).ports ?? []) {
      p.name ??= '';
      p.protocol ??= 'TCP';
    }
  },
  validate: (obj: KubeObject) => validate(obj as EndpointSlice),
  validateUpdate: (obj: KubeObject, old: KubeObject) => {
    const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
    const next = obj as EndpointSlice;
    if (next.addressType !== (old as EndpointSlice).addressType) errs.push(immutable(new FieldPath('addressType'), next.addressType));
    return errs;
  },
});
