// autoscaling.ts: Scale (autoscaling/v1), the body of the scale subresource of Deployments and
// ReplicaSets. It is not stored: the API server reads and writes spec.replicas through it.
import { objectMetaSchema } from './common-schema.js';
import { FieldPath, type FieldError } from './field.js';
import type { ObjectMeta } from './meta.js';
import { int, obj, str, type Schema } from './schema.js';
import { nonNegative } from './validation.js';

/** Scale is the replica count of a scalable object, and its label selector as a string. */
export interface Scale {
  apiVersion?: 'autoscaling/v1';
  kind?: 'Scale';
  metadata: ObjectMeta;
  spec?: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

/** scaleSchema is the structural schema of a Scale body. */
export const scaleSchema: Schema = obj({
  apiVersion: str(),
  kind: str(),
  metadata: objectMetaSchema,
  spec: obj({ replicas: int() }),
  status: obj({ replicas: int(), selector: str() }),
});

/** validateScale checks a Scale body: replicas may not be negative. */
export function validateScale(scale: Scale): FieldError[] {
  return nonNegative(scale.spec?.replicas, new FieldPath('spec').child('replicas'));
}
