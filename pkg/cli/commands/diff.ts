// diff.ts: `skiff diff -f FILE` — what apply would change: the live object against the result
// of a server dry-run apply, as a unified diff of YAML. Exit 0: no differences, 1: differences,
// >1: an error (as kubectl diff).
import { isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { applyObject } from '../apply/applier.js';
import { docError, reportErrors, resolveFiles } from '../apply/resolve.js';
import type { Command } from '../command.js';
import { parseFlags } from '../flags.js';
import { readManifests } from '../manifest.js';
import { unifiedDiff } from '../printers/diff.js';
import { toYaml } from '../printers/output.js';
import { serverErrorMessage } from './apply.js';

/**
 * forDiff hides what changes on every write, and status, which apply never changes but
 * controllers do between the two reads (kubectl shows it; here it would only be noise).
 */
function forDiff(obj: KubeObject | undefined): string {
  if (!obj) return '';
  const copy = structuredClone(obj);
  delete copy.metadata.managedFields;
  delete copy.metadata.resourceVersion;
  delete copy.status;
  return toYaml(copy);
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Diff the live version against what apply would make it',
  async run(f, args) {
    const { values } = parseFlags<{ filename?: string[]; recursive?: boolean; 'server-side'?: boolean; 'force-conflicts'?: boolean }>('diff', args, {
      filename: { type: 'string', short: 'f', multiple: true },
      recursive: { type: 'boolean', short: 'R' },
      'server-side': { type: 'boolean' },
      'force-conflicts': { type: 'boolean' },
    });
    const files = await resolveFiles(f, await readManifests(values.filename ?? [], values.recursive ?? false, f.io));
    if (reportErrors(f, files)) return 2;
    let differs = false;
    for (const doc of files.flatMap((x) => x.docs)) {
      const rc = f.resource(doc.resource, doc.namespace);
      let live: KubeObject | undefined;
      try {
        live = await rc.get(doc.name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      let merged: KubeObject | undefined;
      try {
        merged = (await applyObject(f, doc, { dryRun: 'server', serverSide: values['server-side'] ?? false, forceConflicts: values['force-conflicts'] ?? false, fieldManager: 'skiff' })).object;
      } catch (err) {
        f.io.stderr.write(docError(doc, serverErrorMessage(err)) + '\n');
        return 2;
      }
      const id = `${doc.resource.group ? `${doc.resource.group}.` : ''}${doc.resource.version}.${doc.resource.kind}.${doc.namespace ? `${doc.namespace}.` : ''}${doc.name}`;
      const text = unifiedDiff(forDiff(live), forDiff(merged), `LIVE/${id}`, `MERGED/${id}`);
      if (text) {
        differs = true;
        f.io.stdout.write(text);
      }
    }
    return differs ? 1 : 0;
  },
};
