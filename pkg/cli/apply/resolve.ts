// resolve.ts: checking manifest documents before anything is sent. Each document must parse,
// name its apiVersion and kind, map to a served resource, have a name, and pass the kind's
// structural schema (unknown fields, wrong types) when Skiff knows the kind. A file with any
// bad document is reported document by document and nothing from it is applied.
import { kindFor } from '../../api/scheme.js';
import { structuralErrors } from '../../api/schema.js';
import type { KubeObject } from '../../api/meta.js';
import type { Factory } from '../factory.js';
import { UserError } from '../io.js';
import { type ApiResource } from '../mapper.js';
import { describeDoc, type ManifestDoc, type ManifestFile } from '../manifest.js';

/** ResolvedDoc is a document ready to send: its object (namespace filled in) and resource. */
export interface ResolvedDoc {
  source: string;
  document: number;
  object: KubeObject;
  resource: ApiResource;
  namespace?: string;
  name: string;
}

/** ResolvedFile is a file's documents, or the errors that keep it from being applied. */
export interface ResolvedFile {
  source: string;
  docs: ResolvedDoc[];
  errors: string[];
}

/** docError formats one error line for a document. */
export function docError(doc: { source: string; document: number }, message: string): string {
  return `error: ${describeDoc(doc)}: ${message.replace(/\s*\n\s*/g, ' ').trim()}`;
}

/** ResolveOptions control resolution. */
export interface ResolveOptions {
  /** requireName is false for create, which allows generateName. */
  requireName: boolean;
}

/** resolveFiles checks and resolves every document; errors are collected per file. */
export async function resolveFiles(f: Factory, files: ManifestFile[], opts: ResolveOptions = { requireName: true }): Promise<ResolvedFile[]> {
  const out: ResolvedFile[] = [];
  for (const file of files) {
    const resolved: ResolvedFile = { source: file.source, docs: [], errors: [] };
    for (const doc of file.docs) {
      try {
        resolved.docs.push(await resolveDoc(f, doc, opts));
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        resolved.errors.push(docError(doc, err.message));
      }
    }
    out.push(resolved);
  }
  return out;
}

async function resolveDoc(f: Factory, doc: ManifestDoc, opts: ResolveOptions): Promise<ResolvedDoc> {
  if (doc.error || !doc.object) throw new UserError(doc.error ?? 'empty document');
  const obj = structuredClone(doc.object);
  const missing = [typeof obj.apiVersion === 'string' && obj.apiVersion ? '' : 'apiVersion not set', typeof obj.kind === 'string' && obj.kind ? '' : 'kind not set'].filter(Boolean);
  if (missing.length) throw new UserError(`error validating data: [${missing.join(', ')}]`);
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))) {
    throw new UserError(`${obj.kind}: metadata: Invalid value: ${JSON.stringify(obj.metadata)}: must be of type object`);
  }
  obj.metadata ??= {};
  const name = obj.metadata.name;
  const label = `${obj.kind} "${name ?? ''}"`;
  const resource = await f.mapper().mappingFor(obj.apiVersion!, obj.kind!);
  const info = kindFor(obj.apiVersion!, obj.kind!);
  if (info) {
    const errs = structuralErrors(info.schema, obj);
    if (errs.length) throw new UserError(`${label} is invalid: ${errs.map((e) => `${e.field}: ${e.message}`).join(', ')}`);
  }
  if (opts.requireName && !name) throw new UserError(`${obj.kind}: metadata.name: Required value: resource name may not be empty`);
  if (!opts.requireName && !name && !obj.metadata.generateName) throw new UserError(`${obj.kind}: metadata.name: Required value: name or generateName is required`);
  let namespace: string | undefined;
  if (resource.namespaced) {
    const fromFile = obj.metadata.namespace;
    if (fromFile && f.explicitNamespace() && fromFile !== f.namespace()) {
      throw new UserError(`the namespace from the provided object "${fromFile}" does not match the namespace "${f.namespace()}". You must pass '--namespace=${fromFile}' to perform this operation.`);
    }
    namespace = fromFile || f.namespace();
    obj.metadata.namespace = namespace;
  } else if (obj.metadata.namespace) {
    delete obj.metadata.namespace;
  }
  return { source: doc.source, document: doc.document, object: obj, resource, namespace, name: name ?? '' };
}

/** reportErrors prints every file's errors and tells whether there were any. */
export function reportErrors(f: Factory, files: ResolvedFile[]): boolean {
  let any = false;
  for (const file of files) {
    for (const e of file.errors) {
      f.io.stderr.write(e + '\n');
      any = true;
    }
  }
  return any;
}
