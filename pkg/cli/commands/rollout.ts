// rollout.ts: `skiff rollout status|history|undo|restart|pause|resume` for Deployments
// (status also for DaemonSets), with kubectl's semantics and wording.
import type { KubeObject } from '../../api/meta.js';
import { rfc3339 } from '../../api/meta.js';
import type { Command } from '../command.js';
import type { Factory } from '../factory.js';
import { parseDuration, parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { kindPrefix, type ApiResource } from '../mapper.js';
import { resolveResourceArgs } from '../resources.js';
import { historyTable, ownedReplicaSets, templateFor } from '../rollout/history.js';
import { daemonSetStatus, deploymentStatus, type RolloutStatus } from '../rollout/status.js';
import { sleep } from '../wait.js';
import { deepEqual } from '../../api/equality.js';

interface RolloutFlags {
  watch: boolean;
  timeout?: string;
  'to-revision'?: string;
  revision?: string;
}

async function target(f: Factory, args: string[]): Promise<{ res: ApiResource; name: string }> {
  const reqs = await resolveResourceArgs(f, args);
  if (reqs.length !== 1 || reqs[0].names.length !== 1) throw new UserError('rollout: exactly one resource is required, e.g. deployment/web');
  const res = reqs[0].resource;
  if (!['Deployment', 'DaemonSet', 'StatefulSet'].includes(res.kind)) throw new UserError(`no rollout for ${kindPrefix(res)}; supported: deployment, daemonset`);
  return { res, name: reqs[0].names[0] };
}

async function replicaSetsOf(f: Factory, deployment: KubeObject): Promise<KubeObject[]> {
  const rsRes = await f.mapper().mappingFor('apps/v1', 'ReplicaSet');
  const list = await f.resource(rsRes, deployment.metadata.namespace).listAll();
  return ownedReplicaSets(deployment, list.items);
}

async function status(f: Factory, res: ApiResource, name: string, values: RolloutFlags): Promise<number> {
  const rc = f.resource(res, f.namespace());
  const deadline = values.timeout ? f.now() + parseDuration(values.timeout) : Infinity;
  let last = '';
  for (;;) {
    const obj = await rc.get(name);
    const s: RolloutStatus = res.kind === 'DaemonSet' ? daemonSetStatus(obj) : deploymentStatus(obj);
    if (s.failed) throw new UserError(s.message);
    if (s.message !== last) {
      f.io.stdout.write(s.message);
      last = s.message;
    }
    if (s.done || !values.watch) return 0;
    if (f.now() >= deadline) throw new UserError('timed out waiting for the condition');
    if (f.io.signal?.aborted) return 1;
    await sleep(500, f.io.signal);
  }
}

export const rolloutCommand: Command = {
  name: 'rollout',
  summary: 'Manage the rollout of a resource (status, history, undo, restart, pause, resume)',
  async run(f, args) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseFlags<RolloutFlags>(`rollout ${sub ?? ''}`, rest, {
      watch: { type: 'boolean', short: 'w', default: true },
      timeout: { type: 'string' },
      'to-revision': { type: 'string' },
      revision: { type: 'string' },
    });
    const { res, name } = await target(f, positionals);
    const rc = f.resource(res, f.namespace());
    const label = `${kindPrefix(res)}/${name}`;
    switch (sub) {
      case 'status':
        return status(f, res, name, values);
      case 'history': {
        if (res.kind !== 'Deployment') throw new UserError(`rollout history: only deployments are supported`);
        const dep = await rc.get(name);
        const owned = await replicaSetsOf(f, dep);
        if (values.revision) {
          const found = templateFor(owned, Number(values.revision));
          if (!found) throw new UserError(`unable to find the specified revision`);
          f.io.stdout.write(`${label} with revision #${found.revision}\n${describeTemplate(found.template)}`);
          return 0;
        }
        f.io.stdout.write(historyTable(label, owned));
        return 0;
      }
      case 'undo': {
        if (res.kind !== 'Deployment') throw new UserError(`rollout undo: only deployments are supported`);
        const dep = await rc.get(name);
        if ((dep.spec as { paused?: boolean }).paused) throw new UserError(`you cannot rollback a paused deployment; resume it first with 'skiff rollout resume ${label}' and try again`);
        const toRevision = values['to-revision'] ? Number(values['to-revision']) : 0;
        const found = templateFor(await replicaSetsOf(f, dep), toRevision);
        if (!found) throw new UserError(toRevision ? `unable to find specified revision ${toRevision} in history` : 'no rollout history found for deployment "' + name + '"');
        if (deepEqual(found.template, (dep.spec as { template: unknown }).template)) {
          f.io.stdout.write(`${label} skipped rollback (current template already matches revision ${found.revision})\n`);
          return 0;
        }
        await rc.patch(name, 'json', [
          { op: 'test', path: '/metadata/resourceVersion', value: dep.metadata.resourceVersion },
          { op: 'replace', path: '/spec/template', value: found.template },
        ], { fieldManager: 'kubectl-rollout' });
        f.io.stdout.write(`${label} rolled back\n`);
        return 0;
      }
      case 'restart': {
        const at = rfc3339(new Date(f.now()));
        await rc.patch(name, 'strategic', { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } }, { fieldManager: 'kubectl-rollout' });
        f.io.stdout.write(`${label} restarted\n`);
        return 0;
      }
      case 'pause':
      case 'resume': {
        const pause = sub === 'pause';
        const dep = await rc.get(name);
        if (Boolean((dep.spec as { paused?: boolean }).paused) === pause) throw new UserError(`${res.resource}.${res.group} "${name}" is ${pause ? 'already' : 'not'} paused`);
        await rc.patch(name, 'merge', { spec: { paused: pause ? true : null } }, { fieldManager: 'kubectl-rollout' });
        f.io.stdout.write(`${label} ${pause ? 'paused' : 'resumed'}\n`);
        return 0;
      }
      default:
        throw new UserError(`rollout: unknown subcommand "${sub ?? ''}" (status, history, undo, restart, pause, resume)`);
    }
  },
};

function describeTemplate(template: Record<string, unknown>): string {
  const meta = (template.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
  const spec = (template.spec ?? {}) as { containers?: { name: string; image?: string; ports?: { containerPort: number; protocol?: string }[] }[] };
  const lines = ['Pod Template:', `  Labels:\t${Object.entries(meta.labels ?? {}).map(([k, v]) => `${k}=${v}`).join('\n\t') || '<none>'}`];
  if (meta.annotations && Object.keys(meta.annotations).length) lines.push(`  Annotations:\t${Object.entries(meta.annotations).map(([k, v]) => `${k}: ${v}`).join('\n\t')}`);
  lines.push('  Containers:');
  for (const c of spec.containers ?? []) {
    lines.push(`   ${c.name}:`, `    Image:\t${c.image ?? ''}`);
    const p = c.ports?.[0];
    lines.push(`    Port:\t${p ? `${p.containerPort}/${p.protocol ?? 'TCP'}` : '<none>'}`);
  }
  return lines.join('\n') + '\n\n';
}
