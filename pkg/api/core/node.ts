// node.ts: the Node kind (core/v1 nodes), cluster-scoped: a machine that runs pods.
import { conditionsSchema, kindSchema } from '../common-schema.js';
import { deepEqual } from '../equality.js';
import { FieldPath, forbidden, invalid, required, type FieldError } from '../field.js';
import { defineKind } from '../kind.js';
import type { Condition, KubeObject } from '../meta.js';
import { tryParseQuantity } from '../quantity.js';
import { any, bool, int, listOf, mapOf, obj, quantity, str } from '../schema.js';
import { isQualifiedName, isValidCIDR, isValidLabelValue, messagesToErrors, oneOf, validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import type { ResourceList, TaintEffect } from './pod-types.js';

/** Taint repels pods that do not tolerate it. */
export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  timeAdded?: string;
}

export interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  unschedulable?: boolean;
  taints?: Taint[];
  configSource?: unknown;
  externalID?: string;
}

export type NodeAddressType = 'Hostname' | 'InternalIP' | 'ExternalIP' | 'InternalDNS' | 'ExternalDNS';

export interface NodeAddress {
  type: NodeAddressType;
  address: string;
}

export interface NodeSystemInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  operatingSystem: string;
  architecture: string;
  swap?: { capacity?: number };
}

/** NodeCondition types: Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable. */
export type NodeCondition = Condition;

export interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  phase?: string;
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  nodeInfo?: NodeSystemInfo;
  images?: { names?: string[]; sizeBytes?: number }[];
  volumesInUse?: string[];
  volumesAttached?: { name: string; devicePath: string }[];
  config?: unknown;
  runtimeHandlers?: unknown[];
  features?: unknown;
}

/** Node is a machine (or a simulated host) with an agent that runs pods. */
export interface Node extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'Node';
  spec?: NodeSpec;
  status?: NodeStatus;
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const ADDRESS_TYPES = ['Hostname', 'InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS'];

function validateTaints(taints: Taint[] | undefined, fld: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = fld.index(i);
    if (!t.key) errs.push(required(p.child('key')));
    else errs.push(...messagesToErrors(p.child('key'), t.key, isQualifiedName(t.key)));
    if (t.value) errs.push(...messagesToErrors(p.child('value'), t.value, isValidLabelValue(t.value)));
    errs.push(...oneOf(t.effect, TAINT_EFFECTS, p.child('effect'), true));
    const id = `${t.key}:${t.effect}`;
    if (seen.has(id)) errs.push(invalid(p, t, 'taints must be unique by key and effect pair'));
    seen.add(id);
  });
  return errs;
}

function validateResourceList(list: ResourceList | undefined, fld: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = tryParseQuantity(v);
    if (!q) errs.push(invalid(fld.key(k), v, 'must be a valid quantity'));
    else if (q.nanos < 0n) errs.push(invalid(fld.key(k), v, 'must be greater than or equal to 0'));
  }
  return errs;
}

function validate(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false });
  const spec = new FieldPath('spec');
  errs.push(...validateTaints(node.spec?.taints, spec.child('taints')));
  if (node.spec?.podCIDR) errs.push(...messagesToErrors(spec.child('podCIDR'), node.spec.podCIDR, isValidCIDR(node.spec.podCIDR)));
  const cidrs = node.spec?.podCIDRs ?? [];
  cidrs.forEach((c, i) => errs.push(...messagesToErrors(spec.child('podCIDRs').index(i), c, isValidCIDR(c))));
  if (cidrs.length > 2) errs.push(invalid(spec.child('podCIDRs'), cidrs, 'may specify no more than one CIDR for each IP family'));
  if (node.spec?.podCIDR && cidrs.length > 0 && cidrs[0] !== node.spec.podCIDR) {
    errs.push(invalid(spec.child('podCIDRs'), cidrs, 'the first entry must match spec.podCIDR'));
  }
  const status = new FieldPath('status');
  errs.push(...validateResourceList(node.status?.capacity, status.child('capacity')));
  errs.push(...validateResourceList(node.status?.allocatable, status.child('allocatable')));
  (node.status?.addresses ?? []).forEach((a, i) => errs.push(...oneOf(a.type, ADDRESS_TYPES, status.child('addresses').index(i).child('type'), true)));
  return errs;
}

/** defaults: allocatable defaults to capacity, as in Kubernetes' SetDefaults_NodeStatus. */
function defaults(node: Node): void {
  if (node.status?.capacity && !node.status.allocatable) node.status.allocatable = { ...node.status.capacity };
}

function validateUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  const spec = new FieldPath('spec');
  // podCIDR(s) are set once (by the node IPAM) and may not change after.
  if (old.spec?.podCIDR && node.spec?.podCIDR !== old.spec.podCIDR) errs.push(forbidden(spec.child('podCIDR'), 'podCIDR cannot be changed once set'));
  if ((old.spec?.podCIDRs ?? []).length > 0 && !deepEqual(node.spec?.podCIDRs, old.spec?.podCIDRs)) errs.push(forbidden(spec.child('podCIDRs'), 'node updates may not change podCIDR except from "" to valid'));
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) errs.push(forbidden(spec.child('providerID'), 'providerID cannot be changed once set'));
  return errs;
}

const taintSchema = obj({ key: str(), value: str(), effect: str(), timeAdded: str() });

/** nodeKind is the Node's KindInfo. */
export const nodeKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Node',
  resource: 'nodes',
  namespaced: false,
  shortNames: ['no'],
  subresources: ['status', 'proxy'],
  hasStatus: true,
  schema: kindSchema({
    spec: obj({
      podCIDR: str(),
      podCIDRs: listOf(str(), { strategy: 'merge' }),
      providerID: str(),
      unschedulable: bool(),
      taints: listOf(taintSchema),
      configSource: any(),
      externalID: str(),
    }),
    status: obj({
      capacity: mapOf(quantity()),
      allocatable: mapOf(quantity()),
      phase: str(),
      conditions: conditionsSchema(),
      addresses: listOf(obj({ type: str(), address: str() }), { mergeKey: 'type' }),
      daemonEndpoints: obj({ kubeletEndpoint: obj({ Port: int() }) }),
      nodeInfo: obj({
        machineID: str(),
        systemUUID: str(),
        bootID: str(),
        kernelVersion: str(),
        osImage: str(),
        containerRuntimeVersion: str(),
        kubeletVersion: str(),
        kubeProxyVersion: str(),
        operatingSystem: str(),
        architecture: str(),
        swap: obj({ capacity: int() }),
      }),
      images: listOf(obj({ names: listOf(str()), sizeBytes: int() })),
      volumesInUse: listOf(str()),
      volumesAttached: listOf(obj({ name: str(), devicePath: str() })),
      config: any(),
      runtimeHandlers: listOf(any()),
      features: any(),
    }),
  }),
  defaults: (obj: KubeObject) => defaults(obj as Node),
  validate: (obj: KubeObject) => validate(obj as Node),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateUpdate(obj as Node, old as Node),
  selectableFields: (obj: KubeObject) => ({ 'spec.unschedulable': String((obj as Node).spec?.unschedulable ?? false) }),
});
