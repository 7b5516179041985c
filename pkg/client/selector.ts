// selector.ts: adapts pkg/api's label and field selectors to the forms client code passes
// around: a query string, a LabelSelector from a spec, a plain map (Service.spec.selector), a
// parsed Selector, or a predicate.
import { parseFieldSelector } from '../api/fields.js';
import { type LabelSelector, parseSelector, Selector, selectorFromLabelSelector, selectorFromMap } from '../api/labels.js';

/** LabelMatcher tests a set of labels. */
export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** SelectorInput is anything selectorMatcher accepts; undefined means "no selector": everything. */
export type SelectorInput = string | Selector | LabelSelector | Record<string, string> | LabelMatcher | undefined;

/** matchEverything selects all objects. */
export const matchEverything: LabelMatcher = () => true;

/** selectorMatcher turns a selector in any accepted form into a LabelMatcher (as in Kubernetes, {} selects all). */
export function selectorMatcher(sel: SelectorInput): LabelMatcher {
  if (sel === undefined) return matchEverything;
  if (typeof sel === 'function') return sel;
  let parsed: Selector;
  if (typeof sel === 'string') parsed = parseSelector(sel);
  else if (sel instanceof Selector) parsed = sel;
  else if ('matchLabels' in sel || 'matchExpressions' in sel) parsed = selectorFromLabelSelector(sel as LabelSelector);
  else parsed = selectorFromMap(sel as Record<string, string>);
  return (labels) => parsed.matches(labels);
}

/** fieldMatcher tests objects against a field selector ("metadata.name=x,spec.nodeName!=") read by dotted path. */
export function fieldMatcher(text: string | undefined): (obj: unknown) => boolean {
  if (!text) return () => true;
  const selector = parseFieldSelector(text);
  const paths = selector.requirements.map((r) => r.field);
  return (obj) => {
    const fields: Record<string, string> = {};
    for (const p of paths) {
      let v: unknown = obj;
      for (const seg of p.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
      fields[p] = v === undefined || v === null ? '' : String(v);
    }
    return selector.matches(fields);
  };
}
