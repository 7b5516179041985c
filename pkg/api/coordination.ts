// coordination.ts: the Lease kind (coordination.k8s.io/v1 leases): leader election and node heartbeats.
import { kindSchema } from './common-schema.js';
import { FieldPath, invalid, required, type FieldError } from './field.js';
import { defineKind } from './kind.js';
import type { KubeObject } from './meta.js';
import { int, obj, str } from './schema.js';
import { nonNegative, oneOf, validateObjectMeta, validateObjectMetaUpdate } from './validation.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** acquireTime and renewTime are MicroTime: RFC 3339 with microseconds. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
}

/** Lease is a lock with a holder and an expiry, renewed by its holder. */
export interface Lease extends KubeObject {
  apiVersion?: 'coordination.k8s.io/v1';
  kind?: 'Lease';
  spec?: LeaseSpec;
}

function validate(lease: Lease): FieldError[] {
  const errs = validateObjectMeta(lease.metadata, { namespaced: true });
  const spec = new FieldPath('spec');
  const s = lease.spec ?? {};
  if (s.leaseDurationSeconds !== undefined && s.leaseDurationSeconds <= 0) {
    errs.push(invalid(spec.child('leaseDurationSeconds'), s.leaseDurationSeconds, 'must be greater than 0'));
  }
  errs.push(...nonNegative(s.leaseTransitions, spec.child('leaseTransitions')));
  errs.push(...oneOf(s.strategy, ['OldestEmulationVersion'], spec.child('strategy')));
  if (s.preferredHolder && !s.strategy) errs.push(required(spec.child('strategy'), 'must be specified when preferredHolder is set'));
  for (const f of ['acquireTime', 'renewTime'] as const) {
    if (s[f] !== undefined && Number.isNaN(Date.parse(s[f]!))) errs.push(invalid(spec.child(f), s[f], 'must be an RFC 3339 time'));
  }
  return errs;
}

/** leaseKind is the Lease's KindInfo. */
export const leaseKind = defineKind({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  resource: 'leases',
  namespaced: true,
  schema: kindSchema({
    spec: obj({
      holderIdentity: str(),
      leaseDurationSeconds: int(),
      acquireTime: str(),
      renewTime: str(),
      leaseTransitions: int(),
      strategy: str(),
      preferredHolder: str(),
    }),
  }),
  defaults: () => {},
  validate: (obj: KubeObject) => validate(obj as Lease),
  validateUpdate: (obj: KubeObject, old: KubeObject) => validateObjectMetaUpdate(obj.metadata, old.metadata),
});
