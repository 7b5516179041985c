// skiff apply against the real API server and etcd: the round trip of acceptance 1, prune
// (acceptance 4), the same scenarios with the real kubectl, and diff/create/delete/scale.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli, type CliResult } from '../../pkg/cli/testing/harness.js';
import { removeDir, startServerProcess, type ServerProcess } from '../lib/apiserver.js';
import { req } from '../lib/http.js';

const run = promisify(execFile);
let srv: ServerProcess;
let dir: string;
let kubeconfig: string;

// A real `skiff server` (API server, etcd, controllers, garbage collector), as kubectl users meet it.
test.before(async () => {
  srv = await startServerProcess();
  dir = mkdtempSync(join(tmpdir(), 'skifftest-cliapply-'));
  kubeconfig = srv.kubeconfig;
});
test.after.always(async () => {
  await srv?.stop();
  if (srv) await removeDir(srv.dataDir);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const skiff = (...args: string[]) => runCli(args, { kubeconfig });
async function kubectl(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}
const get = async (path: string) => (await req(srv.url, 'GET', path)).body;

interface AppVersion {
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
}

/** writeApp writes the app as a directory of manifests (one multi-document file among them). */
function writeApp(appDir: string, ns: string, v: AppVersion, opts: { withConfigMap?: boolean; partOf?: string } = {}): void {
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(join(appDir, 'nested'), { recursive: true });
  const partOf = opts.partOf ? `\n    app.kubernetes.io/part-of: ${opts.partOf}` : '';
  writeFileSync(join(appDir, '00-namespace.yaml'), `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
  if (opts.withConfigMap ?? true) {
    writeFileSync(join(appDir, 'config.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: ns, labels: opts.partOf ? { 'app.kubernetes.io/part-of': opts.partOf } : {} }, data: { greeting: 'hello' } }));
  }
  const env = Object.entries(v.env).map(([name, value]) => `        - name: ${name}\n          value: "${value}"`).join('\n');
  const labels = Object.entries(v.labels).map(([k, val]) => `    ${k}: ${val}`).join('\n');
  writeFileSync(
    join(appDir, 'nested', 'web.yaml'),
    `# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels:
${labels}${partOf}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${v.image}
        env:
${env}
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${ns}
  labels: {app: web${opts.partOf ? `, app.kubernetes.io/part-of: ${opts.partOf}` : ''}}
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
`,
  );
}

const v1: AppVersion = { image: 'skiff.local/web:v1', env: { MODE: 'prod', DEBUG: 'false' }, labels: { app: 'web' } };
const v2: AppVersion = { image: 'skiff.local/web:v2', env: { MODE: 'prod' }, labels: { app: 'web', tier: 'frontend' } };

/** userView is an object without what the server owns (identity, timestamps, status, bookkeeping). */
function userView(obj: any): any {
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, generation: _g, managedFields: _m, namespace: _n, annotations, ...meta } = obj.metadata;
  const rest = { ...annotations };
  delete rest['kubectl.kubernetes.io/last-applied-configuration'];
  delete rest['deployment.kubernetes.io/revision'];
  const { status: _s, ...body } = obj;
  return { ...body, metadata: { ...meta, annotations: rest } };
}

test.serial('acceptance 1: round trip of a directory; edits land exactly; scale survives apply', async (t) => {
  const ns = 'skiff-rt';
  const appDir = join(dir, 'app-rt');
  writeApp(appDir, ns, v1);
  const first = await skiff('apply', '-f', appDir, '-R');
  t.is(first.code, 0, first.stderr);
  t.is(first.stdout, `namespace/${ns} created\nconfigmap/web-config created\ndeployment.apps/web created\nservice/web created\n`);
  t.is(first.stderr, '');

  const again = await skiff('apply', '-f', appDir, '-R');
  t.is(again.stdout, `namespace/${ns} unchanged\nconfigmap/web-config unchanged\ndeployment.apps/web unchanged\nservice/web unchanged\n`);

  const scaled = await skiff('scale', 'deployment/web', '-n', ns, '--replicas=5');
  t.is(scaled.code, 0, scaled.stderr);
  t.is(scaled.stdout, 'deployment.apps/web scaled\n');

  writeApp(appDir, ns, v2);
  const second = await skiff('apply', '-f', appDir, '-R');
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, /^deployment\.apps\/web configured$/m);
  t.regex(second.stdout, /^service\/web unchanged$/m);
  const dep = await get(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
  t.is(dep.spec.replicas, 5, 'replicas set by scale survive an apply that does not mention them');
  t.deepEqual(dep.metadata.labels, { app: 'web', tier: 'frontend' });
  t.deepEqual(dep.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'prod' }]);
  t.is(dep.spec.template.spec.containers[0].image, 'skiff.local/web:v2');

  // Exactly the file's fields plus server-set ones: the same file applied fresh elsewhere
  // (file + defaults only) must look the same, apart from the scaled replicas.
  const freshDir = join(dir, 'app-fresh');
  writeApp(freshDir, 'skiff-rt-fresh', v2);
  t.is((await skiff('apply', '-R', '-f', freshDir)).code, 0);
  const fresh = await get('/apis/apps/v1/namespaces/skiff-rt-fresh/deployments/web');
  t.deepEqual(userView(dep), { ...userView(fresh), spec: { ...userView(fresh).spec, replicas: 5 } });
  const a = JSON.parse(dep.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  t.is(a.spec.template.spec.containers[0].image, 'skiff.local/web:v2');
});

test.serial('acceptance 2: kubectl and skiff client-side apply make identical objects and read each other\'s last-applied', async (t) => {
  const byKubectl = join(dir, 'app-k');
  const bySkiff = join(dir, 'app-s');
  writeApp(byKubectl, 'skiff-kc', v1);
  writeApp(bySkiff, 'skiff-sk', v1);
  t.is((await kubectl('apply', '-R', '-f', byKubectl)).code, 0);
  t.is((await skiff('apply', '-R', '-f', bySkiff)).code, 0);
  const k1 = await get('/apis/apps/v1/namespaces/skiff-kc/deployments/web');
  const s1 = await get('/apis/apps/v1/namespaces/skiff-sk/deployments/web');
  const annotation = (o: any) => JSON.parse(o.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  t.deepEqual(userView(s1), userView(k1));
  t.deepEqual({ ...annotation(s1), metadata: { ...annotation(s1).metadata, namespace: 'x' } }, { ...annotation(k1), metadata: { ...annotation(k1).metadata, namespace: 'x' } });
  // Cross over: skiff applies v2 over kubectl's apply, kubectl over skiff's.
  writeApp(byKubectl, 'skiff-kc', v2);
  writeApp(bySkiff, 'skiff-sk', v2);
  const s = await skiff('apply', '-R', '-f', byKubectl);
  t.is(s.code, 0, s.stderr);
  const k = await kubectl('apply', '-R', '-f', bySkiff);
  t.is(k.code, 0, k.stderr);
  t.is(s.stdout, k.stdout.replaceAll('skiff-sk', 'skiff-kc'), 'both print the same lines');
  const k2 = await get('/apis/apps/v1/namespaces/skiff-kc/deployments/web');
  const s2 = await get('/apis/apps/v1/namespaces/skiff-sk/deployments/web');
  t.deepEqual(userView(s2), userView(k2));
  t.deepEqual(k2.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'prod' }]);
});

test.serial('acceptance 2: kubectl apply --server-side round trip on the same files', async (t) => {
  const appDir = join(dir, 'app-ssa');
  writeApp(appDir, 'skiff-ssa-k', v1);
  const first = await kubectl('apply', '--server-side', '-R', '-f', appDir);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /deployment\.apps\/web serverside-applied/);
  writeApp(appDir, 'skiff-ssa-k', v2);
  const second = await kubectl('apply', '--server-side', '-R', '-f', appDir);
  t.is(second.code, 0, second.stderr);
  const dep = await get('/apis/apps/v1/namespaces/skiff-ssa-k/deployments/web');
  t.is(dep.spec.template.spec.containers[0].image, 'skiff.local/web:v2');
  t.is(dep.metadata.labels.tier, 'frontend');
  if (!dep.metadata.managedFields?.length) {
    t.log('server returns no managedFields: removal of fields a manager stops applying is not checked (server-side apply is the API server\'s part)');
    return;
  }
  t.deepEqual(dep.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'prod' }], 'a field the manager stopped applying is removed');
});

test.serial('acceptance 4: --prune deletes exactly the labelled objects that left the files', async (t) => {
  const ns = 'skiff-prune';
  const appDir = join(dir, 'app-prune');
  writeApp(appDir, ns, v1, { partOf: 'shop' });
  const first = await skiff('apply', '-R', '-f', appDir, '--prune', '-l', 'app.kubernetes.io/part-of=shop');
  t.is(first.code, 0, first.stderr);
  // Labelled but not made by apply (no last-applied): never pruned. Made by apply elsewhere: out of scope.
  t.is((await req(srv.url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'hand-made', labels: { 'app.kubernetes.io/part-of': 'shop' } } })).status, 201);
  const otherDir = join(dir, 'app-prune-other');
  writeApp(otherDir, 'skiff-prune-other', v1, { partOf: 'shop' });
  t.is((await skiff('apply', '-R', '-f', otherDir)).code, 0);
  // An unlabelled, applied object in the same namespace is not selected.
  writeFileSync(join(dir, 'loner.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: loner, namespace: ${ns}}\n`);
  t.is((await skiff('apply', '-f', join(dir, 'loner.yaml'))).code, 0);

  writeApp(appDir, ns, v1, { partOf: 'shop', withConfigMap: false });
  unlinkSync(join(appDir, 'nested', 'web.yaml'));
  writeFileSync(join(appDir, 'nested', 'svc.yaml'), `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${ns}, labels: {app.kubernetes.io/part-of: shop}}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n`);
  const dry = await skiff('apply', '-R', '-f', appDir, '--prune', '-l', 'app.kubernetes.io/part-of=shop', '--dry-run=server');
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /^configmap\/web-config pruned \(server dry run\)$/m);
  t.is((await req(srv.url, 'GET', `/api/v1/namespaces/${ns}/configmaps/web-config`)).status, 200, 'a dry run prunes nothing');
  const pruned = await skiff('apply', '-R', '-f', appDir, '--prune', '-l', 'app.kubernetes.io/part-of=shop');
  t.is(pruned.code, 0, pruned.stderr);
  const lines = pruned.stdout.trim().split('\n').filter((l) => l.endsWith(' pruned')).sort();
  t.deepEqual(lines, ['configmap/web-config pruned', 'deployment.apps/web pruned']);
  t.is((await req(srv.url, 'GET', `/api/v1/namespaces/${ns}/configmaps/web-config`)).status, 404);
  t.is((await req(srv.url, 'GET', `/api/v1/namespaces/${ns}/configmaps/hand-made`)).status, 200);
  t.is((await req(srv.url, 'GET', `/api/v1/namespaces/${ns}/configmaps/loner`)).status, 200);
  t.is((await req(srv.url, 'GET', `/apis/apps/v1/namespaces/skiff-prune-other/deployments/web`)).status, 200);
  t.is((await req(srv.url, 'GET', `/api/v1/namespaces/${ns}/services/web`)).status, 200);
});

