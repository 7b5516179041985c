// label.ts: `skiff label` and `skiff annotate` — set (k=v) and remove (k-) labels or
// annotations with a merge patch; an existing different value needs --overwrite.
import type { KubeObject } from '../../api/meta.js';
import type { Command } from '../command.js';
import { formatError } from '../command.js';
import type { Factory } from '../factory.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { kindPrefix, type ApiResource } from '../mapper.js';
import { resolveResourceArgs } from '../resources.js';

/** MetadataChange is what to set and what to remove. */
export interface MetadataChange {
  set: Record<string, string>;
  remove: string[];
}

/** parseMetadataArgs splits "k=v" and "k-" arguments off the resource arguments. */
export function parseMetadataArgs(args: string[]): { resources: string[]; change: MetadataChange } {
  const change: MetadataChange = { set: {}, remove: [] };
  const resources: string[] = [];
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq > 0) change.set[a.slice(0, eq)] = a.slice(eq + 1);
    else if (a.endsWith('-') && a.length > 1 && !a.includes('/')) change.remove.push(a.slice(0, -1));
    else if (Object.keys(change.set).length || change.remove.length) throw new UserError(`invalid argument "${a}" after the first key=value or key- pair`);
    else resources.push(a);
  }
  if (!Object.keys(change.set).length && !change.remove.length) throw new UserError('at least one label update is required');
  return { resources, change };
}

/** metadataPatch computes the merge patch for one object, or undefined when nothing would change. */
export function metadataPatch(obj: KubeObject, field: 'labels' | 'annotations', change: MetadataChange, overwrite: boolean): Record<string, unknown> | undefined {
  const current = obj.metadata[field] ?? {};
  const patch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(change.set)) {
    if (current[k] === v) continue;
    if (current[k] !== undefined && !overwrite) throw new UserError(`'${k}' already has a value (${current[k]}), and --overwrite is false`);
    patch[k] = v;
  }
  for (const k of change.remove) if (current[k] !== undefined) patch[k] = null;
  return Object.keys(patch).length ? { metadata: { [field]: patch } } : undefined;
}

function metadataCommand(name: 'label' | 'annotate', field: 'labels' | 'annotations', done: string): Command {
  return {
    name,
    summary: name === 'label' ? 'Update the labels on a resource' : 'Update the annotations on a resource',
    async run(f, args) {
      const { values, positionals } = parseFlags<{ overwrite?: boolean; selector?: string; all?: boolean; 'all-namespaces'?: boolean }>(name, args, {
        overwrite: { type: 'boolean' },
        selector: { type: 'string', short: 'l' },
        all: { type: 'boolean' },
        'all-namespaces': { type: 'boolean', short: 'A' },
      });
      const { resources, change } = parseMetadataArgs(positionals);
      let failed = false;
      for (const req of await resolveResourceArgs(f, resources)) {
        const targets = await targetsOf(f, req.resource, req.names, values);
        for (const obj of targets) {
          try {
            const rc = f.resource(req.resource, obj.metadata.namespace);
            const patch = metadataPatch(obj, field, change, values.overwrite ?? false);
            if (patch) await rc.patch(obj.metadata.name!, 'merge', patch, { fieldManager: `kubectl-${name}` });
            f.io.stdout.write(`${kindPrefix(req.resource)}/${obj.metadata.name} ${patch ? done : `not ${done}`}\n`);
          } catch (err) {
            failed = true;
            f.io.stderr.write(formatError(err) + '\n');
          }
        }
      }
      return failed ? 1 : 0;
    },
  };
}

async function targetsOf(f: Factory, res: ApiResource, names: string[], values: { selector?: string; all?: boolean; 'all-namespaces'?: boolean }): Promise<KubeObject[]> {
  const ns = values['all-namespaces'] ? undefined : f.namespace();
  const rc = f.resource(res, ns);
  if (names.length) return Promise.all(names.map((n) => rc.get(n)));
  if (!values.selector && !values.all) throw new UserError('resource(s) were provided, but no name was specified');
  return (await rc.listAll({ labelSelector: values.selector })).items;
}

export const labelCommand = metadataCommand('label', 'labels', 'labeled');
export const annotateCommand = metadataCommand('annotate', 'annotations', 'annotated');
