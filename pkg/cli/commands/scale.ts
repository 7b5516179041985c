// scale.ts: `skiff scale TYPE NAME --replicas=N` through the /scale subresource.
import type { Command } from '../command.js';
import { formatError } from '../command.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { kindPrefix } from '../mapper.js';
import { resolveResourceArgs } from '../resources.js';

export const scaleCommand: Command = {
  name: 'scale',
  summary: 'Set a new size for a deployment, replica set or stateful set',
  async run(f, args) {
    const { values, positionals } = parseFlags<{ replicas?: string; 'current-replicas'?: string }>('scale', args, {
      replicas: { type: 'string' },
      'current-replicas': { type: 'string' },
    });
    if (values.replicas === undefined || !/^\d+$/.test(values.replicas)) throw new UserError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
    const replicas = Number(values.replicas);
    let failed = false;
    for (const req of await resolveResourceArgs(f, positionals)) {
      if (!req.resource.subresources.includes('scale')) throw new UserError(`${kindPrefix(req.resource)} cannot be scaled`);
      const rc = f.resource(req.resource, f.namespace());
      for (const name of req.names) {
        try {
          if (values['current-replicas'] !== undefined) {
            const cur = await rc.getScale(name);
            if (cur.spec.replicas !== Number(values['current-replicas'])) throw new UserError(`Expected replicas to be ${values['current-replicas']}, was ${cur.spec.replicas}`);
          }
          await rc.patch(name, 'merge', { spec: { replicas } }, { subresource: 'scale', fieldManager: 'kubectl-scale' });
          f.io.stdout.write(`${kindPrefix(req.resource)}/${name} scaled\n`);
        } catch (err) {
          failed = true;
          f.io.stderr.write(formatError(err) + '\n');
        }
      }
    }
    return failed ? 1 : 0;
  },
};
