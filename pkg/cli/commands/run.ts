// run.ts: `skiff run NAME --image=IMG [--restart=Never] [--rm] [-i] [-t] [--env K=V] [--command] -- ARGS`
// creates a one-off pod; attached (-i, -t or --attach) it streams the container like
// `docker run`, returns its exit code, and with --rm deletes the pod afterwards.
import { isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Command } from '../command.js';
import type { Factory } from '../factory.js';
import { parseDuration, parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { pollUntil } from '../wait.js';
import { Progress } from '../printers/progress.js';
import { runRemote } from './exec.js';

interface RunFlags {
  image?: string;
  restart?: string;
  rm?: boolean;
  stdin?: boolean;
  tty?: boolean;
  attach?: boolean;
  env?: string[];
  labels?: string;
  command?: boolean;
  port?: string;
  'pod-running-timeout'?: string;
  'dry-run'?: string;
}

/** runPod builds the pod `run` creates. */
export function runPod(name: string, values: RunFlags, args: string[]): KubeObject {
  if (!values.image) throw new UserError('run: --image is required');
  const restartPolicy = values.restart ?? 'Always';
  if (!['Always', 'OnFailure', 'Never'].includes(restartPolicy)) throw new UserError(`invalid restart policy: ${restartPolicy}`);
  const labels: Record<string, string> = { run: name };
  for (const kv of (values.labels ?? '').split(',').filter(Boolean)) {
    const [k, v] = kv.split('=');
    labels[k] = v ?? '';
  }
  const container: Record<string, unknown> = { name, image: values.image };
  if (args.length) container[values.command ? 'command' : 'args'] = args;
  if (values.env?.length) container.env = values.env.map((e) => ({ name: e.split('=')[0], value: e.slice(e.indexOf('=') + 1) }));
  if (values.port) container.ports = [{ containerPort: Number(values.port) }];
  if (values.stdin) Object.assign(container, { stdin: true, stdinOnce: true, tty: values.tty ?? false });
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [container], restartPolicy } };
}

type Phase = 'Running' | 'Succeeded' | 'Failed' | 'Pending' | 'Unknown';

function phaseOf(pod: KubeObject): Phase {
  return ((pod.status as { phase?: Phase })?.phase ?? 'Pending') as Phase;
}

function exitCodeOf(pod: KubeObject): number | undefined {
  const statuses = (pod.status as { containerStatuses?: { state?: { terminated?: { exitCode: number } } }[] })?.containerStatuses ?? [];
  return statuses[0]?.state?.terminated?.exitCode;
}

async function attachAndWait(f: Factory, name: string, values: RunFlags): Promise<number> {
  const pods = f.resource(await f.mapper().mappingFor('v1', 'Pod'), f.namespace());
  const timeoutMs = values['pod-running-timeout'] ? parseDuration(values['pod-running-timeout']) : 60_000;
  // Pulling an image can take a while: say what the pod is waiting for, on a terminal.
  const progress = new Progress(f.io.stderr);
  let reason = 'Pending';
  const started = await pollUntil(async () => {
    const p = await pods.get(name);
    const waiting = (p.status as { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] })?.containerStatuses?.[0]?.state?.waiting?.reason;
    reason = waiting ? `Pending (${waiting})` : 'Pending';
    return phaseOf(p) === 'Pending' ? undefined : p;
  }, { timeoutMs, signal: f.io.signal, intervalMs: 200, onTick: (ms) => progress.update(`waiting for pod ${name} to start: ${reason}, ${Math.round(ms / 1000)}s...`) });
  progress.done();
  if (!started) throw new UserError(`timed out waiting for the condition: pod ${name} is still Pending`);
  if (f.io.stderr.isTTY && phaseOf(started) === 'Running') f.io.stderr.write("If you don't see a command prompt, try pressing enter.\n");
  const streamLog = async () => {
    const logs = await f.client().stream({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(f.namespace())}/pods/${encodeURIComponent(name)}/log`, query: { follow: true }, timeoutMs: 0, signal: f.io.signal, accept: 'text/plain, */*' });
    for await (const chunk of logs) f.io.stdout.write(chunk as Buffer);
  };
  if (phaseOf(started) === 'Running') {
    try {
      await runRemote(f, name, 'attach', { container: name, stdin: values.stdin ?? false, tty: (values.tty && values.stdin) ?? false });
    } catch {
      // No attach on this node: stream the log instead (output only).
      await streamLog();
    }
  } else {
    // Already finished before we could attach (as kubectl does): print what it wrote.
    await streamLog();
  }
  if (values.restart === 'Always' || values.restart === undefined) return 0;
  const done = await pollUntil(async () => {
    const p = await pods.get(name);
    return phaseOf(p) === 'Succeeded' || phaseOf(p) === 'Failed' ? p : undefined;
  }, { timeoutMs: 30_000, signal: f.io.signal, intervalMs: 200 });
  return done ? (exitCodeOf(done) ?? (phaseOf(done) === 'Succeeded' ? 0 : 1)) : 0;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a particular image in a one-off pod',
  async run(f, args) {
    const { values, positionals, afterDash } = parseFlags<RunFlags>('run', args, {
      image: { type: 'string' },
      restart: { type: 'string' },
      rm: { type: 'boolean' },
      stdin: { type: 'boolean', short: 'i' },
      tty: { type: 'boolean', short: 't' },
      attach: { type: 'boolean' },
      env: { type: 'string', multiple: true },
      labels: { type: 'string', short: 'l' },
      command: { type: 'boolean' },
      port: { type: 'string' },
      'pod-running-timeout': { type: 'string' },
      'dry-run': { type: 'string' },
    });
    const [name, ...rest] = positionals;
    if (!name) throw new UserError('NAME is required for run');
    const attach = values.attach ?? (values.stdin || values.tty || false);
    if (values.rm && !attach) throw new UserError('--rm should only be used for attached containers');
    const pod = runPod(name, values, [...rest, ...(afterDash ?? [])]);
    if (values['dry-run'] === 'client') {
      f.io.stdout.write(`pod/${name} created (dry run)\n`);
      return 0;
    }
    const pods = f.resource(await f.mapper().mappingFor('v1', 'Pod'), f.namespace());
    await pods.create(pod, { fieldManager: 'kubectl-run' });
    if (!attach) {
      f.io.stdout.write(`pod/${name} created\n`);
      return 0;
    }
    try {
      return await attachAndWait(f, name, values);
    } finally {
      if (values.rm) {
        try {
          await pods.delete(name, { gracePeriodSeconds: 0 });
          f.io.stdout.write(`pod "${name}" deleted\n`);
        } catch (err) {
          if (!isNotFound(err)) f.io.stderr.write(`error: deleting pod ${name}: ${(err as Error).message}\n`);
        }
      }
    }
  },
};
