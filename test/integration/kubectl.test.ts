// The real kubectl against `skiff server`: apply (create, configure, unchanged), get tables,
// -o yaml round trip, get -w, delete -f, api-resources.
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { removeDir, startServerProcess, type ServerProcess } from '../lib/apiserver.js';
import { req } from '../lib/http.js';

const run = promisify(execFile);
let srv: ServerProcess;

test.before(async () => {
  srv = await startServerProcess();
});
test.after.always(async () => {
  await srv?.stop();
  if (srv) await removeDir(srv.dataDir);
});

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('kubectl', ['--kubeconfig', srv.kubeconfig, ...args], { timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

function manifest(ns: string, image: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: ${ns}
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 8080
        resources:
          requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${ns}
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
`;
}

test('kubectl apply creates, configures and reports unchanged; get prints kubectl tables; -o yaml round-trips; delete -f removes', async (t) => {
  const ns = `kt-${process.pid}`;
  const file = join(srv.dataDir, 'app.yaml');
  writeFileSync(file, manifest(ns, 'skiff.local/web:v1'));
  const first = await kubectl('apply', '-f', file);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, new RegExp(`namespace/${ns} created`));
  t.regex(first.stdout, /configmap\/web-config created/);
  t.regex(first.stdout, /deployment\.apps\/web created/);
  t.regex(first.stdout, /service\/web created/);

  writeFileSync(file, manifest(ns, 'skiff.local/web:v2'));
  const second = await kubectl('apply', '-f', file);
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, /deployment\.apps\/web configured/);
  t.regex(second.stdout, /configmap\/web-config unchanged/);
  const dep = (await req(srv.url, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).body;
  t.is(dep.metadata.generation, 2);
  t.is(dep.spec.template.spec.containers[0].image, 'skiff.local/web:v2');

  const third = await kubectl('apply', '-f', file);
  t.is(third.code, 0, third.stderr);
  for (const line of third.stdout.trim().split('\n')) t.regex(line, /unchanged$/);

  const get = await kubectl('get', 'deploy,svc,cm', '-n', ns);
  t.is(get.code, 0, get.stderr);
  t.regex(get.stdout, /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
  t.regex(get.stdout, /deployment\.apps\/web\s+\d+\/2\s+\d+\s+\d+\s+\d+s/);
  t.regex(get.stdout, /NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
  t.regex(get.stdout, /service\/web\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP/);
  t.regex(get.stdout, /NAME\s+DATA\s+AGE/);
  t.regex(get.stdout, /configmap\/web-config\s+1\s+/);
  const wide = await kubectl('get', 'deploy', '-n', ns, '-o', 'wide');
  t.regex(wide.stdout, /CONTAINERS\s+IMAGES\s+SELECTOR/);
  t.regex(wide.stdout, /web\s+skiff\.local\/web:v2\s+app=web/);

  const asYaml = await kubectl('get', 'deploy', 'web', '-n', ns, '-o', 'yaml');
  t.is(asYaml.code, 0, asYaml.stderr);
  const obj = yaml.load(asYaml.stdout) as any;
  t.is(obj.kind, 'Deployment');
  t.is(obj.spec.template.spec.containers[0].resources.requests.memory, '64Mi');
  t.regex(obj.metadata.resourceVersion, /^\d+$/);
  // Controllers keep writing status, so replace without the resourceVersion (unconditionally).
  const yfile = join(srv.dataDir, 'roundtrip.yaml');
  delete obj.metadata.resourceVersion;
  writeFileSync(yfile, yaml.dump(obj));
  const replaced = await kubectl('replace', '-f', yfile);
  t.is(replaced.code, 0, replaced.stderr);
  t.regex(replaced.stdout, /deployment\.apps\/web replaced/);

  const ar = await kubectl('api-resources');
  t.is(ar.code, 0, ar.stderr);
  for (const re of [/^pods\s+po\s+v1\s+true\s+Pod$/m, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/m, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m]) {
    t.regex(ar.stdout, re);
  }

  // Delete the namespace last, as one does: deleting it first lets the namespace controller
  // remove the rest before kubectl asks for it (a NotFound, on Kubernetes too).
  const reversed = join(srv.dataDir, 'app-reversed.yaml');
  writeFileSync(reversed, manifest(ns, 'skiff.local/web:v2').split('\n---\n').reverse().join('\n---\n'));
  const del = await kubectl('delete', '-f', reversed, '--timeout=60s');
  t.is(del.code, 0, del.stderr);
  t.regex(del.stdout, /deployment\.apps "web" deleted/);
  t.is((await req(srv.url, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).status, 404);
  t.is((await req(srv.url, 'GET', `/api/v1/namespaces/${ns}`)).status, 404);
});

test('kubectl get pods -w prints a line for a change made by another client', async (t) => {
  const ns = 'default';
  const name = `watched-${process.pid}`;
  const child = spawn('kubectl', ['--kubeconfig', srv.kubeconfig, 'get', 'pods', '-n', ns, '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise((r) => setTimeout(r, 1500));
  const created = await req(srv.url, 'POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'skiff.local/busybox:latest' }] } });
  t.is(created.status, 201);
  const deadline = Date.now() + 15_000;
  while (!new RegExp(`${name}\\s+0/1\\s+Pending`).test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.regex(out, new RegExp(`${name}\\s+0/1\\s+Pending\\s+0\\s+\\d+s`));
});

test('kubectl apply --server-side: create, conflict between managers, --force-conflicts; kubectl scale survives a client-side apply', async (t) => {
  const ns = `ssa-${process.pid}`;
  t.is((await req(srv.url, 'POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
  const file = join(srv.dataDir, 'ssa.yaml');
  const doc = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: skiff.local/web:v1
`;
  writeFileSync(file, doc(2));
  const first = await kubectl('apply', '--server-side', '-f', file);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /deployment\.apps\/web serverside-applied/);
  writeFileSync(file, doc(4));
  const other = await kubectl('apply', '--server-side', '--field-manager=other', '-f', file);
  t.is(other.code, 1);
  t.regex(other.stderr, /conflict with "kubectl"/);
  t.regex(other.stderr, /\.spec\.replicas/);
  const forced = await kubectl('apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', file);
  t.is(forced.code, 0, forced.stderr);
  t.is((await req(srv.url, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).body.spec.replicas, 4);

  // Client-side apply of a manifest without replicas keeps what `kubectl scale` set.
  const csaFile = join(srv.dataDir, 'csa.yaml');
  writeFileSync(csaFile, doc(1).replace('web\n  namespace', 'csa\n  namespace').replace('  replicas: 1\n', ''));
  t.is((await kubectl('apply', '-f', csaFile)).code, 0);
  const scaled = await kubectl('scale', 'deployment/csa', '-n', ns, '--replicas=3');
  t.is(scaled.code, 0, scaled.stderr);
  writeFileSync(csaFile, doc(1).replace('web\n  namespace', 'csa\n  namespace').replace('  replicas: 1\n', '').replace('web:v1', 'web:v2'));
  const reapplied = await kubectl('apply', '-f', csaFile);
  t.is(reapplied.code, 0, reapplied.stderr);
  const csa = (await req(srv.url, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/csa`)).body;
  t.is(csa.spec.replicas, 3);
  t.is(csa.spec.template.spec.containers[0].image, 'skiff.local/web:v2');
});
