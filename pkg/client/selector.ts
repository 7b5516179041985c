// selector.ts: label selectors for listers and the fake API server, in both of Kubernetes'
// forms: the query string ("app=web,tier!=db,env in (a,b),!canary") and the structured
// LabelSelector of specs (matchLabels + matchExpressions).
// Why here and not pkg/api: pkg/api has no selector package yet; this one is small and
// self-contained so it can move there unchanged.

/** LabelSelectorRequirement is one matchExpressions entry. */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** LabelSelector is the structured selector used in specs (ReplicaSet.spec.selector, ...). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** LabelMatcher tests a set of labels. */
export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** SelectorInput is anything selectorMatcher accepts. */
export type SelectorInput = string | LabelSelector | Record<string, string> | LabelMatcher | undefined;

/** matchEverything selects all objects. */
export const matchEverything: LabelMatcher = () => true;

/**
 * selectorMatcher turns a selector in any accepted form into a LabelMatcher. Note that, as in
 * Kubernetes, an empty LabelSelector ({}) selects everything.
 */
export function selectorMatcher(sel: SelectorInput): LabelMatcher {
  if (sel === undefined) return matchEverything;
  if (typeof sel === 'function') return sel;
  if (typeof sel === 'string') return requirementsMatcher(parseLabelSelector(sel));
  if ('matchLabels' in sel || 'matchExpressions' in sel) return requirementsMatcher(fromLabelSelector(sel as LabelSelector));
  return requirementsMatcher(fromLabelSelector({ matchLabels: sel as Record<string, string> }));
}

/** formatLabelSelector renders a structured selector in the query-string form. */
export function formatLabelSelector(sel: LabelSelector): string {
  return fromLabelSelector(sel)
    .map((r) => {
      switch (r.operator) {
        case 'Exists': return r.key;
        case 'DoesNotExist': return `!${r.key}`;
        case 'In': return r.values?.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${(r.values ?? []).join(',')})`;
        case 'NotIn': return r.values?.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${(r.values ?? []).join(',')})`;
      }
    })
    .join(',');
}

function fromLabelSelector(sel: LabelSelector): LabelSelectorRequirement[] {
  const reqs: LabelSelectorRequirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, operator: 'In', values: [v] }));
  return reqs.concat(sel.matchExpressions ?? []);
}

/** parseLabelSelector parses the query-string form; it throws on malformed input. */
export function parseLabelSelector(text: string): LabelSelectorRequirement[] {
  const reqs: LabelSelectorRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const p = part.trim();
    if (!p) continue;
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^([^\s=!(),]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const values = m[3].split(',').map((v) => v.trim()).filter((v) => v !== '');
      reqs.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = p.match(/^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/))) {
      reqs.push({ key: m[1], operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]] });
    } else if ((m = p.match(/^!\s*([^\s=!(),]+)$/))) {
      reqs.push({ key: m[1], operator: 'DoesNotExist' });
    } else if ((m = p.match(/^([^\s=!(),]+)$/))) {
      reqs.push({ key: m[1], operator: 'Exists' });
    } else {
      throw new Error(`unable to parse requirement: "${p}"`);
    }
  }
  return reqs;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function requirementsMatcher(reqs: LabelSelectorRequirement[]): LabelMatcher {
  return (labels) => {
    const l = labels ?? {};
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      switch (r.operator) {
        case 'Exists': return has;
        case 'DoesNotExist': return !has;
        case 'In': return has && (r.values ?? []).includes(l[r.key]);
        case 'NotIn': return !has || !(r.values ?? []).includes(l[r.key]);
      }
    });
  };
}

/** fieldMatcher tests objects against a field selector ("metadata.name=x,spec.nodeName!=") by dotted path. */
export function fieldMatcher(text: string | undefined): (obj: unknown) => boolean {
  if (!text) return () => true;
  const reqs = text.split(',').filter((p) => p.trim() !== '').map((p) => {
    const m = p.trim().match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new Error(`invalid field selector: "${p}"`);
    return { path: m[1].split('.'), negate: m[2] === '!=', value: m[3] };
  });
  return (obj) =>
    reqs.every((r) => {
      let v: unknown = obj;
      for (const seg of r.path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
      const actual = v === undefined || v === null ? '' : String(v);
      return (actual === r.value) !== r.negate;
    });
}
