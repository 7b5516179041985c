// edit.ts: `skiff edit TYPE NAME` — the object as YAML in $KUBE_EDITOR / $EDITOR (default vi);
// what changed is sent as a patch computed from the object before and after editing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import yaml from 'js-yaml';
import type { KubeObject } from '../../api/meta.js';
import { kindFor } from '../../api/scheme.js';
import { threeWayMergePatch, isEmptyPatch } from '../apply/threeway.js';
import type { Command } from '../command.js';
import { formatError } from '../command.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { apiVersionOfResource, kindPrefix } from '../mapper.js';
import { toYaml } from '../printers/output.js';
import { resolveResourceArgs, withType } from '../resources.js';

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

export const editCommand: Command = {
  name: 'edit',
  summary: 'Edit a resource on the server with $EDITOR',
  async run(f, args) {
    const { positionals } = parseFlags('edit', args, {});
    const reqs = await resolveResourceArgs(f, positionals);
    if (reqs.length !== 1 || reqs[0].names.length !== 1) throw new UserError('edit: exactly one TYPE NAME (or TYPE/NAME) is required');
    const res = reqs[0].resource;
    const name = reqs[0].names[0];
    const rc = f.resource(res, f.namespace());
    const live = withType(await rc.get(name), res);
    delete live.metadata.managedFields;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-edit-'));
    const file = path.join(dir, `${res.resource}-${name}.yaml`);
    let keep = false;
    try {
      const before = HEADER + toYaml(live);
      fs.writeFileSync(file, before);
      const editor = f.io.env.KUBE_EDITOR || f.io.env.EDITOR || 'vi';
      const result = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit', env: { ...process.env, ...f.io.env } as NodeJS.ProcessEnv });
      if (result.status !== 0) throw new UserError(`there was a problem with the editor "${editor}"`);
      const after = fs.readFileSync(file, 'utf8');
      const text = after.split('\n').filter((l) => !l.startsWith('#')).join('\n');
      if (after === before) {
        f.io.stderr.write('Edit cancelled, no changes made.\n');
        return 0;
      }
      if (text.trim() === '') {
        f.io.stderr.write('Edit cancelled, saved file was empty.\n');
        return 0;
      }
      let edited: KubeObject;
      try {
        edited = yaml.load(text, { schema: yaml.CORE_SCHEMA }) as KubeObject;
      } catch (err) {
        keep = true;
        throw new UserError(`${(err as Error).message.split('\n')[0]}\nA copy of your changes has been stored to "${file}"`);
      }
      const info = kindFor(apiVersionOfResource(res), res.kind);
      const patch = threeWayMergePatch(live, edited, live, info?.schema);
      if (isEmptyPatch(patch)) {
        f.io.stderr.write('Edit cancelled, no changes made.\n');
        return 0;
      }
      try {
        await rc.patch(name, info ? 'strategic' : 'merge', patch, { fieldManager: 'kubectl-edit' });
      } catch (err) {
        keep = true;
        f.io.stderr.write(`${formatError(err)}\nA copy of your changes has been stored to "${file}"\n`);
        return 1;
      }
      f.io.stdout.write(`${kindPrefix(res)}/${name} edited\n`);
      return 0;
    } finally {
      if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
