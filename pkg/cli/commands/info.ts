// info.ts: commands that describe the cluster and the client: version, cluster-info,
// api-resources.
import type { KubeObject } from '../../api/meta.js';
import type { Command } from '../command.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { alignColumns } from '../printers/table.js';
import { toJson, toYaml } from '../printers/output.js';
import { apiVersionOfResource, type ApiResource } from '../mapper.js';

/** CLIENT_VERSION is the CLI's version, in the shape of a Kubernetes version.Info. */
export const CLIENT_VERSION = { major: '1', minor: '32', gitVersion: 'v0.1.0-skiff', platform: `${process.platform}/${process.arch}` };

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the client and server version information',
  async run(f, args) {
    const { values } = parseFlags<{ client?: boolean; output?: string }>('version', args, { client: { type: 'boolean' }, output: { type: 'string', short: 'o' } });
    const out: Record<string, unknown> = { clientVersion: CLIENT_VERSION };
    let serverError: unknown;
    if (!values.client) {
      try {
        out.serverVersion = await f.client().request({ method: 'GET', path: '/version' });
      } catch (err) {
        serverError = err;
      }
    }
    if (values.output === 'json') f.io.stdout.write(toJson(out));
    else if (values.output === 'yaml') f.io.stdout.write(toYaml(out));
    else if (values.output) throw new UserError(`--output must be 'yaml' or 'json'`);
    else {
      f.io.stdout.write(`Client Version: ${CLIENT_VERSION.gitVersion}\n`);
      const server = out.serverVersion as { gitVersion?: string } | undefined;
      if (server) f.io.stdout.write(`Server Version: ${server.gitVersion ?? 'unknown'}\n`);
    }
    if (serverError) throw serverError;
    return 0;
  },
};

export const clusterInfoCommand: Command = {
  name: 'cluster-info',
  summary: 'Display addresses of the control plane and services with label kubernetes.io/cluster-service=true',
  async run(f, args) {
    parseFlags('cluster-info', args, {});
    const server = f.connection().server;
    await f.client().request({ method: 'GET', path: '/version' });
    f.io.stdout.write(`Kubernetes control plane is running at ${server}\n`);
    const services = await f.client().request<{ items: KubeObject[] }>({ method: 'GET', path: '/api/v1/namespaces/kube-system/services', query: { labelSelector: 'kubernetes.io/cluster-service=true' } });
    for (const svc of services.items ?? []) {
      const name = svc.metadata.labels?.['kubernetes.io/name'] ?? svc.metadata.name;
      const port = ((svc.spec as { ports?: { name?: string; port: number }[] })?.ports ?? [])[0];
      const portPart = port ? `:${port.name || port.port}` : '';
      f.io.stdout.write(`${name} is running at ${server}/api/v1/namespaces/kube-system/services/${svc.metadata.name}${portPart}/proxy\n`);
    }
    f.io.stdout.write(`\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`);
    return 0;
  },
};

/** sortResources orders resources as kubectl api-resources does: by group (core first), then name. */
export function sortResources(list: ApiResource[]): ApiResource[] {
  return [...list].sort((a, b) => (a.group === b.group ? a.resource.localeCompare(b.resource) : a.group === '' ? -1 : b.group === '' ? 1 : a.group.localeCompare(b.group)));
}

export const apiResourcesCommand: Command = {
  name: 'api-resources',
  summary: 'Print the supported API resources on the server',
  async run(f, args) {
    const { values } = parseFlags<{ output?: string; namespaced?: string; 'api-group'?: string; 'no-headers'?: boolean; verbs?: string }>('api-resources', args, {
      output: { type: 'string', short: 'o' },
      namespaced: { type: 'string' },
      'api-group': { type: 'string' },
      'no-headers': { type: 'boolean' },
      verbs: { type: 'string' },
    });
    let list = sortResources(await f.mapper().resources());
    if (values.namespaced !== undefined) list = list.filter((r) => r.namespaced === (values.namespaced === 'true'));
    if (values['api-group'] !== undefined) list = list.filter((r) => r.group === values['api-group']);
    if (values.verbs) list = list.filter((r) => values.verbs!.split(',').every((v) => r.verbs.includes(v)));
    if (values.output === 'name') {
      for (const r of list) f.io.stdout.write(`${r.resource}${r.group ? `.${r.group}` : ''}\n`);
      return 0;
    }
    if (values.output && values.output !== 'wide') throw new UserError(`--output ${values.output} is not available`);
    const wide = values.output === 'wide';
    const rows: string[][] = [];
    if (!values['no-headers']) rows.push(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])]);
    for (const r of list) {
      const row = [r.resource, r.shortNames.join(','), apiVersionOfResource(r), String(r.namespaced), r.kind];
      if (wide) row.push(r.verbs.join(','), r.categories.join(','));
      rows.push(row);
    }
    f.io.stdout.write(alignColumns(rows));
    return 0;
  },
};
