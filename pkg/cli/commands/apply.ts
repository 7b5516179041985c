// apply.ts: `skiff apply -f FILE|DIR|- [-R]` — client-side apply (three-way merge with the
// last-applied annotation) or --server-side [--force-conflicts], --dry-run=client|server,
// --prune -l. Files are checked whole before anything is sent: a file with a bad document is
// reported document by document and skipped.
import { isNotFound, StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { applyObject, dryRunSuffix, parseDryRun, type ApplyOptions } from '../apply/applier.js';
import { findPruneCandidates } from '../apply/prune.js';
import { docError, reportErrors, resolveFiles, type ResolvedDoc, type ResolvedFile } from '../apply/resolve.js';
import { formatError, type Command } from '../command.js';
import type { Factory } from '../factory.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { readManifests } from '../manifest.js';
import { kindPrefix } from '../mapper.js';
import { parseOutputFormat, printObjects } from '../printers/output.js';
import { deleteObject, withType } from '../resources.js';

interface ApplyFlags {
  filename?: string[];
  recursive?: boolean;
  'server-side'?: boolean;
  'force-conflicts'?: boolean;
  'dry-run'?: string;
  prune?: boolean;
  selector?: string;
  'field-manager'?: string;
  output?: string;
  validate?: string;
  'all-namespaces'?: boolean;
}

/** serverErrorMessage is a StatusError as one line for a document (conflicts keep kubectl's advice). */
export function serverErrorMessage(err: unknown): string {
  if (!(err instanceof StatusError)) return formatError(err).replace(/^error: /, '');
  return err.message;
}

const CONFLICT_ADVICE = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`;

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Apply a configuration to resources by file name or stdin',
  async run(f, args) {
    const { values, positionals } = parseFlags<ApplyFlags>('apply', args, {
      filename: { type: 'string', short: 'f', multiple: true },
      recursive: { type: 'boolean', short: 'R' },
      'server-side': { type: 'boolean' },
      'force-conflicts': { type: 'boolean' },
      'dry-run': { type: 'string' },
      prune: { type: 'boolean' },
      selector: { type: 'string', short: 'l' },
      'field-manager': { type: 'string' },
      output: { type: 'string', short: 'o' },
      validate: { type: 'string' },
      'all-namespaces': { type: 'boolean', short: 'A' },
    });
    if (positionals.length) throw new UserError(`apply: unexpected arguments ${positionals.join(' ')}; use -f FILE`);
    if (values['force-conflicts'] && !values['server-side']) throw new UserError('--force-conflicts only works with --server-side');
    if (values.prune && !values.selector) throw new UserError('all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector');
    const opts: ApplyOptions = {
      dryRun: parseDryRun(values['dry-run']),
      serverSide: values['server-side'] ?? false,
      forceConflicts: values['force-conflicts'] ?? false,
      fieldManager: values['field-manager'] ?? (values['server-side'] ? 'skiff' : 'kubectl-client-side-apply'),
    };
    const format = values.output ? parseOutputFormat(values.output) : undefined;
    const files = await resolveFiles(f, await readManifests(values.filename ?? [], values.recursive ?? false, f.io));
    let failed = reportErrors(f, files);
    const ready = files.filter((file) => file.errors.length === 0);
    if (opts.dryRun !== 'client') failed = (await prevalidate(f, ready, opts)) || failed;
    const applied: ResolvedDoc[] = [];
    const printed: KubeObject[] = [];
    for (const file of ready) {
      if (file.errors.length) continue;
      for (const doc of file.docs) {
        try {
          const result = await applyObject(f, doc, opts);
          applied.push(doc);
          if (result.warning) f.io.stderr.write(result.warning + '\n');
          if (format && format.kind !== 'table') printed.push(withType(result.object ?? doc.object, doc.resource));
          else f.io.stdout.write(`${kindPrefix(doc.resource)}/${doc.name} ${result.operation}${dryRunSuffix(opts.dryRun)}\n`);
        } catch (err) {
          failed = true;
          f.io.stderr.write(docError(doc, serverErrorMessage(err)) + '\n');
          if (err instanceof StatusError && err.code === 409 && opts.serverSide) f.io.stderr.write(CONFLICT_ADVICE + '\n');
        }
      }
    }
    if (format && format.kind !== 'table' && printed.length) {
      f.io.stdout.write(printObjects(format, printed, printed.length === 1, (o) => `${o.kind?.toLowerCase()}/${o.metadata.name}`));
    }
    if (values.prune && !failed) {
      for (const c of await findPruneCandidates(f, applied, values.selector!, { allNamespaces: values['all-namespaces'] })) {
        if (opts.dryRun !== 'client') await deleteObject(f, c.resource, c.object.metadata.namespace, c.object.metadata.name!, { propagationPolicy: 'Background' }, opts.dryRun === 'server');
        f.io.stdout.write(`${kindPrefix(c.resource)}/${c.object.metadata.name} pruned${dryRunSuffix(opts.dryRun)}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};

/**
 * prevalidate sends every document of each file as a server dry run first, so a file the
 * server rejects (admission, validation) is reported and none of it is applied. A namespace the
 * same files create does not exist yet during the dry run; that one NotFound is let through.
 */
async function prevalidate(f: Factory, files: ResolvedFile[], opts: ApplyOptions): Promise<boolean> {
  let failed = false;
  for (const file of files) {
    for (const doc of file.docs) {
      try {
        await applyObject(f, doc, { ...opts, dryRun: 'server' });
      } catch (err) {
        if (isNotFound(err) && (err as StatusError).status.details?.kind === 'namespaces') continue;
        if (err instanceof StatusError && err.code === 409 && opts.serverSide) continue; // reported by the real apply, with advice
        file.errors.push(docError(doc, serverErrorMessage(err)));
      }
    }
    for (const e of file.errors) {
      failed = true;
      f.io.stderr.write(e + '\n');
    }
  }
  return failed;
}
