// endpoints.ts: the Endpoints kind (core/v1 endpoints): the ready and not-ready addresses
// behind a Service, grouped in subsets that share ports.
import { kindSchema, objectReferenceSchema } from '../common-schema.js';
import { FieldPath, required, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { KubeObject } from '../meta.js';
import { int, listOf, obj, str } from '../schema.js';
import { isDNS1123Label, isValidIP, isValidPortName, isValidPortNum, messagesToErrors, oneOf, validateDNSSubdomainField, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import type { ObjectReference } from './pod-types.js';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** Endpoints lists the addresses that implement a Service (same name as the Service). */
export interface Endpoints extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'Endpoints';
  subsets?: EndpointSubset[];
}

function validateAddress(a: EndpointAddress, fld: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!a.ip) errs.push(required(fld.child('ip')));
  else errs.push(...messagesToErrors(fld.child('ip'), a.ip, isValidIP(a.ip)));
  if (a.hostname) errs.push(...messagesToErrors(fld.child('hostname'), a.hostname, isDNS1123Label(a.hostname)));
  if (a.nodeName) errs.push(...validateDNSSubdomainField(a.nodeName, fld.child('nodeName')));
  return errs;
}

function validate(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, { namespaced: true });
  (ep.subsets ?? []).forEach((s, i) => {
    const p = new FieldPath('subsets').index(i);
    if ((s.addresses ?? []).length === 0 && (s.notReadyAddresses ?? []).length === 0) {
      errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    (s.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, p.child('addresses').index(j))));
    (s.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, p.child('notReadyAddresses').index(j))));
    const ports = s.ports ?? [];
    ports.forEach((port, j) => {
      const pp = p.child('ports').index(j);
      if (ports.length > 1 && !port.name) errs.push(required(pp.child('name')));
      if (port.name) errs.push(...messagesToErrors(pp.child('name'), port.name, isValidPortName(port.name)));
      errs.push(...messagesToErrors(pp.child('port'), port.port, isValidPortNum(port.port)));
      errs.push(...oneOf(port.protocol, ['TCP', 'UDP', 'SCTP'], pp.child('protocol'), true));
    });
  });
  return errs;
}

const addressSchema = obj({ ip: str(), hostname: str(), nodeName: str(), targetRef: objectReferenceSchema });

/** endpointsKind is the Endpoints' KindInfo. */
export const endpointsKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  resource: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  schema: kindSchema({
    subsets: listOf(
      obj({
        addresses: listOf(addressSchema),
        notReadyAddresses: listOf(addressSchema),
        ports: listOf(obj({ name: str(), port: int(), protocol: str(), appProtocol: str() })),
      }),
    ),
  }),
  defaults: (obj: KubeObject) => {
    for (const s of (obj as Endpoints).subsets ?? []) for (const p of s.ports ?? []) p.protocol ??= 'TCP';
  },
  validate: (obj: KubeObject) => validate(obj as Endpoints),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateObjectMetaUpdate(obj.metadata, old.metadata),
});
