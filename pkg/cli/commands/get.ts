// get.ts: `skiff get` — server-side tables (as kubectl), -o yaml|json|name|wide|jsonpath,
// label and field selectors, -A, several types at once, and -w.
import type { KubeObject, WatchEvent } from '../../api/meta.js';
import { formatSelector } from '../../client/resource.js';
import { decodeWatchStream } from '../../client/watch_stream.js';
import type { Command } from '../command.js';
import { formatError } from '../command.js';
import type { Factory } from '../factory.js';
import { UserError } from '../io.js';
import { kindPrefix, type ApiResource } from '../mapper.js';
import { parseFlags } from '../flags.js';
import { parseOutputFormat, printObjects, toJson, toYaml, type OutputFormat } from '../printers/output.js';
import { alignColumns, tableRows, type Table, type TableOptions } from '../printers/table.js';
import { resolveResourceArgs, TABLE_ACCEPT, withType, type ResourceRequest } from '../resources.js';

interface GetFlags {
  output?: string;
  selector?: string;
  'field-selector'?: string;
  'all-namespaces'?: boolean;
  watch?: boolean;
  'watch-only'?: boolean;
  'show-labels'?: boolean;
  'no-headers'?: boolean;
  'label-columns'?: string[];
  'show-managed-fields'?: boolean;
}

/** GetOptions are get's flags after parsing. */
export interface GetOptions {
  format: OutputFormat;
  selector?: string;
  fieldSelector?: string;
  allNamespaces: boolean;
  showLabels: boolean;
  noHeaders: boolean;
  labelColumns: string[];
  showManagedFields: boolean;
}

