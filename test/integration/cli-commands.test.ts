// The everyday commands against a real `skiff server` (API server, etcd and controllers):
// rollout (status, history, undo, restart, pause, resume), label, annotate, wait, describe,
// edit, api-resources (same as kubectl), version, cluster-info, config, completion.
import test from 'ava';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { runCli, type CliResult } from '../../pkg/cli/testing/harness.js';
import { removeDir, startServerProcess, type ServerProcess } from '../lib/apiserver.js';
import { req } from '../lib/http.js';

const run = promisify(execFile);
let srv: ServerProcess;
const ns = `skiff-clicmd-${process.pid}`;

test.before(async () => {
  srv = await startServerProcess();
});
test.after.always(async () => {
  await srv?.stop();
  if (srv) await removeDir(srv.dataDir);
});

const skiff = (...args: string[]) => runCli(args, { kubeconfig: srv.kubeconfig, cwd: srv.dataDir });
async function kubectl(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('kubectl', ['--kubeconfig', srv.kubeconfig, ...args], { timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}
const deployment = async () => (await req(srv.url, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).body;
const until = async (check: () => Promise<boolean>, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
};

function manifest(image: string): string {
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
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
      containers: [{name: web, image: ${image}, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ns}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`;
}

test.serial('rollout status, history, undo (also --to-revision), restart, pause and resume', async (t) => {
  const file = join(srv.dataDir, 'web.yaml');
  writeFileSync(file, manifest('skiff.local/web:v1'));
  t.is((await skiff('apply', '-f', file)).code, 0);
  t.true(await until(async () => (await deployment()).status?.updatedReplicas === 2));
  // No nodes in this cluster: the pods never become available, so status reports progress.
  const once = await skiff('rollout', 'status', 'deploy/web', '-n', ns, '--watch=false');
  t.is(once.code, 0, once.stderr);
  t.regex(once.stdout, /^Waiting for deployment "web" rollout to finish: 0 of 2 updated replicas are available\.\.\.\n$/);
  const timedOut = await skiff('rollout', 'status', 'deployment', 'web', '-n', ns, '--timeout=1s');
  t.is(timedOut.code, 1);
  t.is(timedOut.stderr, 'error: timed out waiting for the condition\n');

  writeFileSync(file, manifest('skiff.local/web:v2'));
  t.is((await skiff('apply', '-f', file)).code, 0);
  const rsCount = async () => (await req(srv.url, 'GET', `/apis/apps/v1/namespaces/${ns}/replicasets`)).body.items.length;
  t.true(await until(async () => (await rsCount()) === 2), 'the deployment controller made a second ReplicaSet');
  const history = await skiff('rollout', 'history', 'deployment/web', '-n', ns);
  t.is(history.stdout, 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
  const kubectlHistory = await kubectl('rollout', 'history', 'deployment/web', '-n', ns);
  t.is(history.stdout, kubectlHistory.stdout, 'same as kubectl');

  const undo = await skiff('rollout', 'undo', 'deployment/web', '-n', ns);
  t.is(undo.stdout, 'deployment.apps/web rolled back\n', undo.stderr);
  t.is((await deployment()).spec.template.spec.containers[0].image, 'skiff.local/web:v1');
  t.true(await until(async () => /\n3 /.test((await skiff('rollout', 'history', 'deploy/web', '-n', ns)).stdout)), 'revision 1 became 3');
  const skipped = await skiff('rollout', 'undo', 'deployment/web', '-n', ns, '--to-revision=3');
  t.is(skipped.stdout, 'deployment.apps/web skipped rollback (current template already matches revision 3)\n');
  const toTwo = await skiff('rollout', 'undo', 'deployment/web', '-n', ns, '--to-revision=2');
  t.is(toTwo.stdout, 'deployment.apps/web rolled back\n', toTwo.stderr);
  t.is((await deployment()).spec.template.spec.containers[0].image, 'skiff.local/web:v2');
  const missing = await skiff('rollout', 'undo', 'deployment/web', '-n', ns, '--to-revision=42');
  t.is(missing.stderr, 'error: unable to find specified revision 42 in history\n');

  const restart = await skiff('rollout', 'restart', 'deployment/web', '-n', ns);
  t.is(restart.stdout, 'deployment.apps/web restarted\n', restart.stderr);
  t.regex((await deployment()).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  t.is((await skiff('rollout', 'pause', 'deployment/web', '-n', ns)).stdout, 'deployment.apps/web paused\n');
  t.true((await deployment()).spec.paused);
  t.is((await skiff('rollout', 'pause', 'deployment/web', '-n', ns)).stderr, 'error: deployments.apps "web" is already paused\n');
  const undoPaused = await skiff('rollout', 'undo', 'deployment/web', '-n', ns);
  t.regex(undoPaused.stderr, /^error: you cannot rollback a paused deployment/);
  t.is((await skiff('rollout', 'resume', 'deployment/web', '-n', ns)).stdout, 'deployment.apps/web resumed\n');
  t.falsy((await deployment()).spec.paused);
});

test.serial('label and annotate set, refuse to overwrite, and remove', async (t) => {
  t.is((await skiff('label', 'deploy', 'web', 'tier=front', '-n', ns)).stdout, 'deployment.apps/web labeled\n');
  const clash = await skiff('label', 'deploy', 'web', 'tier=back', '-n', ns);
  t.deepEqual([clash.code, clash.stderr], [1, "error: 'tier' already has a value (front), and --overwrite is false\n"]);
  t.is((await skiff('label', 'deploy/web', 'tier=back', '--overwrite', '-n', ns)).stdout, 'deployment.apps/web labeled\n');
  t.is((await deployment()).metadata.labels.tier, 'back');
  t.is((await skiff('label', 'deploy', 'web', 'tier-', '-n', ns)).stdout, 'deployment.apps/web labeled\n');
  t.is((await deployment()).metadata.labels.tier, undefined);
  t.is((await skiff('label', 'deploy', 'web', 'tier-', '-n', ns)).stdout, 'deployment.apps/web not labeled\n');
  t.is((await skiff('annotate', 'svc', 'web', 'owner=team-a', '-n', ns)).stdout, 'service/web annotated\n');
  const svc = (await req(srv.url, 'GET', `/api/v1/namespaces/${ns}/services/web`)).body;
  t.is(svc.metadata.annotations.owner, 'team-a');
});

test.serial('wait for a condition, a jsonpath value and a deletion', async (t) => {
  // No nodes, so no pod is ever available: Available=False is a condition that stays put.
  const cond = await skiff('wait', '--for=condition=Available=False', 'deployment/web', '-n', ns, '--timeout=20s');
  t.is(cond.stdout, 'deployment.apps/web condition met\n', cond.stderr);
  const jp = await skiff('wait', `--for=jsonpath={.spec.replicas}=2`, 'deployment/web', '-n', ns, '--timeout=5s');
  t.is(jp.stdout, 'deployment.apps/web condition met\n', jp.stderr);
  const never = await skiff('wait', '--for=condition=Available=True', 'deployment/web', '-n', ns, '--timeout=1s');
  t.deepEqual([never.code, never.stderr], [1, 'error: timed out waiting for the condition on deployments/web\n']);
  t.is((await skiff('create', 'configmap', 'doomed', '-n', ns)).code, 0);
  const waiting = skiff('wait', '--for=delete', 'configmap/doomed', '-n', ns, '--timeout=20s');
  await new Promise((r) => setTimeout(r, 300));
  await req(srv.url, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/doomed`);
  t.is((await waiting).stdout, 'configmap/doomed deleted\n');
});

test.serial('describe shows the deployment, its ReplicaSets, a service with endpoints, and events', async (t) => {
  const d = await skiff('describe', 'deployment', 'web', '-n', ns);
  t.is(d.code, 0, d.stderr);
  t.regex(d.stdout, /^Name:\s+web\nNamespace:\s+skiff-clicmd-\d+\nCreationTimestamp:\s+\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000\n/);
  t.regex(d.stdout, /^Replicas:\s+2 desired \| \d+ updated \| \d+ total \| 0 available \| \d+ unavailable$/m);
  t.regex(d.stdout, /^NewReplicaSet:\s+web-\w+ \(\d\/\d replicas created\)$/m);
  t.regex(d.stdout, /^\s+Image:\s+skiff\.local\/web:v2$/m);
  t.regex(d.stdout, /^Events:/m);
  const s = await skiff('describe', 'svc/web', '-n', ns);
  t.regex(s.stdout, /^Port:\s+http {2}80\/TCP\nTargetPort:\s+8080\/TCP\nEndpoints:\s+<none>$/m);
  const pods = await skiff('describe', 'pods', '-l', 'app=web', '-n', ns);
  t.is(pods.code, 0, pods.stderr);
  t.regex(pods.stdout, /^Status:\s+Pending$/m);
  t.regex(pods.stdout, /^Controlled By:\s+ReplicaSet\/web-\w+$/m);
  const missing = await skiff('describe', 'pod', 'ghost', '-n', ns);
  t.deepEqual([missing.code, missing.stderr], [1, 'Error from server (NotFound): pods "ghost" not found\n']);
});

test.serial('edit opens $EDITOR and patches what changed', async (t) => {
  const editor = join(srv.dataDir, 'editor.sh');
  writeFileSync(editor, '#!/bin/sh\nsed -i -e "s/replicas: 2/replicas: 4/" -e "s/^  labels:$/  labels:\\n    edited: \\"yes\\"/" "$1"\n');
  chmodSync(editor, 0o755);
  const out = await runCli(['edit', 'deployment/web', '-n', ns], { kubeconfig: srv.kubeconfig, env: { EDITOR: editor } });
  t.is(out.stdout, 'deployment.apps/web edited\n', out.stderr);
  const dep = await deployment();
  t.is(dep.spec.replicas, 4);
  t.is(dep.metadata.labels.edited, 'yes');
  const noChange = await runCli(['edit', 'deployment/web', '-n', ns], { kubeconfig: srv.kubeconfig, env: { EDITOR: 'true' } });
  t.deepEqual([noChange.code, noChange.stderr], [0, 'Edit cancelled, no changes made.\n']);
});

test.serial('api-resources prints what kubectl prints; version, cluster-info, logs errors', async (t) => {
  for (const args of [['api-resources'], ['api-resources', '--namespaced=false'], ['api-resources', '--api-group=apps', '-o', 'wide'], ['api-resources', '-o', 'name']]) {
    const k = await kubectl(...args);
    const s = await skiff(...args);
    t.is(s.stdout, k.stdout, args.join(' '));
  }
  const v = await skiff('version');
  t.regex(v.stdout, /^Client Version: v0\.1\.0-skiff\nServer Version: v\d+\.\d+\.\d+/);
  const vj = JSON.parse((await skiff('version', '-o', 'json')).stdout);
  t.truthy(vj.serverVersion.gitVersion);
  const ci = await skiff('cluster-info');
  t.is(ci.stdout, `Kubernetes control plane is running at ${srv.url}\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`);
  const logs = await skiff('logs', 'deploy/web', '-n', ns);
  if (logs.code !== 0) {
    t.is(logs.stderr.trim().split('\n').length, 1, 'one clear line when the log cannot be read yet');
    t.notRegex(logs.stderr, /at .*\.ts:\d+/);
  }
});

test.serial('config view redacts, use-context switches, completion is valid bash', async (t) => {
  const kc = yaml.load(readFileSync(srv.kubeconfig, 'utf8')) as any;
  kc.contexts.push({ name: 'other', context: { cluster: kc.clusters[0].name, user: kc.users[0].name, namespace: ns } });
  const file = join(srv.dataDir, 'two-contexts.yaml');
  writeFileSync(file, yaml.dump(kc));
  const view = await runCli(['config', 'view'], { kubeconfig: file });
  t.is(view.code, 0, view.stderr);
  const viewed = yaml.load(view.stdout) as any;
  t.is(viewed.contexts.length, 2);
  for (const u of viewed.users) for (const [k, v] of Object.entries(u.user)) if (/data|token|password/.test(k)) t.true(v === 'DATA+OMITTED' || v === 'REDACTED', k);
  const use = await runCli(['config', 'use-context', 'other'], { kubeconfig: file });
  t.is(use.stdout, 'Switched to context "other".\n');
  t.is((await runCli(['config', 'current-context'], { kubeconfig: file })).stdout, 'other\n');
  const inOther = await runCli(['get', 'deploy', '-o', 'name'], { kubeconfig: file });
  t.is(inOther.stdout, 'deployment.apps/web\n', 'the context namespace is used');
  const bad = await runCli(['config', 'use-context', 'nope'], { kubeconfig: file });
  t.is(bad.stderr, 'error: no context exists with the name: "nope"\n');
  const script = (await skiff('completion', 'bash')).stdout;
  const check = spawnSync('bash', ['-n'], { input: script });
  t.is(check.status, 0, String(check.stderr));
  t.regex(script, /complete -o default -F _skiff skiff/);
  t.regex(script, /rollout/);
});
