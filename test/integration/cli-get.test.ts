// skiff get against a real `skiff server`, compared byte for byte with the real kubectl.
import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { runCli, type CliResult } from '../../pkg/cli/testing/harness.js';
import { removeDir, startServerProcess, type ServerProcess } from '../lib/apiserver.js';

const run = promisify(execFile);
let srv: ServerProcess;
const ns = `skiff-cliget-${process.pid}`;

async function kubectl(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('kubectl', ['--kubeconfig', srv.kubeconfig, ...args], { timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

const skiff = (...args: string[]) => runCli(args, { kubeconfig: srv.kubeconfig });

const objects = `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ${ns}, labels: {app: web, tier: front}}
data: {a: "1", b: "2"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: ${ns}}
stringData: {password: hunter2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: skiff.local/web:v1}
      - {name: sidecar, image: skiff.local/busybox:latest}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ns}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, name: http}, {port: 443, name: https}]
---
apiVersion: v1
kind: Pod
metadata: {name: lonely, namespace: ${ns}, labels: {app: lonely}}
spec:
  containers: [{name: c, image: skiff.local/busybox:latest}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: ${ns}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: skiff.local/busybox:latest, command: ["true"]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ${ns}}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: skiff.local/busybox:latest}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: a, image: skiff.local/busybox:latest}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot, namespace: ${ns}}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: ${ns}-high}
value: 1000
`;

test.before(async () => {
  srv = await startServerProcess();
  const file = join(srv.dataDir, 'objects.yaml');
  writeFileSync(file, objects);
  const applied = await kubectl('apply', '-f', file);
  if (applied.code !== 0) throw new Error(applied.stderr);
});
test.after.always(async () => {
  await srv?.stop();
  if (srv) await removeDir(srv.dataDir);
});

/**
 * sameAsKubectl compares skiff with kubectl run just before and just after it: AGE cells tick
 * on between runs, so skiff must match one of the two exactly (3 tries).
 */
async function sameAsKubectl(t: import('ava').ExecutionContext, args: string[]): Promise<void> {
  let last: { k: CliResult; s: CliResult } | undefined;
  const same = (a: CliResult, b: CliResult) => a.stdout === b.stdout && a.stderr === b.stderr && a.code === b.code;
  for (let i = 0; i < 3; i++) {
    const before = await kubectl(...args);
    const s = await skiff(...args);
    if (same(before, s)) return void t.pass();
    const after = await kubectl(...args);
    last = { k: after, s };
    if (same(after, s)) return void t.pass();
  }
  t.is(last!.s.stdout, last!.k.stdout, `stdout of ${args.join(' ')}`);
  t.is(last!.s.stderr, last!.k.stderr, `stderr of ${args.join(' ')}`);
  t.is(last!.s.code, last!.k.code, `exit code of ${args.join(' ')}`);
}

const kinds = ['pods', 'deployments', 'replicasets', 'services', 'configmaps', 'secrets', 'jobs', 'cronjobs', 'daemonsets', 'serviceaccounts', 'endpoints', 'events', 'leases', 'namespaces', 'nodes', 'priorityclasses'];

for (const kind of kinds) {
  test.serial(`get ${kind} prints the same table as kubectl`, async (t) => {
    await sameAsKubectl(t, ['get', kind, '-n', ns]);
    await sameAsKubectl(t, ['get', kind, '-n', ns, '-o', 'wide']);
  });
}

test.serial('several types, names, -A, --show-labels, -l, -o name and empty results match kubectl', async (t) => {
  await sameAsKubectl(t, ['get', 'deploy,svc,cm', '-n', ns]);
  await sameAsKubectl(t, ['get', 'deploy/web', 'svc/web', '-n', ns]);
  await sameAsKubectl(t, ['get', 'cm', 'settings', '-n', ns, '--show-labels']);
  await sameAsKubectl(t, ['get', 'cm', '-A', '-l', 'tier=front']);
  await sameAsKubectl(t, ['get', 'pods,deploy', '-n', ns, '-o', 'name']);
  await sameAsKubectl(t, ['get', 'pods', '-n', ns, '-l', 'app=nothing']);
  await sameAsKubectl(t, ['get', 'pods', '-A', '-l', 'app=nothing']);
  await sameAsKubectl(t, ['get', 'configmaps', '-n', ns, '--no-headers']);
  await sameAsKubectl(t, ['get', 'all', '-n', ns]);
});

test.serial('get of a missing object fails like kubectl', async (t) => {
  await sameAsKubectl(t, ['get', 'pod', 'ghost', '-n', ns]);
  await sameAsKubectl(t, ['get', 'cm', 'ghost', 'settings', '-n', ns]);
  await sameAsKubectl(t, ['get', 'cm', 'ghost', 'settings', '-n', ns, '-o', 'name']);
  await sameAsKubectl(t, ['get', 'deploy/web', '-n', ns]);
  const bad = await skiff('get', 'widgets');
  t.is(bad.code, 1);
  t.is(bad.stderr, `error: the server doesn't have a resource type "widgets"\n`);
});

test.serial('-o yaml, -o json and -o jsonpath print the same data as kubectl', async (t) => {
  for (const args of [['get', 'deploy', 'web', '-n', ns], ['get', 'cm', '-n', ns]]) {
    const ky = yaml.load((await kubectl(...args, '-o', 'yaml')).stdout);
    const sy = await skiff(...args, '-o', 'yaml');
    t.is(sy.code, 0, sy.stderr);
    t.deepEqual(yaml.load(sy.stdout), ky);
    const kj = (await kubectl(...args, '-o', 'json')).stdout;
    const sj = (await skiff(...args, '-o', 'json')).stdout;
    t.is(sj, kj, 'json is byte for byte the same');
  }
  await sameAsKubectl(t, ['get', 'pods,deploy,svc', '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}']);
  await sameAsKubectl(t, ['get', 'deploy', '-n', ns, '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.template.spec.containers[*].image}{"\\n"}{end}']);
  await sameAsKubectl(t, ['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas}']);
});

test.serial('get -w prints the initial rows, then a row per change', async (t) => {
  const ac = new AbortController();
  const watching = runCli(['get', 'cm', '-n', ns, '-w'], { kubeconfig: srv.kubeconfig, signal: ac.signal });
  await new Promise((r) => setTimeout(r, 800));
  t.is((await skiff('create', 'configmap', 'watched', '-n', ns, '--from-literal=x=1')).code, 0);
  await new Promise((r) => setTimeout(r, 800));
  ac.abort();
  const out = await watching;
  t.regex(out.stdout, /^NAME\s+DATA\s+AGE\n/);
  t.regex(out.stdout, /settings\s+2\s+\d+s\n/);
  t.regex(out.stdout, /watched\s+1\s+\d+s\n$/);
});
