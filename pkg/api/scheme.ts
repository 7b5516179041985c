// scheme.ts: the registry of kinds the API serves. Each KindInfo tells the API server where a
// kind lives (group, version, resource, scope), its schema, and its strategy: defaults,
// validation on create and update, and which extra fields field selectors may use.
import type { FieldError } from './field.js';
import type { KubeObject } from './meta.js';
import type { Schema } from './schema.js';

/** KindInfo describes one served kind. */
export interface KindInfo {
  group: string; // '' for core
  version: string; // 'v1'
  kind: string; // 'Deployment'
  listKind: string; // 'DeploymentList'
  resource: string; // 'deployments' (plural, lower case)
  singular: string; // 'deployment'
  namespaced: boolean;
  shortNames: string[]; // ['deploy']
  categories: string[]; // ['all'] for the kinds `kubectl get all` shows
  /** Subresources served: 'status', 'scale', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward'. */
  subresources: string[];
  /** hasStatus: spec and status are written separately (status only through /status). */
  hasStatus: boolean;
  /** schema of the whole object, including apiVersion, kind, metadata. */
  schema: Schema;
  /** defaults fills defaulted fields in place (the object has already passed structural checks). */
  defaults(obj: KubeObject): void;
  /** validate checks a defaulted object on create (and on update, before validateUpdate). */
  validate(obj: KubeObject): FieldError[];
  /** validateUpdate checks what may not change between old and new (immutable fields). */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** selectableFields returns extra field-selector fields (besides metadata.name/namespace), e.g. spec.nodeName. */
  selectableFields?(obj: KubeObject): Record<string, string>;
}

const byResource = new Map<string, KindInfo>();
const byKind = new Map<string, KindInfo>();

/** apiVersionOf returns "group/version" (or "version" for the core group). */
export function apiVersionOf(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** registerKind adds a kind to the scheme. */
export function registerKind(info: KindInfo): void {
  byResource.set(`${info.group}/${info.version}/${info.resource}`, info);
  byKind.set(`${apiVersionOf(info)}/${info.kind}`, info);
}

/** kindForResource finds a kind by group, version and plural resource name. */
export function kindForResource(group: string, version: string, resource: string): KindInfo | undefined {
  return byResource.get(`${group}/${version}/${resource}`);
}

/** kindFor finds a kind by apiVersion ("apps/v1", "v1") and kind ("Deployment"). */
export function kindFor(apiVersion: string, kind: string): KindInfo | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** allKinds lists every registered kind. */
export function allKinds(): KindInfo[] {
  return [...byResource.values()];
}
