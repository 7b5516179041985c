// output.ts: the -o formats other than tables: yaml and json (keys sorted, as kubectl prints
// unstructured objects), name ("kind.group/name") and jsonpath templates.
import yaml from 'js-yaml';
import type { KubeObject } from '../../api/meta.js';
import { UserError } from '../io.js';
import { JsonPath } from './jsonpath.js';

/** OutputFormat is a parsed -o value. */
export type OutputFormat =
  | { kind: 'table'; wide: boolean }
  | { kind: 'yaml' }
  | { kind: 'json' }
  | { kind: 'name' }
  | { kind: 'jsonpath'; template: JsonPath };

/** parseOutputFormat reads -o ("", wide, yaml, json, name, jsonpath=..., jsonpath-as-json is not supported). */
export function parseOutputFormat(o: string | undefined): OutputFormat {
  if (!o) return { kind: 'table', wide: false };
  if (o === 'wide') return { kind: 'table', wide: true };
  if (o === 'yaml' || o === 'json' || o === 'name') return { kind: o };
  const m = /^jsonpath=(.*)$/s.exec(o);
  if (m) return { kind: 'jsonpath', template: new JsonPath(m[1]) };
  throw new UserError(`unable to match a printer suitable for the output format "${o}", allowed formats are: json,jsonpath,name,wide,yaml`);
}

/** sortKeys deep-copies a JSON value with object keys sorted (Go's map marshalling order). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** toYaml renders like kubectl -o yaml: sorted keys, lists flush with their key. */
export function toYaml(v: unknown): string {
  return yaml.dump(sortKeys(v), { noArrayIndent: true, lineWidth: -1, noRefs: true, quotingType: '"' });
}

/** toJson renders like kubectl -o json: sorted keys, four-space indent. */
export function toJson(v: unknown): string {
  return JSON.stringify(sortKeys(v), null, 4) + '\n';
}

/** asList wraps several objects in a v1 List, as kubectl prints them. */
export function asList(items: KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

/** printObjects prints objects in a non-table format; single is true when one named object was asked for. */
export function printObjects(format: OutputFormat, items: KubeObject[], single: boolean, nameOf: (o: KubeObject) => string): string {
  const data = single && items.length === 1 ? items[0] : asList(items);
  switch (format.kind) {
    case 'yaml':
      return toYaml(data);
    case 'json':
      return toJson(data);
    case 'name':
      return items.map((o) => `${nameOf(o)}\n`).join('');
    case 'jsonpath':
      return format.template.execute(data);
    default:
      throw new Error('printObjects: tables are printed by printTable');
  }
}
