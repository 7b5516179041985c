// hash.ts: the pod-template-hash that names a Deployment's ReplicaSets, and template equality
// that ignores it (how a Deployment recognises the ReplicaSet of its current template).
import { canonicalJSON, pruneEmpty } from './canonical.js';
import type { PodTemplateSpec } from '../../api/core/pod-types.js';
import { deepEqual } from '../../api/equality.js';
import { POD_TEMPLATE_HASH_LABEL } from './annotations.js';

// The alphabet of Kubernetes' rand.SafeEncodeString: no vowels (no words), no look-alikes.
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** computeHash returns the pod-template-hash of a template (and the collision count, if any). */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let text = canonicalJSON(pruneEmpty(withoutHash(template)) ?? {});
  if (collisionCount) text += `#${collisionCount}`;
  return safeEncode(String(fnv32a(text)));
}

function safeEncode(s: string): string {
  return [...s].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

/** withoutHash returns a copy of the template without the pod-template-hash label. */
export function withoutHash(template: PodTemplateSpec): PodTemplateSpec {
  const t = structuredClone(template);
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  }
  return t;
}

/** equalIgnoreHash compares two templates, ignoring the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  if (!a || !b) return a === b;
  return deepEqual(pruneEmpty(withoutHash(a)), pruneEmpty(withoutHash(b)));
}
