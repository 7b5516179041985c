// wait.ts: `skiff wait --for=condition=C[=value] | --for=delete | --for=jsonpath='{...}'=value`
// on TYPE/NAME, TYPE NAME... or TYPE -l SEL, with --timeout (default 30s, as kubectl).
import { isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Command } from '../command.js';
import { parseDuration, parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { kindPrefix } from '../mapper.js';
import { JsonPath } from '../printers/jsonpath.js';
import { resolveResourceArgs } from '../resources.js';
import { pollUntil, waitForDeletion } from '../wait.js';

/** WaitFor is a parsed --for. */
export type WaitFor = { kind: 'delete' } | { kind: 'condition'; type: string; value: string } | { kind: 'jsonpath'; path: JsonPath; value?: string };

/** parseWaitFor reads --for. */
export function parseWaitFor(spec: string): WaitFor {
  if (spec === 'delete') return { kind: 'delete' };
  const cond = /^condition=([^=]+)(?:=(.*))?$/.exec(spec);
  if (cond) return { kind: 'condition', type: cond[1], value: cond[2] ?? 'True' };
  const jp = /^jsonpath=(\{.*\})(?:=(.*))?$/.exec(spec);
  if (jp) return { kind: 'jsonpath', path: new JsonPath(jp[1]), value: jp[2] };
  throw new UserError(`unrecognized condition: "${spec}"`);
}

/** conditionMet evaluates a condition or jsonpath wait against an object. */
export function conditionMet(obj: KubeObject, w: WaitFor): boolean {
  if (w.kind === 'condition') {
    const conds = ((obj.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []);
    return conds.some((c) => c.type.toLowerCase() === w.type.toLowerCase() && c.status.toLowerCase() === w.value.toLowerCase());
  }
  if (w.kind === 'jsonpath') {
    const got = w.path.execute(obj);
    return w.value === undefined ? got !== '' : got === w.value;
  }
  return false;
}

export const waitCommand: Command = {
  name: 'wait',
  summary: 'Wait for a specific condition on one or many resources',
  async run(f, args) {
    const { values, positionals } = parseFlags<{ for?: string; timeout?: string; selector?: string; all?: boolean }>('wait', args, {
      for: { type: 'string' },
      timeout: { type: 'string' },
      selector: { type: 'string', short: 'l' },
      all: { type: 'boolean' },
    });
    if (!values.for) throw new UserError('--for must be set (delete, condition=NAME[=VALUE] or jsonpath={...}=VALUE)');
    const wait = parseWaitFor(values.for);
    const timeoutMs = values.timeout ? parseDuration(values.timeout) : 30_000;
    let failed = false;
    for (const req of await resolveResourceArgs(f, positionals)) {
      const rc = f.resource(req.resource, f.namespace());
      let targets: KubeObject[];
      if (req.names.length) {
        targets = [];
        for (const n of req.names) {
          try {
            targets.push(await rc.get(n));
          } catch (err) {
            if (isNotFound(err) && wait.kind === 'delete') continue;
            throw err;
          }
        }
      } else {
        if (!values.selector && !values.all) throw new UserError('resource(s) were provided, but no name was specified');
        targets = (await rc.listAll({ labelSelector: values.selector })).items;
        if (targets.length === 0) throw new UserError('no matching resources found');
      }
      for (const obj of targets) {
        const label = `${kindPrefix(req.resource)}/${obj.metadata.name}`;
        let ok: boolean;
        if (wait.kind === 'delete') ok = await waitForDeletion(rc, obj.metadata.name!, obj.metadata.uid, { timeoutMs, signal: f.io.signal });
        else ok = (await pollUntil(async () => (conditionMet(await rc.get(obj.metadata.name!), wait) ? true : undefined), { timeoutMs, signal: f.io.signal, now: f.io.now })) === true;
        if (ok) f.io.stdout.write(`${label} ${wait.kind === 'delete' ? 'deleted' : 'condition met'}\n`);
        else {
          failed = true;
          f.io.stderr.write(`error: timed out waiting for the condition on ${req.resource.resource}/${obj.metadata.name}\n`);
        }
      }
    }
    return failed ? 1 : 0;
  },
};
