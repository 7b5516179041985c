// set.ts: `skiff set image (TYPE NAME | TYPE/NAME) CONTAINER=IMAGE ...` — as kubectl, a
// strategic merge patch of the pod template's containers (init containers too), keyed by name;
// "*" sets every container. Works on pods and every kind with a pod template.
import type { Command } from '../command.js';
import { formatError } from '../command.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { kindPrefix } from '../mapper.js';
import { resolveResourceArgs } from '../resources.js';

interface PodSpecLike {
  containers?: { name: string; image?: string }[];
  initContainers?: { name: string; image?: string }[];
}

/** podSpecPath is where a kind keeps its pod spec (undefined: it has none). */
export function podSpecPath(kind: string): string[] | undefined {
  switch (kind) {
    case 'Pod':
      return ['spec'];
    case 'CronJob':
      return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet':
    case 'StatefulSet':
    case 'Job':
    case 'ReplicationController':
      return ['spec', 'template', 'spec'];
    default:
      return undefined;
  }
}

/** imagePatch builds the strategic merge patch that sets images, or throws if a container is unknown. */
export function imagePatch(kind: string, obj: Record<string, unknown>, images: Map<string, string>): Record<string, unknown> {
  const path = podSpecPath(kind);
  if (!path) throw new UserError(`the kind ${kind} has no pod template`);
  let spec: unknown = obj;
  for (const p of path) spec = (spec as Record<string, unknown> | undefined)?.[p];
  const podSpec = (spec ?? {}) as PodSpecLike;
  const patchSpec: PodSpecLike = {};
  const matched = new Set<string>();
  for (const field of ['initContainers', 'containers'] as const) {
    const changed: { name: string; image: string }[] = [];
    for (const c of podSpec[field] ?? []) {
      const image = images.get(c.name) ?? images.get('*');
      if (image === undefined) continue;
      matched.add(c.name);
      changed.push({ name: c.name, image });
    }
    if (changed.length) patchSpec[field] = changed;
  }
  for (const name of images.keys()) if (name !== '*' && !matched.has(name)) throw new UserError(`unable to find container named "${name}"`);
  let patch: Record<string, unknown> = patchSpec as Record<string, unknown>;
  for (const p of [...path].reverse()) patch = { [p]: patch };
  return patch;
}

const setImage = async (f: Parameters<Command['run']>[0], args: string[]): Promise<number> => {
  const { positionals } = parseFlags<Record<string, never>>('set image', args, {});
  const pairs = positionals.filter((a) => a.includes('='));
  const targets = positionals.filter((a) => !a.includes('='));
  if (!pairs.length) throw new UserError('at least one image update is required (CONTAINER=IMAGE)');
  if (!targets.length) throw new UserError('one or more resources must be specified as <resource> <name> or <resource>/<name>');
  const images = new Map<string, string>();
  for (const p of pairs) {
    const i = p.indexOf('=');
    const name = p.slice(0, i);
    const image = p.slice(i + 1);
    if (!name || !image) throw new UserError(`invalid image update "${p}": expected CONTAINER=IMAGE`);
    images.set(name, image);
  }
  let failed = false;
  for (const req of await resolveResourceArgs(f, targets)) {
    const rc = f.resource(req.resource, f.namespace());
    for (const name of req.names) {
      try {
        const obj = (await rc.get(name)) as unknown as Record<string, unknown>;
        const patch = imagePatch(req.resource.kind, obj, images);
        await rc.patch(name, 'strategic', patch, { fieldManager: 'kubectl-set' });
        f.io.stdout.write(`${kindPrefix(req.resource)}/${name} image updated\n`);
      } catch (err) {
        failed = true;
        f.io.stderr.write(formatError(err) + '\n');
      }
    }
  }
  return failed ? 1 : 0;
};

export const setCommand: Command = {
  name: 'set',
  summary: 'Set specific features on objects (set image)',
  async run(f, args) {
    const [sub, ...rest] = args;
    if (sub === 'image') return setImage(f, rest);
    throw new UserError(sub ? `unknown command "${sub}" for "skiff set"` : 'usage: skiff set image (TYPE NAME | TYPE/NAME) CONTAINER=IMAGE ...');
  },
};
