// canonical.ts: JSON with sorted keys and undefined fields dropped, so equal objects hash equally.

/** canonicalJSON serialises a JSON value with object keys sorted. */
export function canonicalJSON(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => [k, sortKeys(o[k])]),
  );
}

/**
 * pruneEmpty drops nulls, empty objects and empty arrays, recursively: the semantic equality
 * Kubernetes uses for templates, where a nil map equals an empty one. (kubectl, writing Go
 * structs, sends "creationTimestamp": null and "resources": {} where others send nothing.)
 */
export function pruneEmpty(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(pruneEmpty).filter((x) => x !== undefined);
    return items.length ? items : undefined;
  }
  if (v === null) return undefined;
  if (typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const p = pruneEmpty(x);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length ? out : undefined;
}
