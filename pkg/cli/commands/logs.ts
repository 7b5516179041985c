// logs.ts: `skiff logs [-f] [-c C] [--previous] [--tail N] POD | TYPE/NAME` through the
// pods/log subresource; TYPE/NAME (a deployment, job, ...) picks the first of its pods.
import type { KubeObject } from '../../api/meta.js';
import type { Command } from '../command.js';
import type { Factory } from '../factory.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';

/** podFor resolves POD or TYPE/NAME to a pod name (the first pod matching a workload's selector). */
export async function podFor(f: Factory, arg: string): Promise<string> {
  const slash = arg.indexOf('/');
  if (slash < 0) return arg;
  const res = await f.mapper().resourceFor(arg.slice(0, slash));
  const name = arg.slice(slash + 1);
  if (res.kind === 'Pod') return name;
  const obj = await f.resource(res, f.namespace()).get(name);
  const selector = (obj.spec as { selector?: { matchLabels?: Record<string, string> } | Record<string, string> })?.selector;
  const labels = selector && 'matchLabels' in selector ? (selector.matchLabels as Record<string, string>) : (selector as Record<string, string> | undefined);
  if (!labels || !Object.keys(labels).length) throw new UserError(`cannot find the pods of ${arg}: it has no selector`);
  const pods = await f.client().request<{ items: KubeObject[] }>({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(f.namespace())}/pods`, query: { labelSelector: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') } });
  const sorted = (pods.items ?? []).sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
  if (!sorted.length) throw new UserError(`no pods found for ${arg}`);
  return sorted[0].metadata.name!;
}

export const logsCommand: Command = {
  name: 'logs',
  summary: 'Print the logs for a container in a pod',
  async run(f, args) {
    const { values, positionals } = parseFlags<{ follow?: boolean; container?: string; previous?: boolean; tail?: string; timestamps?: boolean; 'since'?: string }>('logs', args, {
      follow: { type: 'boolean', short: 'f' },
      container: { type: 'string', short: 'c' },
      previous: { type: 'boolean', short: 'p' },
      tail: { type: 'string' },
      timestamps: { type: 'boolean' },
    });
    if (positionals.length < 1) throw new UserError('expected POD or TYPE/NAME');
    const container = values.container ?? positionals[1];
    const pod = await podFor(f, positionals[0]);
    const tail = values.tail !== undefined && values.tail !== '-1' ? Number(values.tail) : undefined;
    if (tail !== undefined && !Number.isInteger(tail)) throw new UserError(`invalid --tail ${values.tail}`);
    const stream = await f.client().stream({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(f.namespace())}/pods/${encodeURIComponent(pod)}/log`,
      query: { container, follow: values.follow || undefined, previous: values.previous || undefined, tailLines: tail, timestamps: values.timestamps || undefined },
      accept: 'text/plain, */*',
      signal: f.io.signal,
      retry: !values.follow,
      timeoutMs: values.follow ? 0 : undefined,
    });
    try {
      for await (const chunk of stream) f.io.stdout.write(chunk as Buffer);
    } catch (err) {
      if (!f.io.signal?.aborted) throw err;
    }
    return 0;
  },
};
