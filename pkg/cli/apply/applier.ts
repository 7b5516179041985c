// applier.ts: applying one resolved object — client-side (three-way strategic merge patch with
// the last-applied annotation) or server-side (an apply patch owned by a field manager) —
// honouring --dry-run=client|server. It returns the word kubectl prints: created, configured,
// unchanged, serverside-applied.
import { isConflict, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { kindFor } from '../../api/scheme.js';
import type { Factory } from '../factory.js';
import { UserError } from '../io.js';
import { apiVersionOfResource } from '../mapper.js';
import { lastApplied, LAST_APPLIED, withLastApplied } from './last-applied.js';
import type { ResolvedDoc } from './resolve.js';
import { isEmptyPatch, threeWayMergePatch } from './threeway.js';

/** DryRun is --dry-run: none sends for real, client sends nothing, server sends dryRun=All. */
export type DryRun = 'none' | 'client' | 'server';

/** ApplyOptions are apply's flags that shape one object's apply. */
export interface ApplyOptions {
  dryRun: DryRun;
  serverSide: boolean;
  forceConflicts: boolean;
  fieldManager: string;
}

/** ApplyResult is what happened to one object, and the object as the server (or dry run) left it. */
export interface ApplyResult {
  operation: 'created' | 'configured' | 'unchanged' | 'serverside-applied';
  object?: KubeObject;
  warning?: string;
}

/** parseDryRun reads --dry-run (kubectl also accepts the bare flag and "none"). */
export function parseDryRun(value: string | undefined): DryRun {
  if (value === undefined || value === 'none' || value === 'false') return 'none';
  if (value === 'client' || value === 'true' || value === '') return 'client';
  if (value === 'server') return 'server';
  throw new UserError(`Invalid dry-run value (${value}). Must be "none", "server", or "client".`);
}

/** dryRunSuffix is what kubectl appends to a line in dry-run mode. */
export function dryRunSuffix(dryRun: DryRun): string {
  return dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
}

/** applyObject applies one object and reports what happened. */
export async function applyObject(f: Factory, doc: ResolvedDoc, opts: ApplyOptions): Promise<ApplyResult> {
  return opts.serverSide ? serverSideApply(f, doc, opts) : clientSideApply(f, doc, opts);
}

async function serverSideApply(f: Factory, doc: ResolvedDoc, opts: ApplyOptions): Promise<ApplyResult> {
  const rc = f.resource(doc.resource, doc.namespace);
  const body = structuredClone(doc.object);
  if (body.metadata.annotations?.[LAST_APPLIED] !== undefined) delete body.metadata.annotations[LAST_APPLIED];
  if (opts.dryRun === 'client') return { operation: 'serverside-applied', object: body };
  const object = await rc.patch(doc.name, 'apply', JSON.stringify(body), {
    fieldManager: opts.fieldManager,
    force: opts.forceConflicts,
    dryRun: opts.dryRun === 'server',
  });
  return { operation: 'serverside-applied', object };
}

async function clientSideApply(f: Factory, doc: ResolvedDoc, opts: ApplyOptions, attempt = 0): Promise<ApplyResult> {
  const rc = f.resource(doc.resource, doc.namespace);
  const modified = withLastApplied(doc.object);
  let live: KubeObject;
  try {
    live = await rc.get(doc.name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (opts.dryRun === 'client') return { operation: 'created', object: modified };
    const object = await rc.create(modified, { dryRun: opts.dryRun === 'server', fieldManager: 'kubectl-client-side-apply' });
    return { operation: 'created', object };
  }
  const original = lastApplied(live);
  const warning = original
    ? undefined
    : `Warning: resource ${doc.resource.resource} "${doc.name}" is missing the ${LAST_APPLIED} annotation which is required by skiff apply. skiff apply should only be used on resources created declaratively by either skiff create --save-config or skiff apply. The missing annotation will be patched automatically.`;
  const info = kindFor(apiVersionOfResource(doc.resource), doc.resource.kind);
  const patch = threeWayMergePatch(original, modified, live, info?.schema);
  if (isEmptyPatch(patch)) return { operation: 'unchanged', object: live, warning };
  if (opts.dryRun === 'client') return { operation: 'configured', object: live, warning };
  try {
    // Known kinds get a strategic merge patch (lists merged by key); others a JSON merge patch,
    // which the three-way computation produces for them (lists replaced whole).
    const object = await rc.patch(doc.name, info ? 'strategic' : 'merge', patch, { dryRun: opts.dryRun === 'server', fieldManager: 'kubectl-client-side-apply' });
    return { operation: 'configured', object, warning };
  } catch (err) {
    // Someone wrote in between: start over from the new live object, as kubectl does.
    if (isConflict(err) && attempt < 4) return clientSideApply(f, doc, opts, attempt + 1);
    throw err;
  }
}