test.serial('dry runs change nothing; diff shows what apply would change', async (t) => {
  const ns = 'skiff-dry';
  const appDir = join(dir, 'app-dry');
  writeApp(appDir, ns, v1);
  const client = await skiff('apply', '-R', '-f', appDir, '--dry-run=client');
  t.is(client.code, 0, client.stderr);
  t.regex(client.stdout, /^deployment\.apps\/web created \(dry run\)$/m);
  t.is((await req(srv.url, 'GET', `/api/v1/namespaces/${ns}`)).status, 404);
  t.is((await skiff('apply', '-R', '-f', appDir)).code, 0);
  writeApp(appDir, ns, v2);
  const server = await skiff('apply', '-R', '-f', appDir, '--dry-run=server');
  t.is(server.code, 0, server.stderr);
  t.regex(server.stdout, /^deployment\.apps\/web configured \(server dry run\)$/m);
  t.is((await get(`/apis/apps/v1/namespaces/${ns}/deployments/web`)).spec.template.spec.containers[0].image, 'skiff.local/web:v1');
  const diff = await skiff('diff', '-R', '-f', appDir);
  t.is(diff.code, 1, diff.stderr);
  t.regex(diff.stdout, /^--- LIVE\/apps\.v1\.Deployment\.skiff-dry\.web$/m);
  t.regex(diff.stdout, /^-\s+image: skiff\.local\/web:v1$/m);
  t.regex(diff.stdout, /^\+\s+image: skiff\.local\/web:v2$/m);
  t.regex(diff.stdout, /^-\s+- name: DEBUG$/m);
  t.regex(diff.stdout, /^\+\s+tier: frontend$/m);
  t.notRegex(diff.stdout, /Service/);
  t.is((await skiff('apply', '-R', '-f', appDir)).code, 0);
  const none = await skiff('diff', '-R', '-f', appDir);
  t.is(none.code, 0, none.stdout + none.stderr);
  t.is(none.stdout, '');
});

