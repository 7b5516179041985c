// policy.ts: Eviction (policy/v1), the body of POST pods/<name>/eviction: a delete that
// disruption budgets may refuse. It is not stored.
import { objectMetaSchema } from './common-schema.js';
import { FieldPath, invalid, type FieldError } from './field.js';
import type { DeleteOptions, ObjectMeta } from './meta.js';
import { bool, int, listOf, obj, str, type Schema } from './schema.js';
import { nonNegative, oneOf } from './validation.js';

/** Eviction asks to delete the pod named in metadata, with optional delete options. */
export interface Eviction {
  apiVersion?: 'policy/v1';
  kind?: 'Eviction';
  metadata: ObjectMeta;
  deleteOptions?: DeleteOptions & { orphanDependents?: boolean };
}

/** deleteOptionsSchema is the structural schema of DeleteOptions. */
export const deleteOptionsSchema: Schema = obj({
  kind: str(),
  apiVersion: str(),
  gracePeriodSeconds: int(),
  preconditions: obj({ uid: str(), resourceVersion: str() }),
  orphanDependents: bool(),
  propagationPolicy: str(),
  dryRun: listOf(str()),
  ignoreStoreReadErrorWithClusterBreakingPotential: bool(),
});

/** evictionSchema is the structural schema of an Eviction body. */
export const evictionSchema: Schema = obj({ apiVersion: str(), kind: str(), metadata: objectMetaSchema, deleteOptions: deleteOptionsSchema });

/** validateDeleteOptions checks delete options (also used for plain deletes). */
export function validateDeleteOptions(opts: DeleteOptions | undefined, fld = new FieldPath('')): FieldError[] {
  if (!opts) return [];
  const errs = nonNegative(opts.gracePeriodSeconds, fld.child('gracePeriodSeconds'));
  errs.push(...oneOf(opts.propagationPolicy, ['Orphan', 'Background', 'Foreground'], fld.child('propagationPolicy')));
  for (const d of opts.dryRun ?? []) if (d !== 'All') errs.push(invalid(fld.child('dryRun'), d, 'valid values are: "All"'));
  return errs;
}

/** validateEviction checks an Eviction body. */
export function validateEviction(ev: Eviction): FieldError[] {
  return validateDeleteOptions(ev.deleteOptions, new FieldPath('deleteOptions'));
}
