// config.ts: `skiff config view|use-context|current-context|get-contexts` over the same
// kubeconfig files the other commands read.
import yaml from 'js-yaml';
import { serializeKubeconfig, writeKubeconfig, loadKubeconfig, type Kubeconfig } from '../../client/kubeconfig.js';
import type { Command } from '../command.js';
import type { Factory } from '../factory.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { loadCliKubeconfig } from '../kubeconfig.js';
import { alignColumns } from '../printers/table.js';
import { toJson } from '../printers/output.js';

/** redact hides credentials as kubectl config view does (DATA+OMITTED, REDACTED). */
export function redact(kc: Kubeconfig): Kubeconfig {
  const omit = (v: string | undefined, mark: string) => (v ? mark : v);
  return {
    ...kc,
    clusters: kc.clusters.map((c) => ({ ...c, cluster: { ...c.cluster, 'certificate-authority-data': omit(c.cluster['certificate-authority-data'], 'DATA+OMITTED') } })),
    users: kc.users.map((u) => ({
      ...u,
      user: {
        ...u.user,
        'client-certificate-data': omit(u.user['client-certificate-data'], 'DATA+OMITTED'),
        'client-key-data': omit(u.user['client-key-data'], 'DATA+OMITTED'),
        token: omit(u.user.token, 'REDACTED'),
        password: omit(u.user.password, 'REDACTED'),
      },
    })),
  };
}

/** minify keeps only what the current (or given) context needs. */
export function minify(kc: Kubeconfig, context?: string): Kubeconfig {
  const name = context ?? kc['current-context'];
  const ctx = kc.contexts.find((c) => c.name === name);
  if (!ctx) throw new UserError(`current-context must exist in order to minify`);
  return { ...kc, 'current-context': name, contexts: [ctx], clusters: kc.clusters.filter((c) => c.name === ctx.context.cluster), users: kc.users.filter((u) => u.name === ctx.context.user) };
}

function stripUndefined(text: string): string {
  // serializeKubeconfig keeps keys whose value is undefined out; re-dump through js-yaml to be sure.
  return yaml.dump(yaml.load(text), { lineWidth: -1, noRefs: true, noArrayIndent: true });
}

async function view(f: Factory, args: string[]): Promise<number> {
  const { values } = parseFlags<{ raw?: boolean; minify?: boolean; output?: string }>('config view', args, { raw: { type: 'boolean' }, minify: { type: 'boolean' }, output: { type: 'string', short: 'o' } });
  let kc = loadCliKubeconfig(f.io, f.globals).config;
  if (values.minify) kc = minify(kc, f.globals.context);
  if (!values.raw) kc = redact(kc);
  const text = stripUndefined(serializeKubeconfig(kc));
  f.io.stdout.write(values.output === 'json' ? toJson(yaml.load(text)) : text);
  return 0;
}

async function useContext(f: Factory, args: string[]): Promise<number> {
  const { positionals } = parseFlags('config use-context', args, {});
  const name = positionals[0];
  if (!name) throw new UserError('config use-context: a context name is required');
  const { config, files } = loadCliKubeconfig(f.io, f.globals);
  if (!config.contexts.some((c) => c.name === name)) throw new UserError(`no context exists with the name: "${name}"`);
  // kubectl writes current-context into the first file of the chain.
  const first = loadKubeconfig({ path: files[0] });
  first['current-context'] = name;
  writeKubeconfig(files[0], first);
  f.io.stdout.write(`Switched to context "${name}".\n`);
  return 0;
}

async function currentContext(f: Factory): Promise<number> {
  const ctx = loadCliKubeconfig(f.io, f.globals).config['current-context'];
  if (!ctx) throw new UserError('current-context is not set');
  f.io.stdout.write(`${ctx}\n`);
  return 0;
}

async function getContexts(f: Factory): Promise<number> {
  const kc = loadCliKubeconfig(f.io, f.globals).config;
  const rows = [['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE']];
  for (const c of kc.contexts) rows.push([c.name === kc['current-context'] ? '*' : '', c.name, c.context.cluster, c.context.user, c.context.namespace ?? '']);
  f.io.stdout.write(alignColumns(rows));
  return 0;
}

export const configCommand: Command = {
  name: 'config',
  summary: 'Modify kubeconfig files (view, use-context, current-context, get-contexts)',
  async run(f, args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'view':
        return view(f, rest);
      case 'use-context':
      case 'use':
        return useContext(f, rest);
      case 'current-context':
        return currentContext(f);
      case 'get-contexts':
        return getContexts(f);
      default:
        throw new UserError(`config: unknown subcommand "${sub ?? ''}" (view, use-context, current-context, get-contexts)`);
    }
  },
};