test.serial('create, delete by file, name and label, with --cascade and --wait', async (t) => {
  t.is((await skiff('create', 'namespace', 'skiff-del')).stdout, 'namespace/skiff-del created\n');
  const cm = await skiff('create', 'configmap', 'one', '-n', 'skiff-del', '--from-literal=a=1', '--from-literal=b=2');
  t.is(cm.stdout, 'configmap/one created\n', cm.stderr);
  t.deepEqual((await get('/api/v1/namespaces/skiff-del/configmaps/one')).data, { a: '1', b: '2' });
  const exists = await skiff('create', 'configmap', 'one', '-n', 'skiff-del');
  t.is(exists.code, 1);
  t.is(exists.stderr, 'Error from server (AlreadyExists): configmaps "one" already exists\n');
  const dep = await skiff('create', 'deployment', 'api', '-n', 'skiff-del', '--image=skiff.local/api:v1', '--replicas=2');
  t.is(dep.stdout, 'deployment.apps/api created\n', dep.stderr);
  for (const n of ['l1', 'l2']) await req(srv.url, 'POST', '/api/v1/namespaces/skiff-del/configmaps', { metadata: { name: n, labels: { group: 'x' } } });
  const byLabel = await skiff('delete', 'cm', '-l', 'group=x', '-n', 'skiff-del');
  t.is(byLabel.code, 0, byLabel.stderr);
  t.is(byLabel.stdout, 'configmap "l1" deleted\nconfigmap "l2" deleted\n');
  // --cascade=orphan: the garbage collector drops the ReplicaSet's owner reference instead of deleting it.
  const rsOf = async () => (await get('/apis/apps/v1/namespaces/skiff-del/replicasets')).items.filter((rs: any) => rs.metadata.name.startsWith('api-'));
  const deadline = Date.now() + 15_000;
  while ((await rsOf()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  t.is((await rsOf()).length, 1, 'the deployment controller made a ReplicaSet');
  const byName = await skiff('delete', 'deploy', 'api', '-n', 'skiff-del', '--cascade=orphan', '--timeout=30s');
  t.is(byName.stdout, 'deployment.apps "api" deleted\n', byName.stderr);
  t.is(byName.code, 0, 'waited until the deployment was gone');
  t.is((await req(srv.url, 'GET', '/apis/apps/v1/namespaces/skiff-del/deployments/api')).status, 404);
  const orphans = await rsOf();
  t.is(orphans.length, 1, 'the ReplicaSet survives');
  t.deepEqual(orphans[0].metadata.ownerReferences ?? [], []);
  const dry = await skiff('delete', 'ns', 'skiff-del', '--dry-run=server');
  t.is(dry.stdout, 'namespace "skiff-del" deleted (server dry run)\n', dry.stderr);
  t.falsy((await get('/api/v1/namespaces/skiff-del')).metadata.deletionTimestamp);
  const missing = await skiff('delete', 'cm', 'ghost', '-n', 'skiff-del');
  t.is(missing.code, 1);
  t.is(missing.stderr, 'Error from server (NotFound): configmaps "ghost" not found\n');
  t.is((await skiff('delete', 'cm', 'ghost', '-n', 'skiff-del', '--ignore-not-found')).code, 0);
  const file = join(dir, 'del.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one, namespace: skiff-del}\n');
  const byFile = await skiff('delete', '-f', file, '--wait=false');
  t.is(byFile.stdout, 'configmap "one" deleted\n', byFile.stderr);
  t.is((await req(srv.url, 'GET', '/api/v1/namespaces/skiff-del/configmaps/one')).status, 404);
  const bad = await skiff('delete', 'cm', 'x', '--cascade=sometimes');
  t.is(bad.stderr, 'error: invalid cascade value (sometimes). Must be "background", "foreground", or "orphan"\n');
});

test.serial('run creates a one-off pod; attached with --rm it cleans up even when the pod never starts', async (t) => {
  const created = await skiff('run', 'oneoff', '--image=skiff.local/busybox:latest', '--restart=Never', '--env', 'A=1', '--', 'sh', '-c', 'echo hi');
  t.is(created.stdout, 'pod/oneoff created\n', created.stderr);
  const pod = await get('/api/v1/namespaces/default/pods/oneoff');
  t.deepEqual(pod.spec.containers[0].args, ['sh', '-c', 'echo hi']);
  t.is(pod.spec.restartPolicy, 'Never');
  t.deepEqual(pod.metadata.labels, { run: 'oneoff' });
  const noAttach = await skiff('run', 'x', '--image=i', '--rm');
  t.is(noAttach.stderr, 'error: --rm should only be used for attached containers\n');
  // This cluster has no nodes, so the pod stays Pending: the attach times out and --rm still deletes it.
  const attached = await skiff('run', 'stuck', '--image=skiff.local/busybox:latest', '--restart=Never', '--rm', '-i', '--pod-running-timeout=1s');
  t.is(attached.code, 1);
  t.regex(attached.stderr, /^error: timed out waiting for the condition: pod stuck is still Pending\n$/);
  t.is(attached.stdout, 'pod "stuck" deleted\n');
  t.is((await req(srv.url, 'GET', '/api/v1/namespaces/default/pods/stuck')).status, 404);
});
