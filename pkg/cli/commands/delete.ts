// delete.ts: `skiff delete -f FILE | TYPE NAME... | TYPE -l SEL | TYPE --all` with
// --cascade=background|foreground|orphan and --wait (on by default, as in kubectl).
import { isNotFound } from '../../api/errors.js';
import type { DeleteOptions } from '../../api/meta.js';
import { docError, reportErrors, resolveFiles } from '../apply/resolve.js';
import { parseDryRun } from '../apply/applier.js';
import { formatError, type Command } from '../command.js';
import { parseDuration, parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { readManifests } from '../manifest.js';
import { kindPrefix, type ApiResource } from '../mapper.js';
import { deleteObject, resolveResourceArgs } from '../resources.js';
import { waitForDeletion } from '../wait.js';
import { Progress } from '../printers/progress.js';
import { noResourcesMessage } from './get.js';

interface DeleteFlags {
  filename?: string[];
  recursive?: boolean;
  selector?: string;
  all?: boolean;
  'all-namespaces'?: boolean;
  cascade?: string;
  wait: boolean;
  timeout?: string;
  'grace-period'?: string;
  now?: boolean;
  force?: boolean;
  'ignore-not-found'?: boolean;
  'dry-run'?: string;
}

/** propagationOf maps --cascade to a propagation policy (kubectl: true = background, false = orphan). */
export function propagationOf(cascade: string | undefined): DeleteOptions['propagationPolicy'] {
  switch (cascade ?? 'background') {
    case 'background':
    case 'true':
      return 'Background';
    case 'foreground':
      return 'Foreground';
    case 'orphan':
    case 'false':
      return 'Orphan';
    default:
      throw new UserError(`invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan"`);
  }
}

interface Target {
  resource: ApiResource;
  namespace?: string;
  name: string;
  where?: { source: string; document: number };
}

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete resources by file names, stdin, resources and names, or by resources and label selector',
  async run(f, args) {
    const { values, positionals } = parseFlags<DeleteFlags>('delete', args, {
      filename: { type: 'string', short: 'f', multiple: true },
      recursive: { type: 'boolean', short: 'R' },
      selector: { type: 'string', short: 'l' },
      all: { type: 'boolean' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      cascade: { type: 'string' },
      wait: { type: 'boolean', default: true },
      timeout: { type: 'string' },
      'grace-period': { type: 'string' },
      now: { type: 'boolean' },
      force: { type: 'boolean' },
      'ignore-not-found': { type: 'boolean' },
      'dry-run': { type: 'string' },
    });
    const options: DeleteOptions = { propagationPolicy: propagationOf(values.cascade) };
    if (values['grace-period'] !== undefined) options.gracePeriodSeconds = Number(values['grace-period']);
    if (values.now) options.gracePeriodSeconds = 1;
    if (values.force) options.gracePeriodSeconds = 0;
    const dryRun = parseDryRun(values['dry-run']);
    const timeoutMs = values.timeout ? parseDuration(values.timeout) : 5 * 60_000;
    let failed = false;
    const targets: Target[] = [];
    if (values.filename?.length) {
      const files = await resolveFiles(f, await readManifests(values.filename, values.recursive ?? false, f.io));
      failed = reportErrors(f, files);
      for (const file of files) for (const d of file.docs) targets.push({ resource: d.resource, namespace: d.namespace, name: d.name, where: d });
    } else {
      if (positionals.length === 0) throw new UserError('You must provide one or more resources by argument or filename.');
      const requests = await resolveResourceArgs(f, positionals);
      for (const req of requests) {
        const ns = req.resource.namespaced ? (values['all-namespaces'] ? undefined : f.namespace()) : undefined;
        if (req.names.length) {
          for (const name of req.names) targets.push({ resource: req.resource, namespace: ns, name });
          continue;
        }
        if (!values.selector && !values.all) throw new UserError('resource(s) were provided, but no name was specified');
        const list = await f.resource(req.resource, ns).listAll({ labelSelector: values.selector });
        for (const o of list.items) targets.push({ resource: req.resource, namespace: o.metadata.namespace, name: o.metadata.name! });
      }
      if (targets.length === 0 && !values['ignore-not-found']) f.io.stderr.write(noResourcesMessage(f, requests, { allNamespaces: values['all-namespaces'] ?? false }));
    }
    const waits: { t: Target; uid?: string }[] = [];
    for (const t of targets) {
      try {
        let uid: string | undefined;
        if (dryRun !== 'client') {
          const result = await deleteObject(f, t.resource, t.namespace, t.name, options, dryRun === 'server');
          uid = (result as { metadata?: { uid?: string } }).metadata?.uid;
        }
        const suffix = dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
        f.io.stdout.write(`${kindPrefix(t.resource)} "${t.name}" deleted${suffix}\n`);
        if (values.wait && dryRun === 'none') waits.push({ t, uid });
      } catch (err) {
        if (isNotFound(err) && values['ignore-not-found']) continue;
        failed = true;
        f.io.stderr.write((t.where ? docError(t.where, formatError(err)) : formatError(err)) + '\n');
      }
    }
    const progress = new Progress(f.io.stderr);
    for (const { t, uid } of waits) {
      const onTick = (ms: number) => progress.update(`waiting for ${kindPrefix(t.resource)} "${t.name}" to be deleted (${Math.round(ms / 1000)}s)...`);
      const gone = await waitForDeletion(f.resource(t.resource, t.namespace), t.name, uid, { timeoutMs, signal: f.io.signal, onTick });
      progress.done();
      if (!gone) {
        failed = true;
        f.io.stderr.write(`error: timed out waiting for the condition on ${t.resource.resource}/${t.name}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};


