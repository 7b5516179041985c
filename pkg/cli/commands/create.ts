// create.ts: `skiff create -f FILE` and the generators kubectl has for the everyday kinds:
// namespace, configmap, secret generic, deployment.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KubeObject } from '../../api/meta.js';
import { dryRunSuffix, parseDryRun, type DryRun } from '../apply/applier.js';
import { withLastApplied } from '../apply/last-applied.js';
import { docError, reportErrors, resolveFiles } from '../apply/resolve.js';
import type { Command } from '../command.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { readManifests } from '../manifest.js';
import { kindPrefix } from '../mapper.js';
import { parseOutputFormat, printObjects } from '../printers/output.js';
import { withType } from '../resources.js';
import { serverErrorMessage } from './apply.js';

interface CreateFlags {
  filename?: string[];
  recursive?: boolean;
  'dry-run'?: string;
  output?: string;
  'save-config'?: boolean;
  'from-literal'?: string[];
  'from-file'?: string[];
  image?: string[];
  replicas?: string;
  port?: string;
}

/** generate builds the object a `create KIND NAME` generator describes. */
export function generate(kind: string, args: string[], values: CreateFlags, cwd: string): KubeObject {
  const [sub, ...rest] = kind === 'secret' ? args : [undefined, ...args];
  const name = rest[0];
  if (!name) throw new UserError(`create ${kind}: NAME is required`);
  const data = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const lit of values['from-literal'] ?? []) {
      const i = lit.indexOf('=');
      if (i <= 0) throw new UserError(`invalid literal source ${lit}, expected key=value`);
      out[lit.slice(0, i)] = lit.slice(i + 1);
    }
    for (const spec of values['from-file'] ?? []) {
      const i = spec.indexOf('=');
      const [key, file] = i > 0 ? [spec.slice(0, i), spec.slice(i + 1)] : [path.basename(spec), spec];
      out[key] = fs.readFileSync(path.resolve(cwd, file), 'utf8');
    }
    return out;
  };
  switch (kind) {
    case 'namespace':
    case 'ns':
      return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    case 'configmap':
    case 'cm':
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: data() };
    case 'secret': {
      if (sub !== 'generic') throw new UserError(`create secret: only "generic" is supported (got ${sub ?? 'nothing'})`);
      const encoded = Object.fromEntries(Object.entries(data()).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
      return { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', data: encoded };
    }
    case 'deployment':
    case 'deploy': {
      const images = values.image ?? [];
      if (images.length === 0) throw new UserError('create deployment: --image is required');
      const containers = images.map((image) => {
        const c: Record<string, unknown> = { name: containerName(image), image };
        if (values.port) c.ports = [{ containerPort: Number(values.port) }];
        return c;
      });
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, labels: { app: name } },
        spec: {
          replicas: values.replicas ? Number(values.replicas) : 1,
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { containers } },
        },
      };
    }
    default:
      throw new UserError(`create: unknown generator "${kind}" (supported: namespace, configmap, secret generic, deployment; or -f FILE)`);
  }
}

/** containerName derives a container name from an image, as kubectl does ("nginx:1.27" → "nginx"). */
export function containerName(image: string): string {
  const base = image.split('/').pop()!.split('@')[0].split(':')[0];
  return base.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'container';
}

export const createCommand: Command = {
  name: 'create',
  summary: 'Create a resource from a file or from stdin, or with a generator',
  async run(f, args) {
    const { values, positionals } = parseFlags<CreateFlags>('create', args, {
      filename: { type: 'string', short: 'f', multiple: true },
      recursive: { type: 'boolean', short: 'R' },
      'dry-run': { type: 'string' },
      output: { type: 'string', short: 'o' },
      'save-config': { type: 'boolean' },
      'from-literal': { type: 'string', multiple: true },
      'from-file': { type: 'string', multiple: true },
      image: { type: 'string', multiple: true },
      replicas: { type: 'string', short: 'r' },
      port: { type: 'string' },
    });
    const dryRun = parseDryRun(values['dry-run']);
    const format = values.output ? parseOutputFormat(values.output) : undefined;
    let failed = false;
    const created: KubeObject[] = [];
    const createOne = async (obj: KubeObject, where?: { source: string; document: number }): Promise<void> => {
      const res = await f.mapper().mappingFor(obj.apiVersion!, obj.kind!);
      const ns = res.namespaced ? obj.metadata.namespace || f.namespace() : undefined;
      if (ns) obj.metadata.namespace = ns;
      const body = values['save-config'] ? withLastApplied(obj) : obj;
      try {
        const result = dryRun === 'client' ? body : await f.resource(res, ns).create(body, { dryRun: dryRun === 'server', fieldManager: 'kubectl-create' });
        if (format && format.kind !== 'table') created.push(withType(result, res));
        else f.io.stdout.write(`${kindPrefix(res)}/${result.metadata.name} created${dryRunSuffix(dryRun)}\n`);
      } catch (err) {
        if (!where) throw err;
        failed = true;
        f.io.stderr.write(docError(where, serverErrorMessage(err)) + '\n');
      }
    };
    if (values.filename?.length) {
      const files = await resolveFiles(f, await readManifests(values.filename, values.recursive ?? false, f.io), { requireName: false });
      failed = reportErrors(f, files);
      for (const file of files.filter((x) => x.errors.length === 0)) for (const doc of file.docs) await createOne(doc.object, doc);
    } else {
      const [kind, ...rest] = positionals;
      if (!kind) throw new UserError('create: you must specify -f FILE or a generator (namespace, configmap, secret generic, deployment)');
      await createOne(generate(kind, rest, values, f.io.cwd ?? process.cwd()));
    }
    if (format && format.kind !== 'table' && created.length) f.io.stdout.write(printObjects(format, created, created.length === 1, (o) => `${o.kind?.toLowerCase()}/${o.metadata.name}`));
    return failed ? 1 : 0;
  },
};

export type { DryRun };
