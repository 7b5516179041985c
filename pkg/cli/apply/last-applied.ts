// last-applied.ts: the kubectl.kubernetes.io/last-applied-configuration annotation, which
// remembers what the previous client-side apply sent so the next one can delete what the file
// no longer says.
import type { KubeObject } from '../../api/meta.js';
import { sortKeys } from '../printers/output.js';

/** LAST_APPLIED is the annotation key kubectl uses. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** withLastApplied returns the object to send: the file's object annotated with its own JSON (as kubectl writes it). */
export function withLastApplied(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  const annotations = { ...(copy.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  copy.metadata.annotations = annotations;
  const json = JSON.stringify(sortKeys(copy)) + '\n';
  return { ...copy, metadata: { ...copy.metadata, annotations: { ...annotations, [LAST_APPLIED]: json } } };
}

/** lastApplied reads the annotation from a live object (undefined when absent or unreadable). */
export function lastApplied(obj: KubeObject): KubeObject | undefined {
  const text = obj.metadata.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as KubeObject;
  } catch {
    return undefined;
  }
}