export const getCommand: Command = {
  name: 'get',
  summary: 'Display one or many resources',
  async run(f, args) {
    const { values, positionals } = parseFlags<GetFlags>('get', args, {
      output: { type: 'string', short: 'o' },
      selector: { type: 'string', short: 'l' },
      'field-selector': { type: 'string' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      watch: { type: 'boolean', short: 'w' },
      'watch-only': { type: 'boolean' },
      'show-labels': { type: 'boolean' },
      'no-headers': { type: 'boolean' },
      'label-columns': { type: 'string', short: 'L', multiple: true },
      'show-managed-fields': { type: 'boolean' },
    });
    const opts: GetOptions = {
      format: parseOutputFormat(values.output),
      selector: values.selector,
      fieldSelector: values['field-selector'],
      allNamespaces: values['all-namespaces'] ?? false,
      showLabels: values['show-labels'] ?? false,
      noHeaders: values['no-headers'] ?? false,
      labelColumns: (values['label-columns'] ?? []).flatMap((l) => l.split(',')).filter(Boolean),
      showManagedFields: values['show-managed-fields'] ?? false,
    };
    const requests = await resolveResourceArgs(f, positionals);
    if (values.watch || values['watch-only']) {
      if (requests.length !== 1) throw new UserError(`watch is only supported on individual resources and resource collections, but ${requests.length} resources were found`);
      return watchResource(f, requests[0], opts, !values['watch-only']);
    }
    return opts.format.kind === 'table' ? getTables(f, requests, opts) : getObjects(f, requests, opts);
  },
};

async function getTables(f: Factory, requests: ResourceRequest[], opts: GetOptions): Promise<number> {
  const { stdout, stderr } = f.io;
  const multiple = requests.length > 1;
  // Like kubectl, errors for named objects come after everything that could be printed.
  const errors: string[] = [];
  let printedAny = false;
  for (const req of requests) {
    const res = req.resource;
    const tables: Table[] = [];
    if (req.names.length) {
      for (const name of req.names) {
        try {
          tables.push(await f.client().request<Table>({ method: 'GET', path: f.resource(res, f.namespace()).path(name), accept: TABLE_ACCEPT }));
        } catch (err) {
          errors.push(formatError(err));
        }
      }
    } else {
      tables.push(await listTable(f, res, opts));
    }
    const rows = tables.flatMap((t) => t.rows ?? []);
    if (rows.length === 0) continue;
    const table: Table = { columnDefinitions: tables.find((t) => t.columnDefinitions?.length)?.columnDefinitions ?? [], rows };
    if (printedAny && !opts.noHeaders) stdout.write('\n');
    stdout.write(alignColumns(tableRows(table, tableOptions(res, opts, multiple))));
    printedAny = true;
  }
  if (!printedAny && errors.length === 0 && requests.every((r) => r.names.length === 0)) stderr.write(noResourcesMessage(f, requests, opts));
  for (const e of errors) stderr.write(e + '\n');
  return errors.length ? 1 : 0;
}

function tableOptions(res: ApiResource, opts: GetOptions, multiple: boolean): TableOptions {
  return {
    wide: opts.format.kind === 'table' && opts.format.wide,
    showLabels: opts.showLabels,
    namespaceColumn: opts.allNamespaces && res.namespaced,
    kindPrefix: multiple ? kindPrefix(res) : undefined,
    noHeaders: opts.noHeaders,
    labelColumns: opts.labelColumns,
  };
}

/** noResourcesMessage is kubectl's stderr line for an empty result. */
export function noResourcesMessage(f: Factory, requests: ResourceRequest[], opts: { allNamespaces: boolean }): string {
  const namespaced = requests.some((r) => r.resource.namespaced);
  return opts.allNamespaces || !namespaced ? 'No resources found\n' : `No resources found in ${f.namespace()} namespace.\n`;
}

async function listTable(f: Factory, res: ApiResource, opts: GetOptions): Promise<Table> {
  const rc = f.resource(res, opts.allNamespaces ? undefined : f.namespace());
  return f.client().request<Table>({
    method: 'GET',
    path: rc.path(),
    query: { labelSelector: opts.selector, fieldSelector: opts.fieldSelector, limit: 500 },
    accept: TABLE_ACCEPT,
  });
}

async function getObjects(f: Factory, requests: ResourceRequest[], opts: GetOptions): Promise<number> {
  const items: KubeObject[] = [];
  const names: string[] = [];
  const errors: string[] = [];
  for (const req of requests) {
    const res = req.resource;
    if (req.names.length) {
      const rc = f.resource(res, f.namespace());
      for (const name of req.names) {
        try {
          items.push(present(withType(await rc.get(name), res), opts));
          names.push(`${kindPrefix(res)}/${name}`);
        } catch (err) {
          errors.push(formatError(err));
        }
      }
    } else {
      const rc = f.resource(res, opts.allNamespaces ? undefined : f.namespace());
      const list = await rc.listAll({ labelSelector: opts.selector, fieldSelector: opts.fieldSelector });
      for (const o of list.items) {
        items.push(present(withType(o, res), opts));
        names.push(`${kindPrefix(res)}/${o.metadata.name}`);
      }
    }
  }
  const single = requests.length === 1 && requests[0].names.length === 1;
  if (items.length === 0 && !single && opts.format.kind !== 'yaml' && opts.format.kind !== 'json') {
    if (!errors.length) f.io.stderr.write(noResourcesMessage(f, requests, opts));
  } else if (items.length > 0 || !single) {
    const byObject = new Map(items.map((o, i) => [o, names[i]]));
    f.io.stdout.write(printObjects(opts.format, items, single, (o) => byObject.get(o)!));
  }
  for (const e of errors) f.io.stderr.write(e + '\n');
  return errors.length ? 1 : 0;
}

async function watchResource(f: Factory, req: ResourceRequest, opts: GetOptions, printInitial: boolean): Promise<number> {
  const { stdout } = f.io;
  const res = req.resource;
  const ns = opts.allNamespaces ? undefined : f.namespace();
  const rc = f.resource(res, ns);
  const fieldSelector = [opts.fieldSelector, req.names.length === 1 ? `metadata.name=${req.names[0]}` : undefined].filter(Boolean).join(',') || undefined;
  const table = opts.format.kind === 'table';
  let resourceVersion: string | undefined;
  let headerPrinted = false;
  if (table) {
    const initial = await f.client().request<Table>({ method: 'GET', path: rc.path(), query: { labelSelector: opts.selector, fieldSelector }, accept: TABLE_ACCEPT });
    resourceVersion = initial.metadata?.resourceVersion;
    if (printInitial && initial.rows?.length) {
      stdout.write(alignColumns(tableRows(initial, tableOptions(res, opts, false))));
      headerPrinted = true;
    }
  } else {
    const list = await rc.list({ labelSelector: opts.selector, fieldSelector });
    resourceVersion = list.metadata.resourceVersion;
    if (printInitial) for (const o of list.items) stdout.write(formatWatched(opts.format, present(withType(o, res), opts), res));
  }
  const signal = f.io.signal;
  const stream = await f.client().stream({
    method: 'GET',
    path: rc.path(),
    query: { watch: 'true', resourceVersion, labelSelector: formatSelector(opts.selector), fieldSelector, allowWatchBookmarks: false },
    accept: table ? TABLE_ACCEPT : 'application/json',
    signal,
    retry: false,
    timeoutMs: 0,
  });
  let columns: Table['columnDefinitions'] | undefined;
  for await (const ev of decodeWatchStream<KubeObject | Table>(stream, signal) as AsyncIterable<WatchEvent<KubeObject | Table>>) {
    if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') continue;
    if (table) {
      const t = ev.object as Table;
      if (t.columnDefinitions?.length) columns = t.columnDefinitions;
      const rows = tableRows({ columnDefinitions: columns ?? [], rows: t.rows ?? [] }, { ...tableOptions(res, opts, false), noHeaders: headerPrinted || opts.noHeaders });
      headerPrinted = true;
      stdout.write(alignColumns(rows));
    } else {
      stdout.write(formatWatched(opts.format, present(withType(ev.object as KubeObject, res), opts), res));
    }
  }
  return 0;
}

function formatWatched(format: OutputFormat, obj: KubeObject, res: ApiResource): string {
  if (format.kind === 'yaml') return toYaml(obj) + '---\n';
  if (format.kind === 'json') return toJson(obj);
  if (format.kind === 'name') return `${kindPrefix(res)}/${obj.metadata.name}\n`;
  if (format.kind === 'jsonpath') return format.template.execute(obj);
  return '';
}

/** present drops metadata.managedFields, as kubectl does unless --show-managed-fields. */
function present(obj: KubeObject, opts: GetOptions): KubeObject {
  if (opts.showManagedFields || !obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}
